"""The code location: `dagster dev -m orchestration.definitions` (see `make dev`).

Assets, left to right in the UI: delivery (observed raw files) -> raw (gated, landed) -> dbt's
staging, intermediate and marts_<area> groups (dbt data and unit tests as checks; a failing one fails
the build step, so nothing is published) -> serving/warehouse (the published version BI tools read).
"""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt_build import dbt_build_assets
from orchestration.delivery import delivered_files
from orchestration.jobs import refresh_job
from orchestration.landing import landed_delivery
from orchestration.project import DBT_EXECUTABLE, dbt_project, orchestration_settings
from orchestration.serving import published_warehouse
from orchestration.triggers import daily_refresh, new_delivery
from orchestration.writer import WarehouseWriter


@dg.definitions
def defs() -> dg.Definitions:
    """Build the code location from the settings and the prepared dbt manifest (when Dagster loads it)."""
    settings = orchestration_settings()
    project = dbt_project()
    return dg.Definitions(
        assets=[delivered_files, landed_delivery, dbt_build_assets(project), published_warehouse(project)],
        jobs=[refresh_job],
        schedules=[daily_refresh(settings.refresh_cron)],
        sensors=[new_delivery],
        resources={
            "dbt": DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE),
            "writer": WarehouseWriter(home=str(settings.layout.home)),
        },
    )
