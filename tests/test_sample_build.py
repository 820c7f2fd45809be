"""The bundled sample builds, and its core marts reconcile with the raw files read independently."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from tests.conftest import SAMPLE_DIR
from tests.warehouse import Warehouse

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def raw_orders() -> pd.DataFrame:
    orders = pd.read_csv(SAMPLE_DIR / "raw_orders.csv", dtype=str, keep_default_na=False)
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"].str.replace("T", " ").str.replace("Z", ""))
    return orders


def test_every_mart_has_rows(sample_warehouse: Warehouse) -> None:
    # data_quality_report is empty by design here: this build ran dbt alone, without the gates.
    for table in set(sample_warehouse.tables("marts")) - {"data_quality_report"}:
        count = sample_warehouse.query(f"select count(*) as n from marts.{table}")["n"][0]
        assert count > 0, f"marts.{table} is empty"


def test_default_as_of_date_is_latest_order(sample_warehouse: Warehouse, raw_orders: pd.DataFrame) -> None:
    as_of = sample_warehouse.query("select distinct as_of_date from marts.dim_customers")["as_of_date"]
    assert len(as_of) == 1
    assert as_of[0].date() == raw_orders["ordered_at"].max().date()


def test_orders_reconcile_with_raw(sample_warehouse: Warehouse, raw_orders: pd.DataFrame) -> None:
    completed = raw_orders[raw_orders["status"].str.strip().str.lower() == "completed"]
    expected_net = sum(
        Decimal(g) - Decimal(d) for g, d in zip(completed["gross_amount"], completed["discount_amount"], strict=True)
    )
    totals = sample_warehouse.query(
        "select count(*) as orders, sum(net_revenue) as net, sum(case when is_purchase then 1 else 0 end) as purchases "
        "from marts.fct_orders"
    ).iloc[0]
    assert totals["orders"] == raw_orders["order_id"].nunique()
    assert totals["purchases"] == len(completed)
    assert Decimal(str(totals["net"])) == expected_net

    customers = sample_warehouse.query(
        "select sum(net_revenue) as net, sum(purchase_count) as purchases from marts.dim_customers"
    ).iloc[0]
    assert Decimal(str(customers["net"])) == expected_net
    assert customers["purchases"] == len(completed)


def test_purchase_sequence_is_dense_per_customer(sample_warehouse: Warehouse) -> None:
    gaps = sample_warehouse.query(
        """
        select customer_id
        from marts.fct_orders
        where is_purchase
        group by customer_id
        having max(purchase_sequence_number) <> count(*) or min(purchase_sequence_number) <> 1
        """
    )
    assert gaps.empty


def test_open_tickets_match_raw(sample_warehouse: Warehouse) -> None:
    tickets = pd.read_csv(SAMPLE_DIR / "raw_support_tickets.csv", dtype=str, keep_default_na=False)
    unresolved = int((tickets["resolved_at"].str.strip() == "").sum())
    open_in_mart = sample_warehouse.query("select count(*) as n from marts.fct_support_tickets where is_open")["n"][0]
    assert open_in_mart == unresolved
