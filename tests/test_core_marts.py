"""Core marts on the hand-made tiny fixture, checked against values computed by hand.

tests/fixtures/tiny holds 4 customers (one delivered twice), 10 order rows (one duplicated),
4 tickets and 6 survey responses. The latest order is on 2024-07-01, so that is the default
as_of_date; one ticket (T4) and one response (R6) are dated after it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from tests.warehouse import Warehouse

pytestmark = pytest.mark.dbt

AS_OF = dt.date(2024, 7, 1)


def _row(frame: pd.DataFrame, key: str, value: str) -> dict:
    rows = frame[frame[key] == value].to_dict("records")
    assert len(rows) == 1, f"expected one row with {key}={value}, got {len(rows)}"
    return rows[0]


def test_schemas_hold_the_layers(tiny_warehouse: Warehouse) -> None:
    assert {"dim_customers", "fct_orders", "fct_support_tickets", "fct_survey_responses"} <= set(
        tiny_warehouse.tables("marts")
    )
    staging = tiny_warehouse.query(
        "select table_name from information_schema.tables "
        "where table_schema = 'staging' and table_type = 'BASE TABLE' order by 1"
    )["table_name"].tolist()
    assert staging == [
        "stg_quality__data_quality_results",
        "stg_raw__customers",
        "stg_raw__orders",
        "stg_raw__support_tickets",
        "stg_raw__survey_responses",
    ]


def test_dim_customers_by_hand(tiny_warehouse: Warehouse) -> None:
    customers = tiny_warehouse.mart("dim_customers", "customer_id")
    assert customers["customer_id"].tolist() == ["C1", "C2", "C3", "C4"]
    assert set(customers["as_of_date"].dt.date) == {AS_OF}

    c1 = _row(customers, "customer_id", "C1")
    assert c1["email"] == "ana@example.com"
    assert c1["last_name"] == "García, Jr."
    assert c1["country_code"] == "ES"
    assert c1["acquisition_channel"] == "organic"
    assert c1["is_loyalty_member"]
    # O1 100-10, O2 50 on the leap day, O8 70 on as_of_date; O3 was returned.
    assert (c1["orders_count"], c1["purchase_count"]) == (4, 3)
    assert c1["net_revenue"] == Decimal("210.00")
    assert c1["first_purchase_date"].date() == dt.date(2024, 1, 5)
    assert c1["last_purchase_date"].date() == AS_OF
    # T4 is created after as_of_date: not counted.
    assert (c1["tickets_count"], c1["open_tickets_count"]) == (1, 0)
    assert (c1["latest_nps_score"], c1["latest_nps_category"]) == (9, "promoter")

    c2 = _row(customers, "customer_id", "C2")
    # Two versions of C2: the later signup wins.
    assert c2["email"] == "bob@example.com"
    assert c2["last_name"] == 'Le "Grand"'
    # O4 delivered twice counts once (30-5), O5 is a second purchase the same day, O6 cancelled.
    assert (c2["orders_count"], c2["purchase_count"]) == (3, 2)
    assert c2["net_revenue"] == Decimal("45.00")
    # T2 is resolved on 2024-07-02, after as_of_date: still open.
    assert (c2["tickets_count"], c2["open_tickets_count"]) == (1, 1)
    assert (c2["latest_nps_score"], c2["latest_nps_category"]) == (8, "passive")

    c3 = _row(customers, "customer_id", "C3")
    assert c3["acquisition_channel"] == "referral"
    assert c3["birth_date"].date() == dt.date(2000, 2, 29)
    assert (c3["orders_count"], c3["purchase_count"]) == (1, 0)
    assert c3["net_revenue"] == Decimal("0.00")
    assert pd.isna(c3["first_purchase_date"])
    assert (c3["latest_nps_score"], c3["latest_nps_category"]) == (0, "detractor")
    assert not c3["is_loyalty_member"]

    c4 = _row(customers, "customer_id", "C4")
    assert c4["net_revenue"] == Decimal("15.00")
    assert pd.isna(c4["latest_nps_score"])


def test_fct_orders_by_hand(tiny_warehouse: Warehouse) -> None:
    orders = tiny_warehouse.mart("fct_orders", "order_id")
    assert orders["order_id"].tolist() == ["O1", "O2", "O3", "O4", "O5", "O6", "O7", "O8", "O9"]
    by_id = orders.set_index("order_id")
    assert by_id.loc["O2", "ordered_at"] == pd.Timestamp("2024-02-29 23:59:59")
    assert by_id.loc["O5", "order_status"] == "completed"
    assert [by_id.loc[o, "purchase_sequence_number"] for o in ["O1", "O2", "O8", "O4", "O5", "O9"]] == [
        1,
        2,
        3,
        1,
        2,
        1,
    ]
    assert by_id.loc[["O3", "O6", "O7"], "purchase_sequence_number"].isna().all()
    assert by_id.loc[["O3", "O6", "O7"], "net_revenue"].tolist() == [Decimal("0.00")] * 3
    assert sum(orders["net_revenue"]) == Decimal("270.00")


def test_fct_support_tickets_by_hand(tiny_warehouse: Warehouse) -> None:
    tickets = tiny_warehouse.mart("fct_support_tickets", "ticket_id").set_index("ticket_id")
    assert tickets.index.tolist() == ["T1", "T2", "T3"]
    assert tickets.loc["T1", "first_response_hours"] == 2.5
    assert tickets.loc["T1", "resolution_hours"] == 24.0
    assert tickets.loc["T2", "first_response_hours"] == 3.0
    assert pd.isna(tickets.loc["T2", "resolved_at"])
    assert tickets["is_open"].tolist() == [False, True, True]


def test_fct_survey_responses_by_hand(tiny_warehouse: Warehouse) -> None:
    responses = tiny_warehouse.mart("fct_survey_responses", "response_id").set_index("response_id")
    assert responses.index.tolist() == ["R1", "R2", "R3", "R4", "R5"]
    assert responses["nps_category"].tolist()[:1] == ["promoter"]
    assert responses.loc["R5", "survey_type"] == "nps"
    assert responses.loc["R5", "comment_text"] == "Café arrivé froid, très déçu"
    assert bool(responses.loc["R2", "is_csat_satisfied"]) is True
    assert responses.loc[["R3", "R4"], "nps_category"].tolist() == ["detractor", "passive"]
