"""Session-wide warehouses: each dbt build costs ~10 s, so every data set is built once.

The Dagster code location reads its home, delivery folder and retry delay from the environment
when it is imported; they are pointed at a throw-away home and a copy of the sample here, before
any test module imports it, so no test touches the repo's warehouse/ folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.warehouse import FIXTURES, REPO_ROOT, Warehouse, build_warehouse

SAMPLE_DIR = REPO_ROOT / "data" / "sample"
ORCHESTRATION_ROOT = Path(tempfile.mkdtemp(prefix="retention_orchestration_"))
ORCHESTRATION_RAW_DIR = ORCHESTRATION_ROOT / "delivery"
shutil.copytree(SAMPLE_DIR, ORCHESTRATION_RAW_DIR)
os.environ["RETENTION_HOME"] = str(ORCHESTRATION_ROOT / "home")
os.environ["RETENTION_RAW_DIR"] = str(ORCHESTRATION_RAW_DIR)
os.environ["RETENTION_BUSY_RETRY_SECONDS"] = "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that neither builds dbt nor runs Dagster as `unit` (the tier of `make test-fast`)."""
    for item in items:
        if not any(item.get_closest_marker(name) for name in ("dbt", "dagster")):
            item.add_marker(pytest.mark.unit)


@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The hand-made tiny fixture, default as_of_date (the latest order: 2024-07-01)."""
    return build_warehouse(FIXTURES / "tiny", tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The bundled sample data set, default as_of_date."""
    return build_warehouse(SAMPLE_DIR, tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def tiny_dir() -> Path:
    """The hand-made tiny raw folder."""
    return FIXTURES / "tiny"


@pytest.fixture(scope="session", autouse=True)
def _remove_orchestration_root() -> object:
    """Delete the code location's throw-away home and delivery after the session."""
    yield
    shutil.rmtree(ORCHESTRATION_ROOT, ignore_errors=True)
