"""The code location: `dagster dev -m orchestration.definitions` (see `make dev`).

Assets, left to right in the UI: delivery (observed raw files) -> raw (gated, landed) -> dbt's
staging, intermediate and marts_<area> groups (dbt data and unit tests as checks; a failing one fails
the build step, so nothing is published) -> serving/warehouse (the published version BI tools read).
"""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt_build import dbt_build
from orchestration.delivery import delivered_files
from orchestration.jobs import refresh_job
from orchestration.landing import landed_delivery
from orchestration.project import retention_project
from orchestration.serving import published_warehouse
from orchestration.triggers import daily_refresh, new_delivery
from orchestration.writer import WarehouseWriter

defs = dg.Definitions(
    assets=[delivered_files, landed_delivery, dbt_build, published_warehouse],
    jobs=[refresh_job],
    schedules=[daily_refresh],
    sensors=[new_delivery],
    resources={"dbt": DbtCliResource(project_dir=retention_project), "writer": WarehouseWriter()},
)
