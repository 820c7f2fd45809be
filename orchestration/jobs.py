"""The refresh job: observe and gate the delivery, dbt build (with its tests), publish — one run, in order.

Why in-process execution: the steps run one after another anyway (each needs the previous one's
files), and one process pays the Great Expectations and dbt start-up once. Runs carry the
retention/writer tag that the run queue limits to one at a time (orchestration/dagster.yaml), and
a run that dies (a killed process, a lost worker) is retried by the daemon; a failed gate or test
is not retried, since the same data would fail again.
"""

from __future__ import annotations

import dagster as dg

from orchestration.failure import write_failure_summary
from orchestration.writer import WRITER_TAG

REFRESH_JOB = "refresh"

refresh_job = dg.define_asset_job(
    REFRESH_JOB,
    selection=dg.AssetSelection.all(),
    description="Full refresh: gates on the delivery, dbt build with its tests, publish.",
    executor_def=dg.in_process_executor,
    hooks={write_failure_summary},
    tags={
        WRITER_TAG: "warehouse",
        "dagster/max_retries": "2",
        # A retried run starts again at landing: its build must be of a delivery it landed itself.
        "dagster/retry_strategy": "ALL_STEPS",
        "dagster/retry_on_asset_or_op_failure": "false",
    },
)


def landing_run_config(raw_dir: str | None = None, load_time: str | None = None) -> dict:
    """Run config choosing the delivery folder and load time of a refresh (None keeps the defaults)."""
    config = {key: value for key, value in {"raw_dir": raw_dir, "load_time": load_time}.items() if value}
    return {"ops": {"landed_delivery": {"config": config}}}
