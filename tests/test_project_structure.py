"""The project's house rules, read from the manifest of a real build (the tiny fixture's).

A newcomer finds a model's definition, tests and docs in its area folder; these rules keep it so as
models are added: every intermediate and mart model documents every column it builds and has a
grain test; intermediate models live in an area folder mirroring the marts (or `shared`) next to that
area's models/docs files; only staging reads sources.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
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


@pytest.mark.dbt
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


@pytest.mark.dbt
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


@pytest.mark.dbt
def test_only_staging_reads_sources(manifest: dict) -> None:
    readers = {
        node["original_file_path"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["sources"]
    }
    assert readers and all(Path(path).parts[:2] == ("models", "staging") for path in readers), readers


PACKAGES = {
    "warehouse_home": set(),
    "modelling": set(),
    "engines": set(),
    "synthetic": {"quality_gates", "warehouse_home"},
    "quality_gates": {"warehouse_home"},
    "refresh": {"quality_gates", "warehouse_home"},
    "publishing": {"warehouse_home"},
    "orchestration": {"publishing", "quality_gates", "refresh", "warehouse_home"},
}
"""Each Python package by role, and the packages it may import: imports flow one way, towards warehouse_home."""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return names


def test_packages_import_one_way_and_never_a_main() -> None:
    wrong = []
    for package, allowed in PACKAGES.items():
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            for name in _imports(path):
                top = name.split(".")[0]
                if top in PACKAGES and top != package and top not in allowed:
                    wrong.append(f"{path.relative_to(REPO_ROOT)} imports {name}")
                if name.endswith(".__main__"):
                    wrong.append(f"{path.relative_to(REPO_ROOT)} imports a __main__: {name}")
    assert wrong == []


def test_importing_any_module_changes_nothing(tmp_path: Path) -> None:
    """No side effects at import: no environment variable, no file in the home, no dbt parse."""
    modules = sorted(
        ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
        for package in PACKAGES
        for path in (REPO_ROOT / package).rglob("*.py")
        if path.name != "__main__.py"
    )
    home = tmp_path / "home"
    home.mkdir()
    script = (
        "import importlib, os, sys\n"
        "before = dict(os.environ)\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
        "changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))\n"
        "print('changed:', changed)\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("RETENTION_", "DBT_"))}
    env["RETENTION_HOME"] = str(home)
    result = subprocess.run(
        [sys.executable, "-c", script, *modules], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "changed: []" in result.stdout
    assert list(home.iterdir()) == []


README = REPO_ROOT / "README.md"


def test_the_readme_contract_table_is_the_source_file() -> None:
    from quality_gates.contract import contract_markdown

    text = README.read_text()
    block = text.split("<!-- contract:start -->\n", 1)[1].split("\n<!-- contract:end -->", 1)[0]
    assert block == contract_markdown(), "regenerate it: python -m quality_gates.contract"


def _metric_rows() -> list[list[str]]:
    section = README.read_text().split("## Where is metric X", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row] for row in rows[2:]]


def test_every_metric_the_readme_points_to_is_where_it_says() -> None:
    rows = _metric_rows()
    assert len(rows) >= 10
    for metric, computed, definition, tested, _ in rows:
        paths = [REPO_ROOT / p for p in re.findall(r"`([\w/.]+\.(?:sql|py|md|yml))`", computed + definition + tested)]
        assert paths and all(path.exists() for path in paths), (metric, [str(p) for p in paths if not p.exists()])
        blocks, docs_file = definition.rsplit(" in ", 1)
        docs_text = (REPO_ROOT / docs_file.strip("`")).read_text()
        for block in re.findall(r"`(\w+)`", blocks):
            assert f"{{% docs {block} %}}" in docs_text, (metric, block, docs_file)
        if " in " in tested:
            test_name, test_file = tested.rsplit(" in ", 1)
            assert f"name: {test_name.strip('`')}\n" in (REPO_ROOT / test_file.strip("`")).read_text(), metric


def test_dbt_and_python_sessions_share_the_memory_limit() -> None:
    """dbt's DuckDB (profiles.yml) and the project's own sessions read one variable with one default."""
    from warehouse_home.duckdb_session import DEFAULT_MEMORY_LIMIT, MEMORY_LIMIT_ENV

    profile = (REPO_ROOT / "profiles.yml").read_text()
    assert f"memory_limit: \"{{{{ env_var('{MEMORY_LIMIT_ENV}', '{DEFAULT_MEMORY_LIMIT}') }}}}\"" in profile
