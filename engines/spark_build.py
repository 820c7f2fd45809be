"""`dbt build` on Spark, with the project's dbt Python models (the fits) run in this process.

Why not dbt alone: dbt-spark submits Python models to Databricks only, and the fits must run wherever
the warehouse does. So dbt builds the graph wave by wave (engines.waves), and between two waves this
module runs each Python model as dbt would: dbt compiles the model file (the `model()` function plus the
`dbt` object with its refs and resolved config), the code runs against dbt's own Spark session
(`method: session`: the same JVM, catalog and settings), and the returned frame is written to the model's
table. The model files are the ones DuckDB runs; modelling.relations reads either engine's relations.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engines.waves import python_model_depths, waves

REPO_ROOT = Path(__file__).resolve().parent.parent


class BuildFailed(RuntimeError):
    """A dbt invocation or a Python model failed; the message names it."""


def invoke_dbt(args: list[str]) -> Any:
    """Run one dbt command in this process (so every wave shares one Spark session); fail if it failed."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke([*args, "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT)])
    if not result.success:
        failures = [
            f"{item.node.unique_id}: {item.status}: {item.message}"
            for item in getattr(result.result, "results", [])
            if str(item.status) in ("error", "fail", "runtime error")
        ]
        detail = "\n".join(failures) or str(result.exception)
        raise BuildFailed(f"dbt {' '.join(args)} failed:\n{detail}")
    return result.result


def _write_table(session: Any, frame: Any, relation: str, file_format: str) -> None:
    """Write a Python model's frame (pandas) to its table through Arrow, so types map exactly."""
    import pyarrow as pa

    table = session.createDataFrame(pa.Table.from_pandas(frame, preserve_index=False))
    session.sql(f"create database if not exists {relation.rsplit('.', 1)[0]}")
    table.write.mode("overwrite").format(file_format).option("overwriteSchema", "true").saveAsTable(relation)


def run_python_models(names: Sequence[str], vars_args: list[str]) -> None:
    """Compile the named Python models with dbt, run each in dbt's Spark session, write their tables."""
    from pyspark.sql import SparkSession

    compiled = invoke_dbt(["compile", "--select", *names, "--indirect-selection", "empty", *vars_args])
    session = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
    for node in sorted((item.node for item in compiled.results if item.node.name in names), key=lambda node: node.name):
        namespace: dict[str, Any] = {}
        try:
            exec(compile(node.compiled_code, node.original_file_path, "exec"), namespace)  # noqa: S102 - dbt's own compiled model
            frame = namespace["model"](namespace["dbtObj"](session.table), session)
        except Exception as error:
            raise BuildFailed(f"Python model {node.name} ({node.original_file_path}) failed: {error!r}") from error
        _write_table(session, frame, node.relation_name.replace("`", ""), node.config.get("file_format") or "parquet")


def build(dbt_vars: str | None = None, exclude: Sequence[str] = ()) -> Counter[str]:
    """Build the whole project on the Spark target: wave by wave, Python models between the waves.

    exclude: dbt selectors left out of every wave (e.g. `resource_type:unit_test`). Returns how many nodes
    of each resource type dbt built or ran, plus the Python models run here, so a caller can check that
    nothing was left out.
    """
    vars_args = ["--vars", dbt_vars] if dbt_vars else []
    invoke_dbt(["parse", *vars_args])
    done: Counter[str] = Counter()
    for wave in waves(python_model_depths(Path(_target_path()) / "manifest.json")):
        if wave.python_models:
            run_python_models(wave.python_models, vars_args)
            done["python model"] += len(wave.python_models)
        excluded = [*wave.exclude, *exclude]
        selection = [
            *(["--select", *wave.select] if wave.select else []),
            *(["--exclude", *excluded] if excluded else []),
        ]
        results = invoke_dbt(["build", *selection, *vars_args]).results
        done.update(str(item.node.resource_type) for item in results)
    return done


def _target_path() -> str:
    """Return dbt's target folder (DBT_TARGET_PATH, else the project's `target`)."""
    return os.environ.get("DBT_TARGET_PATH", str(REPO_ROOT / "target"))


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m engines.spark_build [--vars '{...}']`: exit 1 with the failures when the build fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vars", help="dbt vars as YAML/JSON, as for dbt build --vars")
    arguments = parser.parse_args(argv)
    try:
        done = build(arguments.vars)
    except BuildFailed as failure:
        print(failure, file=sys.stderr)
        return 1
    print(json.dumps({"status": "built", **done}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
