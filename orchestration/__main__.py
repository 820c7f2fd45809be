"""Run one full refresh in-process, with a progress display: ``python -m orchestration`` (`make run`).

Why through Dagster and not a script: the same job, checks and failure hook as the scheduled
refresh, so what the README's command proves is what production runs. Prints one line per step
(gates, each dbt model and test, publish) on stderr (orchestration/progress.py), then what it
published, or the failure summary once; dbt's own output goes to <home>/state/last_refresh.log.
A delivery folder that does not exist is refused before anything slow starts.
Exit codes: 0 published, 2 the delivery was blocked by a gate, 1 any other failure.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from quality_gates.raw_files import RAW_FORMATS

RAW_PREFIX = "raw/"
REFRESH_LOG = "last_refresh.log"


def delivery_problem(raw_dir: Path) -> str | None:
    """Say what is wrong with the delivery folder before anything slow starts, or None."""
    if not raw_dir.is_dir():
        return f"the delivery folder {raw_dir} does not exist (set RETENTION_RAW_DIR or --raw-dir to a folder)"
    if not any(path.suffix.lower() in RAW_FORMATS for path in raw_dir.glob("raw_*.*")):
        return f"the delivery folder {raw_dir} holds no raw_<table>.csv or .parquet file"
    return None


def main(argv: list[str] | None = None) -> int:
    """Prepare the dbt manifest once, execute the refresh job in-process, report the outcome."""
    parser = argparse.ArgumentParser(description="Run one full refresh of the retention warehouse.")
    parser.add_argument("--raw-dir", help="delivery folder (default: RETENTION_RAW_DIR or the bundled sample)")
    parser.add_argument(
        "--load-time",
        help="ISO-8601 UTC time the delivery was loaded (default: now); for historical data, the time it was delivered",
    )
    args = parser.parse_args(argv)

    from orchestration.project import orchestration_settings, prepare_manifest

    settings = orchestration_settings()
    raw_dir = Path(args.raw_dir).resolve() if args.raw_dir else settings.raw_dir
    problem = delivery_problem(raw_dir)
    if problem:
        print(f"REFRESH NOT STARTED: {problem}; nothing was changed.")
        return 2
    print(f"Preparing the dbt manifest in {settings.layout.dbt_target_dir} ...", flush=True)
    prepare_manifest()

    import dagster as dg

    warnings.filterwarnings("ignore", category=dg.BetaWarning)  # Dagster's own API notes, not the user's concern
    from orchestration.definitions import defs
    from orchestration.failure import FAILURE_FILE
    from orchestration.jobs import REFRESH_JOB, landing_run_config
    from orchestration.progress import progress_logger
    from orchestration.serving import DATA_DOCS_INDEX, SERVING_KEY
    from publishing.summary import print_summary
    from publishing.versions import current_version

    run_config = landing_run_config(str(raw_dir), args.load_time)
    run_config["loggers"] = {"progress": {}}
    job = defs().resolve_job_def(REFRESH_JOB).with_logger_defs({"progress": progress_logger})
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    settings.layout.state_dir.mkdir(parents=True, exist_ok=True)
    failure_path = settings.layout.state_dir / FAILURE_FILE
    failure_path.unlink(missing_ok=True)  # what is there after the run is this run's failure
    log_path = settings.layout.state_dir / REFRESH_LOG
    print(f"Refreshing {raw_dir} (dbt's output: {log_path}) ...", flush=True)
    with log_path.open("w") as log, contextlib.redirect_stdout(log):
        result = job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False)
    docs = settings.layout.gx_dir / DATA_DOCS_INDEX
    docs_line = f"\nData Docs (every delivery gate): {docs}" if docs.exists() else ""
    if result.success:
        (published,) = [
            event.step_materialization_data.materialization
            for event in result.get_asset_materialization_events()
            if event.asset_key == SERVING_KEY
        ]
        # The values the publish step wrote (text, and the JSON {mart: rows}).
        meta: dict[str, Any] = {name: getattr(value, "value", value) for name, value in published.metadata.items()}
        current = current_version(settings.layout.serving_dir)
        print_summary(settings.layout.serving_file, meta["version_id"], meta["as_of_date"], meta["row_counts"], current)
        print(docs_line)
        return 0
    if failure_path.exists():
        print(f"\nREFRESH FAILED (also in {failure_path}):\n\n{failure_path.read_text()}{docs_line}")
    else:
        print(f"\nREFRESH FAILED before any step ran; see {log_path}")
    failed = [check for check in result.get_asset_check_evaluations() if not check.passed]
    return 2 if any(check.asset_key.to_user_string().startswith(RAW_PREFIX) for check in failed) else 1


if __name__ == "__main__":
    sys.exit(main())
