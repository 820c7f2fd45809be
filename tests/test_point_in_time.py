"""as_of_date makes every mart point-in-time: data dated after it changes nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import SAMPLE_DIR
from tests.warehouse import Warehouse, build_warehouse

pytestmark = pytest.mark.dbt

AS_OF = "2024-06-30"


def _before(column: str, next_day: str) -> str:
    """SQL: the contract timestamp text `column` is before the day after the as-of date."""
    return f"cast(replace(replace({column}, 'T', ' '), 'Z', '') as timestamp) < date '{next_day}'"


def _truncation_sql(table: str, next_day: str) -> str:
    """Each raw table minus records dated after the as-of date; later events inside a record
    (a ticket's response and resolution) are blanked instead of dropping the record."""
    if table == "raw_support_tickets":
        return (
            "select * replace ("
            f"case when {_before('first_response_at', next_day)} then first_response_at end as first_response_at, "
            f"case when {_before('resolved_at', next_day)} then resolved_at end as resolved_at) "
            f"from raw where {_before('created_at', next_day)}"
        )
    dated_by = {"raw_customers": "signup_at", "raw_orders": "ordered_at", "raw_survey_responses": "responded_at"}
    return f"select * from raw where {_before(dated_by[table], next_day)}"


def _write_truncated(source_dir: Path, target_dir: Path, next_day: str) -> None:
    """Write a copy of the raw CSVs without anything that happened after the as-of date."""
    target_dir.mkdir()
    with duckdb.connect() as con:
        for table in ["raw_customers", "raw_orders", "raw_support_tickets", "raw_survey_responses"]:
            con.execute(
                f"create or replace table raw as select * from read_csv('{source_dir / table}.csv', "
                "all_varchar = true, header = true)"
            )
            con.execute(f"copy ({_truncation_sql(table, next_day)}) to '{target_dir / table}.csv' (header)")


def _all_marts(warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    return {name: warehouse.query(f"select * from marts.{name} order by all") for name in warehouse.tables("marts")}


@pytest.fixture(scope="module", params=["tiny", "sample"])
def as_of_builds(
    request: pytest.FixtureRequest, tiny_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Warehouse, Warehouse]:
    """The same raw data built with as_of_date, once in full and once without any later record."""
    raw_dir = tiny_dir if request.param == "tiny" else SAMPLE_DIR
    work = tmp_path_factory.mktemp(f"as_of_{request.param}")
    full = build_warehouse(raw_dir, work / "full", {"as_of_date": AS_OF})
    _write_truncated(raw_dir, work / "truncated_raw", "2024-07-01")
    truncated = build_warehouse(work / "truncated_raw", work / "truncated", {"as_of_date": AS_OF})
    return full, truncated


def test_later_records_change_nothing(as_of_builds: tuple[Warehouse, Warehouse]) -> None:
    full, truncated = as_of_builds
    full_marts, truncated_marts = _all_marts(full), _all_marts(truncated)
    assert full_marts.keys() == truncated_marts.keys()
    assert full.query("select count(*) as n from marts.fct_orders")["n"][0] > 0
    for name, frame in full_marts.items():
        pd.testing.assert_frame_equal(frame, truncated_marts[name], obj=name)


def test_as_of_date_drops_later_records(tiny_dir: Path, tmp_path: Path) -> None:
    full = build_warehouse(tiny_dir, tmp_path, {"as_of_date": AS_OF})
    assert full.query("select max(ordered_date) as d from marts.fct_orders")["d"][0].date().isoformat() < "2024-07-01"
    c1 = full.query("select * from marts.dim_customers where customer_id = 'C1'").iloc[0]
    # O8 (2024-07-01) is after as_of_date: C1 has two purchases, 140.00, last on the leap day.
    assert c1["purchase_count"] == 2
    assert float(c1["net_revenue"]) == 140.0
    assert c1["last_purchase_date"].date().isoformat() == "2024-02-29"
    assert str(c1["as_of_date"].date()) == AS_OF
