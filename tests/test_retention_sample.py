"""Retention marts on the bundled sample reconcile with the core marts they summarise."""

from __future__ import annotations

import pytest

from tests.warehouse import Warehouse

pytestmark = pytest.mark.dbt


def _scalar(warehouse: Warehouse, sql: str) -> object:
    return warehouse.query(sql).iloc[0, 0]


def test_monthly_revenue_and_purchases_add_up_to_fct_orders(sample_warehouse: Warehouse) -> None:
    monthly = sample_warehouse.query(
        "select sum(net_revenue) as net, sum(purchases_count) as purchases from marts.retention_monthly"
    ).iloc[0]
    orders = sample_warehouse.query(
        "select sum(net_revenue) as net, count(*) filter (where is_purchase) as purchases from marts.fct_orders"
    ).iloc[0]
    assert monthly["net"] == orders["net"]
    assert monthly["purchases"] == orders["purchases"]


def test_new_customers_and_cohorts_cover_every_purchaser(sample_warehouse: Warehouse) -> None:
    purchasers = _scalar(sample_warehouse, "select count(*) from marts.dim_customers where purchase_count > 0")
    assert _scalar(sample_warehouse, "select sum(new_customers) from marts.retention_monthly") == purchasers
    assert (
        _scalar(
            sample_warehouse,
            "select sum(cohort_size) from marts.retention_cohorts where months_since_first_purchase = 0",
        )
        == purchasers
    )


def test_last_month_active_customers_match_last_purchase_dates(sample_warehouse: Warehouse) -> None:
    # Active on as_of_date = last purchase within the churn window (90 days): counted from dim_customers.
    expected = _scalar(
        sample_warehouse,
        "select count(*) from marts.dim_customers where last_purchase_date > as_of_date - interval 90 day",
    )
    actual = _scalar(
        sample_warehouse,
        "select customers_end from marts.retention_monthly order by month desc limit 1",
    )
    assert actual == expected


def test_segments_add_up_to_the_total(sample_warehouse: Warehouse) -> None:
    mismatches = sample_warehouse.query(
        """
        select segments.dimension, segments.month
        from (
            select dimension, month, sum(customers_end) as customers_end, sum(new_customers) as new_customers,
                sum(retained_customers) as retained_customers, sum(net_revenue) as net_revenue
            from marts.retention_monthly_by_segment
            group by dimension, month
        ) as segments
        inner join marts.retention_monthly as total on segments.month = total.month
        where segments.customers_end <> total.customers_end
            or segments.new_customers <> total.new_customers
            or segments.retained_customers <> total.retained_customers
            or segments.net_revenue <> total.net_revenue
        """
    )
    assert mismatches.empty
    dimensions = sample_warehouse.query("select distinct dimension from marts.retention_monthly_by_segment order by 1")
    assert dimensions["dimension"].tolist() == ["acquisition_channel", "country", "loyalty_membership"]


def test_kpis_have_one_row_per_month(sample_warehouse: Warehouse) -> None:
    kpis = sample_warehouse.query("select * from marts.retention_kpis_monthly order by month")
    monthly = sample_warehouse.query("select * from marts.retention_monthly order by month")
    assert kpis["month"].tolist() == monthly["month"].tolist()
    assert kpis["active_customers"].tolist() == monthly["customers_end"].tolist()
