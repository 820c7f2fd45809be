"""The main job: gate the raw delivery, build the warehouse from what passed, record the load.

Why in this order: a blocked delivery must leave the warehouse exactly as it was (same file, same
bytes), so dbt runs only after every table-level gate has passed, only on the validated folder
(good rows, plus the quarantine and the results that the data_quality_report shows), and into a
separate candidate file that replaces the warehouse (one atomic rename) only once the mart checks
pass: a failed build or mart check leaves the previous warehouse in place.

Usage: ``python -m retention.pipeline [--raw-dir DIR] [--load-time ISO]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from retention.quality.__main__ import parse_load_time, print_report
from retention.quality.gates import GateReport, run_gates, write_validated
from retention.quality.mart_checks import run_mart_suites
from retention.quality.settings import REPO_ROOT
from retention.summary import warehouse_path

HISTORY_FILE = "load_history.json"


class GateFailure(RuntimeError):
    """The delivery is blocked; the message lists every blocking finding."""

    def __init__(self, report: GateReport) -> None:
        """Keep the report; the message is the blocking findings, one per line."""
        self.report = report
        super().__init__("\n".join(finding.message() for finding in report.blocked))


@dataclass(frozen=True)
class PipelineRun:
    """What a successful run produced."""

    warehouse: Path
    report: GateReport
    validated_dir: Path


def previous_row_counts(state_dir: Path) -> dict[str, int] | None:
    """Row counts of the last successful load, if any."""
    path = state_dir / HISTORY_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text())["loads"][-1]["row_counts"]


def record_load(state_dir: Path, report: GateReport) -> None:
    """Append this successful load to the history the next volume check compares with."""
    path = state_dir / HISTORY_FILE
    history = json.loads(path.read_text()) if path.exists() else {"loads": []}
    history["loads"].append({"load_time": report.load_time.isoformat(), "row_counts": report.row_counts()})
    path.write_text(json.dumps(history, indent=2) + "\n")


def build(validated_dir: Path, warehouse: Path, state_dir: Path) -> None:
    """Run dbt build on the validated delivery (a subprocess: one DuckDB writer, a clean process)."""
    env = {
        **os.environ,
        "RETENTION_RAW_DIR": str(validated_dir),
        "RETENTION_DUCKDB_PATH": str(warehouse),
        "DBT_TARGET_PATH": str(state_dir / "dbt_target"),
        "DBT_LOG_PATH": str(state_dir / "dbt_logs"),
    }
    dbt = str(Path(sys.executable).with_name("dbt"))
    completed = subprocess.run([dbt, "build"], cwd=REPO_ROOT, env=env, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"dbt build failed (exit {completed.returncode}); see the dbt output above")


def replace_warehouse(candidate: Path, warehouse: Path) -> None:
    """Swap the checked build in with one atomic rename: readers see the old file or the new, never a mix.

    The build is checkpointed first so the file is complete on its own (no write-ahead log beside it).
    """
    import duckdb

    with duckdb.connect(str(candidate)) as con:
        con.execute("checkpoint")
    os.replace(candidate, warehouse)


def run_pipeline(raw_dir: Path, load_time: datetime, warehouse: Path, state_dir: Path) -> PipelineRun:
    """Gate raw_dir, then build warehouse from the validated rows; raise GateFailure when blocked."""
    report = run_gates(raw_dir, load_time, previous_row_counts(state_dir))
    print_report(report)
    if report.blocked:
        raise GateFailure(report)
    validated_dir = state_dir / "validated"
    shutil.rmtree(validated_dir, ignore_errors=True)
    write_validated(report, validated_dir)
    candidate = warehouse.with_name(f"{warehouse.stem}.building{warehouse.suffix}")
    candidate.unlink(missing_ok=True)
    build(validated_dir, candidate, state_dir)
    failed = [finding for finding in run_mart_suites(candidate) if finding.outcome != "passed"]
    if failed:
        raise RuntimeError("mart checks failed:\n" + "\n".join(finding.message() for finding in failed))
    replace_warehouse(candidate, warehouse)
    record_load(state_dir, report)
    return PipelineRun(warehouse, report, validated_dir)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; exit 2 when the delivery is blocked, 1 when the build fails."""
    parser = argparse.ArgumentParser(description="Gate the raw delivery and build the warehouse.")
    parser.add_argument("--raw-dir", type=Path, default=Path(os.environ.get("RETENTION_RAW_DIR", "data/sample")))
    parser.add_argument("--load-time", help="ISO-8601 UTC load time (default: now)")
    args = parser.parse_args(argv)
    warehouse = warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        run_pipeline(args.raw_dir.resolve(), parse_load_time(args.load_time), warehouse, warehouse.parent)
    except GateFailure as failure:
        print(f"BLOCKED: the delivery in {args.raw_dir} failed its gates; the warehouse was not touched:\n{failure}")
        return 2
    except RuntimeError as error:
        print(f"FAILED: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
