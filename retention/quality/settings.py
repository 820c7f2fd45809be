"""Gate thresholds, read from the dbt vars in dbt_project.yml so the warehouse has one set of settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class GateSettings:
    """How much bad data a delivery may carry before the run stops."""

    max_bad_row_share: float
    max_volume_drop: float
    max_data_age_days: int

    @classmethod
    def from_project(cls, project_file: Path = REPO_ROOT / "dbt_project.yml") -> GateSettings:
        """Read the dq_* vars of the dbt project."""
        variables = yaml.safe_load(project_file.read_text())["vars"]
        return cls(
            max_bad_row_share=float(variables["dq_max_bad_row_share"]),
            max_volume_drop=float(variables["dq_max_volume_drop"]),
            max_data_age_days=int(variables["dq_max_data_age_days"]),
        )
