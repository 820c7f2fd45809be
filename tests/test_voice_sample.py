"""Voice-of-customer and support marts on the bundled sample reconcile with the core facts."""

from __future__ import annotations

import pytest

from tests.warehouse import Warehouse

pytestmark = pytest.mark.dbt


def test_monthly_answers_add_up_to_fct_survey_responses(sample_warehouse: Warehouse) -> None:
    totals = sample_warehouse.query(
        """
        select
            (select sum(nps_responses) from marts.voice_of_customer_monthly) as nps_in_mart,
            (select sum(csat_responses) from marts.voice_of_customer_monthly) as csat_in_mart,
            (select count(*) from marts.fct_survey_responses
                where survey_type = 'nps' and responded_date >= (select min(month) from marts.retention_monthly))
                as nps_in_fact,
            (select count(*) from marts.fct_survey_responses
                where survey_type = 'csat' and responded_date >= (select min(month) from marts.retention_monthly))
                as csat_in_fact
        """
    ).iloc[0]
    assert totals["nps_in_mart"] == totals["nps_in_fact"] > 0
    assert totals["csat_in_mart"] == totals["csat_in_fact"] > 0


def test_kpis_carry_nps_and_csat(sample_warehouse: Warehouse) -> None:
    joined = sample_warehouse.query(
        """
        select kpis.month
        from marts.retention_kpis_monthly as kpis
        inner join marts.voice_of_customer_monthly as voice on kpis.month = voice.month
        where kpis.nps is distinct from voice.nps or kpis.csat is distinct from voice.csat
        """
    )
    assert joined.empty
    assert sample_warehouse.query("select count(nps) as n from marts.retention_kpis_monthly")["n"][0] > 0


def test_support_volume_and_backlog_match_fct_support_tickets(sample_warehouse: Warehouse) -> None:
    support = sample_warehouse.query(
        "select * from marts.support_performance_monthly where dimension = 'all' order by month"
    )
    tickets = sample_warehouse.query(
        "select count(*) as n, count(*) filter (where is_open) as open from marts.fct_support_tickets"
    )
    assert support["tickets_created"].sum() == tickets["n"][0]
    assert support["open_tickets_at_month_end"].iloc[-1] == tickets["open"][0]
    by_category = sample_warehouse.query(
        "select month, sum(tickets_created) as n from marts.support_performance_monthly "
        "where dimension = 'ticket_category' group by month order by month"
    )
    assert by_category["n"].tolist() == support["tickets_created"].tolist()


def test_every_comment_is_listed_and_themes_are_consistent(sample_warehouse: Warehouse) -> None:
    counts = sample_warehouse.query(
        """
        select
            (select count(*) from marts.fct_survey_responses where has_comment) as comments,
            (select count(*) from marts.feedback_comments) as listed,
            (select sum(themes_count) from marts.feedback_comments) as tags,
            (select sum(comments_count) from marts.feedback_themes) as theme_counts
        """
    ).iloc[0]
    assert counts["comments"] == counts["listed"]
    assert counts["tags"] == counts["theme_counts"]


def test_recovery_queue_holds_only_customers_without_a_later_purchase(sample_warehouse: Warehouse) -> None:
    queue = sample_warehouse.query("select * from marts.service_recovery_queue")
    assert not queue.empty
    later = sample_warehouse.query(
        """
        select queue.queue_item_id
        from marts.service_recovery_queue as queue
        inner join marts.fct_orders as orders
            on queue.customer_id = orders.customer_id and orders.is_purchase and orders.ordered_at > queue.item_at
        """
    )
    assert later.empty
    assert sorted(queue["priority_rank"]) == list(range(1, len(queue) + 1))
