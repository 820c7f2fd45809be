"""When a refresh fails, write down which step, which assets and which checks, in plain words.

Why a file as well as the log: the person on call opens warehouse/state/last_failure.md (or the
run's log) and sees at once whether the delivery was blocked by a gate or a dbt test
failed, or the build broke, and that BI readers still see the previous version.
"""

from datetime import UTC, datetime

import dagster as dg

from orchestration.project import orchestration_settings
from publishing.versions import current_version

FAILURE_FILE = "last_failure.md"


def failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """`asset · check: description` for every check that failed in the run."""
    lines = []
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = entry.dagster_event.event_specific_data if entry.dagster_event else None
        if isinstance(evaluation, dg.AssetCheckEvaluation) and not evaluation.passed:
            description = (evaluation.description or "").strip().replace("\n", "\n    ")
            lines.append(f"- {evaluation.asset_key.to_user_string()} · {evaluation.check_name}: {description}")
    return lines


def step_assets(instance: dg.DagsterInstance, run_id: str, step_key: str) -> list[str]:
    """List the assets the failed step was planned to materialize (from the run's planning events)."""
    planned = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
    return sorted(
        entry.dagster_event.asset_key.to_user_string()
        for entry in planned
        if entry.step_key == step_key and entry.dagster_event and entry.dagster_event.asset_key
    )


def failure_summary(context: dg.HookContext) -> str:
    """Write the summary text: run, step, its assets, failed checks, the error, and what readers see."""
    error = str(context.op_exception or "unknown error").strip()
    assets = step_assets(context.instance, context.run_id, context.step_key)
    checks = failed_checks(context.instance, context.run_id)
    layout = orchestration_settings().layout
    current = current_version(layout.serving_dir)
    return "\n".join(
        [
            f"# Refresh failed: step `{context.step_key}`",
            "",
            f"- run: {context.run_id} (job {context.job_name}), at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC",
            f"- assets of the step: {', '.join(assets[:12]) or 'none'}{' ...' if len(assets) > 12 else ''}",
            f"- published version unchanged: {current or 'nothing published yet'} ({layout.serving_file})",
            "",
            "## Failed checks",
            *(checks or ["none (the step itself failed)"]),
            "",
            "## Error",
            error[:4000],
            "",
        ]
    )


@dg.failure_hook(name="write_failure_summary")
def write_failure_summary(context: dg.HookContext) -> None:
    """Log the summary and write it to <home>/state/last_failure.md."""
    summary = failure_summary(context)
    state_dir = orchestration_settings().layout.state_dir
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / FAILURE_FILE).write_text(summary)
    context.log.error(summary)
