"""Every DuckDB connection the project's Python opens: in UTC, whatever the host's time zone.

Why: DuckDB reads text without an offset as a time in the session's time zone and renders a
timestamp-with-time-zone (e.g. a Parquet column with isAdjustedToUTC) as text in it. A session in
the host's zone made the gates, and so the marts, differ between a UTC machine and one in
Europe/Berlin. dbt's sessions get the same setting from profiles.yml.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

SESSION_TIME_ZONE = "UTC"
MEMORY_LIMIT_ENV = "RETENTION_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "2GB"
"""DuckDB's memory limit for every session, dbt's included (profiles.yml reads the same variable with the same
default): DuckDB spills to disk beyond it. Its own default, 80% of the machine, let one refresh take 10 GiB."""


def memory_limit() -> str:
    """Return the memory limit for DuckDB sessions: env RETENTION_DUCKDB_MEMORY_LIMIT, else DEFAULT_MEMORY_LIMIT."""
    return os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)


def connect(path: Path | str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB connection (in memory when path is None) in UTC, within the project's memory limit.

    Set after opening: as a connect-time config the time zone cannot autoload the ICU extension it needs.
    """
    con = duckdb.connect(":memory:" if path is None else str(path), read_only=read_only)
    con.execute(f"set TimeZone = '{SESSION_TIME_ZONE}'")
    con.execute(f"set memory_limit = '{memory_limit()}'")
    return con


def one_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    """Run a query that returns exactly one row (an aggregate, a one-row table) and return that row."""
    row = con.execute(sql).fetchone()
    if row is None:
        raise LookupError(f"expected one row from: {sql}")
    return row
