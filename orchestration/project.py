"""The code location's settings and dbt project, created on first use (nothing happens at import).

Why a cached factory (as dagster-open-platform does): importing a module must not read the
environment or start dbt, so tests and tools can import any module first and configure later.
Why dbt's environment is applied when the project is first created: dbt re-parses the whole
project when the rendered profile differs between parse and run (the DuckDB path is part of it),
and every dbt process (dagster-dbt's invocations, the manifest preparation) inherits this
process's environment (dagster-dbt takes no environment of its own), so RETENTION_DUCKDB_PATH,
the landing and target folders and the venv's dbt are set once, from the settings, before the
first of them starts.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import OrchestrationSettings
from warehouse_home.layout import REPO_ROOT

DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
"""The dbt installed beside this Python (the project's venv), also when the venv is not activated."""


def dbt_environment(settings: OrchestrationSettings) -> dict[str, str]:
    """Name the variables every dbt process here needs: the home's paths, and the venv's dbt on PATH.

    PATH: dagster-dbt's manifest preparation runs `dbt` from PATH, which lacks the venv's bin folder
    when the venv is not activated (`.venv/bin/dagster dev`, `.venv/bin/pytest`).
    """
    path = os.environ.get("PATH", "")
    venv_bin = str(Path(DBT_EXECUTABLE).parent)
    if venv_bin not in path.split(os.pathsep):
        path = os.pathsep.join([venv_bin, path])
    return {**settings.layout.dbt_env(), "PATH": path}


@cache
def orchestration_settings() -> OrchestrationSettings:
    """Read the code location's folders, schedule and publishing settings from the environment, once."""
    return OrchestrationSettings.from_env()


@cache
def dbt_project() -> DbtProject:
    """Create the dbt project (target folder in the warehouse home); under `dagster dev` it is parsed here."""
    settings = orchestration_settings()
    os.environ.update(dbt_environment(settings))
    project = DbtProject(project_dir=REPO_ROOT, target_path=settings.layout.dbt_target_dir)
    project.prepare_if_dev()
    return project


def prepare_manifest() -> DbtProject:
    """Parse the dbt project into the home's target folder (what a deployment ships), and return it."""
    project = dbt_project()
    project.preparer.prepare(project)
    return project


def main() -> None:
    """`python -m orchestration.project`: prepare the manifest and say where it is (`make prepare`)."""
    project = prepare_manifest()
    print(f"dbt manifest: {project.manifest_path}")


if __name__ == "__main__":
    main()
