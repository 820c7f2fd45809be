"""Session-wide warehouses: each dbt build costs ~10 s, so every data set is built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.warehouse import FIXTURES, REPO_ROOT, Warehouse, build_warehouse

SAMPLE_DIR = REPO_ROOT / "data" / "sample"


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
