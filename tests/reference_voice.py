"""Independent pandas reference for the voice-of-customer marts, for differential tests.

It is written from the written NPS/CSAT definitions only, not from the dbt models, so a
disagreement between the two points at a bug (or an ambiguity in the definitions) on one side.
Like tests/reference_retention.py, whose purchase, month and segment helpers it reuses (the
voice marts list the same months and the same acquisition channels), it favours plain,
obviously-correct Python over speed. Scores are classified one response at a time and the
rates are exact fractions rounded once, so the marts can be held to a relative 1e-9.

The input is clean raw data as the tests generate it (one row per customer, order and
response; ISO timestamps); cleaning and de-duplication in staging is tested elsewhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tests.reference_retention import mart_months, month_start, next_month, purchases, rate, segments, utc_date

VOICE_METRICS = [
    "nps_responses",
    "promoters",
    "passives",
    "detractors",
    "nps",
    "csat_responses",
    "satisfied_responses",
    "csat",
]
MONTHLY_COLUMNS = ["month", "month_end_date", *VOICE_METRICS, "as_of_date"]
SEGMENT_COLUMNS = ["dimension", "dimension_value", "month", "month_end_date", *VOICE_METRICS, "as_of_date"]


@dataclass(frozen=True)
class Response:
    """One survey response dated on or before as_of_date."""

    customer_id: str
    month: dt.date
    survey_type: str
    score: int


def read_responses(raw_dir: Path) -> pd.DataFrame:
    """Read raw survey responses as text, like reference_retention.read_raw reads the rest."""
    return pd.read_csv(raw_dir / "raw_survey_responses.csv", dtype=str, keep_default_na=False)


def counted_responses(responses: pd.DataFrame, as_of_date: dt.date) -> list[Response]:
    """Responses whose UTC date is on or before as_of_date (23:59:59 on as_of_date counts)."""
    return [
        Response(row.customer_id, month_start(utc_date(row.responded_at)), row.survey_type, int(row.score))
        for row in responses.itertuples(index=False)
        if utc_date(row.responded_at) <= as_of_date
    ]


def _metrics(responses: list[Response]) -> dict:
    """NPS and CSAT counts and scores of one set of responses (None for a score without responses)."""
    nps_scores = [r.score for r in responses if r.survey_type == "nps"]
    csat_scores = [r.score for r in responses if r.survey_type == "csat"]
    promoters = sum(score >= 9 for score in nps_scores)
    passives = sum(score in (7, 8) for score in nps_scores)
    detractors = sum(score <= 6 for score in nps_scores)
    satisfied = sum(score >= 4 for score in csat_scores)
    return {
        "nps_responses": len(nps_scores),
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
        "nps": rate(100 * (promoters - detractors), len(nps_scores)),
        "csat_responses": len(csat_scores),
        "satisfied_responses": satisfied,
        "csat": rate(100 * satisfied, len(csat_scores)),
    }


def _monthly_rows(responses: list[Response], months: list[dt.date], as_of_date: dt.date) -> list[dict]:
    """One row per mart month over the given responses; responses outside the months are dropped."""
    return [
        {
            "month": month,
            "month_end_date": min(next_month(month) - dt.timedelta(days=1), as_of_date),
            **_metrics([r for r in responses if r.month == month]),
            "as_of_date": as_of_date,
        }
        for month in months
    ]


def _months(customers: pd.DataFrame, orders: pd.DataFrame, as_of_date: dt.date) -> list[dt.date]:
    """First purchase month (completed order on or before as_of_date) to as_of_date's month."""
    return mart_months(purchases(customers, orders, as_of_date), as_of_date)


def voice_of_customer_monthly(
    customers: pd.DataFrame, orders: pd.DataFrame, responses: pd.DataFrame, as_of_date: dt.date
) -> pd.DataFrame:
    """Expected marts.voice_of_customer_monthly."""
    months = _months(customers, orders, as_of_date)
    rows = _monthly_rows(counted_responses(responses, as_of_date), months, as_of_date)
    return pd.DataFrame(rows, columns=MONTHLY_COLUMNS)


def voice_of_customer_by_acquisition_channel(
    customers: pd.DataFrame, orders: pd.DataFrame, responses: pd.DataFrame, as_of_date: dt.date
) -> pd.DataFrame:
    """Expected acquisition_channel rows of marts.voice_of_customer_monthly_by_segment.

    Every channel of a customer signed up by as_of_date gets every month, responses or not.
    """
    months = _months(customers, orders, as_of_date)
    counted = counted_responses(responses, as_of_date)
    rows = []
    for (dimension, channel), members in sorted(segments(customers, as_of_date).items()):
        if dimension == "acquisition_channel":
            in_channel = [r for r in counted if r.customer_id in members]
            for row in _monthly_rows(in_channel, months, as_of_date):
                rows.append({"dimension": dimension, "dimension_value": channel, **row})
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
