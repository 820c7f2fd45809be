"""Split the dbt graph into waves at its Python models, for engines whose dbt adapter cannot run them.

Why waves: dbt-spark runs dbt Python models only on Databricks. Elsewhere dbt builds everything a
Python model needs, the model runs beside dbt (engines.spark_build), and dbt builds what follows. A
node's wave is the number of Python models on the longest path into it (a Python model counts itself),
so wave 0 is built first, then the Python models of wave 1, then the rest of wave 1, and so on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Wave:
    """One step of the build: the Python models to run, then the dbt selection to build after them."""

    python_models: tuple[str, ...]
    """Names of the Python models whose inputs the previous waves built (empty for wave 0)."""
    select: tuple[str, ...]
    """`dbt build --select` arguments (empty: everything not excluded)."""
    exclude: tuple[str, ...]
    """`dbt build --exclude` arguments: Python models and whatever needs a later wave."""


def python_model_depths(manifest_path: Path) -> dict[str, int]:
    """Name -> wave of every Python model of the project's manifest."""
    manifest = json.loads(manifest_path.read_text())
    nodes = manifest["nodes"]
    python = {unique_id for unique_id, node in nodes.items() if node.get("language") == "python"}

    @cache
    def depth(unique_id: str) -> int:
        parents = nodes.get(unique_id, {}).get("depends_on", {}).get("nodes", [])
        deepest = max((depth(parent) for parent in parents), default=0)
        return deepest + 1 if unique_id in python else deepest

    return {nodes[unique_id]["name"]: depth(unique_id) for unique_id in sorted(python)}


def waves(depths: dict[str, int]) -> list[Wave]:
    """Return the build's waves, from the Python models' depths (python_model_depths)."""
    deepest = max(depths.values(), default=0)
    at = {
        level: tuple(sorted(name for name, depth in depths.items() if depth == level)) for level in range(deepest + 1)
    }
    later = {level: tuple(f"{name}+" for name, depth in sorted(depths.items()) if depth > level) for level in at}
    steps = [Wave(python_models=(), select=(), exclude=later[0])]
    for level in range(1, deepest + 1):
        steps.append(
            Wave(
                python_models=at[level],
                select=tuple(f"{name}+" for name in at[level]),
                exclude=(*at[level], *later[level]),
            )
        )
    return steps
