"""Differential test: the voice-of-customer marts against an independent pandas reference.

tests/reference_voice.py implements the NPS/CSAT monthly definitions a second time, without
reading the dbt models. Both run on seeded random raw data sets, and every column of every row
of marts.voice_of_customer_monthly and of the acquisition_channel rows of
marts.voice_of_customer_monthly_by_segment must agree: counts and dates exactly, nps and csat
to a relative 1e-9, null exactly where the reference has null.

Customers and orders come from the retention differential's RawWriter, the CSVs from its
write_raw and the row comparison from its assert_same_rows, so both differentials share one
notion of clean raw data and of "the same rows". Each data set spans about 18 mart months
and gives every month a mode: no responses at all, only nps, only csat, exactly one
response, or a random mix. Around the edges it holds responses in the months before the
first purchase (outside the mart) and cancelled orders before it (which must not start the
months), a response at 23:59:59 on as_of_date (counted) and at 00:00:00 the day after
(ignored), responses and a completed order after as_of_date, csat responses with and without
a ticket, a channel without any response, a customer signed up on as_of_date and one signed
up after it.

The reference is first checked on its own against numbers computed by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pytest

from tests import reference_voice as ref
from tests.reference_retention import month_start, next_month, read_raw
from tests.test_retention_differential import (
    NOT_PURCHASES,
    RESPONSE_COLUMNS,
    TICKET_COLUMNS,
    RawWriter,
    assert_same_rows,
    write_raw,
)
from tests.warehouse import Warehouse, run_dbt

VOICE_MARTS = "+voice_of_customer_monthly +voice_of_customer_monthly_by_segment"
SCORES = ("nps", "csat")
# Channels are limited to the accepted values, so the special customers' channels are set aside.
RESPONDING_CHANNELS = ["organic", "paid_search", "social", "referral"]
QUIET_CHANNEL = "affiliate"  # one customer, signed up long before as_of_date, who never responds
# A customer signed up after as_of_date (responding after it) has this channel, and in some
# scenarios so has one signed up on as_of_date itself: the channel is a segment in those only.
LATE_CHANNEL = "email"
INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}
COMMENTS = ["", "", "", "Great, thanks!", 'Said "soon", took weeks', "Quité bien"]


# --- the reference on its own -----------------------------------------------------------------


def _hand_customer(customer_id: str, signup: str, channel: str) -> dict:
    return {
        "customer_id": customer_id,
        "signup_at": f"{signup} 08:00:00",
        "country": "US",
        "acquisition_channel": channel,
        "loyalty_member_since": "",
    }


def _hand_order(order_id: str, customer_id: str, at: str, status: str = "completed") -> dict:
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "ordered_at": at,
        "status": status,
        "gross_amount": "10.00",
        "discount_amount": "0.00",
    }


def _hand_response(response_id: str, customer_id: str, at: str, survey_type: str, score: int) -> dict:
    return {
        "response_id": response_id,
        "customer_id": customer_id,
        "responded_at": at,
        "survey_type": survey_type,
        "score": str(score),
        "ticket_id": "",
        "comment": "",
    }


HAND_AS_OF = dt.date(2024, 3, 15)
# A (organic) makes the first purchase on Jan 10 (C's cancelled December order does not count),
# so the mart months are January to March. C (email) never responds; D (affiliate) signs up
# after as_of_date.
HAND_CUSTOMERS = pd.DataFrame(
    [
        _hand_customer("A", "2023-11-01", "organic"),
        _hand_customer("B", "2023-11-01", "social"),
        _hand_customer("C", "2023-11-01", "email"),
        _hand_customer("D", "2024-03-18", "affiliate"),
    ]
)
HAND_ORDERS = pd.DataFrame(
    [
        _hand_order("O1", "C", "2023-12-20 10:00:00", "cancelled"),
        _hand_order("O2", "A", "2024-01-10 10:00:00"),
        _hand_order("O3", "B", "2024-03-20 10:00:00"),
    ]
)
# January: nps 9, 6, 7, 10 (2 promoters, 1 passive, 1 detractor: NPS 25), csat 3, 4, 5 (CSAT 66.7).
# February: nothing. March: nps 0 and 8 (NPS -50), csat 1 at 23:59:59 on as_of_date (CSAT 0); the
# nps 10 at midnight after as_of_date, D's response and A's December response do not count.
HAND_RESPONSES = pd.DataFrame(
    [
        _hand_response("R1", "A", "2023-12-31 23:59:59", "nps", 10),
        _hand_response("R2", "A", "2024-01-01 00:00:00", "nps", 9),
        _hand_response("R3", "B", "2024-01-05 12:00:00", "nps", 6),
        _hand_response("R4", "A", "2024-01-20 12:00:00", "nps", 7),
        _hand_response("R5", "B", "2024-01-31 23:59:59", "nps", 10),
        _hand_response("R6", "A", "2024-01-12 12:00:00", "csat", 3),
        _hand_response("R7", "B", "2024-01-13 12:00:00", "csat", 4),
        _hand_response("R8", "A", "2024-01-14 12:00:00", "csat", 5),
        _hand_response("R9", "B", "2024-03-01 00:00:00", "nps", 0),
        _hand_response("R10", "B", "2024-03-02 12:00:00", "nps", 8),
        _hand_response("R11", "A", "2024-03-15 23:59:59", "csat", 1),
        _hand_response("R12", "A", "2024-03-16 00:00:00", "nps", 10),
        _hand_response("R13", "D", "2024-03-20 12:00:00", "csat", 5),
    ]
)
HAND_MONTHS = [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
COUNTS = ["nps_responses", "promoters", "passives", "detractors", "csat_responses", "satisfied_responses"]


def _scores(frame: pd.DataFrame) -> list[list[float | None]]:
    """nps and csat per row, None for the marts' null."""
    return [[None if pd.isna(value) else value for value in row] for row in frame[["nps", "csat"]].values.tolist()]


def test_reference_monthly_by_hand() -> None:
    monthly = ref.voice_of_customer_monthly(HAND_CUSTOMERS, HAND_ORDERS, HAND_RESPONSES, HAND_AS_OF)
    assert list(monthly.columns) == ref.MONTHLY_COLUMNS
    assert monthly["month"].tolist() == HAND_MONTHS
    assert (monthly["as_of_date"] == HAND_AS_OF).all()
    assert monthly[COUNTS].values.tolist() == [[4, 2, 1, 1, 3, 2], [0, 0, 0, 0, 0, 0], [2, 0, 1, 1, 1, 0]]
    assert _scores(monthly) == [[25.0, pytest.approx(200 / 3, rel=1e-15)], [None, None], [-50.0, 0.0]]


def test_reference_by_acquisition_channel_by_hand() -> None:
    by_channel = ref.voice_of_customer_by_acquisition_channel(HAND_CUSTOMERS, HAND_ORDERS, HAND_RESPONSES, HAND_AS_OF)
    assert list(by_channel.columns) == ref.SEGMENT_COLUMNS
    assert (by_channel["dimension"] == "acquisition_channel").all()
    # D signed up after as_of_date, so `affiliate` is not a segment; C never responded, `email` is one.
    assert by_channel["dimension_value"].tolist() == ["email"] * 3 + ["organic"] * 3 + ["social"] * 3
    assert by_channel["month"].tolist() == HAND_MONTHS * 3
    assert by_channel[COUNTS].values.tolist() == [
        *[[0, 0, 0, 0, 0, 0]] * 3,
        [2, 1, 1, 0, 2, 1],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 1, 0],
        [2, 1, 0, 1, 1, 1],
        [0, 0, 0, 0, 0, 0],
        [2, 0, 1, 1, 0, 0],
    ]
    assert _scores(by_channel) == [
        *[[None, None]] * 3,
        [50.0, 50.0],
        [None, None],
        [None, 0.0],
        [0.0, 100.0],
        [None, None],
        [-50.0, None],
    ]


def test_reference_without_a_purchase_has_no_months() -> None:
    no_purchase = HAND_ORDERS[HAND_ORDERS["status"] == "cancelled"]
    assert ref.voice_of_customer_monthly(HAND_CUSTOMERS, no_purchase, HAND_RESPONSES, HAND_AS_OF).empty


# --- random data sets -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """One random data set: its seed, the day of its first purchase and the as_of_date var."""

    seed: int
    first_purchase: dt.date
    as_of_date: dt.date
    signup_on_as_of: bool

    def __str__(self) -> str:
        return f"seed{self.seed}-{self.first_purchase}-{self.as_of_date}"


SCENARIOS = [
    # as_of_date mid-month, so part of its month lies after it.
    Scenario(seed=11, first_purchase=dt.date(2023, 3, 17), as_of_date=dt.date(2024, 8, 14), signup_on_as_of=True),
    # First purchase on a month's first day, as_of_date on a month's last day.
    Scenario(seed=22, first_purchase=dt.date(2023, 1, 1), as_of_date=dt.date(2024, 6, 30), signup_on_as_of=False),
    # First purchase on a month's last day, as_of_date on a month's first day, a leap February.
    Scenario(seed=33, first_purchase=dt.date(2022, 11, 30), as_of_date=dt.date(2024, 5, 1), signup_on_as_of=True),
]
# How many mart months get each special mode; the others get a random mix of 10-30 responses.
SPECIAL_MODES = {"empty": 2, "nps_only": 2, "csat_only": 2, "single_nps": 1, "single_csat": 1}


def _at(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class VoiceWriter(RawWriter):
    """RawWriter plus support tickets and survey responses, each after its customer's signup day."""

    def __init__(self, rng: np.random.Generator, as_of_date: dt.date) -> None:
        # The churn window only shapes RawWriter's retention edge cases, which are not used here.
        super().__init__(rng, window_days=30, as_of_date=as_of_date)
        self.tickets: list[dict] = []
        self.responses: list[dict] = []
        self.respondents: dict[str, dt.date] = {}

    def signed_up(self, day: dt.date, channel: str | None = None, responds: bool = True) -> str:
        """Add a customer who signs up on day (a random responding channel unless given); return its id."""
        customer_id = self.customer(day, signup=day, channel=channel or str(self.rng.choice(RESPONDING_CHANNELS)))
        if responds:
            self.respondents[customer_id] = day
        return customer_id

    def _moment(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.fromisoformat(self._time()))

    def ticket(self, customer_id: str, before: dt.date) -> str:
        """Add a ticket created 2-5 days before `before` and resolved before it; return its id."""
        created = self._moment(before - dt.timedelta(days=int(self.rng.integers(2, 6))))
        first_response = created + dt.timedelta(minutes=int(self.rng.integers(5, 600)))
        resolved = first_response + dt.timedelta(minutes=int(self.rng.integers(5, 600)))
        ticket_id = f"T{len(self.tickets) + 1:05d}"
        self.tickets.append(
            {
                "ticket_id": ticket_id,
                "customer_id": customer_id,
                "created_at": _at(created),
                "first_response_at": _at(first_response),
                "resolved_at": _at(resolved),
                "category": str(self.rng.choice(["billing", "returns", "product_defect", "delivery", "account"])),
                "priority": str(self.rng.choice(["low", "normal", "high", "urgent"])),
                "channel": str(self.rng.choice(["email", "phone", "chat", "social"])),
                "status": str(self.rng.choice(["solved", "closed"])),
            }
        )
        return ticket_id

    def response(self, customer_id: str, day: dt.date, survey_type: str, time: str | None = None) -> None:
        """Add a response with a uniformly random score; csat follows a fresh ticket 9 times in 10."""
        low, high = (0, 10) if survey_type == "nps" else (1, 5)
        with_ticket = survey_type == "csat" and self.rng.random() < 0.9
        self.responses.append(
            {
                "response_id": f"R{len(self.responses) + 1:05d}",
                "customer_id": customer_id,
                "responded_at": f"{day} {time or self._time()}",
                "survey_type": survey_type,
                "score": int(self.rng.integers(low, high + 1)),
                "ticket_id": self.ticket(customer_id, day) if with_ticket else "",
                "comment": str(self.rng.choice(COMMENTS)),
            }
        )

    def random_response(self, month: dt.date, survey_type: str | None = None) -> None:
        """A response on a random day of month, by a random customer signed up a week before."""
        last_day = next_month(month) - dt.timedelta(days=1)
        day = month + dt.timedelta(days=int(self.rng.integers(0, last_day.day)))
        eligible = [c for c, signup in self.respondents.items() if signup + dt.timedelta(days=7) <= day]
        self.response(str(self.rng.choice(eligible)), day, survey_type or str(self.rng.choice(SCORES)))

    def all_tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Customers, orders, tickets and responses."""
        customers, orders = self.tables()
        return (
            customers,
            orders,
            pd.DataFrame(self.tickets, columns=TICKET_COLUMNS),
            pd.DataFrame(self.responses, columns=RESPONSE_COLUMNS),
        )


def _month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from first's month to last's month, inclusive."""
    months = [month_start(first)]
    while next_month(months[-1]) <= last:
        months.append(next_month(months[-1]))
    return months


def _modes(rng: np.random.Generator, months: list[dt.date]) -> dict[dt.date, str]:
    """Each mart month's mode; the first and the last month (the edge cases') are mixed."""
    inner = [mode for mode, count in SPECIAL_MODES.items() for _ in range(count)]
    inner += ["mixed"] * (len(months) - 2 - len(inner))
    rng.shuffle(inner)
    return dict(zip(months, ["mixed", *inner, "mixed"], strict=True))


def _month_responses(writer: VoiceWriter, month: dt.date, mode: str) -> None:
    """The responses of one month in the given mode (none for "empty")."""
    rng = writer.rng
    if mode == "mixed":
        for _ in range(rng.integers(10, 31)):
            writer.random_response(month)
    elif mode in ("nps_only", "csat_only"):
        for _ in range(rng.integers(3, 11)):
            writer.random_response(month, mode.removesuffix("_only"))
    elif mode in ("single_nps", "single_csat"):
        writer.random_response(month, mode.removeprefix("single_"))


@cache
def random_raw(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Raw customers, orders, tickets and responses of one scenario (deterministic)."""
    rng = np.random.default_rng(scenario.seed)
    writer = VoiceWriter(rng, scenario.as_of_date)
    first, as_of, day = scenario.first_purchase, scenario.as_of_date, dt.timedelta(days=1)
    # Early customers can respond from the first pre-mart month (at most 131 days before `first`).
    early = [writer.signed_up(first - dt.timedelta(days=int(rng.integers(140, 161)))) for _ in range(12)]
    regular = [
        writer.signed_up(first + dt.timedelta(days=int(rng.integers(-90, (as_of - first).days - 10))))
        for _ in range(50)
    ]
    writer.signed_up(first - 100 * day, QUIET_CHANNEL, responds=False)
    if scenario.signup_on_as_of:
        writer.signed_up(as_of, LATE_CHANNEL, responds=False)

    # The first purchase, not-purchases before it, then random orders (completed ones after it).
    writer.order(early[0], first)
    for status, customer_id in zip(NOT_PURCHASES, early[1:], strict=False):
        writer.order(customer_id, first - dt.timedelta(days=int(rng.integers(1, 100))), status)
    writer.order(early[1], as_of + day, "completed", time="00:00:00")
    for customer_id in early + regular:
        since = max(writer.respondents[customer_id], first) + day
        for _ in range(rng.integers(0, 4)):
            ordered = since + dt.timedelta(days=int(rng.integers(0, (as_of - since).days + 30)))
            writer.order(customer_id, ordered, "completed" if rng.random() < 0.75 else str(rng.choice(NOT_PURCHASES)))

    mart_months = _month_range(first, as_of)
    for month in _month_range(first - 100 * day, first)[:-1]:
        _month_responses(writer, month, "mixed")
    for month, mode in _modes(rng, mart_months).items():
        _month_responses(writer, month, mode)
    _month_responses(writer, next_month(mart_months[-1]), "mixed")

    # Just inside and just outside the mart's first month and as_of_date.
    writer.response(early[2], mart_months[0] - day, "nps", time="23:59:59")
    writer.response(early[3], mart_months[0], "csat", time="00:00:00")
    writer.response(early[4], as_of, "nps", time="23:59:59")
    writer.response(early[5], as_of + day, "csat", time="00:00:00")
    late = writer.signed_up(as_of + day, LATE_CHANNEL)
    writer.response(late, as_of + 2 * day, "nps")
    return writer.all_tables()


def _counted_in_mart(scenario: Scenario, responses: pd.DataFrame) -> pd.DataFrame:
    """The responses the marts count: from the first purchase month to as_of_date."""
    day = responses["responded_at"].str[:10]
    return responses[
        (day >= month_start(scenario.first_purchase).isoformat()) & (day <= scenario.as_of_date.isoformat())
    ]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_random_data_holds_the_edge_cases(scenario: Scenario) -> None:
    """The generator really produces valid raw data with what the differential is meant to exercise."""
    customers, orders, tickets, responses = random_raw(scenario)
    for frame, key in ((customers, "customer_id"), (orders, "order_id"), (tickets, "ticket_id")):
        assert frame[key].is_unique
    assert responses["response_id"].is_unique
    signup = customers.set_index("customer_id")["signup_at"]
    for frame, column in ((orders, "ordered_at"), (tickets, "created_at"), (responses, "responded_at")):
        assert (signup.reindex(frame["customer_id"]).to_numpy() < frame[column].to_numpy()).all(), column
    ticket_of = responses.merge(tickets, on="ticket_id", how="left", suffixes=("", "_ticket"))
    with_ticket = ticket_of[ticket_of["ticket_id"] != ""]
    assert (with_ticket["survey_type"] == "csat").all()
    assert (with_ticket["customer_id"] == with_ticket["customer_id_ticket"]).all()
    assert (with_ticket["resolved_at"] < with_ticket["responded_at"]).all()
    assert ((responses["survey_type"] == "csat") & (responses["ticket_id"] == "")).any()

    # The first purchase is the scenario's; earlier orders are not purchases.
    completed = orders[orders["status"] == "completed"]
    assert completed["ordered_at"].min()[:10] == scenario.first_purchase.isoformat()
    assert (orders["ordered_at"] < scenario.first_purchase.isoformat()).sum() >= 3
    assert (completed["ordered_at"] > scenario.as_of_date.isoformat()).any()

    counted = _counted_in_mart(scenario, responses)
    for survey_type, scores in (("nps", range(11)), ("csat", range(1, 6))):
        assert set(counted["score"][counted["survey_type"] == survey_type]) == set(scores), survey_type
    as_of = scenario.as_of_date
    assert f"{as_of} 23:59:59" in set(responses["responded_at"])
    assert f"{as_of + dt.timedelta(days=1)} 00:00:00" in set(responses["responded_at"])
    assert (responses["responded_at"] < month_start(scenario.first_purchase).isoformat()).sum() >= 20
    assert 200 <= len(counted) <= 500

    monthly = ref.voice_of_customer_monthly(customers, orders, responses, as_of)
    assert 18 <= len(monthly) <= 19
    nps, csat = monthly["nps_responses"], monthly["csat_responses"]
    assert ((nps == 0) & (csat == 0)).sum() >= 2
    assert ((nps > 0) & (csat == 0)).sum() >= 2
    assert ((nps == 0) & (csat > 0)).sum() >= 2
    assert (nps + csat == 1).sum() >= 2
    by_channel = ref.voice_of_customer_by_acquisition_channel(customers, orders, responses, as_of)
    channels = set(by_channel["dimension_value"])
    assert channels == {*RESPONDING_CHANNELS, QUIET_CHANNEL, *[LATE_CHANNEL] * scenario.signup_on_as_of}
    silent = by_channel[by_channel["dimension_value"].isin([QUIET_CHANNEL, LATE_CHANNEL])]
    assert (silent[["nps_responses", "csat_responses"]] == 0).all().all()


# --- the differential -------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """A scenario's raw tables as dbt read them and the warehouse dbt built from them."""

    scenario: Scenario
    customers: pd.DataFrame
    orders: pd.DataFrame
    responses: pd.DataFrame
    warehouse: Warehouse


@pytest.fixture(scope="module", params=SCENARIOS, ids=str)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Write one scenario's raw CSVs and dbt-build the voice marts on them, once per module."""
    scenario: Scenario = request.param
    work = tmp_path_factory.mktemp(str(scenario))
    raw_dir, db_path = work / "raw", work / "warehouse.duckdb"
    customers, orders, tickets, responses = random_raw(scenario)
    write_raw(customers, orders, raw_dir, tickets, responses)
    # `build`, not `run`, so the seeds upstream are loaded; without tests, which are not what this
    # test checks (and some upstream of the marts test relations outside the selection).
    build = ["build", "--select", VOICE_MARTS, "--exclude-resource-type", "test", "unit_test"]
    run_dbt(build, raw_dir, db_path, {"as_of_date": scenario.as_of_date.isoformat()})
    # The reference reads the files dbt read, so both sides see the same text.
    customers, orders = read_raw(raw_dir)
    return Built(scenario, customers, orders, ref.read_responses(raw_dir), Warehouse(db_path, ""))


@pytest.mark.dbt
def test_voice_of_customer_monthly_matches_reference(built: Built) -> None:
    expected = ref.voice_of_customer_monthly(built.customers, built.orders, built.responses, built.scenario.as_of_date)
    actual = built.warehouse.query("select * from marts.voice_of_customer_monthly")
    assert_same_rows(expected, actual, ["month"], str(built.scenario), approximate={"nps", "csat"})


@pytest.mark.dbt
def test_voice_of_customer_by_acquisition_channel_matches_reference(built: Built) -> None:
    expected = ref.voice_of_customer_by_acquisition_channel(
        built.customers, built.orders, built.responses, built.scenario.as_of_date
    )
    actual = built.warehouse.query(
        "select * from marts.voice_of_customer_monthly_by_segment where dimension = 'acquisition_channel'"
    )
    assert_same_rows(expected, actual, ["dimension", "dimension_value", "month"], str(built.scenario), {"nps", "csat"})


@pytest.mark.dbt
def test_voice_marts_column_types(built: Built) -> None:
    """Counts are integers, scores doubles and months dates, as documented (values alone could hide a type)."""
    types = built.warehouse.query(
        "select table_name, column_name, data_type from information_schema.columns where table_schema = 'marts' "
        "and table_name in ('voice_of_customer_monthly', 'voice_of_customer_monthly_by_segment')"
    )
    wanted = {column: INTEGER_TYPES for column in ref.VOICE_METRICS}
    wanted |= {"nps": {"DOUBLE"}, "csat": {"DOUBLE"}, "month": {"DATE"}, "as_of_date": {"DATE"}}
    wrong = [
        (row.table_name, row.column_name, row.data_type)
        for row in types.itertuples(index=False)
        if row.column_name in wanted and row.data_type not in wanted[row.column_name]
    ]
    assert not wrong, wrong
