"""The raw contract at the door: CSV or Parquet alike, and clear errors for missing files and columns."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.warehouse import Warehouse, build_warehouse, copy_raw, run_dbt

pytestmark = pytest.mark.dbt

RAW_TABLES = ["raw_customers", "raw_orders", "raw_support_tickets", "raw_survey_responses"]


def _to_parquet(csv_dir: Path, parquet_dir: Path) -> None:
    """Convert each CSV to Parquet with the types DuckDB infers (timestamps, decimals, integers)."""
    parquet_dir.mkdir()
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")  # the contract's timestamps are UTC, whatever the test machine's zone
        for table in RAW_TABLES:
            con.execute(f"copy (select * from read_csv('{csv_dir / table}.csv')) to '{parquet_dir / table}.parquet'")


def test_parquet_builds_the_same_marts(tiny_dir: Path, tiny_warehouse: Warehouse, tmp_path: Path) -> None:
    _to_parquet(tiny_dir, tmp_path / "raw")
    with duckdb.connect() as con:
        types = con.sql(f"describe select * from '{tmp_path / 'raw' / 'raw_orders.parquet'}'").df()
    assert any("TIMESTAMP" in t for t in types["column_type"]), "the Parquet files must carry native types"
    parquet = build_warehouse(tmp_path / "raw", tmp_path / "build")
    for name in tiny_warehouse.tables("marts"):
        pd.testing.assert_frame_equal(
            parquet.query(f"select * from marts.{name} order by all"),
            tiny_warehouse.query(f"select * from marts.{name} order by all"),
            obj=name,
        )


def _landing_error(raw_dir: Path, tmp_path: Path) -> str:
    result = run_dbt(["run", "--select", "stg_raw__orders"], raw_dir, tmp_path / "w.duckdb", check=False)
    assert result.returncode != 0
    return result.stdout


def test_missing_file_names_the_table_and_folder(tiny_dir: Path, tmp_path: Path) -> None:
    raw = copy_raw(tiny_dir, tmp_path / "raw")
    (raw / "raw_orders.csv").unlink()
    message = _landing_error(raw, tmp_path)
    assert "Raw table raw_orders not found" in message
    assert f"{raw}/raw_orders.csv or .parquet" in message


def test_missing_column_names_file_and_column(tiny_dir: Path, tmp_path: Path) -> None:
    raw = copy_raw(tiny_dir, tmp_path / "raw")
    orders = pd.read_csv(raw / "raw_orders.csv", dtype=str).drop(columns=["discount_amount"])
    orders.to_csv(raw / "raw_orders.csv", index=False)
    message = _landing_error(raw, tmp_path)
    assert "raw_orders.csv (table raw_orders): required column(s) discount_amount missing" in message


def test_table_delivered_twice_is_refused(tiny_dir: Path, tmp_path: Path) -> None:
    raw = copy_raw(tiny_dir, tmp_path / "raw")
    with duckdb.connect() as con:
        con.execute(f"copy (select * from read_csv('{raw / 'raw_orders.csv'}')) to '{raw / 'raw_orders.parquet'}'")
    message = _landing_error(raw, tmp_path)
    assert "Raw table raw_orders is delivered more than once" in message


@pytest.mark.parametrize("extra_column", ["coupon_code"])
def test_extra_column_is_ignored_with_a_warning(tiny_dir: Path, tmp_path: Path, extra_column: str) -> None:
    raw = copy_raw(tiny_dir, tmp_path / "raw")
    orders = pd.read_csv(raw / "raw_orders.csv", dtype=str)
    orders[extra_column] = "X"
    orders.to_csv(raw / "raw_orders.csv", index=False)
    result = run_dbt(["run", "--select", "stg_raw__orders"], raw, tmp_path / "w.duckdb")
    assert f"outside the contract, ignored: {extra_column}" in result.stdout
