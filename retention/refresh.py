"""The steps of a refresh that are not dbt: gate and land the delivery, lock the warehouse, record the load.

Why separate from the Dagster code location: these steps are plain functions of paths, so the
quality tests call them without Dagster and the orchestration stays a thin layer over them.
The order is fixed by the job (orchestration/jobs.py): a blocked delivery raises GateFailure
before anything is written, so dbt never sees it and the published version stays as it was.
"""

from __future__ import annotations

import fcntl
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from retention.layout import WarehouseLayout
from retention.quality.gates import GateReport, run_gates, write_validated

HISTORY_FILE = "load_history.json"
LOCK_FILE = "refresh.lock"
PENDING_LOAD = "load.json"
"""Beside the landed delivery: its load time and row counts, recorded in the history once published."""


class GateFailure(RuntimeError):
    """The delivery is blocked; the message lists every blocking finding."""

    def __init__(self, report: GateReport) -> None:
        """Keep the report; the message is the blocking findings, one per line."""
        self.report = report
        super().__init__("\n".join(finding.message() for finding in report.blocked))


class WarehouseBusy(RuntimeError):
    """Another refresh holds the warehouse lock: a transient failure, worth retrying."""


@contextmanager
def warehouse_lock(layout: WarehouseLayout) -> Iterator[None]:
    """Hold the home's writer lock, or raise WarehouseBusy at once if another refresh holds it.

    Why a lock beside Dagster's run queue: a refresh started outside Dagster (the CLI, a second
    code location) must not write the landing folder, the build file or the serving folder at the
    same time as a scheduled one. The lock is released when the process dies, so a killed refresh
    never leaves it stuck.
    """
    layout.state_dir.mkdir(parents=True, exist_ok=True)
    with (layout.state_dir / LOCK_FILE).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise WarehouseBusy(f"another refresh holds {layout.state_dir / LOCK_FILE}") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def previous_row_counts(state_dir: Path) -> dict[str, int] | None:
    """Row counts of the last successful load, if any."""
    path = state_dir / HISTORY_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text())["loads"][-1]["row_counts"]


def landed_load(layout: WarehouseLayout) -> dict:
    """Read the load time and row counts of the delivery in the landing folder."""
    return json.loads((layout.landing_dir / PENDING_LOAD).read_text())


def record_load(layout: WarehouseLayout) -> None:
    """Append the landed (now published) load to the history the next volume check compares with."""
    path = layout.state_dir / HISTORY_FILE
    history = json.loads(path.read_text()) if path.exists() else {"loads": []}
    history["loads"].append(landed_load(layout))
    path.write_text(json.dumps(history, indent=2) + "\n")


def land_delivery(raw_dir: Path, load_time: datetime, layout: WarehouseLayout) -> GateReport:
    """Gate raw_dir; when nothing blocks, replace the landing folder with the validated delivery.

    Raises GateFailure (and writes nothing) when a table-level rule fails.
    """
    report = run_gates(raw_dir, load_time, previous_row_counts(layout.state_dir))
    if report.blocked:
        raise GateFailure(report)
    shutil.rmtree(layout.landing_dir, ignore_errors=True)
    write_validated(report, layout.landing_dir)
    load = {"load_time": report.load_time.isoformat(), "row_counts": report.row_counts()}
    (layout.landing_dir / PENDING_LOAD).write_text(json.dumps(load, indent=2) + "\n")
    return report
