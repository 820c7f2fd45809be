"""Where a refresh reads, builds, keeps its state and publishes: one home folder, one layout.

Why one object: dbt (through its profile), the quality gates, the Dagster code location and the
publishing step must agree on every path, and the path dbt writes must be the same when dbt parses
the project and when it runs (a different profile forces a full re-parse). Everything derives
from RETENTION_HOME (default: the repo's git-ignored warehouse/ folder).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_HOME = REPO_ROOT / "warehouse"
DEFAULT_RAW_DIR = REPO_ROOT / "data" / "sample"
WAREHOUSE_FILE = "retention.duckdb"


@dataclass(frozen=True)
class WarehouseLayout:
    """The folders and files of one warehouse home."""

    home: Path

    @classmethod
    def from_env(cls) -> WarehouseLayout:
        """Resolve the layout under RETENTION_HOME (absolute)."""
        return cls(Path(os.environ.get("RETENTION_HOME", DEFAULT_HOME)).resolve())

    @property
    def build_file(self) -> Path:
        """The DuckDB file dbt builds into: scratch, never opened by a BI tool."""
        return self.home / "build" / WAREHOUSE_FILE

    @property
    def state_dir(self) -> Path:
        """Load history, the validated delivery, the refresh lock and the last failure summary."""
        return self.home / "state"

    @property
    def landing_dir(self) -> Path:
        """The validated delivery (good rows, quarantine, gate results) that dbt lands."""
        return self.state_dir / "landing"

    @property
    def dbt_target_dir(self) -> Path:
        """Dbt's manifest, partial-parse file and per-run artifacts."""
        return self.home / "dbt_target"

    @property
    def gx_dir(self) -> Path:
        """The Great Expectations file context and its Data Docs site."""
        return self.home / "gx"

    @property
    def serving_dir(self) -> Path:
        """What BI tools read: the current warehouse file, its manifest and the kept versions."""
        return self.home / "serving"

    @property
    def serving_file(self) -> Path:
        """The published DuckDB file BI tools open read-only."""
        return self.serving_dir / WAREHOUSE_FILE

    def dbt_env(self) -> dict[str, str]:
        """Environment for dbt: the profile's path, the landing folder, the artifacts folder, the GX folder."""
        return {
            "RETENTION_DUCKDB_PATH": str(self.build_file),
            "RETENTION_LANDING_DIR": str(self.landing_dir),
            "DBT_TARGET_PATH": str(self.dbt_target_dir),
            "RETENTION_GX_DIR": str(self.gx_dir),
        }
