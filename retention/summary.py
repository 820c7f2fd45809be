"""Print where the warehouse is, what it holds and how to query it, after `make run`.

Why a module and not an echo: the path comes from RETENTION_DUCKDB_PATH like dbt's profile, and
the row counts prove to a new user that the build produced data, not just exit code 0.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

DEFAULT_WAREHOUSE = "warehouse/retention.duckdb"


def warehouse_path() -> Path:
    """Resolve the warehouse file the same way as profiles.yml does."""
    return Path(os.environ.get("RETENTION_DUCKDB_PATH", DEFAULT_WAREHOUSE)).resolve()


def mart_row_counts(path: Path) -> tuple[str, dict[str, int]]:
    """Read the build's as_of_date and every mart's row count, read-only."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        counts = {table: con.execute(f'select count(*) from marts."{table}"').fetchone()[0] for table in tables}
        as_of = con.execute("select as_of_date from intermediate.int_parameters_resolved").fetchone()[0]
    return str(as_of), counts


def main() -> None:
    """Print the summary."""
    path = warehouse_path()
    as_of, counts = mart_row_counts(path)
    print(f"\nWarehouse: {path}  (as_of_date {as_of})")
    for table, count in counts.items():
        print(f"  marts.{table:<32} {count:>10,} rows")
    print(
        "\nQuery it (read-only, while no refresh is writing):\n"
        f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{path}', read_only=True)"
        ".sql('select * from marts.dim_customers limit 5'))\""
    )


if __name__ == "__main__":
    main()
