"""The steps of a refresh that are not dbt: gate and land the delivery, record the load.

Why separate from the Dagster code location: these steps are plain functions of paths, so the
quality tests call them without Dagster and the orchestration stays a thin layer over them.
The order is fixed by the job (orchestration/jobs.py): a blocked delivery raises GateFailure
before anything is written, so dbt never sees it and the published version stays as it was.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from quality_gates.gates import run_gates, write_validated
from quality_gates.outcome import GateOutcome
from quality_gates.raw_files import DeliveryError, find_raw_file
from quality_gates.suites import RAW_TABLES
from warehouse_home.layout import WarehouseLayout

HISTORY_FILE = "load_history.json"
OUTCOME_FILE = "gate_outcome.json"
"""Where the gates' child process leaves its outcome for the refresh (in the home's state folder)."""
SPOOL_DIR = "gates_spool"
"""Where the gates write the passing rows while validating (in the state folder, beside the landing folder,
so that landing them is a rename); removed when the gates are done."""
PENDING_LOAD = "load.json"
"""Beside the landed delivery: the run that landed it, the delivery's fingerprint, its load time and row
counts. dbt lands it into the build file (quality.load_manifest, macros/land_raw_files.sql), so a publish
can prove whose build it is; it is recorded in the history once published."""


class GateFailure(RuntimeError):
    """The delivery is blocked; the message lists every blocking finding."""

    def __init__(self, report: GateOutcome) -> None:
        """Keep the outcome; the message is the blocking findings, one per line."""
        self.report = report
        super().__init__("\n".join(finding.message() for finding in report.blocked))


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


def land_delivery(raw_dir: Path, load_time: datetime, layout: WarehouseLayout, run_id: str) -> GateOutcome:
    """Gate raw_dir; when nothing blocks, replace the landing folder with the validated delivery.

    The caller must hold the writer lease. run_id (the refresh that lands it) and the delivery's
    fingerprint are written beside the delivery, so the build made from it carries them.
    Raises GateFailure (and writes nothing) when a table-level rule fails.
    """
    fingerprint = delivery_fingerprint(raw_dir)
    spool_dir = layout.state_dir / SPOOL_DIR
    shutil.rmtree(spool_dir, ignore_errors=True)
    try:
        report = run_gates(raw_dir, load_time, previous_row_counts(layout.state_dir), spool_dir=spool_dir)
        outcome = GateOutcome.of(report)
        if outcome.blocked:
            raise GateFailure(outcome)
        shutil.rmtree(layout.landing_dir, ignore_errors=True)
        write_validated(report, layout.landing_dir)
    finally:
        shutil.rmtree(spool_dir, ignore_errors=True)
    load = {
        "run_id": run_id,
        "delivery_fingerprint": fingerprint,
        "raw_dir": str(raw_dir),
        "load_time": report.load_time.isoformat(),
        "row_counts": report.row_counts(),
    }
    (layout.landing_dir / PENDING_LOAD).write_text(json.dumps(load, indent=2) + "\n")
    return outcome


def land_delivery_in_child(raw_dir: Path, load_time: datetime, layout: WarehouseLayout, run_id: str) -> GateOutcome:
    """Run land_delivery in a child process and return its outcome; raise GateFailure as it would.

    Why a child: the gates hold every raw table in memory (GBs at a million customers); a process
    that exits before dbt starts gives all of it back, so the refresh's peak is the larger of the
    gates and the build instead of their sum. The caller holds the writer lease for the child.
    """
    layout.state_dir.mkdir(parents=True, exist_ok=True)
    outcome_file = layout.state_dir / OUTCOME_FILE
    outcome_file.unlink(missing_ok=True)
    command = [sys.executable, "-m", "refresh.land_child", str(raw_dir), load_time.isoformat(), str(layout.home)]
    done = subprocess.run([*command, run_id, str(outcome_file)], capture_output=True, text=True, check=False)
    if done.returncode != 0 or not outcome_file.exists():
        raise RuntimeError(f"the gates failed to run (exit code {done.returncode}):\n{done.stderr[-4000:]}")
    outcome = GateOutcome.from_json(outcome_file.read_text())
    if outcome.blocked:
        raise GateFailure(outcome)
    return outcome
