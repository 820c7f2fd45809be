"""Every DuckDB connection the project's Python opens: in UTC, whatever the host's time zone.

Why: DuckDB reads text without an offset as a time in the session's time zone and renders a
timestamp-with-time-zone (e.g. a Parquet column with isAdjustedToUTC) as text in it. A session in
the host's zone made the gates, and so the marts, differ between a UTC machine and one in
Europe/Berlin. dbt's sessions get the same setting from profiles.yml.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SESSION_TIME_ZONE = "UTC"


def connect(path: Path | str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB connection (in memory when path is None) whose session time zone is UTC.

    Set after opening: as a connect-time config the setting cannot autoload the ICU extension it needs.
    """
    con = duckdb.connect(":memory:" if path is None else str(path), read_only=read_only)
    con.execute(f"set TimeZone = '{SESSION_TIME_ZONE}'")
    return con


def one_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    """Run a query that returns exactly one row (an aggregate, a one-row table) and return that row."""
    row = con.execute(sql).fetchone()
    if row is None:
        raise LookupError(f"expected one row from: {sql}")
    return row
