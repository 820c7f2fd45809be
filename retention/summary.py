"""Print where the published warehouse is, what it holds and how to query it, after `make run`.

Why a module and not an echo: the row counts and version read back from the published file prove
to a new user that the refresh produced data, not just exit code 0.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def mart_row_counts(path: Path) -> tuple[str, str, dict[str, int]]:
    """Read the published version id, as_of_date and every mart's row count, read-only."""
    with duckdb.connect(str(path), read_only=True) as con:
        version, as_of = con.execute("select version_id, as_of_date from meta.publication").fetchone()
        counts = dict(con.execute("select table_name, row_count from meta.published_tables order by 1").fetchall())
    return version, str(as_of), counts


def print_summary(path: Path) -> None:
    """Print the published warehouse's location, version, marts and a query to start from."""
    version, as_of, counts = mart_row_counts(path)
    print(f"\nPublished warehouse: {path}\n  version {version}, as_of_date {as_of}")
    for table, count in counts.items():
        print(f"  marts.{table:<38} {count:>10,} rows")
    print(
        "\nQuery it read-only (any time, also during a refresh):\n"
        f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{path}', read_only=True)"
        ".sql('select * from marts.at_risk_customers limit 5'))\""
    )
