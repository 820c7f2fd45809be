"""The steps of a refresh that are not dbt: gate and land the delivery, lock the warehouse, record the load.

Why separate from the Dagster code location: these steps are plain functions of paths, so the
quality tests call them without Dagster and the orchestration stays a thin layer over them.
The order is fixed by the job (orchestration/jobs.py): a blocked delivery raises GateFailure
before anything is written, so dbt never sees it and the published version stays as it was.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from retention.layout import WarehouseLayout
from retention.quality.gates import GateReport, run_gates, write_validated
from retention.quality.raw_files import DeliveryError, find_raw_file
from retention.quality.suites import RAW_TABLES

HISTORY_FILE = "load_history.json"
LOCK_FILE = "refresh.lock"
PENDING_LOAD = "load.json"
"""Beside the landed delivery: the run that landed it, the delivery's fingerprint, its load time and row
counts. dbt lands it into the build file (quality.load_manifest, macros/land_raw_files.sql), so a publish
can prove whose build it is; it is recorded in the history once published."""
LOCK_POLL_SECONDS = 0.2
"""How often a waiting refresh tries the writer lock again (flock has no wait with a time limit)."""


class GateFailure(RuntimeError):
    """The delivery is blocked; the message lists every blocking finding."""

    def __init__(self, report: GateReport) -> None:
        """Keep the report; the message is the blocking findings, one per line."""
        self.report = report
        super().__init__("\n".join(finding.message() for finding in report.blocked))


class WarehouseBusy(RuntimeError):
    """Another refresh holds the warehouse lock: a transient failure, worth retrying."""


@dataclass
class WriterLease:
    """A held writer lock of one home, and who holds it (written into the lock file for the next one to read).

    Why a lease object and not only a `with` block: a refresh must own the warehouse from landing
    its delivery to publishing the build of it (a lock released between the steps let another
    delivery be landed and built, and then published under the first refresh's name), so the
    orchestration keeps one lease for a whole run. The lock is released when the process dies, so a
    killed refresh never leaves it stuck.
    """

    layout: WarehouseLayout
    owner: str
    handle: TextIO

    def release(self) -> None:
        """Give the warehouse back (idempotent)."""
        if not self.handle.closed:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


def lock_holder(layout: WarehouseLayout) -> str:
    """Describe who holds (or last held) the writer lock, from what its holder wrote into the lock file."""
    path = layout.state_dir / LOCK_FILE
    text = path.read_text().strip() if path.exists() else ""
    return text or "an unknown writer"


def acquire_lease(
    layout: WarehouseLayout,
    owner: str,
    *,
    wait_seconds: float = 0.0,
    on_busy: Callable[[str], None] | None = None,
) -> WriterLease:
    """Take the home's writer lock for owner, waiting up to wait_seconds while another writer holds it.

    on_busy is called once, with the holder's description, when the lock is found taken. Raises
    WarehouseBusy (naming the holder) when it is still taken after wait_seconds.
    """
    layout.state_dir.mkdir(parents=True, exist_ok=True)
    handle = (layout.state_dir / LOCK_FILE).open("a+")
    deadline = time.monotonic() + wait_seconds
    notified = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError as error:
            holder = lock_holder(layout)
            if on_busy is not None and not notified:
                on_busy(holder)
                notified = True
            if time.monotonic() >= deadline:
                handle.close()
                raise WarehouseBusy(f"{holder} holds {layout.state_dir / LOCK_FILE}") from error
            time.sleep(LOCK_POLL_SECONDS)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{owner} (pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC)\n")
    handle.flush()
    return WriterLease(layout, owner, handle)


@contextmanager
def warehouse_lock(
    layout: WarehouseLayout, owner: str = "a refresh", wait_seconds: float = 0.0
) -> Iterator[WriterLease]:
    """Hold the home's writer lock for the body; raise WarehouseBusy if another writer keeps it (see acquire_lease)."""
    lease = acquire_lease(layout, owner, wait_seconds=wait_seconds)
    try:
        yield lease
    finally:
        lease.release()


def previous_row_counts(state_dir: Path) -> dict[str, int] | None:
    """Row counts of the last successful load, if any."""
    path = state_dir / HISTORY_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text())["loads"][-1]["row_counts"]


def landed_load(layout: WarehouseLayout) -> dict:
    """Read the load time and row counts of the delivery in the landing folder."""
    return json.loads((layout.landing_dir / PENDING_LOAD).read_text())


def record_load(layout: WarehouseLayout, run_id: str) -> None:
    """Append run_id's landed (now published) load to the history the next volume check compares with.

    Refuses when the landing folder holds another run's delivery: the history must describe what was published.
    """
    load = landed_load(layout)
    if load.get("run_id") != run_id:
        raise RuntimeError(
            f"{layout.landing_dir} holds the delivery landed by run {load.get('run_id')}, not by run {run_id}: "
            "its load is not recorded"
        )
    path = layout.state_dir / HISTORY_FILE
    history = json.loads(path.read_text()) if path.exists() else {"loads": []}
    history["loads"].append(load)
    path.write_text(json.dumps(history, indent=2) + "\n")


def delivery_fingerprint(raw_dir: Path) -> str | None:
    """Digest the delivered files' names, sizes and modification times; None until all four exist.

    Why names, sizes and times and not contents: it is cheap enough for the sensor to compute every
    tick at any size, and it is the same id the sensor keys runs by and the published version records.
    """
    digest = hashlib.sha256()
    for table in RAW_TABLES:
        try:
            path = find_raw_file(raw_dir, table)
        except DeliveryError:
            return None
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def land_delivery(raw_dir: Path, load_time: datetime, layout: WarehouseLayout, run_id: str) -> GateReport:
    """Gate raw_dir; when nothing blocks, replace the landing folder with the validated delivery.

    The caller must hold the writer lease. run_id (the refresh that lands it) and the delivery's
    fingerprint are written beside the delivery, so the build made from it carries them.
    Raises GateFailure (and writes nothing) when a table-level rule fails.
    """
    fingerprint = delivery_fingerprint(raw_dir)
    report = run_gates(raw_dir, load_time, previous_row_counts(layout.state_dir))
    if report.blocked:
        raise GateFailure(report)
    shutil.rmtree(layout.landing_dir, ignore_errors=True)
    write_validated(report, layout.landing_dir)
    load = {
        "run_id": run_id,
        "delivery_fingerprint": fingerprint,
        "raw_dir": str(raw_dir),
        "load_time": report.load_time.isoformat(),
        "row_counts": report.row_counts(),
    }
    (layout.landing_dir / PENDING_LOAD).write_text(json.dumps(load, indent=2) + "\n")
    return report
