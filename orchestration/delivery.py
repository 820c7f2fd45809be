"""The raw files in RETENTION_RAW_DIR as observable source assets: what arrived, how much, how recent.

Why observations: the UI shows each file's row count and latest timestamp before anything is
validated, and the fingerprint (names, sizes, modification times) is both the observation's
data version and what the new-delivery sensor compares.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from orchestration.project import orchestration_settings
from quality_gates.raw_files import describe_raw_file, find_raw_file
from quality_gates.suites import RAW_TABLES
from refresh.landing import delivery_fingerprint

LATEST_COLUMN = {
    "raw_customers": "signup_at",
    "raw_orders": "ordered_at",
    "raw_support_tickets": "created_at",
    "raw_survey_responses": "responded_at",
}
"""The timestamp that says how recent each delivered table is."""
DELIVERY_KEYS = {table: dg.AssetKey(["delivery", table]) for table in RAW_TABLES}


def observe_file(raw_dir: Path, table: str) -> dict[str, dg.MetadataValue]:
    """Metadata of one delivered table, read from the file; a missing or unreadable file is reported, not raised."""
    try:
        path = find_raw_file(raw_dir, table)
        described = describe_raw_file(path, LATEST_COLUMN[table])
    except Exception as error:  # an observation reports a broken file; the gates stop the run
        return {"problem": dg.MetadataValue.text(str(error)[:500])}
    return file_metadata(table, path, described.rows, str(described.latest_at) if described.latest_at else None)


def file_metadata(table: str, path: Path, rows: int, latest_at: str | None) -> dict[str, dg.MetadataValue]:
    """Describe a delivered table for an observation: where, how many rows, how recent, size and time."""
    stat = path.stat()
    return {
        "path": dg.MetadataValue.path(str(path)),
        "dagster/row_count": dg.MetadataValue.int(rows),
        f"latest {LATEST_COLUMN[table]}": dg.MetadataValue.text(latest_at or "none parseable"),
        "size_bytes": dg.MetadataValue.int(stat.st_size),
        "modified_at": dg.MetadataValue.timestamp(stat.st_mtime),
    }


@dg.multi_observable_source_asset(
    specs=[
        dg.AssetSpec(key, group_name="delivery", description=f"The delivered {table} file in RETENTION_RAW_DIR.")
        for table, key in DELIVERY_KEYS.items()
    ],
    name="delivered_files",
)
def delivered_files() -> Iterator[dg.ObserveResult]:
    """Observe every delivered file of RETENTION_RAW_DIR (row count, latest timestamp, size, mtime)."""
    raw_dir = orchestration_settings().raw_dir
    version = delivery_fingerprint(raw_dir) or "incomplete"
    for table, key in DELIVERY_KEYS.items():
        yield dg.ObserveResult(
            asset_key=key, metadata=observe_file(raw_dir, table), data_version=dg.DataVersion(version)
        )
