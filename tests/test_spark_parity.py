"""The same project on Spark: every mart and seed of the tiny fixture and the sample equals the DuckDB build.

One Spark session serves the whole test session (starting one costs ~20 s): dbt-spark (`method: session`)
runs in this process and reuses it, and engines.spark_build runs the fits in it between dbt's waves.
The DuckDB builds are the session's own (conftest), so this module adds only the Spark builds.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from tests.conftest import SAMPLE_DIR
from tests.engine_parity import differences
from tests.warehouse import FIXTURES, Warehouse, copy_raw, run_dbt

pytestmark = [pytest.mark.dbt, pytest.mark.spark, pytest.mark.slow]


@contextmanager
def _environment(**variables: str) -> Iterator[None]:
    """Set environment variables for dbt's in-process run, then restore them (other tests run dbt on DuckDB)."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _spark_target(raw_dir: Path, work_dir: Path, spark_home: Path) -> AbstractContextManager[None]:
    """The environment of an in-process dbt run on the spark target: raw_dir landed, work_dir for dbt's files."""
    return _environment(
        RETENTION_ENGINE="spark",
        RETENTION_RAW_DIR=str(raw_dir),
        RETENTION_LANDING_DIR=str(raw_dir),
        RETENTION_SPARK_WAREHOUSE=str(spark_home / "warehouse"),
        DBT_TARGET_PATH=str(work_dir / "target"),
        DBT_LOG_PATH=str(work_dir / "logs"),
    )


@pytest.fixture(scope="module")
def spark_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Spark warehouse folder (tables and catalog) of this module's builds."""
    return tmp_path_factory.mktemp("spark_home")


@pytest.fixture(scope="module")
def spark(spark_home: Path) -> Any:
    """The module's Spark session, with the `spark` target's settings (engines.spark_session)."""
    from engines.spark_session import spark_session

    with _environment(RETENTION_SPARK_WAREHOUSE=str(spark_home / "warehouse")):
        return spark_session()


SAMPLE_EXCLUDED_TESTS = (
    "resource_type:unit_test",
    "test_name:not_null",
    "test_name:accepted_range",
    "test_name:accepted_values",
    "test_name:expression_is_true",
    "test_name:row_count_equals",
    "test_name:consecutive_months_chain",
)
"""What the sample's Spark build leaves out, for time (docs/spark.md): the unit tests (data-independent, run in the
tiny build) and every data test but the grain (unique, unique_combination_of_columns) and relationships tests. The
parity of every mart with the DuckDB build, where all of them pass, is the stronger check of the values."""


def _spark_build(raw_dir: Path, work_dir: Path, spark_home: Path, exclude: tuple[str, ...] = ()) -> Any:
    """Build the project on Spark in this process; return engines.spark_build's node counts."""
    from engines.spark_build import build

    with _spark_target(raw_dir, work_dir, spark_home):
        return build(exclude=exclude)


def _duckdb_tables(warehouse: Warehouse, schema: str) -> dict[str, pa.Table]:
    """Every table of one schema of a DuckDB build, as Arrow."""
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        return {
            name: con.sql(f'select * from "{schema}"."{name}"').to_arrow_table() for name in warehouse.tables(schema)
        }


def _assert_engines_agree(warehouse: Warehouse, spark: Any) -> None:
    """Every mart and seed table of the DuckDB build equals Spark's (engine_parity's rules)."""
    found = []
    for schema in ("marts", "reference"):
        expected = _duckdb_tables(warehouse, schema)
        assert expected, f"no {schema} tables in the DuckDB build"
        spark_names = {row.tableName for row in spark.sql(f"show tables in {schema}").collect()}
        assert set(expected) <= spark_names, f"missing on Spark: {sorted(set(expected) - spark_names)}"
        for name, table in expected.items():
            found += differences(f"{schema}.{name}", table, spark.table(f"{schema}.{name}").toArrow())
    assert not found, "\n".join(found)


def _manifest_counts(work_dir: Path) -> tuple[int, int]:
    """(unit tests, Python models) in the manifest the Spark build parsed."""
    manifest = json.loads((work_dir / "target" / "manifest.json").read_text())
    python_models = [node for node in manifest["nodes"].values() if node.get("language") == "python"]
    return len(manifest["unit_tests"]), len(python_models)


def test_tiny_marts_are_equal_on_spark(tiny_warehouse: Warehouse, spark: Any, spark_home: Path, tmp_path: Path) -> None:
    """The tiny fixture on Spark: the build (with every data and unit test) passes and every mart equals DuckDB's."""
    done = _spark_build(FIXTURES / "tiny", tmp_path, spark_home)
    unit_tests, python_models = _manifest_counts(tmp_path)
    assert done["unit_test"] == unit_tests > 0
    assert done["python model"] == python_models > 0
    _assert_engines_agree(tiny_warehouse, spark)


def test_sample_marts_are_equal_on_spark(
    sample_warehouse: Warehouse, spark: Any, spark_home: Path, tmp_path: Path
) -> None:
    """The bundled sample (3,000 customers) on Spark: every mart and seed equals the DuckDB build."""
    done = _spark_build(SAMPLE_DIR, tmp_path, spark_home, exclude=SAMPLE_EXCLUDED_TESTS)
    assert done["model"] > 0 and done["test"] > 0 and done["unit_test"] == 0
    _assert_engines_agree(sample_warehouse, spark)


def _drop_discount_column(raw: Path) -> None:
    orders = pd.read_csv(raw / "raw_orders.csv", dtype=str).drop(columns=["discount_amount"])
    orders.to_csv(raw / "raw_orders.csv", index=False)


def _deliver_orders_twice(raw: Path) -> None:
    pd.read_csv(raw / "raw_orders.csv", dtype=str).to_parquet(raw / "raw_orders.parquet", index=False)


BREAKAGES = {
    "missing file": lambda raw: (raw / "raw_orders.csv").unlink(),
    "missing column": _drop_discount_column,
    "table delivered twice": _deliver_orders_twice,
}
RAW_ERROR = re.compile(r"Raw (?:table|file) [^\n]*")
"""The landing macro's error line (land_raw_files): the same words on every engine."""


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_broken_delivery_stops_spark_with_duckdbs_error(
    breakage: str, tiny_dir: Path, spark: Any, spark_home: Path, tmp_path: Path
) -> None:
    """A missing file or column, or a table delivered twice: Spark's landing fails with DuckDB's message."""
    from engines.spark_build import BuildFailed, invoke_dbt

    raw = copy_raw(tiny_dir, tmp_path / "raw")
    BREAKAGES[breakage](raw)
    duckdb_run = run_dbt(["run", "--select", "stg_raw__orders"], raw, tmp_path / "w.duckdb", check=False)
    duckdb_errors = RAW_ERROR.findall(duckdb_run.stdout)
    assert duckdb_run.returncode != 0 and duckdb_errors, duckdb_run.stdout[-3000:]
    with _spark_target(raw, tmp_path, spark_home), pytest.raises(BuildFailed) as failed:
        invoke_dbt(["run", "--select", "stg_raw__orders"])
    assert RAW_ERROR.findall(str(failed.value))[:1] == duckdb_errors[:1]
