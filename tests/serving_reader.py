"""A BI reader in a loop, for the concurrency test: ``python -m tests.serving_reader SERVING OUT STOP``.

Each read opens the served DuckDB file read-only (as a BI tool would), reads which version it is and
the row counts that version promises (meta.published_tables), counts every table, and closes.
A read is consistent when every count matches. Prints each version id the first time it reads it
(so the test can wait until every reader has seen a publish, instead of sleeping). Bounded by count
and time; stops early when the stop file appears. Writes {reads, errors, inconsistent, versions:
{version_id: {table: rows}}} to OUT.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

MAX_READS = 200_000
MAX_SECONDS = 1800.0


def read_once(path: Path) -> tuple[str, dict[str, int], bool]:
    """One read: the version id, the counts it promises, whether every table has them."""
    with duckdb.connect(str(path), read_only=True) as con:
        (version,) = con.execute("select version_id from meta.publication").fetchone()
        promised = dict(con.execute("select table_name, row_count from meta.published_tables").fetchall())
        actual = {table: con.execute(f'select count(*) from marts."{table}"').fetchone()[0] for table in promised}
    return version, promised, actual == promised


def main(serving_file: str, out: str, stop_file: str) -> None:
    """Read until stopped or bounded; record every error instead of raising."""
    path, stop = Path(serving_file), Path(stop_file)
    reads, errors, inconsistent, versions = 0, [], 0, {}
    started = time.monotonic()
    while reads < MAX_READS and time.monotonic() - started < MAX_SECONDS and not stop.exists():
        try:
            version, promised, consistent = read_once(path)
            if version not in versions:
                print(version, flush=True)
            versions[version] = promised
            inconsistent += not consistent
        except Exception as error:  # every failure is the test's evidence, not a crash
            errors.append(f"{type(error).__name__}: {error}")
        reads += 1
    Path(out).write_text(
        json.dumps({"reads": reads, "errors": errors, "inconsistent": inconsistent, "versions": versions})
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
