"""When a refresh starts: every morning (cron), and when a new delivery has landed in RETENTION_RAW_DIR.

Why the sensor waits one tick: a delivery is several files copied one after another; starting on
the first change could gate a half-copied file. The sensor requests a run only when the files'
fingerprint (names, sizes, modification times) is new and was already the same on the previous
tick, and keys the run by that fingerprint so one delivery is refreshed once.
"""

import json

import dagster as dg

from orchestration.jobs import landing_run_config, refresh_job
from orchestration.project import orchestration_settings
from refresh.landing import delivery_fingerprint

SENSOR_INTERVAL_SECONDS = 60


def daily_refresh(cron: str) -> dg.ScheduleDefinition:
    """Define the daily refresh on cron (RETENTION_REFRESH_CRON), in UTC."""

    @dg.schedule(
        job=refresh_job,
        cron_schedule=cron,
        execution_timezone="UTC",
        name="daily_refresh",
        description="Full refresh every day (RETENTION_REFRESH_CRON, default 05:00 UTC).",
    )
    def refresh_on_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        """Refresh with the scheduled time as load time, so a late-started tick judges freshness as planned."""
        return dg.RunRequest(
            run_config=landing_run_config(load_time=context.scheduled_execution_time.isoformat()),
            tags={"retention/trigger": "schedule"},
        )

    return refresh_on_schedule


@dg.sensor(
    job=refresh_job,
    name="new_delivery",
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    description="Starts a refresh when a complete new delivery has settled in RETENTION_RAW_DIR.",
)
def new_delivery(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    """Compare the delivery's fingerprint with the cursor {seen, requested}."""
    raw_dir = orchestration_settings().raw_dir
    fingerprint = delivery_fingerprint(raw_dir)
    if fingerprint is None:
        return dg.SkipReason(f"waiting for all four raw files in {raw_dir}")
    state = json.loads(context.cursor or "{}")
    if fingerprint == state.get("requested"):
        return dg.SkipReason(f"delivery {fingerprint} already refreshed")
    if fingerprint != state.get("seen"):
        context.update_cursor(json.dumps({**state, "seen": fingerprint}))
        return dg.SkipReason(f"delivery {fingerprint} is new; waiting one tick for the files to settle")
    context.update_cursor(json.dumps({"seen": fingerprint, "requested": fingerprint}))
    return dg.RunRequest(
        run_key=fingerprint,
        run_config=landing_run_config(raw_dir=str(raw_dir)),
        tags={"retention/trigger": "sensor", "retention/delivery": fingerprint},
    )
