"""Gate thresholds, read from the dbt vars in dbt_project.yml (one set of settings), and the load time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from warehouse_home.layout import REPO_ROOT


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


def parse_load_time(text: str | None) -> datetime:
    """Parse an ISO-8601 UTC load time (naive UTC); None means now."""
    if text is None:
        return datetime.now(UTC).replace(tzinfo=None)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)
