"""Independent pandas reference for the retention marts, for differential tests.

It is written from the written retention definitions only, not from the dbt models, so a
disagreement between the two points at a bug (or an ambiguity in the definitions) on one side.
It favours obviously-correct code over speed: every customer's activity is checked day by day
with plain Python, which is fine for the small random data sets the tests use. Money is summed
as Decimal so net revenue can be compared with the marts to the cent.

The input is clean raw data as the tests generate it (one row per customer and per order, ISO
timestamps); the cleaning and de-duplication done in staging is tested elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

MONTHLY_METRICS = [
    "customers_start",
    "customers_end",
    "retained_customers",
    "new_customers",
    "reactivated_customers",
    "churned_customers",
    "retention_rate",
    "churn_rate",
    "purchases_count",
    "net_revenue",
    "average_order_value",
    "arpu",
    "repeat_purchase_rate",
]
MONTHLY_COLUMNS = ["month", "month_end_date", *MONTHLY_METRICS, "as_of_date"]
COHORT_COLUMNS = [
    "cohort_month",
    "months_since_first_purchase",
    "cohort_size",
    "active_customers",
    "retention_rate",
    "net_revenue",
    "cumulative_net_revenue_per_customer",
    "as_of_date",
]
SEGMENT_COLUMNS = ["dimension", "dimension_value", "month", "month_end_date", *MONTHLY_METRICS, "as_of_date"]


@dataclass(frozen=True)
class Purchase:
    """One completed order dated on or before as_of_date."""

    customer_id: str
    day: dt.date
    net_revenue: Decimal


def read_raw(raw_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read raw customers and orders as text, so amounts keep their exact decimal digits."""
    customers = pd.read_csv(raw_dir / "raw_customers.csv", dtype=str, keep_default_na=False)
    orders = pd.read_csv(raw_dir / "raw_orders.csv", dtype=str, keep_default_na=False)
    return customers, orders


def utc_date(timestamp: str) -> dt.date:
    """UTC date of a `YYYY-MM-DD HH:MM:SS` timestamp (or a bare date)."""
    return dt.date.fromisoformat(timestamp[:10])


def month_start(day: dt.date) -> dt.date:
    """First day of day's month."""
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    """First day of the month after `month` (a first day)."""
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from first's month to last's month, inclusive."""
    months = []
    month = month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def existing_customers(customers: pd.DataFrame, as_of_date: dt.date) -> pd.DataFrame:
    """Customers that exist on as_of_date: signed up on or before it."""
    signed_up = customers["signup_at"].map(utc_date)
    return customers[signed_up <= as_of_date]


def purchases(customers: pd.DataFrame, orders: pd.DataFrame, as_of_date: dt.date) -> list[Purchase]:
    """Completed orders dated on or before as_of_date, of customers that exist by then."""
    known = set(existing_customers(customers, as_of_date)["customer_id"])
    result = []
    for order in orders.itertuples(index=False):
        day = utc_date(order.ordered_at)
        if order.status == "completed" and day <= as_of_date and order.customer_id in known:
            net = Decimal(order.gross_amount) - Decimal(order.discount_amount)
            result.append(Purchase(order.customer_id, day, net))
    return result


def rate(numerator: int | Decimal, denominator: int) -> float | None:
    """numerator / denominator as a float, None for an empty denominator (the marts' null)."""
    if denominator == 0:
        return None
    return float(Decimal(numerator) / Decimal(denominator))


def _is_active(days: Iterable[dt.date], on: dt.date, window_days: int) -> bool:
    """Active on `on`: a purchase day in [on - W + 1, on]."""
    earliest = on - dt.timedelta(days=window_days - 1)
    return any(earliest <= day <= on for day in days)


def _monthly_rows(bought: list[Purchase], months: list[dt.date], as_of_date: dt.date, window_days: int) -> list[dict]:
    """The monthly metrics over the given purchases (all customers, or one segment's)."""
    days_by_customer: dict[str, list[dt.date]] = {}
    for purchase in bought:
        days_by_customer.setdefault(purchase.customer_id, []).append(purchase.day)
    first_day = {customer: min(days) for customer, days in days_by_customer.items()}

    rows = []
    for month in months:
        end_day = min(next_month(month) - dt.timedelta(days=1), as_of_date)
        day_before = month - dt.timedelta(days=1)
        start = {c for c, days in days_by_customer.items() if _is_active(days, day_before, window_days)}
        end = {c for c, days in days_by_customer.items() if _is_active(days, end_day, window_days)}
        new = {c for c, first in first_day.items() if month <= first <= end_day}
        retained = start & end
        reactivated = end - start - new
        in_month = [p for p in bought if month <= p.day <= end_day]
        net_revenue = sum((p.net_revenue for p in in_month), Decimal("0.00"))
        counts_so_far = [sum(day <= end_day for day in days) for days in days_by_customer.values()]
        buyers = [count for count in counts_so_far if count >= 1]
        rows.append(
            {
                "month": month,
                "month_end_date": end_day,
                "customers_start": len(start),
                "customers_end": len(end),
                "retained_customers": len(retained),
                "new_customers": len(new),
                "reactivated_customers": len(reactivated),
                "churned_customers": len(start) - len(retained),
                "retention_rate": rate(len(retained), len(start)),
                "churn_rate": rate(len(start) - len(retained), len(start)),
                "purchases_count": len(in_month),
                "net_revenue": net_revenue,
                "average_order_value": rate(net_revenue, len(in_month)),
                "arpu": rate(net_revenue, len(end)),
                "repeat_purchase_rate": rate(sum(count >= 2 for count in buyers), len(buyers)),
                "as_of_date": as_of_date,
            }
        )
    return rows


def mart_months(bought: list[Purchase], as_of_date: dt.date) -> list[dt.date]:
    """The months every monthly mart lists: first purchase month in the data to as_of's month."""
    if not bought:
        return []
    return _months(min(p.day for p in bought), as_of_date)


def retention_monthly(
    customers: pd.DataFrame, orders: pd.DataFrame, as_of_date: dt.date, window_days: int
) -> pd.DataFrame:
    """Expected marts.retention_monthly."""
    bought = purchases(customers, orders, as_of_date)
    rows = _monthly_rows(bought, mart_months(bought, as_of_date), as_of_date, window_days)
    return pd.DataFrame(rows, columns=MONTHLY_COLUMNS)


def retention_cohorts(customers: pd.DataFrame, orders: pd.DataFrame, as_of_date: dt.date) -> pd.DataFrame:
    """Expected marts.retention_cohorts: every (cohort, months since first purchase) pair."""
    bought = purchases(customers, orders, as_of_date)
    first_day: dict[str, dt.date] = {}
    for purchase in bought:
        first_day[purchase.customer_id] = min(purchase.day, first_day.get(purchase.customer_id, purchase.day))
    cohort_of = {customer: month_start(day) for customer, day in first_day.items()}

    rows = []
    for cohort in sorted(set(cohort_of.values())):
        members = {c for c, month in cohort_of.items() if month == cohort}
        cumulative = Decimal("0.00")
        for k, month in enumerate(_months(cohort, as_of_date)):
            in_month = [p for p in bought if p.customer_id in members and month_start(p.day) == month]
            net_revenue = sum((p.net_revenue for p in in_month), Decimal("0.00"))
            cumulative += net_revenue
            active = {p.customer_id for p in in_month}
            rows.append(
                {
                    "cohort_month": cohort,
                    "months_since_first_purchase": k,
                    "cohort_size": len(members),
                    "active_customers": len(active),
                    "retention_rate": rate(len(active), len(members)),
                    "net_revenue": net_revenue,
                    "cumulative_net_revenue_per_customer": rate(cumulative, len(members)),
                    "as_of_date": as_of_date,
                }
            )
    return pd.DataFrame(rows, columns=COHORT_COLUMNS)


def segments(customers: pd.DataFrame, as_of_date: dt.date) -> dict[tuple[str, str], set[str]]:
    """Customer ids per (dimension, value), from the attributes known on as_of_date.

    Every segment with at least one existing customer is listed, purchasing or not.
    """
    known = existing_customers(customers, as_of_date)
    member = known["loyalty_member_since"].map(lambda since: since != "" and utc_date(since) <= as_of_date)
    values = {
        "acquisition_channel": known["acquisition_channel"],
        "country": known["country"].str.upper(),
        "loyalty_membership": member.map({True: "member", False: "non_member"}),
    }
    result: dict[tuple[str, str], set[str]] = {}
    for dimension, column in values.items():
        for customer, value in zip(known["customer_id"], column, strict=True):
            result.setdefault((dimension, value), set()).add(customer)
    return result


def retention_monthly_by_segment(
    customers: pd.DataFrame, orders: pd.DataFrame, as_of_date: dt.date, window_days: int
) -> pd.DataFrame:
    """Expected marts.retention_monthly_by_segment: the monthly metrics within each segment."""
    bought = purchases(customers, orders, as_of_date)
    months = mart_months(bought, as_of_date)
    rows = []
    for (dimension, value), members in sorted(segments(customers, as_of_date).items()):
        segment_bought = [p for p in bought if p.customer_id in members]
        for row in _monthly_rows(segment_bought, months, as_of_date, window_days):
            rows.append({"dimension": dimension, "dimension_value": value, **row})
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
