"""Print what a refresh published, where it is and how to query it, after `make run`.

Why a module and not an echo: the version, as_of_date and row counts of the version this run
published prove to a new user that the refresh produced data, not just exit code 0; they are the
run's own (from its publish), not whatever the served file holds by the time it is printed.
"""

from __future__ import annotations

from pathlib import Path


def print_summary(
    serving_file: Path, version_id: str, as_of_date: str, row_counts: dict[str, int], current: str | None
) -> None:
    """Print the published version, its marts' row counts, whether it is still served, and a query to start from."""
    print(f"\nPublished warehouse: {serving_file}\n  version {version_id}, as_of_date {as_of_date}")
    for table, count in sorted(row_counts.items()):
        print(f"  marts.{table:<38} {count:>10,} rows")
    if current != version_id:
        print(f"  (since replaced: another refresh has published version {current} after it)")
    print(
        "\nQuery it read-only (any time, also during a refresh):\n"
        f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{serving_file}', read_only=True)"
        ".sql('select * from marts.at_risk_customers limit 5'))\""
    )
