"""Value marts on the bundled sample: every purchaser valued and segmented, consistently with the core marts."""

from __future__ import annotations

import pytest

from tests.warehouse import Warehouse

pytestmark = pytest.mark.dbt


def test_every_purchaser_is_valued_and_segmented(sample_warehouse: Warehouse) -> None:
    counts = sample_warehouse.query(
        """
        select
            (select count(*) from marts.dim_customers where purchase_count > 0) as purchasers,
            (select count(*) from marts.customer_lifetime_value) as valued,
            (select count(*) from marts.customer_segments) as segmented,
            (select count(*) from marts.customer_lifetime_value where prediction_status = 'ok') as predicted
        """
    ).iloc[0]
    assert counts["purchasers"] == counts["valued"] == counts["segmented"] == counts["predicted"]


def test_historical_clv_matches_dim_customers(sample_warehouse: Warehouse) -> None:
    mismatches = sample_warehouse.query(
        """
        select clv.customer_id
        from marts.customer_lifetime_value as clv
        inner join marts.dim_customers as customers on clv.customer_id = customers.customer_id
        where clv.historical_clv <> customers.net_revenue
            or clv.purchase_count <> customers.purchase_count
            or clv.last_purchase_date <> customers.last_purchase_date
        """
    )
    assert mismatches.empty


def test_segments_rank_value_sensibly(sample_warehouse: Warehouse) -> None:
    by_segment = sample_warehouse.query(
        """
        select segments.rfm_segment, avg(clv.p_alive) as p_alive, avg(clv.historical_clv) as value
        from marts.customer_segments as segments
        inner join marts.customer_lifetime_value as clv on segments.customer_id = clv.customer_id
        group by segments.rfm_segment
        """
    ).set_index("rfm_segment")
    assert by_segment.loc["Champions", "p_alive"] > by_segment.loc["Lost", "p_alive"]
    assert by_segment.loc["Champions", "value"] > by_segment.loc["Hibernating", "value"]


def test_migration_accounts_for_every_customer(sample_warehouse: Warehouse) -> None:
    unbalanced = sample_warehouse.query(
        """
        select migration.to_snapshot_date
        from marts.rfm_segment_migration as migration
        group by migration.to_snapshot_date
        having sum(migration.customers_count) <> (
            select count(*) from intermediate.int_customer_rfm_scored as rfm
            where rfm.snapshot_date = migration.to_snapshot_date
        )
        """
    )
    assert unbalanced.empty
