"""The dbt project as dagster-dbt sees it, with dbt's environment fixed before anything parses it.

Why the environment is set here, at import: dbt re-parses the whole project when the rendered
profile differs between parse and run (the DuckDB path is part of it). Every process that parses
(`dagster dev` through prepare_if_dev, `dagster-dbt project prepare-and-package --file
orchestration/project.py`, the CLI) or runs dbt imports this module first, so both see the same
RETENTION_DUCKDB_PATH, landing folder and target folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import OrchestrationSettings
from retention.quality.settings import REPO_ROOT

SETTINGS = OrchestrationSettings.from_env()
os.environ.update(SETTINGS.layout.dbt_env())
# dagster-dbt finds dbt on PATH: make it the dbt installed beside this Python (the project's venv),
# also when the venv is not activated (`.venv/bin/dagster dev`, `.venv/bin/pytest`).
VENV_BIN = str(Path(sys.executable).parent)
if VENV_BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([VENV_BIN, os.environ.get("PATH", "")])

retention_project = DbtProject(project_dir=REPO_ROOT, target_path=SETTINGS.layout.dbt_target_dir)
retention_project.prepare_if_dev()
