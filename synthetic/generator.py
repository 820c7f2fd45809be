"""Synthetic raw data for the retention warehouse, shaped like the raw data contract.

The warehouse needs realistic input to be built, tested and benchmarked without real customer
data, so this module simulates a shop: customers sign up over the period, buy following a
BG/NBD-like process (heterogeneous Poisson purchase rates, a dropout chance after every
purchase), contact support and answer surveys. Customers who drop out complain more and score
lower in the ~90 days before their last purchase, which gives churn models a signal to find.

Everything is vectorised numpy/pyarrow (no per-row Python), so 1,000,000 customers (~10M
orders) take well under a minute, and one seed always gives byte-identical files.

Returned tables use natural types except for timestamps: timestamp columns (``signup_at``,
``ordered_at``, ``created_at``, ``first_response_at``, ``resolved_at``, ``responded_at``) are
already formatted strings exactly as written to CSV (``2024-02-29 23:59:59``, ~10% as
``2024-02-29T23:59:59Z``). Dates are ``date32``, amounts ``decimal128(12, 2)``, counts and
scores ``int64``. Parquet output converts the timestamp strings to (naive, UTC) timestamps.

Usage: ``python -m synthetic --customers 3000 --seed 42 --format csv --out data/sample``.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from quality_gates.contract import raw_contract

TIMESTAMP_COLUMNS: dict[str, tuple[str, ...]] = {
    "raw_customers": ("signup_at",),
    "raw_orders": ("ordered_at",),
    "raw_support_tickets": ("created_at", "first_response_at", "resolved_at"),
    "raw_survey_responses": ("responded_at",),
}
"""Columns returned by :func:`generate` as formatted timestamp strings."""

FORMATS = ("csv", "parquet")
BLOCK_CUSTOMERS = 250_000
"""Customers simulated at a time when writing a delivery: bounds the generator's memory (~1 GiB) at any size."""
MAX_EVENTS_PER_CUSTOMER = 100
"""Sizes the id widths of a delivery written block by block (real counts per customer stay far below)."""

DAY = 86_400
HOUR = 3_600
ISO_T_SHARE = 0.10
"""Share of timestamps written as ``YYYY-MM-DDTHH:MM:SSZ``, so parsers must accept both forms."""

# --- Calendar -------------------------------------------------------------------------------

MONTH_FACTOR = np.array([0.95, 0.90, 1.0, 1.0, 0.95, 0.85, 0.78, 0.80, 1.0, 1.05, 1.45, 1.60])
WEEKDAY_FACTOR = np.array([0.95, 0.95, 0.97, 1.0, 1.05, 1.10, 1.02])  # Monday first
HOUR_FACTOR = np.array(
    [0.2, 0.12, 0.08, 0.06, 0.06, 0.1, 0.25, 0.5, 0.8, 1.0, 1.1, 1.2]
    + [1.3, 1.25, 1.2, 1.2, 1.25, 1.35, 1.5, 1.6, 1.55, 1.3, 0.9, 0.5]
)
SIGNUP_GROWTH = 1.5
"""Acquisition at the end of the window is ``1 + SIGNUP_GROWTH`` times that at its start."""

# --- Customers ------------------------------------------------------------------------------

COUNTRIES = ("US", "GB", "DE", "FR", "ES", "NL", "SE", "BR", "CA", "AU")
COUNTRY_P = (0.30, 0.12, 0.12, 0.10, 0.07, 0.05, 0.04, 0.08, 0.07, 0.05)
ACQUISITION_CHANNELS = ("organic", "paid_search", "social", "referral", "email", "affiliate")
ACQUISITION_P = (0.35, 0.20, 0.15, 0.10, 0.10, 0.10)
CHANNEL_DROPOUT = np.array([0.9, 1.1, 1.2, 0.7, 0.9, 1.3])
"""Dropout multiplier per acquisition channel: referred customers stay, affiliates leave."""

FIRST_NAMES = (
    "James", "Mary", "John", "Emma", "Olivia", "Liam", "Noah", "Sophia", "Lucas", "Mia",
    "Jérôme", "Zoë", "José", "Björn", "Anaïs", "François", "Renée", "Siobhán", "Łukasz",
    "Mary-Jane", "D'Andre", "Søren", "Chloé", "Ana", "João", "Mateo", "Léa", "Jürgen", "Ingrid",
    "Hélène", "Åsa", "Kai", "Priya", "Wei", "Fatima", "Ahmed", "Nuria", "Göran", "Maëlle",
    "Jean, Paul",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Brown", "Williams", "Jones", "Miller", "Davis", "Wilson", "Taylor",
    "Martin", "O'Brien", "García", "Müller", "Smith, Jr.", 'Le "Grand"', "Øster", "Núñez",
    "Dubois", "Kowalski", "Rossi, Sr.", "van der Berg", "D'Angelo", "Schäfer", "Sørensen",
    "Chávez", "Lefèvre", "Nilsson", "Silva", "Fernández", "Bäckström", "Moreau", "Jansen",
    "de la Cruz", "Costa", "Weiß", "Ólafsson", "Nguyen", "Kim", 'O"Neil', "Lindqvist",
)  # fmt: skip

# --- Orders ---------------------------------------------------------------------------------

ORDER_STATUSES = ("completed", "returned", "cancelled", "payment_failed")
ORDER_STATUS_P = (0.88, 0.05, 0.04, 0.03)
ORDER_CHANNELS = ("web", "app", "store")
ORDER_CHANNEL_P = (0.55, 0.35, 0.10)
NEVER_BUY_SHARE = 0.08
PURCHASE_RATE_SHAPE = 0.9
PURCHASE_RATE_MEAN = 0.065
"""Gamma purchase rate, orders per (seasonally average) day while active."""
DROPOUT_BETA = (1.5, 20.0)
DISCOUNT_SHARE = 0.30

# --- Support and surveys ---------------------------------------------------------------------

CHURN_WINDOW = 90 * DAY
"""Before the last purchase of a customer who drops out, tickets and low scores pile up."""
AFTERLIFE = 60 * DAY
"""How long after their last purchase a lost customer can still raise tickets or answer surveys."""
TICKET_BASE_RATE = 0.0008
TICKET_CHURN_RATE = 0.005
"""Tickets per customer-day: background, and extra within the churn window."""
TICKET_CATEGORIES = ("billing", "returns", "product_defect", "delivery", "account", "other")
TICKET_CATEGORY_P = {
    False: (0.20, 0.15, 0.10, 0.25, 0.15, 0.15),
    True: (0.15, 0.20, 0.25, 0.30, 0.03, 0.07),
}
RESOLUTION_HOURS = np.array([20.0, 60.0, 90.0, 40.0, 4.0, 10.0])  # median, per category
TICKET_PRIORITIES = ("low", "normal", "high", "urgent")
TICKET_PRIORITY_P = (0.25, 0.50, 0.18, 0.07)
PRIORITY_SPEED = np.array([1.5, 1.0, 0.6, 0.3])
TICKET_CHANNELS = ("email", "phone", "chat", "social")
TICKET_CHANNEL_P = (0.40, 0.20, 0.30, 0.10)
FIRST_RESPONSE_HOURS = np.array([6.0, 0.1, 0.05, 3.0])  # median, per contact channel
TICKET_STATUSES = ("open", "pending", "solved", "closed")
AUTO_CLOSE = 7 * DAY

SURVEY_TYPES = ("nps", "csat")
NPS_RESPONSE_RATE = 0.20
"""Chance an eligible customer answers one quarterly NPS campaign."""
CSAT_RESPONSE_RATE = 0.40
COMMENT_SHARE = 0.50
THEMES = ("delivery", "price", "quality", "service", "billing", "returns", "praise")
NPS_COMPLAINT_P = (0.30, 0.25, 0.20, 0.15, 0.05, 0.05, 0.0)
CATEGORY_THEME = np.array([4, 5, 2, 0, 3, 3])
"""Comment theme of a CSAT complaint, per ticket category (account and other -> service)."""
COMMENTS: dict[str, tuple[str, ...]] = {
    "delivery": (
        "Delivery was late again",
        "Café arrivé froid, livraison en retard",
        "Parcel arrived damaged, the box was crushed!",
        "Lieferung kam zwei Tage zu spät.",
        'Tracking said "delivered" but nothing arrived',
        "delivery took FOREVER",
        "Entrega atrasada; muy decepcionado",
    ),
    "price": (
        "Too expensive for what you get",
        "Prices went up, again...",
        "Trop cher, franchement.",
        "Shipping costs are a joke",
        "Not worth the price, sorry",
    ),
    "quality": (
        "Quality has gone down, the seams split after a week",
        "Product broke on day 2",
        "Qualité médiocre, très déçu",
        "Material feels cheap; not as described",
    ),
    "service": (
        "Le service client était très lent",
        "Customer service never called back",
        "Waited 40 min on the phone. Unacceptable.",
        "Kundenservice war unfreundlich",
        "Support agent was rude & unhelpful",
    ),
    "billing": (
        "Charged twice for one order!",
        "Billing error, still waiting for a refund",
        "Facture incorrecte, double prélèvement",
        "Why was my card charged €9.99?",
    ),
    "returns": (
        "Returns process is a nightmare",
        "Still no refund for my return",
        "Retour compliqué, étiquette introuvable",
        "Return label didn't work",
    ),
    "praise": (
        "Great quality, love it",
        "Fast delivery, thanks!",
        "Super service, très rapide 👍",
        "Excellent, rien à redire",
        "Love the new app: so easy",
        "Top Qualität, gerne wieder!",
        "Always on time. Great service",
        "Muy buena calidad, recomendado",
    ),
}


@dataclass(frozen=True)
class _Calendar:
    """Hourly shop-activity curve, used to warp time so orders follow seasons.

    ``busy`` is the cumulative activity at each hour edge, in average-days: a Poisson process
    with constant rate in busy-time becomes a seasonal one in real time.
    """

    start: int
    end: int
    hour_edges: np.ndarray
    busy: np.ndarray
    signup_cdf: np.ndarray

    def to_busy(self, seconds: np.ndarray) -> np.ndarray:
        """Map epoch seconds to busy-time."""
        return np.interp(seconds, self.hour_edges, self.busy)

    def from_busy(self, busy: np.ndarray) -> np.ndarray:
        """Map busy-time back to epoch seconds."""
        return np.interp(busy, self.busy, self.hour_edges)


@dataclass
class _Customers:
    """Latent and observed per-customer state shared by the order, ticket and survey stages."""

    signup: np.ndarray
    satisfaction: np.ndarray
    last_order: np.ndarray
    dropped: np.ndarray
    active_until: np.ndarray


def _calendar(start_date: str, end_date: str) -> _Calendar:
    """Build the activity curve: month seasonality (Nov/Dec peak, summer dip), weekday, hour."""
    days = np.arange(np.datetime64(start_date, "D"), np.datetime64(end_date, "D") + 1)
    if days.size == 0:
        raise ValueError(f"end_date {end_date} is before start_date {start_date}")
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days.astype(np.int64) + 3) % 7
    daily = MONTH_FACTOR[month] * WEEKDAY_FACTOR[weekday]
    hourly = (daily[:, None] * HOUR_FACTOR[None, :]).ravel()
    hourly /= hourly.mean()
    start = int(days[0].astype("datetime64[s]").astype(np.int64))
    hour_edges = start + HOUR * np.arange(hourly.size + 1, dtype=np.int64)
    growth = 1.0 + SIGNUP_GROWTH * np.arange(hourly.size) / hourly.size
    return _Calendar(
        start=start,
        end=start + days.size * DAY - 1,
        hour_edges=hour_edges.astype(np.float64),
        busy=np.concatenate([[0.0], np.cumsum(hourly) / 24.0]),
        signup_cdf=np.concatenate([[0.0], np.cumsum(hourly * growth)]),
    )


def _draw_signups(rng: np.random.Generator, cal: _Calendar, n: int) -> np.ndarray:
    """Signup seconds, sorted so customer ids follow signup order; acquisition grows over time."""
    u = rng.random(n) * cal.signup_cdf[-1]
    seconds = np.floor(np.interp(u, cal.signup_cdf, cal.hour_edges)).astype(np.int64)
    return np.sort(np.minimum(seconds, cal.end))


def _segment_positions(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner index and position within owner for rows laid out owner after owner."""
    owner = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(owner.size) - starts[owner]


def _uniform_in(
    rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, rate: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson events at ``rate`` per day in [lo, hi] per customer: (owner index, epoch seconds)."""
    span = np.maximum(hi - lo, 0)
    counts = rng.poisson(rate * span / DAY)
    owner, _ = _segment_positions(counts)
    seconds = lo[owner] + np.floor(rng.random(owner.size) * (span[owner] + 1)).astype(np.int64)
    return owner, seconds


# --- Stage 1: customers and orders ----------------------------------------------------------


def _simulate_orders(
    rng: np.random.Generator, cal: _Calendar, signup: np.ndarray, dropout_factor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BG/NBD-like purchases: returns (customer index, order seconds, dropped flag per customer).

    While active, a customer buys as a Poisson process with a gamma-distributed rate in
    busy-time; after each purchase they drop out with a beta-distributed probability, so the
    total number of purchases is geometric. Given the Poisson count M in the remaining window,
    the first k purchase times are uniform order statistics, drawn as normalised exponential
    sums; this needs no loop over purchases.
    """
    n = signup.size
    rate = rng.gamma(PURCHASE_RATE_SHAPE, PURCHASE_RATE_MEAN / PURCHASE_RATE_SHAPE, n)
    dropout = np.clip(rng.beta(*DROPOUT_BETA, n) * dropout_factor, 1e-4, 0.95)
    same_session = rng.random(n) < 0.4
    delay = np.where(same_session, rng.exponential(0.3 * HOUR, n), rng.exponential(25 * DAY, n))
    first = signup + delay.astype(np.int64)
    buys = (rng.random(n) >= NEVER_BUY_SHARE) & (first <= cal.end)
    first_busy = cal.to_busy(first)
    remaining = np.maximum(cal.busy[-1] - first_busy, 0.0)
    in_window = rng.poisson(rate * remaining)
    lifetime = rng.geometric(dropout)
    repeats = np.minimum(lifetime - 1, in_window)
    counts = np.where(buys, repeats + 1, 0)
    dropped = buys & (lifetime - 1 <= in_window)

    owner, position = _segment_positions(counts)
    gaps = rng.standard_exponential(owner.size)
    gaps[position == 0] = 0.0
    cumulative = np.cumsum(gaps)
    sums = cumulative - cumulative[np.arange(owner.size) - position]
    ends = np.cumsum(counts)[buys] - 1
    tail = rng.standard_gamma((in_window - repeats + 1)[buys])
    scale = np.zeros(n)
    scale[buys] = remaining[buys] / (sums[ends] + tail)
    busy = first_busy[owner] + sums * scale[owner]
    seconds = np.floor(cal.from_busy(busy)).astype(np.int64)
    seconds = np.clip(seconds, first[owner], cal.end)
    return owner, seconds, dropped


@dataclass(frozen=True)
class _Numbering:
    """Where a block's ids start and how wide they are, per id prefix (C customers, O, T, R).

    One block numbers from 1 with widths fitted to its counts (the bundled sample's ids). A stream of
    blocks continues each block's numbers after the previous one's, with widths fixed for the whole
    stream, so every id is unique and ids sort the same way as numbers.
    """

    offsets: dict[str, int]
    widths: dict[str, int] | None = None

    def ids(self, prefix: str, count: int, minimum_width: int, suffix: str = "") -> pa.Array:
        """Make the block's ``count`` ids for prefix (``suffix`` appended, e.g. an e-mail domain)."""
        width = self.widths[prefix.upper()] if self.widths else max(minimum_width, len(str(count)))
        numbers = np.arange(1, count + 1) + self.offsets.get(prefix.upper(), 0)
        return _numbered(prefix, numbers, width, suffix)


ONE_BLOCK = _Numbering(offsets={})


def _customer_table(
    rng: np.random.Generator, signup: np.ndarray, acquisition: np.ndarray, last: np.ndarray, numbering: _Numbering
) -> dict[str, pa.Array]:
    """Observed customer attributes; loyalty members join between signup and their last order."""
    n = signup.size
    signup_day = signup // DAY
    age_days = (18 + rng.gamma(4.0, 5.0, n)).clip(max=95) * 365.25
    has_birth = rng.random(n) >= 0.15
    member = rng.random(n) < 0.30
    join_until = np.maximum(np.where(last >= 0, last, signup) // DAY, signup_day)
    joined = signup_day + np.floor(rng.random(n) * (join_until - signup_day + 1)).astype(np.int64)
    return {
        "customer_id": numbering.ids("C", n, 7),
        "email": numbering.ids("c", n, 7, "@example.com"),
        "first_name": _labels(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), n)),
        "last_name": _labels(LAST_NAMES, rng.integers(0, len(LAST_NAMES), n)),
        "birth_date": _dates(signup_day - age_days.astype(np.int64), has_birth),
        "signup_at": _timestamps(rng, signup),
        "country": _labels(COUNTRIES, rng.choice(len(COUNTRIES), n, p=COUNTRY_P)),
        "acquisition_channel": _labels(ACQUISITION_CHANNELS, acquisition),
        "loyalty_member_since": _dates(joined, member),
    }


def _order_table(
    rng: np.random.Generator, owner: np.ndarray, seconds: np.ndarray, customer_ids: pa.Array, numbering: _Numbering
) -> dict[str, pa.Array]:
    """Order attributes; spend level and preferred channel are per customer, so they persist."""
    n_customers = len(customer_ids)
    n = owner.size
    basket = rng.lognormal(0.0, 0.35, n_customers)[owner]
    preferred = rng.choice(len(ORDER_CHANNELS), n_customers, p=ORDER_CHANNEL_P)[owner]
    items = rng.geometric(0.5, n)
    gross = np.rint(items * rng.lognormal(np.log(25.0), 0.7, n) * basket * 100).astype(np.int64)
    discounted = rng.random(n) < DISCOUNT_SHARE
    discount = np.where(discounted, np.rint(gross * rng.uniform(0.05, 0.30, n)), 0).astype(np.int64)
    stray = rng.random(n) < 0.25
    channel = np.where(stray, rng.choice(len(ORDER_CHANNELS), n, p=ORDER_CHANNEL_P), preferred)
    return {
        "order_id": numbering.ids("O", n, 8),
        "customer_id": customer_ids.take(owner),
        "ordered_at": _timestamps(rng, seconds),
        "status": _labels(ORDER_STATUSES, rng.choice(len(ORDER_STATUSES), n, p=ORDER_STATUS_P)),
        "gross_amount": _decimal_cents(gross),
        "discount_amount": _decimal_cents(discount),
        "items_count": pa.array(items.astype(np.int64)),
        "channel": _labels(ORDER_CHANNELS, channel),
    }


# --- Stage 2: support tickets ---------------------------------------------------------------


def _active_until(cal: _Calendar, signup: np.ndarray, last: np.ndarray, dropped: np.ndarray) -> np.ndarray:
    """Until when a customer may still contact support or answer surveys.

    Customers still buying stay around to the end; lost customers and those who never bought
    fade out ``AFTERLIFE`` after their last order (or signup).
    """
    fading = np.minimum(np.where(last >= 0, last, signup) + AFTERLIFE, cal.end)
    return np.where(dropped | (last < 0), fading, cal.end)


def _in_churn_window(people: _Customers, owner: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Whether each event falls in the run-up to (or after) a lost customer's last purchase."""
    return people.dropped[owner] & (seconds >= people.last_order[owner] - CHURN_WINDOW)


def _lognormal_seconds(rng: np.random.Generator, median_hours: np.ndarray, sigma: float) -> np.ndarray:
    """Durations in whole seconds (at least one minute) around a per-row median."""
    hours = median_hours * np.exp(sigma * rng.standard_normal(median_hours.size))
    return np.maximum(np.rint(hours * HOUR), 60).astype(np.int64)


def _simulate_tickets(rng: np.random.Generator, cal: _Calendar, people: _Customers) -> dict[str, np.ndarray]:
    """Tickets: a background rate while the customer is around, plus a burst before dropout."""
    n = people.signup.size
    propensity = rng.gamma(2.0, 0.5, n)
    base_owner, base_at = _uniform_in(rng, people.signup, people.active_until, TICKET_BASE_RATE * propensity)
    window_start = np.maximum(people.signup, people.last_order - CHURN_WINDOW)
    window_end = np.where(people.dropped, people.last_order, window_start)
    churn_owner, churn_at = _uniform_in(rng, window_start, window_end, TICKET_CHURN_RATE * propensity)
    owner = np.concatenate([base_owner, churn_owner])
    created = np.concatenate([base_at, churn_at])
    order = np.argsort(created, kind="stable")
    owner, created = owner[order], created[order]
    m = owner.size

    churn = _in_churn_window(people, owner, created)
    category = np.empty(m, dtype=np.int64)
    for flag, probs in TICKET_CATEGORY_P.items():
        rows = churn == flag
        category[rows] = rng.choice(len(TICKET_CATEGORIES), int(rows.sum()), p=probs)
    priority = rng.choice(len(TICKET_PRIORITIES), m, p=TICKET_PRIORITY_P)
    channel = rng.choice(len(TICKET_CHANNELS), m, p=TICKET_CHANNEL_P)
    speed = PRIORITY_SPEED[priority]
    responded = created + _lognormal_seconds(rng, FIRST_RESPONSE_HOURS[channel] * speed, 1.0)
    resolved = responded + _lognormal_seconds(rng, RESOLUTION_HOURS[category] * speed, 1.2)
    has_response = responded <= cal.end
    has_resolution = resolved <= cal.end
    status = np.select([~has_response, ~has_resolution, resolved + AUTO_CLOSE <= cal.end], [0, 1, 3], default=2)
    return {
        "owner": owner,
        "created": created,
        "responded": responded,
        "resolved": resolved,
        "has_response": has_response,
        "has_resolution": has_resolution,
        "category": category,
        "priority": priority,
        "channel": channel,
        "status": status,
        "churn": churn,
    }


def _ticket_table(
    rng: np.random.Generator, t: dict[str, np.ndarray], customer_ids: pa.Array, numbering: _Numbering
) -> dict[str, pa.Array]:
    """Contract columns of the tickets; unanswered/unresolved times are null."""
    m = t["owner"].size
    return {
        "ticket_id": numbering.ids("T", m, 7),
        "customer_id": customer_ids.take(t["owner"]),
        "created_at": _timestamps(rng, t["created"]),
        "first_response_at": _timestamps(rng, t["responded"], t["has_response"]),
        "resolved_at": _timestamps(rng, t["resolved"], t["has_resolution"]),
        "category": _labels(TICKET_CATEGORIES, t["category"]),
        "priority": _labels(TICKET_PRIORITIES, t["priority"]),
        "channel": _labels(TICKET_CHANNELS, t["channel"]),
        "status": _labels(TICKET_STATUSES, t["status"]),
    }


# --- Stage 3: surveys -----------------------------------------------------------------------


def _nps_campaigns(cal: _Calendar) -> np.ndarray:
    """Quarterly NPS send-outs: the 15th of Feb, May, Aug and Nov, in epoch seconds."""
    first, last = np.array([cal.start, cal.end], dtype="datetime64[s]").astype("datetime64[M]")
    months = np.arange(first, last + 1)
    months = months[months.astype(np.int64) % 3 == 1]
    sends = (months.astype("datetime64[D]") + 14).astype("datetime64[s]").astype(np.int64)
    return sends[(sends >= cal.start) & (sends <= cal.end)]


def _simulate_nps(rng: np.random.Generator, cal: _Calendar, people: _Customers) -> dict[str, np.ndarray]:
    """NPS answers to quarterly campaigns; scores sink for customers on their way out."""
    owners, times = [], []
    for send in _nps_campaigns(cal):
        eligible = (people.signup < send) & (people.active_until >= send)
        answering = np.flatnonzero(eligible & (rng.random(people.signup.size) < NPS_RESPONSE_RATE))
        owners.append(answering)
        times.append(send + rng.lognormal(np.log(1.5 * DAY), 1.0, answering.size).astype(np.int64))
    owner = np.concatenate(owners) if owners else np.empty(0, np.int64)
    answered = np.concatenate(times) if times else np.empty(0, np.int64)
    keep = answered <= cal.end
    owner, answered = owner[keep], answered[keep]
    churn = _in_churn_window(people, owner, answered)
    latent = 7.6 + 1.4 * people.satisfaction[owner] - 3.5 * churn + rng.normal(0.0, 1.4, owner.size)
    return {
        "owner": owner,
        "answered": answered,
        "score": np.clip(np.rint(latent), 0, 10).astype(np.int64),
        "ticket": np.full(owner.size, -1),
        "theme": rng.choice(len(THEMES), owner.size, p=NPS_COMPLAINT_P),
    }


def _simulate_csat(
    rng: np.random.Generator, cal: _Calendar, people: _Customers, t: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """CSAT after resolved tickets; slow resolutions and churn-window tickets score worse."""
    asked = np.flatnonzero(t["has_resolution"] & (rng.random(t["owner"].size) < CSAT_RESPONSE_RATE))
    answered = t["resolved"][asked] + _lognormal_seconds(rng, np.full(asked.size, 5.0), 1.0)
    asked, answered = asked[answered <= cal.end], answered[answered <= cal.end]
    owner = t["owner"][asked]
    days_to_resolve = (t["resolved"][asked] - t["created"][asked]) / DAY
    latent = (
        4.6
        + 0.5 * people.satisfaction[owner]
        - 0.4 * np.log1p(days_to_resolve)
        - 1.2 * t["churn"][asked]
        + rng.normal(0.0, 0.7, asked.size)
    )
    return {
        "owner": owner,
        "answered": answered,
        "score": np.clip(np.rint(latent), 1, 5).astype(np.int64),
        "ticket": asked,
        "theme": CATEGORY_THEME[t["category"][asked]],
    }


def _comments(rng: np.random.Generator, survey: np.ndarray, score: np.ndarray, theme: np.ndarray) -> pa.Array:
    """Half of the answers carry a free-text comment whose tone follows the score.

    Detractors complain about their theme, promoters praise, passives go either way.
    """
    n = score.size
    low = np.where(survey == 0, score <= 6, score <= 2)
    high = np.where(survey == 0, score >= 9, score >= 4)
    praise = high | (~low & (rng.random(n) < 0.5))
    theme = np.where(praise, THEMES.index("praise"), theme)
    sizes = np.array([len(COMMENTS[name]) for name in THEMES])
    offsets = np.cumsum(sizes) - sizes
    pick = offsets[theme] + np.floor(rng.random(n) * sizes[theme]).astype(np.int64)
    texts = pa.array([text for name in THEMES for text in COMMENTS[name]])
    has_comment = rng.random(n) < COMMENT_SHARE
    return texts.take(pa.array(pick, mask=~has_comment))


def _survey_table(
    rng: np.random.Generator,
    nps: dict[str, np.ndarray],
    csat: dict[str, np.ndarray],
    customer_ids: pa.Array,
    ticket_ids: pa.Array,
    numbering: _Numbering,
) -> dict[str, pa.Array]:
    """Merge NPS and CSAT answers into one response stream in time order."""
    parts = (nps, csat)
    merged = {key: np.concatenate([part[key] for part in parts]) for key in nps}
    survey = np.repeat(np.arange(len(parts)), [part["owner"].size for part in parts])
    order = np.argsort(merged["answered"], kind="stable")
    merged = {key: value[order] for key, value in merged.items()}
    survey = survey[order]
    m = survey.size
    ticket = merged["ticket"]
    return {
        "response_id": numbering.ids("R", m, 8),
        "customer_id": customer_ids.take(merged["owner"]),
        "responded_at": _timestamps(rng, merged["answered"]),
        "survey_type": _labels(SURVEY_TYPES, survey),
        "score": pa.array(merged["score"]),
        "ticket_id": ticket_ids.take(pa.array(np.maximum(ticket, 0), mask=ticket < 0)),
        "comment": _comments(rng, survey, merged["score"], merged["theme"]),
    }


# --- Vectorised formatting ------------------------------------------------------------------


_DIGITS = ((np.arange(10_000)[:, None] // np.array([1000, 100, 10, 1])) % 10 + ord("0")).astype(np.uint8)
"""ASCII digits of 0000..9999: a table lookup per four digits beats arithmetic per digit."""


def _put_digits(buf: np.ndarray, col: int, values: np.ndarray, width: int) -> None:
    """Write zero-padded decimal digits of non-negative ``values`` into ASCII columns of ``buf``."""
    rest = values.astype(np.int64, copy=True)
    end = col + width
    while end > col:
        k = min(4, end - col)
        buf[:, end - k : end] = _DIGITS[:, 4 - k :].take(rest % 10**k, axis=0)
        rest //= 10**k
        end -= k


def _put_text(buf: np.ndarray, col: int, text: str) -> None:
    """Write the same ASCII text into columns of every row of ``buf``."""
    buf[:, col : col + len(text)] = np.frombuffer(text.encode("ascii"), dtype=np.uint8)


def _strings(buf: np.ndarray, keep_last: np.ndarray | None = None, valid: np.ndarray | None = None) -> pa.Array:
    """Turn a row-per-string ASCII byte matrix into an Arrow string array without Python objects.

    ``keep_last`` says per row whether the last byte belongs to the string, so one matrix can
    hold two widths (timestamps with and without ``Z``); rows not ``valid`` become nulls.
    """
    n, width = buf.shape
    lengths = np.full(n, width, dtype=np.int64)
    if keep_last is None and valid is None:
        data = buf.ravel()
    else:
        keep = np.ones(buf.shape, dtype=bool)
        if keep_last is not None:
            keep[:, -1] = keep_last
            lengths -= ~keep_last
        if valid is not None:
            keep[~valid] = False
            lengths[~valid] = 0
        data = buf[keep]
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    wide = offsets[-1] >= 2**31
    arrow_type, offset_type = (pa.large_string(), np.int64) if wide else (pa.string(), np.int32)
    validity = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(
        arrow_type, n, [validity, pa.py_buffer(offsets.astype(offset_type)), pa.py_buffer(data)]
    )


def _numbered(prefix: str, numbers: np.ndarray, width: int, suffix: str = "") -> pa.Array:
    """Build identifiers such as ``C0000042`` (or e-mails such as ``c0000042@example.com``)."""
    buf = np.empty((numbers.size, len(prefix) + width + len(suffix)), dtype=np.uint8)
    _put_text(buf, 0, prefix)
    _put_digits(buf, len(prefix), numbers, width)
    _put_text(buf, len(prefix) + width, suffix)
    return _strings(buf)


def _date_text(days: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` byte rows for days since the epoch."""
    day = days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    buf = np.empty((days.size, 10), dtype=np.uint8)
    _put_digits(buf, 0, month.astype("datetime64[Y]").astype(np.int64) + 1970, 4)
    _put_digits(buf, 5, month.astype(np.int64) % 12 + 1, 2)
    _put_digits(buf, 8, (day - month).astype(np.int64) + 1, 2)
    _put_text(buf, 4, "-")
    _put_text(buf, 7, "-")
    return buf


@functools.cache
def _clock_text() -> np.ndarray:
    """``HH:MM:SS`` byte rows for every second of a day, looked up instead of formatted."""
    second = np.arange(DAY)
    buf = np.empty((DAY, 8), dtype=np.uint8)
    _put_digits(buf, 0, second // HOUR, 2)
    _put_digits(buf, 3, second // 60 % 60, 2)
    _put_digits(buf, 6, second % 60, 2)
    _put_text(buf, 2, ":")
    _put_text(buf, 5, ":")
    return buf


def _timestamps(rng: np.random.Generator, seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Format epoch seconds as ``YYYY-MM-DD HH:MM:SS``, a seeded ~10% as ``YYYY-MM-DDTHH:MM:SSZ``.

    Arrow's strftime takes ~1 µs a value; two table lookups (date, time of day) into a byte
    matrix are over ten times faster, which matters for 10M orders.
    """
    day, second_of_day = np.divmod(seconds, DAY)
    first = int(day.min()) if day.size else 0
    dates = _date_text(np.arange(first, int(day.max(initial=first)) + 1))
    buf = np.empty((seconds.size, 20), dtype=np.uint8)
    buf[:, :10] = dates.take(day - first, axis=0)
    buf[:, 11:19] = _clock_text().take(second_of_day, axis=0)
    iso_t = rng.random(seconds.size) < ISO_T_SHARE
    buf[:, 10] = np.where(iso_t, ord("T"), ord(" "))
    _put_text(buf, 19, "Z")
    return _strings(buf, keep_last=iso_t, valid=valid)


def _dates(days: np.ndarray, valid: np.ndarray) -> pa.Array:
    """Days since the epoch as a nullable ``date32`` array."""
    return pa.array(days.astype(np.int32), type=pa.date32(), mask=~valid)


def _decimal_cents(cents: np.ndarray) -> pa.Array:
    """Non-negative integer cents as exact ``decimal128(12, 2)``: files show ``12.50``, no float noise.

    A decimal128 value is a 128-bit little-endian integer, so the cents go in the low word.
    """
    words = np.zeros((cents.size, 2), dtype=np.int64)
    words[:, 0] = cents
    return pa.Array.from_buffers(pa.decimal128(12, 2), cents.size, [None, pa.py_buffer(words)])


def _labels(values: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    """Plain string column from category codes (plain, not dictionary, for simple CSV output)."""
    return pa.array(values).take(pa.array(codes))


# --- Public API -----------------------------------------------------------------------------


def generate(
    n_customers: int, seed: int = 42, start_date: str = "2022-01-01", end_date: str = "2024-12-31"
) -> dict[str, pa.Table]:
    """Generate the four raw tables for ``n_customers`` customers active from start to end date, in memory.

    Timestamp columns (see ``TIMESTAMP_COLUMNS``) are returned as the formatted strings that
    go into the CSV files; everything else has its natural Arrow type. Each stage draws from
    its own child of the seed, so changing one stage leaves the others' output unchanged.
    """
    if n_customers < 1:
        raise ValueError("n_customers must be at least 1")
    return _block(n_customers, np.random.SeedSequence(seed), _calendar(start_date, end_date), ONE_BLOCK)


def generate_stream(
    n_customers: int,
    seed: int = 42,
    start_date: str = "2022-01-01",
    end_date: str = "2024-12-31",
    block_customers: int = BLOCK_CUSTOMERS,
) -> Iterator[dict[str, pa.Table]]:
    """Generate the same kind of delivery block by block, so its size is bounded by a block, not by n_customers.

    Up to block_customers customers this is one block, identical to ``generate``. Larger deliveries are
    blocks of independent customers (each block from its own child of the seed) whose ids continue
    from block to block.
    """
    if n_customers <= block_customers:
        yield generate(n_customers, seed, start_date, end_date)
        return
    cal = _calendar(start_date, end_date)
    sizes = [min(block_customers, n_customers - start) for start in range(0, n_customers, block_customers)]
    # Ids are padded to the widths the largest possible counts need, the same in every block.
    bound = n_customers * MAX_EVENTS_PER_CUSTOMER
    widths = {"C": max(7, len(str(n_customers))), "O": max(8, len(str(bound))), "T": max(7, len(str(bound)))}
    widths["R"] = max(8, len(str(bound)))
    offsets = dict.fromkeys(widths, 0)
    for size, block_seed in zip(sizes, np.random.SeedSequence(seed).spawn(len(sizes)), strict=True):
        tables = _block(size, block_seed, cal, _Numbering(dict(offsets), widths))
        for prefix, table in zip("COTR", tables.values(), strict=True):
            offsets[prefix] += table.num_rows
        yield tables


def _block(
    n_customers: int, seed: np.random.SeedSequence, cal: _Calendar, numbering: _Numbering
) -> dict[str, pa.Table]:
    """Simulate one block of customers with their orders, tickets and survey answers."""
    order_rng, customer_rng, ticket_rng, survey_rng = (np.random.default_rng(s) for s in seed.spawn(4))
    signup = _draw_signups(order_rng, cal, n_customers)
    acquisition = order_rng.choice(len(ACQUISITION_CHANNELS), n_customers, p=ACQUISITION_P)
    owner, ordered, dropped = _simulate_orders(order_rng, cal, signup, CHANNEL_DROPOUT[acquisition])
    order = np.argsort(ordered, kind="stable")
    owner, ordered = owner[order], ordered[order]
    last = np.full(n_customers, -1, dtype=np.int64)
    np.maximum.at(last, owner, ordered)

    customers = _customer_table(customer_rng, signup, acquisition, last, numbering)
    customer_ids = customers["customer_id"]
    orders = _order_table(order_rng, owner, ordered, customer_ids, numbering)

    people = _Customers(
        signup=signup,
        satisfaction=ticket_rng.standard_normal(n_customers),
        last_order=last,
        dropped=dropped,
        active_until=_active_until(cal, signup, last, dropped),
    )
    raw_tickets = _simulate_tickets(ticket_rng, cal, people)
    tickets = _ticket_table(ticket_rng, raw_tickets, customer_ids, numbering)
    nps = _simulate_nps(survey_rng, cal, people)
    csat = _simulate_csat(survey_rng, cal, people, raw_tickets)
    surveys = _survey_table(survey_rng, nps, csat, customer_ids, tickets["ticket_id"], numbering)

    columns = {
        "raw_customers": customers,
        "raw_orders": orders,
        "raw_support_tickets": tickets,
        "raw_survey_responses": surveys,
    }
    # Column names and their order are the raw contract's (models/staging/_raw__sources.yml).
    return {name: pa.table({col: columns[name][col] for col in contract}) for name, contract in raw_contract().items()}


def _typed_for_parquet(name: str, table: pa.Table) -> pa.Table:
    """Parse the timestamp strings back to naive UTC ``timestamp[s]`` for Parquet files."""
    for column in TIMESTAMP_COLUMNS.get(name, ()):
        text = pc.utf8_rtrim(pc.replace_substring(table[column], "T", " "), characters="Z")
        parsed = pc.strptime(text, format="%Y-%m-%d %H:%M:%S", unit="s")
        table = table.set_column(table.schema.get_field_index(column), column, parsed)
    return table


def write_tables(tables: dict[str, pa.Table], out_dir: str | Path, fmt: str = "csv") -> list[Path]:
    """Write each table to ``out_dir/<name>.<fmt>`` and return the paths, in table order.

    CSV: header, UTF-8, RFC 4180 quoting (strings always quoted), empty field = null.
    Parquet: natural types, timestamps as naive UTC timestamps (stored as milliseconds, since
    Parquet has no seconds unit).
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            pa_csv.write_csv(table, path, pa_csv.WriteOptions(batch_size=65_536))
        else:
            pq.write_table(_typed_for_parquet(name, table), path)
        paths.append(path)
    return paths


def write_stream(blocks: Iterable[dict[str, pa.Table]], out_dir: str | Path, fmt: str = "csv") -> dict[Path, int]:
    """Append block after block to ``out_dir/<name>.<fmt>`` (formats as ``write_tables``); return rows per file.

    One block writes the same bytes as ``write_tables``; the writers stay open across blocks, so only
    one block is ever in memory.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    writers: dict[str, pa_csv.CSVWriter | pq.ParquetWriter] = {}
    rows: dict[Path, int] = {}
    try:
        for tables in blocks:
            for name, table in tables.items():
                path = out / f"{name}.{fmt}"
                if fmt == "parquet":
                    table = _typed_for_parquet(name, table)
                if name not in writers:
                    writers[name] = (
                        pa_csv.CSVWriter(path, table.schema, write_options=pa_csv.WriteOptions(batch_size=65_536))
                        if fmt == "csv"
                        else pq.ParquetWriter(path, table.schema)
                    )
                writers[name].write_table(table)
                rows[path] = rows.get(path, 0) + table.num_rows
    finally:
        for writer in writers.values():
            writer.close()
    return rows


def main(argv: list[str] | None = None) -> None:
    """Command line: generate a data set and write it to a folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--start-date", default="2022-01-01")
    parser.add_argument("--end-date", default="2024-12-31")
    parser.add_argument("--format", choices=FORMATS, default="csv")
    parser.add_argument("--out", default="data/sample")
    args = parser.parse_args(argv)
    blocks = generate_stream(args.customers, args.seed, args.start_date, args.end_date)
    for path, rows in write_stream(blocks, args.out, args.format).items():
        print(f"{path}: {rows} rows")


if __name__ == "__main__":
    main()
