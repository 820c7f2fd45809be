"""What an operator sets for the code location, read once from the environment.

Why from the environment: `dagster dev`, a deployed code server and the CLI run the same code
location; each reads its folders, schedule and retention of versions from the same variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from publishing.versions import DEFAULT_KEEP_VERSIONS
from warehouse_home.layout import DEFAULT_RAW_DIR, WarehouseLayout

REFRESH_ENGINES = ("duckdb",)
"""Engines the Dagster refresh runs on (its build file, lease and publish are DuckDB's); Spark builds with
`make build` (docs/spark.md)."""

DEFAULT_REFRESH_CRON = "0 5 * * *"
"""05:00 UTC: after overnight deliveries, before the retention team starts its day."""


@dataclass(frozen=True)
class OrchestrationSettings:
    """Folders, schedule and publishing settings of one code location."""

    layout: WarehouseLayout
    raw_dir: Path
    refresh_cron: str = DEFAULT_REFRESH_CRON
    keep_versions: int = DEFAULT_KEEP_VERSIONS
    busy_retry_seconds: float = 60.0
    busy_retries: int = 5
    writer_wait_seconds: float = 3600.0
    """How long a refresh waits for another one to finish before its step is retried (RETENTION_WRITER_WAIT_SECONDS)."""

    @classmethod
    def from_env(cls) -> OrchestrationSettings:
        """Read RETENTION_HOME, _RAW_DIR, _REFRESH_CRON, _KEEP_VERSIONS, _BUSY_RETRY_SECONDS, _WRITER_WAIT_SECONDS.

        Refuses an engine the refresh does not run on (RETENTION_ENGINE), before any step touches a file.
        """
        engine = os.environ.get("RETENTION_ENGINE", "duckdb")
        if engine not in REFRESH_ENGINES:
            raise ValueError(
                f"RETENTION_ENGINE={engine}: the Dagster refresh runs on {', '.join(REFRESH_ENGINES)} only; "
                "build on Spark with `RETENTION_ENGINE=spark make build` (docs/spark.md)"
            )
        return cls(
            layout=WarehouseLayout.from_env(),
            raw_dir=Path(os.environ.get("RETENTION_RAW_DIR", DEFAULT_RAW_DIR)).resolve(),
            refresh_cron=os.environ.get("RETENTION_REFRESH_CRON", DEFAULT_REFRESH_CRON),
            keep_versions=int(os.environ.get("RETENTION_KEEP_VERSIONS", DEFAULT_KEEP_VERSIONS)),
            busy_retry_seconds=float(os.environ.get("RETENTION_BUSY_RETRY_SECONDS", 60)),
            writer_wait_seconds=float(os.environ.get("RETENTION_WRITER_WAIT_SECONDS", 3600)),
        )
