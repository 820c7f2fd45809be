"""Differential test: the retention marts against an independent pandas reference.

tests/reference_retention.py implements the retention definitions a second time, without
reading the dbt models. Both run on seeded random raw data sets, and every column of every row
of the three retention marts must agree: counts and dates exactly, net revenue to the cent,
rates and averages to a relative 1e-9.

Each data set is a chain of independent "blocks" of customers, separated by more than the
churn window so that everyone churns between blocks and several months start with no active
customer. Every block holds 5-40 random customers and 13 hand-picked edge cases: purchases
exactly W - 1, W and W + 1 days apart around a month start, two purchases on one day, a churn
and a return inside one month (for W < 30), customers who never purchase. The blocks around
2024-02-29 and as_of_date also hold leap-day purchases, purchases W - 1 and W days before
as_of_date, and orders after as_of_date (which must be ignored).

The reference is first checked on its own against numbers computed by hand.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quality_gates.contract import raw_contract
from tests import reference_retention as ref
from tests.warehouse import Warehouse, run_dbt

RETENTION_MARTS = "+retention_monthly +retention_cohorts +retention_monthly_by_segment"
SPAN_START = dt.date(2023, 1, 1)
SPAN_END = dt.date(2025, 6, 30)
LEAP_DAY = dt.date(2024, 2, 29)
RANDOM_SPAN_DAYS = 40
COUNTRIES = ["US", "GB", "DE", "FR", "us", "de"]
CHANNELS = ["organic", "paid_search", "social", "referral", "email", "affiliate"]
NOT_PURCHASES = ["returned", "cancelled", "payment_failed"]
# The raw contract's column order (models/staging/_raw__sources.yml).
CUSTOMER_COLUMNS = list(raw_contract()["raw_customers"])
ORDER_COLUMNS = list(raw_contract()["raw_orders"])
TICKET_COLUMNS = list(raw_contract()["raw_support_tickets"])
RESPONSE_COLUMNS = list(raw_contract()["raw_survey_responses"])
RATE_COLUMNS = {
    "retention_rate",
    "churn_rate",
    "average_order_value",
    "arpu",
    "repeat_purchase_rate",
    "cumulative_net_revenue_per_customer",
}
# Around a month start b, first purchase p1 = b - W + offset; second p2 = p1 + W + delta (or none).
BOUNDARY_PAIRS = [(0, 0), (0, -1), (0, 1), (-1, 1), (1, None), (-1, None)]


# --- the reference on its own -----------------------------------------------------------------


def _hand_customer(customer_id: str, signup: str, country: str, channel: str, loyalty: str = "") -> dict:
    return {
        "customer_id": customer_id,
        "signup_at": f"{signup} 08:00:00",
        "country": country,
        "acquisition_channel": channel,
        "loyalty_member_since": loyalty,
    }


def _hand_order(
    order_id: str, customer_id: str, at: str, gross: str, discount: str = "0.00", status: str = "completed"
) -> dict:
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "ordered_at": at,
        "status": status,
        "gross_amount": gross,
        "discount_amount": discount,
    }


HAND_AS_OF = dt.date(2024, 3, 15)
HAND_WINDOW = 30
# A: two purchases on Jan 10, then exactly W days later (Feb 9); an order after as_of_date.
# B: Jan 31, active through Feb 29, churned Mar 1, back Mar 2 (W + 1 days later): retained in March.
# C: only a returned order.  D: a leap-day purchase.  E: Jan 1, churned on Jan 31: new, not active at
# the end of January.  F: signed up after as_of_date.  G: Jan 2, active through Jan 31 only: starts
# February, churns in it.  H: Jan 5, churned in February, reactivated on Mar 10; member from as_of_date.
HAND_CUSTOMERS = pd.DataFrame(
    [
        _hand_customer("A", "2024-01-01", "US", "organic", "2024-01-01"),
        _hand_customer("B", "2024-01-05", "de", "social", "2024-03-16"),
        _hand_customer("C", "2024-01-20", "US", "email"),
        _hand_customer("D", "2024-02-01", "FR", "organic", "2023-06-01"),
        _hand_customer("E", "2023-12-01", "GB", "referral"),
        _hand_customer("F", "2024-03-20", "NZ", "organic"),
        _hand_customer("G", "2024-01-01", "US", "paid_search"),
        _hand_customer("H", "2024-01-01", "SE", "affiliate", "2024-03-15"),
    ]
)
HAND_ORDERS = pd.DataFrame(
    [
        _hand_order("O1", "A", "2024-01-10 09:00:00", "100.00", "10.00"),
        _hand_order("O2", "A", "2024-01-10 18:00:00", "20.00"),
        _hand_order("O3", "A", "2024-02-09 12:00:00", "50.00"),
        _hand_order("O4", "A", "2024-03-16 00:00:00", "999.00"),
        _hand_order("O5", "B", "2024-01-31 23:59:59", "30.00"),
        _hand_order("O6", "B", "2024-03-02 10:00:00", "25.50", "0.50"),
        _hand_order("O7", "C", "2024-02-01 10:00:00", "80.00", status="returned"),
        _hand_order("O8", "D", "2024-02-29 23:59:59", "40.00"),
        _hand_order("O9", "E", "2024-01-01 00:00:00", "10.00"),
        _hand_order("O10", "F", "2024-03-21 10:00:00", "70.00"),
        _hand_order("O11", "G", "2024-01-02 10:00:00", "15.00"),
        _hand_order("O12", "H", "2024-01-05 10:00:00", "12.00"),
        _hand_order("O13", "H", "2024-03-10 10:00:00", "8.00"),
        _hand_order("O14", "H", "2024-03-11 10:00:00", "60.00", status="cancelled"),
    ]
)


def test_reference_monthly_by_hand() -> None:
    monthly = ref.retention_monthly(HAND_CUSTOMERS, HAND_ORDERS, HAND_AS_OF, HAND_WINDOW)
    assert monthly["month"].tolist() == [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    assert monthly["month_end_date"].tolist() == [dt.date(2024, 1, 31), dt.date(2024, 2, 29), HAND_AS_OF]
    counts = ["customers_start", "customers_end", "retained_customers", "new_customers"]
    counts += ["reactivated_customers", "churned_customers", "purchases_count"]
    assert monthly[counts].values.tolist() == [
        [0, 4, 0, 5, 0, 0, 6],
        [4, 3, 2, 1, 0, 2, 2],
        [3, 3, 2, 0, 1, 1, 2],
    ]
    assert monthly["net_revenue"].tolist() == [Decimal("177.00"), Decimal("90.00"), Decimal("33.00")]
    january, february, march = monthly.to_dict("records")
    assert pd.isna(january["retention_rate"]) and pd.isna(january["churn_rate"])
    assert (january["average_order_value"], january["arpu"], january["repeat_purchase_rate"]) == (29.5, 44.25, 0.2)
    assert (february["retention_rate"], february["churn_rate"]) == (0.5, 0.5)
    assert (february["average_order_value"], february["arpu"]) == (45.0, 30.0)
    assert february["repeat_purchase_rate"] == pytest.approx(1 / 6, rel=1e-12)
    assert (march["retention_rate"], march["churn_rate"]) == pytest.approx((2 / 3, 1 / 3), rel=1e-12)
    assert (march["average_order_value"], march["arpu"]) == (16.5, 11.0)
    # Repeat buyers by Mar 15: A (3; the 4th is after as_of_date), B and H (2) of six buyers.
    assert march["repeat_purchase_rate"] == 0.5


def test_reference_cohorts_by_hand() -> None:
    cohorts = ref.retention_cohorts(HAND_CUSTOMERS, HAND_ORDERS, HAND_AS_OF)
    assert cohorts.drop(columns="as_of_date").values.tolist() == [
        [dt.date(2024, 1, 1), 0, 5, 5, 1.0, Decimal("177.00"), 35.4],
        [dt.date(2024, 1, 1), 1, 5, 1, 0.2, Decimal("50.00"), 45.4],
        [dt.date(2024, 1, 1), 2, 5, 2, 0.4, Decimal("33.00"), 52.0],
        [dt.date(2024, 2, 1), 0, 1, 1, 1.0, Decimal("40.00"), 40.0],
        [dt.date(2024, 2, 1), 1, 1, 0, 0.0, Decimal("0.00"), 40.0],
    ]


def test_reference_segments_by_hand() -> None:
    by_segment = ref.retention_monthly_by_segment(HAND_CUSTOMERS, HAND_ORDERS, HAND_AS_OF, HAND_WINDOW)
    segments = sorted(set(zip(by_segment["dimension"], by_segment["dimension_value"], strict=True)))
    # F signed up after as_of_date, so NZ is not a segment; C never purchased, but `email` is one.
    assert segments == [
        ("acquisition_channel", "affiliate"),
        ("acquisition_channel", "email"),
        ("acquisition_channel", "organic"),
        ("acquisition_channel", "paid_search"),
        ("acquisition_channel", "referral"),
        ("acquisition_channel", "social"),
        ("country", "DE"),
        ("country", "FR"),
        ("country", "GB"),
        ("country", "SE"),
        ("country", "US"),
        ("loyalty_membership", "member"),
        ("loyalty_membership", "non_member"),
    ]
    assert len(by_segment) == 3 * len(segments)
    us = by_segment[(by_segment["dimension"] == "country") & (by_segment["dimension_value"] == "US")]
    assert us[["customers_start", "customers_end", "retained_customers", "new_customers"]].values.tolist() == [
        [0, 2, 0, 2],
        [2, 1, 1, 0],
        [1, 0, 0, 0],
    ]
    march = us.iloc[2]
    assert (march["retention_rate"], march["churn_rate"]) == (0.0, 1.0)
    assert pd.isna(march["arpu"]) and pd.isna(march["average_order_value"])
    assert (march["net_revenue"], march["repeat_purchase_rate"]) == (Decimal("0.00"), 0.5)
    # Members: A, D (since 2023) and H (since as_of_date itself); B joins after as_of_date.
    members = by_segment[by_segment["dimension_value"] == "member"]
    assert members["customers_end"].tolist() == [2, 2, 2]
    assert members["net_revenue"].tolist() == [Decimal("122.00"), Decimal("90.00"), Decimal("8.00")]
    email = by_segment[by_segment["dimension_value"] == "email"]
    assert email["customers_end"].tolist() == [0, 0, 0]
    assert email["repeat_purchase_rate"].isna().all()


# --- random data sets -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """One random data set and the dbt vars it is built with."""

    seed: int
    window_days: int
    as_of_date: dt.date

    def __str__(self) -> str:
        return f"seed{self.seed}-W{self.window_days}-{self.as_of_date}"


SCENARIOS = [
    Scenario(seed=101, window_days=90, as_of_date=dt.date(2024, 5, 17)),
    Scenario(seed=202, window_days=30, as_of_date=dt.date(2024, 3, 14)),
    Scenario(seed=303, window_days=45, as_of_date=dt.date(2024, 4, 30)),
    Scenario(seed=404, window_days=7, as_of_date=dt.date(2024, 2, 29)),
    Scenario(seed=505, window_days=60, as_of_date=dt.date(2025, 1, 15)),
]


def _block_days(window_days: int) -> int:
    """Days after a block's start that its un-pinned orders can reach: the random days, up to
    W + 4 days later for a return after a churn, 19 for a repeat, and the month that starts
    after W + 1 days (at most W + 62 days in) for the month-boundary cases."""
    return RANDOM_SPAN_DAYS + window_days + 25


def _block_end(start: dt.date, pins: tuple[dt.date, ...], window_days: int) -> dt.date:
    """Latest day a block's orders can fall on (a pinned day's edge cases reach W + 1 past it)."""
    ends = [start + dt.timedelta(days=_block_days(window_days))]
    ends += [pin + dt.timedelta(days=window_days + 1) for pin in pins]
    return max(ends)


def _layout(rng: np.random.Generator, window_days: int, as_of_date: dt.date) -> list[tuple[dt.date, tuple]]:
    """Block starts (each with its pinned days) from SPAN_START to SPAN_END, more than W apart.

    The blocks holding 2024-02-29 and as_of_date are placed first (one block when the two days
    are too close to separate), then free blocks fill the time before, between and after them.
    """
    window = dt.timedelta(days=window_days)
    pinned: list[tuple[dt.date, tuple[dt.date, ...]]] = []
    for pin in sorted({LEAP_DAY, as_of_date}):
        if pinned and pin - window - dt.timedelta(days=20) <= _block_end(*pinned[-1], window_days) + window:
            pinned[-1] = (pinned[-1][0], (*pinned[-1][1], pin))
        else:
            pinned.append((pin - window - dt.timedelta(days=int(rng.integers(5, 21))), (pin,)))

    block = dt.timedelta(days=_block_days(window_days))
    blocks = []
    start = pinned[0][0] - window - dt.timedelta(days=int(rng.integers(1, 51))) - block
    while start >= SPAN_START:
        blocks.insert(0, (start, ()))
        start -= window + dt.timedelta(days=int(rng.integers(1, 51))) + block
    for index, (pinned_start, pins) in enumerate(pinned):
        blocks.append((pinned_start, pins))
        limit = pinned[index + 1][0] if index + 1 < len(pinned) else SPAN_END + block + window
        start = _block_end(pinned_start, pins, window_days) + window + dt.timedelta(days=int(rng.integers(1, 51)))
        while start + block + window < limit:
            blocks.append((start, ()))
            start += block + window + dt.timedelta(days=int(rng.integers(1, 51)))
    return blocks


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class RawWriter:
    """Accumulates raw customers and orders of one random data set."""

    def __init__(self, rng: np.random.Generator, window_days: int, as_of_date: dt.date) -> None:
        self.rng = rng
        self.window = dt.timedelta(days=window_days)
        self.as_of_date = as_of_date
        self.customers: list[dict] = []
        self.orders: list[dict] = []

    def _time(self) -> str:
        hour, minute, second = (int(self.rng.integers(0, limit)) for limit in (24, 60, 60))
        return f"{hour:02d}:{minute:02d}:{second:02d}"

    def customer(
        self,
        first_order_day: dt.date,
        country: str | None = None,
        loyalty: str | None = None,
        signup: dt.date | None = None,
        channel: str | None = None,
    ) -> str:
        """Add a customer who signs up on signup, or 1-30 days before first_order_day; return its id."""
        customer_id = f"C{len(self.customers) + 1:05d}"
        signup = signup or first_order_day - dt.timedelta(days=int(self.rng.integers(1, 31)))
        if loyalty is None:
            since = signup + dt.timedelta(days=int(self.rng.integers(0, 400)))
            loyalty = "" if self.rng.random() < 0.4 else since.isoformat()
        self.customers.append(
            {
                "customer_id": customer_id,
                "email": f"{customer_id.lower()}@example.com",
                "first_name": "Test",
                "last_name": customer_id,
                "birth_date": "1990-01-01",
                "signup_at": f"{signup} {self._time()}",
                "country": country or str(self.rng.choice(COUNTRIES)),
                "acquisition_channel": channel or str(self.rng.choice(CHANNELS)),
                "loyalty_member_since": loyalty,
            }
        )
        return customer_id

    def order(self, customer_id: str, day: dt.date, status: str = "completed", time: str | None = None) -> None:
        """Add an order; about one gross amount in five carries a discount."""
        gross = int(self.rng.integers(100, 50_000))
        discount = int(self.rng.integers(0, gross + 1)) if self.rng.random() < 0.2 else 0
        self.orders.append(
            {
                "order_id": f"O{len(self.orders) + 1:06d}",
                "customer_id": customer_id,
                "ordered_at": f"{day} {time or self._time()}",
                "status": status,
                "gross_amount": _money(gross),
                "discount_amount": _money(discount),
                "items_count": int(self.rng.integers(1, 5)),
                "channel": str(self.rng.choice(["web", "app", "store"])),
            }
        )

    def purchases(self, days: list[dt.date], country: str | None = None, loyalty: str | None = None) -> None:
        """A new customer with one purchase on each of days."""
        customer_id = self.customer(min(days), country, loyalty)
        for day in days:
            self.order(customer_id, day)

    def random_customer(self, start: dt.date) -> None:
        """1-5 orders on random days of the block's first RANDOM_SPAN_DAYS days, mostly purchases."""
        offsets = self.rng.integers(0, RANDOM_SPAN_DAYS, size=self.rng.integers(1, 6))
        days = sorted(start + dt.timedelta(days=int(offset)) for offset in offsets)
        customer_id = self.customer(days[0])
        for day in days:
            status = "completed" if self.rng.random() < 0.75 else str(self.rng.choice(NOT_PURCHASES))
            self.order(customer_id, day, status)

    def edge_cases(self, start: dt.date) -> None:
        """Customers every block holds, whatever the random draw."""
        rng, window = self.rng, self.window
        self.customer(start + dt.timedelta(days=int(rng.integers(0, RANDOM_SPAN_DAYS))), country="IE")
        never = self.customer(start + dt.timedelta(days=5), country="IE")
        for status in NOT_PURCHASES:
            self.order(never, start + dt.timedelta(days=int(rng.integers(5, RANDOM_SPAN_DAYS))), status)
        day = start + dt.timedelta(days=int(rng.integers(0, RANDOM_SPAN_DAYS)))
        self.purchases([day, day, day + dt.timedelta(days=int(rng.integers(1, 20)))])
        churned = start + dt.timedelta(days=int(rng.integers(0, RANDOM_SPAN_DAYS)))
        self.purchases([churned, churned + window + dt.timedelta(days=int(rng.integers(1, 5)))])
        month_start = ref.next_month(start + dt.timedelta(days=int(rng.integers(0, RANDOM_SPAN_DAYS - 10))))
        self.purchases([month_start - dt.timedelta(days=1), month_start])
        boundary = ref.next_month(start + window + dt.timedelta(days=1))
        month_end = ref.next_month(boundary) - dt.timedelta(days=1)
        # Inactive on the day before the month, back on its last day: reactivated, whatever W.
        self.purchases([boundary - window - dt.timedelta(days=1), month_end])
        # Active on the day before the month and on its last day, churned and back in between (W < 30).
        back = [boundary + window] if boundary + window < month_end else []
        self.purchases([boundary - dt.timedelta(days=1), *back, month_end])
        for offset, delta in BOUNDARY_PAIRS:
            first = boundary - window + dt.timedelta(days=offset)
            second = [] if delta is None else [first + window + dt.timedelta(days=delta)]
            self.purchases([first, *second])

    def pinned_cases(self, pin: dt.date) -> None:
        """Edge cases on the leap day or on as_of_date."""
        window, one_day = self.window, dt.timedelta(days=1)
        if pin == LEAP_DAY:
            leap = self.customer(LEAP_DAY)
            self.order(leap, LEAP_DAY, time="00:00:00")
            self.order(leap, LEAP_DAY, time="23:59:59")
            self.purchases([LEAP_DAY - window, LEAP_DAY])
            self.purchases([LEAP_DAY, LEAP_DAY + window])
        if pin == self.as_of_date:
            as_of = self.as_of_date
            self.purchases([as_of - window + one_day], loyalty=as_of.isoformat())
            self.purchases([as_of - window])
            self.purchases([as_of - window - one_day, as_of])
            late = self.customer(as_of - one_day)
            self.order(late, as_of, time="23:59:59")
            self.order(late, as_of + one_day, time="00:00:00")
            self.order(late, as_of + window, time="12:00:00")
            buys_later = self.customer(as_of + 3 * one_day, country="IE", signup=as_of)
            self.order(buys_later, as_of + 3 * one_day)
            signs_up_later = self.customer(as_of + 2 * one_day, country="NZ", signup=as_of + one_day)
            self.order(signs_up_later, as_of + 2 * one_day)

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return pd.DataFrame(self.customers, columns=CUSTOMER_COLUMNS), pd.DataFrame(self.orders, columns=ORDER_COLUMNS)


@cache
def random_raw(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Raw customers and orders of one scenario, and its number of blocks (deterministic)."""
    rng = np.random.default_rng(scenario.seed)
    writer = RawWriter(rng, scenario.window_days, scenario.as_of_date)
    blocks = _layout(rng, scenario.window_days, scenario.as_of_date)
    for start, pins in blocks:
        writer.edge_cases(start)
        for pin in pins:
            writer.pinned_cases(pin)
        for _ in range(rng.integers(5, 41)):
            writer.random_customer(start)
    customers, orders = writer.tables()
    return customers, orders, len(blocks)


def write_raw(
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    raw_dir: Path,
    tickets: pd.DataFrame | None = None,
    responses: pd.DataFrame | None = None,
) -> None:
    """Write the four raw CSVs (all must exist); tickets and responses default to a header only."""
    raw_dir.mkdir(parents=True)
    tables = {
        "raw_customers": customers,
        "raw_orders": orders,
        "raw_support_tickets": pd.DataFrame(columns=TICKET_COLUMNS) if tickets is None else tickets,
        "raw_survey_responses": pd.DataFrame(columns=RESPONSE_COLUMNS) if responses is None else responses,
    }
    for table, frame in tables.items():
        frame.to_csv(raw_dir / f"{table}.csv", index=False)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_random_data_holds_the_edge_cases(scenario: Scenario) -> None:
    """The generator really produces what the differential is meant to exercise."""
    customers, orders, blocks = random_raw(scenario)
    assert blocks >= 3
    assert customers["customer_id"].is_unique and orders["order_id"].is_unique
    signup = customers.set_index("customer_id")["signup_at"].reindex(orders["customer_id"]).to_numpy()
    assert (signup < orders["ordered_at"].to_numpy()).all()
    assert set(orders["status"]) == {"completed", *NOT_PURCHASES}
    order_days = orders["ordered_at"].str[:10]
    # Blocks are separated by more than W days without any order.
    day_gaps = pd.to_datetime(order_days.sort_values()).diff().dt.days
    assert (day_gaps > scenario.window_days).sum() >= blocks - 1
    assert (order_days == LEAP_DAY.isoformat()).any()
    assert (order_days > scenario.as_of_date.isoformat()).any()
    monthly = ref.retention_monthly(customers, orders, scenario.as_of_date, scenario.window_days)
    assert (monthly["customers_start"] == 0).sum() >= 2
    assert (monthly["customers_start"] > 0).sum() >= 2
    assert monthly["reactivated_customers"].sum() > 0


# --- the differential -------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """A scenario's raw tables and the warehouse dbt built from them."""

    scenario: Scenario
    customers: pd.DataFrame
    orders: pd.DataFrame
    warehouse: Warehouse


@pytest.fixture(scope="module", params=SCENARIOS, ids=str)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Write one scenario's raw CSVs and dbt-run the retention marts on them, once per module."""
    scenario: Scenario = request.param
    work = tmp_path_factory.mktemp(str(scenario))
    customers, orders, _ = random_raw(scenario)
    write_raw(customers, orders, work / "raw")
    db_path = work / "warehouse.duckdb"
    dbt_vars = {"as_of_date": scenario.as_of_date.isoformat(), "churn_window_days": scenario.window_days}
    # `build` without tests rather than `run`: the marts' upstream includes a seed (rfm_segment_map).
    run_dbt(
        ["build", "--select", RETENTION_MARTS, "--exclude-resource-type", "test", "unit_test"],
        work / "raw",
        db_path,
        dbt_vars,
    )
    # The reference reads the files dbt read, so both sides see the same text.
    customers, orders = ref.read_raw(work / "raw")
    return Built(scenario, customers, orders, Warehouse(db_path, ""))


def _python(value: object) -> object:
    """A mart cell as a plain Python value (None for null, date for a date, int/float)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _read_mart(warehouse: Warehouse, name: str) -> pd.DataFrame:
    """A mart with its DECIMAL columns as Decimal (DuckDB hands DECIMAL to pandas as float)."""
    types = warehouse.query(
        "select column_name, data_type from information_schema.columns "
        f"where table_schema = 'marts' and table_name = '{name}' order by ordinal_position"
    )
    assert types["data_type"][types["column_name"] == "net_revenue"].str.startswith("DECIMAL").all(), types
    decimals = set(types["column_name"][types["data_type"].str.startswith("DECIMAL")])
    select = ", ".join(f"cast({c} as varchar) as {c}" if c in decimals else c for c in types["column_name"])
    frame = warehouse.query(f"select {select} from marts.{name}")
    for column in decimals:
        frame[column] = frame[column].map(lambda text: None if text is None else Decimal(text))
    return frame


def _same(expected: object, actual: object, approximate: bool) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if approximate:
        return math.isclose(float(expected), float(actual), rel_tol=1e-9)
    return actual == expected


def _rows_by_key(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, dict]:
    """Rows as plain Python values, by key (pandas turns the reference's None into NaN too)."""
    rows = {}
    for row in frame.to_dict("records"):
        clean = {column: _python(value) for column, value in row.items()}
        rows[tuple(clean[k] for k in keys)] = clean
    return rows


def assert_same_rows(
    expected: pd.DataFrame,
    actual: pd.DataFrame,
    keys: list[str],
    label: str,
    approximate: Collection[str] = RATE_COLUMNS,
) -> None:
    """The mart has exactly the expected columns and rows, every value equal (the approximate columns to 1e-9).

    All differences are collected before failing (shared columns are still compared when the
    column lists differ), so one run shows whether a failure is one cause or many.
    """
    problems = []
    if list(actual.columns) != list(expected.columns):
        problems.append(f"columns: reference {list(expected.columns)}, mart {list(actual.columns)}")
    expected_rows, actual_rows = _rows_by_key(expected, keys), _rows_by_key(actual, keys)
    assert len(actual_rows) == len(actual), f"duplicate keys {keys} in the mart"
    problems += [f"missing row {key}" for key in sorted(expected_rows.keys() - actual_rows.keys())]
    problems += [f"unexpected row {key}" for key in sorted(actual_rows.keys() - expected_rows.keys())]
    shared = [column for column in expected.columns if column in actual.columns]
    for key in sorted(expected_rows.keys() & actual_rows.keys()):
        for column in shared:
            want, got = expected_rows[key][column], actual_rows[key][column]
            if not _same(want, got, column in approximate):
                problems.append(f"{key} {column}: reference {want!r}, mart {got!r}")
    assert not problems, f"{label}: {len(problems)} differences, first 25:\n" + "\n".join(problems[:25])


@pytest.mark.dbt
def test_retention_monthly_matches_reference(built: Built) -> None:
    scenario = built.scenario
    expected = ref.retention_monthly(built.customers, built.orders, scenario.as_of_date, scenario.window_days)
    actual = _read_mart(built.warehouse, "retention_monthly")
    assert_same_rows(expected, actual, ["month"], str(scenario))


@pytest.mark.dbt
def test_retention_cohorts_matches_reference(built: Built) -> None:
    scenario = built.scenario
    expected = ref.retention_cohorts(built.customers, built.orders, scenario.as_of_date)
    actual = _read_mart(built.warehouse, "retention_cohorts")
    assert_same_rows(expected, actual, ["cohort_month", "months_since_first_purchase"], str(scenario))


@pytest.mark.dbt
def test_retention_monthly_by_segment_matches_reference(built: Built) -> None:
    scenario = built.scenario
    expected = ref.retention_monthly_by_segment(
        built.customers, built.orders, scenario.as_of_date, scenario.window_days
    )
    actual = _read_mart(built.warehouse, "retention_monthly_by_segment")
    assert_same_rows(expected, actual, ["dimension", "dimension_value", "month"], str(scenario))
