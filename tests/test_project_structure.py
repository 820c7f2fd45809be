"""The project's house rules, read from the manifest of a real build (the tiny fixture's).

A newcomer finds a model's definition, tests and docs in its area folder; these rules keep it so as
models are added: every intermediate and mart model documents every column it builds and has a
grain test; intermediate models live in an area folder mirroring the marts (or `shared`) next to that
area's models/docs files; only staging reads sources.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.warehouse import REPO_ROOT, Warehouse

GRAIN_TESTS = {"unique", "unique_combination_of_columns"}
INTERMEDIATE = REPO_ROOT / "models" / "intermediate"
MART_AREAS = {path.name for path in (REPO_ROOT / "models" / "marts").iterdir() if path.is_dir()}


@pytest.fixture(scope="module")
def manifest(tiny_warehouse: Warehouse) -> dict:
    """The manifest dbt wrote when it built the tiny fixture."""
    return json.loads((tiny_warehouse.path.parent / "target" / "manifest.json").read_text())


def _models(manifest: dict, layer: str) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith(f"models/{layer}/")
    }


@pytest.mark.parametrize("layer", ["intermediate", "marts"])
def test_every_built_column_is_described(manifest: dict, tiny_warehouse: Warehouse, layer: str) -> None:
    schema = {"intermediate": "intermediate", "marts": "marts"}[layer]
    built = tiny_warehouse.query(
        f"select table_name, column_name from information_schema.columns where table_schema = '{schema}'"
    )
    undocumented = []
    for name, node in _models(manifest, layer).items():
        described = {column for column, spec in node["columns"].items() if spec.get("description", "").strip()}
        columns = built.loc[built["table_name"] == name, "column_name"]
        assert not columns.empty, f"{name} was not built"
        undocumented += [f"{name}.{column}" for column in columns if column not in described]
    assert undocumented == []


@pytest.mark.parametrize("layer", ["intermediate", "marts"])
def test_every_model_has_a_grain_test(manifest: dict, layer: str) -> None:
    tested = {
        model.split(".")[-1]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("test_metadata", {}).get("name") in GRAIN_TESTS
        for model in node["depends_on"]["nodes"]
    }
    assert sorted(set(_models(manifest, layer)) - tested) == []


def test_intermediate_models_live_in_an_area_folder() -> None:
    areas = {path.name for path in INTERMEDIATE.iterdir() if path.is_dir()}
    assert areas <= MART_AREAS | {"shared"}, f"areas without a marts folder: {areas - MART_AREAS - {'shared'}}"
    assert not list(INTERMEDIATE.glob("int_*")), "an intermediate model outside an area folder"
    for area in areas:
        folder = INTERMEDIATE / area
        assert (folder / f"_{area}__models.yml").exists() and (folder / f"_{area}__docs.md").exists(), area
        for model in folder.glob("int_*"):
            assert model.suffix in {".sql", ".py"}, model


def test_only_staging_reads_sources(manifest: dict) -> None:
    readers = {
        node["original_file_path"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["sources"]
    }
    assert readers and all(Path(path).parts[:2] == ("models", "staging") for path in readers), readers
