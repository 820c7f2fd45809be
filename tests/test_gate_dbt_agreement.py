"""Every rule a dbt test on staging or the core marts enforces about the raw data has a gate rule first.

Why: a delivery that passes the gate and then fails a dbt test stops the refresh with a test name
instead of a finding (no file, no example values, no quarantine). So, read from dbt's own manifest,
every data test on a staging model or a core mart is either broken by a row below (appended to the
clean tiny delivery, one row per way of breaking it) or named as one raw data cannot break, with the
reason. Then, on the delivery carrying all those rows:
1. `dbt build` without the gate fails each of those tests (so every row really breaks what it claims);
2. the gate quarantines every one of those rows, naming a rule (and blocks nothing table-level);
3. `dbt build` of what the gate let through passes every test.
A new dbt test on staging or a core mart fails this module until it is given a breaking row (and the
gate a rule for it) or a reason.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from quality_gates.gates import run_gates, write_validated
from quality_gates.settings import GateSettings
from tests.test_quality_corpus import LOAD_TIME, clean_tiny
from tests.warehouse import run_dbt

pytestmark = pytest.mark.dbt

CORE_MARTS = ("dim_customers", "fct_orders", "fct_support_tickets", "fct_survey_responses")
TEMPLATES = {
    "raw_customers": {
        "customer_id": "C50",
        "email": "x@example.com",
        "first_name": "X",
        "last_name": "Y",
        "birth_date": "",
        "signup_at": "2024-01-02 09:00:00",
        "country": "ES",
        "acquisition_channel": "organic",
        "loyalty_member_since": "",
    },
    "raw_orders": {
        "order_id": "O50",
        "customer_id": "C1",
        "ordered_at": "2024-05-05 10:00:00",
        "status": "completed",
        "gross_amount": "10.00",
        "discount_amount": "0.00",
        "items_count": "1",
        "channel": "web",
    },
    "raw_support_tickets": {
        "ticket_id": "T50",
        "customer_id": "C1",
        "created_at": "2024-05-05 10:00:00",
        "first_response_at": "2024-05-05 11:00:00",
        "resolved_at": "2024-05-06 10:00:00",
        "category": "billing",
        "priority": "low",
        "channel": "email",
        "status": "solved",
    },
    "raw_survey_responses": {
        "response_id": "R50",
        "customer_id": "C1",
        "responded_at": "2024-05-07 10:00:00",
        "survey_type": "csat",
        "score": "4",
        "ticket_id": "T1",
        "comment": "",
    },
}
"""A valid new row per table (ids of their own); each breaking row changes one thing in one of them."""


@dataclass(frozen=True)
class BreakingRow:
    """A row appended to a table that breaks the named dbt tests (model.column:test) when built ungated."""

    table: str
    row_id: str
    changes: dict[str, str]
    breaks: tuple[str, ...]

    def row(self) -> dict[str, str]:
        """The template row of the table with its own id and the changes applied."""
        key = next(iter(TEMPLATES[self.table]))
        return {**TEMPLATES[self.table], key: self.row_id, **self.changes}


BREAKING_ROWS = [
    BreakingRow("raw_customers", "C51", {"customer_id": ""}, ("stg_raw__customers.customer_id:not_null",)),
    BreakingRow(
        "raw_customers",
        "C52",
        {"signup_at": ""},
        ("stg_raw__customers.signed_up_at:not_null",),
    ),
    BreakingRow(
        "raw_customers",
        "C53",
        {"acquisition_channel": "tv"},
        ("stg_raw__customers.acquisition_channel:accepted_values", "dim_customers.acquisition_channel:accepted_values"),
    ),
    BreakingRow("raw_orders", "O51", {"order_id": ""}, ("stg_raw__orders.order_id:not_null",)),
    BreakingRow(
        "raw_orders",
        "O52",
        {"customer_id": ""},
        ("stg_raw__orders.customer_id:not_null", "fct_orders.customer_id:not_null"),
    ),
    BreakingRow("raw_orders", "O53", {"ordered_at": ""}, ("stg_raw__orders.ordered_at:not_null",)),
    BreakingRow(
        "raw_orders",
        "O54",
        {"status": "shipped"},
        ("stg_raw__orders.order_status:accepted_values", "fct_orders.order_status:accepted_values"),
    ),
    BreakingRow("raw_orders", "O55", {"channel": "fax"}, ("stg_raw__orders.sales_channel:accepted_values",)),
    BreakingRow("raw_orders", "O56", {"customer_id": "C99"}, ("fct_orders.customer_id:relationships",)),
    BreakingRow("raw_orders", "O57", {"status": ""}, ("fct_orders.is_purchase:not_null",)),
    BreakingRow("raw_orders", "O58", {"gross_amount": ""}, ("fct_orders.net_revenue:not_null",)),
    BreakingRow("raw_orders", "O59", {"discount_amount": ""}, ("fct_orders.net_revenue:not_null",)),
    BreakingRow("raw_support_tickets", "T51", {"ticket_id": ""}, ("stg_raw__support_tickets.ticket_id:not_null",)),
    BreakingRow(
        "raw_support_tickets",
        "T52",
        {"customer_id": ""},
        ("stg_raw__support_tickets.customer_id:not_null", "fct_support_tickets.customer_id:not_null"),
    ),
    BreakingRow(
        "raw_support_tickets",
        "T53",
        {"created_at": "", "first_response_at": "", "resolved_at": ""},
        ("stg_raw__support_tickets.created_at:not_null",),
    ),
    BreakingRow(
        "raw_support_tickets",
        "T54",
        {"category": "complaint"},
        (
            "stg_raw__support_tickets.ticket_category:accepted_values",
            "fct_support_tickets.ticket_category:accepted_values",
        ),
    ),
    BreakingRow(
        "raw_support_tickets",
        "T55",
        {"priority": "asap"},
        (
            "stg_raw__support_tickets.ticket_priority:accepted_values",
            "fct_support_tickets.ticket_priority:accepted_values",
        ),
    ),
    BreakingRow(
        "raw_support_tickets", "T56", {"channel": "fax"}, ("stg_raw__support_tickets.contact_channel:accepted_values",)
    ),
    BreakingRow(
        "raw_support_tickets", "T57", {"status": "lost"}, ("stg_raw__support_tickets.ticket_status:accepted_values",)
    ),
    BreakingRow(
        "raw_support_tickets", "T58", {"customer_id": "C99"}, ("fct_support_tickets.customer_id:relationships",)
    ),
    BreakingRow(
        "raw_survey_responses", "R51", {"response_id": ""}, ("stg_raw__survey_responses.response_id:not_null",)
    ),
    BreakingRow(
        "raw_survey_responses",
        "R52",
        {"customer_id": ""},
        ("stg_raw__survey_responses.customer_id:not_null", "fct_survey_responses.customer_id:not_null"),
    ),
    BreakingRow(
        "raw_survey_responses", "R53", {"responded_at": ""}, ("stg_raw__survey_responses.responded_at:not_null",)
    ),
    BreakingRow(
        "raw_survey_responses",
        "R54",
        {"survey_type": "ces"},
        ("stg_raw__survey_responses.survey_type:accepted_values", "fct_survey_responses.survey_type:accepted_values"),
    ),
    BreakingRow(
        "raw_survey_responses",
        "R55",
        {"score": ""},
        ("stg_raw__survey_responses.score:not_null", "fct_survey_responses.score:not_null"),
    ),
    BreakingRow(
        "raw_survey_responses", "R56", {"customer_id": "C99"}, ("fct_survey_responses.customer_id:relationships",)
    ),
    BreakingRow("raw_survey_responses", "R57", {"ticket_id": "T99"}, ("fct_survey_responses.ticket_id:relationships",)),
]

UNBREAKABLE = {
    **{
        f"stg_raw__{entity}.{key}:unique": "staging keeps one version of an id delivered twice (the gate warns)"
        for entity, key in (
            ("customers", "customer_id"),
            ("orders", "order_id"),
            ("support_tickets", "ticket_id"),
            ("survey_responses", "response_id"),
        )
    },
    **{
        f"{mart}.{key}:unique": "built from the deduplicated staging model"
        for mart, key in (
            ("dim_customers", "customer_id"),
            ("fct_orders", "order_id"),
            ("fct_support_tickets", "ticket_id"),
            ("fct_survey_responses", "response_id"),
        )
    },
    **{
        f"{mart}.{key}:not_null": "staging's not-null test on the same id fails first (a breaking row above)"
        for mart, key in (
            ("dim_customers", "customer_id"),
            ("fct_orders", "order_id"),
            ("fct_support_tickets", "ticket_id"),
            ("fct_survey_responses", "response_id"),
        )
    },
    **{
        f"{mart}.{column}:not_null": "staging's not-null test on its source timestamp fails first (see above)"
        for mart, column in (
            ("dim_customers", "signed_up_at"),
            ("fct_orders", "ordered_at"),
            ("fct_orders", "ordered_date"),
            ("fct_support_tickets", "created_at"),
            ("fct_survey_responses", "responded_at"),
        )
    },
    **{
        f"dim_customers.{column}:not_null": "a count, flag or date the model computes with coalesce, never null"
        for column in (
            "is_loyalty_member",
            "orders_count",
            "purchase_count",
            "net_revenue",
            "tickets_count",
            "open_tickets_count",
            "recent_tickets_count",
            "recent_returns_count",
            "recent_failed_payments_count",
            "as_of_date",
        )
    },
    "fct_support_tickets.is_open:not_null": "computed as resolved_at is null, never null",
    "dim_customers.latest_nps_category:accepted_values": "derived from NPS scores the gate holds to 0-10",
    "fct_survey_responses.nps_category:accepted_values": "derived from NPS scores the gate holds to 0-10",
    **{
        f"stg_quality__data_quality_results.{column}": "the gate's own results, not raw data"
        for column in ("table_name:not_null", "rule_name:not_null", "outcome:accepted_values")
    },
}
"""dbt tests on staging and core marts that no raw row can break, each with the reason."""


def dbt_data_tests(manifest: dict) -> dict[str, str]:
    """model.column:test -> unique_id of every data test on a staging model or a core mart."""
    tests = {}
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] != "test" or not node.get("test_metadata"):
            continue
        model = node["attached_node"].split(".")[-1]
        if model.startswith("stg_") or model in CORE_MARTS:
            tests[f"{model}.{node['column_name']}:{node['test_metadata']['name']}"] = unique_id
    return tests


def append_rows(raw: Path) -> None:
    """Append every breaking row to its table's CSV."""
    for table in TEMPLATES:
        rows = [breaking.row() for breaking in BREAKING_ROWS if breaking.table == table]
        with (raw / f"{table}.csv").open("a", newline="", encoding="utf-8") as handle:
            csv.DictWriter(handle, list(TEMPLATES[table]), lineterminator="\n").writerows(rows)


@pytest.fixture(scope="module")
def broken_delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clean tiny delivery plus every breaking row."""
    raw = clean_tiny(tmp_path_factory.mktemp("agreement") / "raw")
    append_rows(raw)
    return raw


def failed_tests(raw_dir: Path, work: Path) -> tuple[dict[str, str], set[str]]:
    """Build raw_dir without the gate, then run every test (a failing staging test in `dbt build` would skip
    the marts' tests); return the staging/core data tests and the keys of those that failed."""
    for command in (["seed"], ["run"], ["test"]):  # a model that fails its contract fails its tests too
        run_dbt(command, raw_dir, work / "warehouse.duckdb", check=False)
    tests = dbt_data_tests(json.loads((work / "target" / "manifest.json").read_text()))
    run_results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    passing = {item["unique_id"] for item in run_results if item["status"] == "pass"}
    assert set(tests.values()) <= {item["unique_id"] for item in run_results}, "some tests did not run"
    return tests, {key for key, unique_id in tests.items() if unique_id not in passing}


def test_every_staging_and_core_test_has_a_breaking_row_or_a_reason(
    broken_delivery: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Without the gate, each breaking row fails exactly the dbt tests it names; every test is accounted for."""
    tests, failed = failed_tests(broken_delivery, tmp_path_factory.mktemp("ungated"))
    claimed = {key for breaking in BREAKING_ROWS for key in breaking.breaks}
    assert sorted(set(tests) - claimed - set(UNBREAKABLE)) == [], "dbt tests with neither a breaking row nor a reason"
    assert sorted(claimed - set(tests)) == [], "breaking rows name tests dbt does not have"
    assert sorted(claimed - failed) == [], "breaking rows that did not break their test"


def test_the_gate_quarantines_every_breaking_row_and_dbt_then_passes(
    broken_delivery: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """With the threshold lifted so nothing blocks, the gate quarantines each breaking row and no clean row,
    and every dbt test passes on what it let through."""
    settings = GateSettings(max_bad_row_share=1.0, max_volume_drop=0.3, max_data_age_days=7)
    report = run_gates(broken_delivery, LOAD_TIME, settings=settings)
    assert report.blocked == []
    for table, result in report.tables.items():
        key = next(iter(TEMPLATES[table]))
        quarantined = sorted(result.quarantined[key].fillna("").str.strip())
        expected = sorted(breaking.row()[key] for breaking in BREAKING_ROWS if breaking.table == table)
        assert quarantined == expected, table
        assert all(rules for rules in result.quarantined["failed_rules"]), table
    work = tmp_path_factory.mktemp("gated")
    write_validated(report, work / "landing")
    _, failed = failed_tests(work / "landing", work)
    assert failed == set()
