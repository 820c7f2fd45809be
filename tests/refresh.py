"""A refresh without Dagster, for tests that need many published states cheaply.

Same steps and order as the refresh job (orchestration/jobs.py): gate and land the delivery, dbt
build into the home's build file, publish, record the load. The Dagster job itself is proven by
tests/test_orchestration.py; these helpers let the quality corpus start from a published home.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from publishing.versions import publish
from quality_gates.outcome import GateOutcome
from refresh.landing import HISTORY_FILE, land_delivery, record_load
from tests.warehouse import run_dbt
from warehouse_home.layout import WarehouseLayout


@dataclass(frozen=True)
class Refreshed:
    """A published home and the gate report of the delivery it holds."""

    layout: WarehouseLayout
    report: GateOutcome


def refresh_without_dagster(raw_dir: Path, load_time: datetime, home: Path) -> Refreshed:
    """Gate, land, build, publish and record raw_dir into home."""
    layout = WarehouseLayout(home)
    run_id = f"test-{uuid.uuid4()}"
    report = land_delivery(raw_dir, load_time, layout, run_id)
    run_dbt(["build"], layout.landing_dir, layout.build_file)
    publish(layout.build_file, layout.serving_dir, published_at=datetime.now(UTC).replace(tzinfo=None), run_id=run_id)
    record_load(layout, run_id)
    return Refreshed(layout, report)


def published_digests(layout: WarehouseLayout, with_landing: bool = False) -> dict[str, str]:
    """SHA-256 of every published file and of the load history: what no failed refresh may change.

    with_landing adds the landed delivery, which a delivery blocked at the gate must not touch either.
    """
    folders = (layout.serving_dir, layout.landing_dir) if with_landing else (layout.serving_dir,)
    files = [path for folder in folders for path in sorted(folder.rglob("*")) if path.is_file()]
    files.append(layout.state_dir / HISTORY_FILE)
    return {str(path.relative_to(layout.home)): hashlib.sha256(path.read_bytes()).hexdigest() for path in files}
