"""Publish the checked marts to the serving folder BI tools read, keep N versions, roll back in one command.

Why this shape: DuckDB allows one writer per file and a process holding a file (even read-only)
blocks a writer, so BI readers must never open the file dbt writes. Each publish therefore writes a
brand-new, complete, checkpointed DuckDB file (marts only, plus a `meta` schema naming the version)
and Parquet copies in their own version folder, then swaps the served name to it with one atomic
rename. A reader that opened the old file keeps reading it (same inode) and a reader that opens the
name afterwards gets the new one: never a mix, never a lock shared with a writer.

Layout of the serving folder::

    serving/retention.duckdb          the current version (hard link); open it read_only
    serving/current.json              manifest of the current version (Parquet readers start here)
    serving/versions/<version_id>/    retention.duckdb, parquet/<table>.parquet, manifest.json

Usage: ``python -m publishing list`` / ``python -m publishing rollback [--to VERSION]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from warehouse_home.duckdb_session import connect, one_row
from warehouse_home.layout import WAREHOUSE_FILE, WarehouseLayout

PUBLISHED_SCHEMA = "marts"
MANIFEST_FILE = "manifest.json"
CURRENT_MANIFEST = "current.json"
VERSIONS_DIR = "versions"
DEFAULT_KEEP_VERSIONS = 5


@dataclass(frozen=True)
class PublishedVersion:
    """One published version, as its manifest describes it."""

    version_id: str
    directory: Path
    manifest: dict

    @property
    def row_counts(self) -> dict[str, int]:
        """Rows per published table, by table name."""
        return {name: table["rows"] for name, table in self.manifest["tables"].items()}


def _versions_dir(serving_dir: Path) -> Path:
    return serving_dir / VERSIONS_DIR


def list_versions(serving_dir: Path) -> list[PublishedVersion]:
    """Every kept version, oldest first (version ids sort in publication order)."""
    root = _versions_dir(serving_dir)
    if not root.exists():
        return []
    return [
        PublishedVersion(path.name, path, json.loads((path / MANIFEST_FILE).read_text()))
        for path in sorted(root.iterdir())
        if (path / MANIFEST_FILE).exists() and not path.name.startswith(".")
    ]


def current_version(serving_dir: Path) -> str | None:
    """Return the version id BI readers see now, or None before the first publish."""
    path = serving_dir / CURRENT_MANIFEST
    return json.loads(path.read_text())["version_id"] if path.exists() else None


def _copy_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Recreate every mart of the attached build (same DDL, so contract NOT NULLs hold) and copy its rows."""
    tables = con.execute(
        "select table_name, sql from duckdb_tables() where database_name = 'build' and schema_name = ? order by 1",
        [PUBLISHED_SCHEMA],
    ).fetchall()
    con.execute(f"create schema {PUBLISHED_SCHEMA}")
    for table, ddl in tables:
        con.execute(ddl)
        con.execute(f'insert into {PUBLISHED_SCHEMA}."{table}" select * from build.{PUBLISHED_SCHEMA}."{table}"')
    return [table for table, _ in tables]


class BuildNotOwned(RuntimeError):
    """The build file is not the one the publishing refresh landed, built and checked: nothing is published."""


def _landed_load(con: duckdb.DuckDBPyConnection, build_file: Path, run_id: str | None) -> dict:
    """Read whose delivery the attached build holds (quality.load_manifest); with run_id, insist it is that run's.

    Why: a refresh must publish exactly the build it gated, built and checked. The landing macro copies
    the load manifest into the build in the same dbt run that lands the delivery, so the build file
    itself says which run's delivery it was built from.
    """
    has_manifest = one_row(
        con,
        "select count(*) from duckdb_tables() where database_name = 'build' and schema_name = 'quality' "
        "and table_name = 'load_manifest'",
    )[0]
    rows = (
        con.execute("select run_id, delivery_fingerprint, load_time from build.quality.load_manifest").fetchall()
        if has_manifest
        else []
    )
    landed = dict(zip(("run_id", "delivery_fingerprint", "load_time"), rows[0], strict=True)) if len(rows) == 1 else {}
    if run_id is not None and landed.get("run_id") != run_id:
        found = (
            f"the delivery {landed.get('delivery_fingerprint')} landed by run {landed.get('run_id')}"
            if landed
            else "no landed delivery of any refresh (a plain dbt build)"
        )
        raise BuildNotOwned(
            f"refusing to publish {build_file}: it holds {found}, not the delivery run {run_id} gated, built "
            "and checked (another refresh rebuilt it in between). Nothing was published; the served version is "
            "unchanged. Run the refresh again."
        )
    return landed


def _write_meta(con: duckdb.DuckDBPyConnection, manifest: dict) -> None:
    """Write the meta schema: which version this file is, and how many rows each table must have."""
    con.execute("create schema meta")
    con.execute(
        "create table meta.publication as select ?::varchar as version_id, ?::timestamp as published_at, "
        "?::date as as_of_date, ?::timestamp as load_time, ?::varchar as run_id, ?::varchar as delivery_fingerprint",
        [
            manifest["version_id"],
            manifest["published_at"],
            manifest["as_of_date"],
            manifest["load_time"],
            manifest["run_id"],
            manifest["delivery_fingerprint"],
        ],
    )
    con.execute("create table meta.published_tables (table_name varchar not null, row_count bigint not null)")
    con.executemany("insert into meta.published_tables values (?, ?)", list(manifest["row_counts"].items()))


def _write_version(build_file: Path, directory: Path, manifest: dict, load_time: datetime | None) -> dict:
    """Write the version's DuckDB file, Parquet copies and manifest into directory; return the manifest.

    Raises BuildNotOwned when manifest["run_id"] is set and the build is not that run's.
    """
    (directory / "parquet").mkdir(parents=True)
    with connect(str(directory / WAREHOUSE_FILE)) as con:
        con.execute(f"attach '{build_file}' as build (read_only)")
        landed = _landed_load(con, build_file, manifest["run_id"])
        manifest["run_id"] = manifest["run_id"] or landed.get("run_id")
        manifest["delivery_fingerprint"] = landed.get("delivery_fingerprint")
        landed_time = datetime.fromisoformat(landed["load_time"]) if landed.get("load_time") else load_time
        if landed_time is None:
            raise ValueError(f"{build_file} records no load time (quality.load_manifest): pass load_time")
        manifest["load_time"] = landed_time.isoformat()
        tables = _copy_marts(con)
        manifest["as_of_date"] = str(
            one_row(con, "select as_of_date from build.intermediate.int_parameters_resolved")[0]
        )
        manifest["row_counts"] = {
            table: one_row(con, f'select count(*) from {PUBLISHED_SCHEMA}."{table}"')[0] for table in tables
        }
        manifest["tables"] = {}
        for table in tables:
            parquet = f"parquet/{table}.parquet"
            con.execute(f"copy {PUBLISHED_SCHEMA}.\"{table}\" to '{directory / parquet}' (format parquet)")
            manifest["tables"][table] = {"rows": manifest["row_counts"][table], "parquet": parquet}
        con.execute("detach build")
        _write_meta(con, manifest)
        con.execute("checkpoint")
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _replace_atomically(serving_dir: Path, name: str, make_temp: Callable[[Path], object]) -> None:
    """Create serving_dir/.name.tmp with make_temp(path), then rename it over serving_dir/name (atomic)."""
    temp = serving_dir / f".{name}.tmp"
    temp.unlink(missing_ok=True)
    make_temp(temp)
    os.replace(temp, serving_dir / name)


def switch_to(serving_dir: Path, version_id: str) -> PublishedVersion:
    """Point the served file and manifest at a kept version: two atomic renames, nothing rewritten."""
    directory = _versions_dir(serving_dir) / version_id
    if not (directory / MANIFEST_FILE).exists():
        kept = ", ".join(version.version_id for version in list_versions(serving_dir)) or "none"
        raise ValueError(f"version {version_id!r} is not kept in {serving_dir} (kept: {kept})")
    manifest = json.loads((directory / MANIFEST_FILE).read_text())
    _replace_atomically(serving_dir, WAREHOUSE_FILE, lambda temp: os.link(directory / WAREHOUSE_FILE, temp))
    current = {**manifest, "version_dir": str(directory)}
    _replace_atomically(serving_dir, CURRENT_MANIFEST, lambda temp: temp.write_text(json.dumps(current, indent=2)))
    return PublishedVersion(version_id, directory, manifest)


def remove_leftovers(serving_dir: Path) -> list[Path]:
    """Delete what a publish killed half-way left behind (hidden temp version folders and files); return them.

    Only a process holding the writer lease may call it: another publisher's temp folder is in use.
    """
    leftovers = [*_versions_dir(serving_dir).glob(".*.tmp"), *serving_dir.glob(".*.tmp")]
    for leftover in leftovers:
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    return leftovers


def prune(serving_dir: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` versions, never the current one; return the deleted ids.

    A reader that still has a deleted version's DuckDB file open keeps reading it (the inode lives on).
    """
    current = current_version(serving_dir)
    versions = [version.version_id for version in list_versions(serving_dir)]
    deleted = [version for version in versions[: max(len(versions) - keep, 0)] if version != current]
    for version in deleted:
        shutil.rmtree(_versions_dir(serving_dir) / version)
    return deleted


def publish(
    build_file: Path,
    serving_dir: Path,
    *,
    published_at: datetime,
    run_id: str | None,
    load_time: datetime | None = None,
    keep: int = DEFAULT_KEEP_VERSIONS,
) -> PublishedVersion:
    """Publish the marts of a checked build as a new version and make it current.

    run_id is the refresh publishing: the build must hold the delivery that run landed (its
    quality.load_manifest), else BuildNotOwned and nothing changes; None publishes the build as it is
    (benchmarks and tests of publishing itself). The load time and delivery fingerprint come from the
    build's load manifest; load_time is used only for a build without one (a plain dbt build).
    The build file is only read. A publish that dies half-way leaves a hidden temp folder (removed
    by the next refresh or publish) and the previous version still current.
    """
    versions_dir = _versions_dir(serving_dir)
    versions_dir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(serving_dir)
    version_id = published_at.strftime("%Y%m%dT%H%M%S.%fZ")
    temp = versions_dir / f".{version_id}.tmp"
    manifest = {
        "version_id": version_id,
        "published_at": published_at.isoformat(),
        "run_id": run_id,
        "duckdb_file": WAREHOUSE_FILE,
    }
    try:
        _write_version(build_file, temp, manifest, load_time)
    except BuildNotOwned:
        shutil.rmtree(temp)
        raise
    os.rename(temp, versions_dir / version_id)
    published = switch_to(serving_dir, version_id)
    prune(serving_dir, keep)
    return published


def rollback(serving_dir: Path, to: str | None = None) -> PublishedVersion:
    """Make an earlier kept version current: `to`, or else the one published before the current one."""
    if to is None:
        current = current_version(serving_dir)
        earlier = [version.version_id for version in list_versions(serving_dir) if version.version_id < (current or "")]
        if not earlier:
            raise ValueError(f"no version older than {current} is kept in {serving_dir}")
        to = earlier[-1]
    return switch_to(serving_dir, to)


def main(argv: list[str] | None = None) -> int:
    """List the kept versions, or roll back to one of them."""
    parser = argparse.ArgumentParser(description="List or roll back the published warehouse versions.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="kept versions, the current one marked with *")
    roll = commands.add_parser("rollback", help="make an earlier version current")
    roll.add_argument("--to", help="version id (default: the version published before the current one)")
    args = parser.parse_args(argv)
    serving_dir = WarehouseLayout.from_env().serving_dir
    if args.command == "rollback":
        try:
            version = rollback(serving_dir, args.to)
        except ValueError as error:
            print(f"ROLLBACK FAILED: {error}")
            return 1
        print(f"Serving version {version.version_id} (as_of_date {version.manifest['as_of_date']}) again.")
    current = current_version(serving_dir)
    for version in list_versions(serving_dir):
        marker = "*" if version.version_id == current else " "
        total = sum(version.row_counts.values())
        print(f"{marker} {version.version_id}  as_of_date {version.manifest['as_of_date']}  {total:,} mart rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
