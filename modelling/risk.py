"""Explainable churn risk: a learned logistic model of "no purchase in the next W days", with reasons and backtests.

Why a plain module: the dbt Python models that fit and score the model, the backtest and the tests
all need the same numbers, so the math lives in one engine-independent place that takes and
returns pandas frames or numpy arrays (numpy/scipy only).

The model. For a customer on an as-of date, ``risk_score`` = P(no purchase in the next
``churn_window_days``) = expit(intercept + sum_j coef_j z_j), where z_j is feature j standardised
with the mean and standard deviation of the training rows. The weights are learned, not guessed:
the training rows are (customer, earlier as-of date) pairs whose outcome ``outcome_no_purchase`` is
already known, each with the features as they stood on that date (point in time). The fit is a
weighted logistic regression with an L2 penalty on the standardised coefficients (not the
intercept), maximised with L-BFGS-B on an analytic gradient.

Features (``FEATURES``, built from the raw columns by ``model_matrix``, the only place they are
transformed):

- ``recency_ratio``, ``days_since_last_purchase`` and ``tenure_days`` enter as log1p(value): their
  effect is one of orders of magnitude (30 vs 60 days matters, 730 vs 760 does not) and the log
  stops a few extreme customers from dominating the standardisation. Negative values, which the
  definitions rule out, are read as 0.
- ``frequency_trend`` = log((recent_purchases_count + 1) / (prior_purchases_count + 1)): 0 for a
  steady customer, negative for one who buys less than before.
- The BG/NBD probability, the counts and the 0/1 flags enter as they are.
- A missing value (e.g. no BG/NBD prediction because the CLV model was not fitted) is imputed with
  the training mean, so it sits at z = 0, adds nothing to the logit and is never a reason.

A model may also use a subset of FEATURES (``fit_risk_model(..., features=...)``), e.g. a naive
baseline on days since the last purchase alone that the full model must beat in the backtest.

Reasons. A customer's reasons are the features with the largest positive contributions
coef_j * z_j to the logit: what pushes this customer's risk above that of an average training
customer (z = 0). ``describe_reason`` turns a reason code and the customer's raw values into text.

A fit that cannot be trusted never raises: it comes back with ``converged=False`` and a reason, and
scoring then returns null risks and reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeAlias

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit

from modelling.frames import float_array

FEATURES: tuple[str, ...] = (
    "bgnbd_prob_no_purchase",
    "recency_ratio",
    "days_since_last_purchase",
    "frequency_trend",
    "recent_returns_count",
    "recent_failed_payments_count",
    "open_tickets_count",
    "recent_tickets_count",
    "overdue_open_tickets_count",
    "is_nps_detractor",
    "is_csat_low",
    "is_loyalty_member",
    "tenure_days",
)
"""The model's features, in the order of ``model_matrix``'s columns."""
LOG1P_FEATURES = ("recency_ratio", "days_since_last_purchase", "tenure_days")
"""Features read as log(1 + value): long-tailed day counts and ratios."""
TREND_FEATURE = "frequency_trend"
"""The one feature computed from two columns (TREND_COLUMNS)."""
TREND_COLUMNS = ("recent_purchases_count", "prior_purchases_count")
AS_IS_FEATURES = tuple(feature for feature in FEATURES if feature not in (*LOG1P_FEATURES, TREND_FEATURE))
"""Features read as they are: probabilities, counts and 0/1 flags."""
INPUT_COLUMNS: tuple[str, ...] = (*AS_IS_FEATURES, *LOG1P_FEATURES, *TREND_COLUMNS)
"""The raw columns ``model_matrix`` reads; fit and score frames must have all of them."""
OUTCOME = "outcome_no_purchase"
WEIGHT = "sample_weight"
"""Optional training column of positive row weights (e.g. to give every as-of date the same total weight)."""
INTERCEPT = "intercept"
MIN_TRAINING_ROWS = 200
MIN_CLASS_ROWS = 20
GRADIENT_TOLERANCE = 1e-6
"""Largest accepted |d objective / d parameter| at the optimum, on the per-unit-weight scale."""
REASON_COUNT = 3
COEFFICIENT_COLUMNS = (
    "feature",
    "coefficient",
    "mean",
    "scale",
    "training_rows",
    "positive_rate",
    "is_converged",
    "model_status",
)
SCORE_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "risk_score",
    *(f"reason_{k}_{part}" for k in range(1, REASON_COUNT + 1) for part in ("code", "contribution")),
)
OK = "ok"
RECENT_DAYS = 90
"""The default window of the recent_* counts (dbt var recent_activity_days), for rows that do not carry
their own ``recent_activity_days`` column."""


@dataclass(frozen=True)
class RiskModel:
    """A fitted risk model: standardisation, coefficients and whether its scores may be used."""

    features: tuple[str, ...]
    means: dict[str, float]
    scales: dict[str, float]
    intercept: float
    coefficients: dict[str, float]
    training_rows: int
    positive_rate: float
    converged: bool
    status: str


# --- Features ---------------------------------------------------------------------------------


def _log1p(values: np.ndarray) -> np.ndarray:
    """Compute log(1 + value), reading impossible negative values as 0 (NaN stays NaN)."""
    return np.log1p(np.maximum(values, 0.0))


def model_matrix(frame: pd.DataFrame) -> np.ndarray:
    """Build the (rows x FEATURES) matrix of transformed, unstandardised features; NaN where a value is missing.

    Why one function: fit and score must transform identically, or the learned weights mean nothing.
    """
    missing = [column for column in INPUT_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"the frame lacks column(s) {missing}; expected {list(INPUT_COLUMNS)}")
    columns = {name: float_array(frame[name]) for name in AS_IS_FEATURES}
    columns.update({name: _log1p(float_array(frame[name])) for name in LOG1P_FEATURES})
    last, prior = (_log1p(float_array(frame[name])) for name in TREND_COLUMNS)
    columns[TREND_FEATURE] = last - prior
    return np.column_stack([columns[name] for name in FEATURES])


def _feature_subset(features: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Put a non-empty subset of FEATURES in FEATURES order (e.g. a one-feature baseline model).

    Why the fixed order: a model rebuilt from stored rows, in whatever order, then equals the fitted one.
    """
    unknown = sorted(set(features) - set(FEATURES))
    if unknown or not features or len(set(features)) != len(features):
        raise ValueError(f"features must be distinct names from FEATURES {FEATURES}; got {tuple(features)}")
    return tuple(name for name in FEATURES if name in features)


def _columns_of(features: tuple[str, ...]) -> list[int]:
    """Column indexes of the given features in ``model_matrix``."""
    return [FEATURES.index(name) for name in features]


def _standardise(matrix: np.ndarray, means: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Standardise features and impute missing values at z = 0, the training mean."""
    z = (matrix - means) / scales
    return np.where(np.isnan(z), 0.0, z)


def _weighted_moments(matrix: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean and standard deviation of each column over its non-missing values.

    A column without spread gets scale 1 (its z is 0 in training, so its coefficient stays 0), and
    one without any value gets mean 0 as well: neither can then ever contribute to a score.
    """
    present = ~np.isnan(matrix)
    filled = np.where(present, matrix, 0.0)
    total = weights @ present
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (weights @ filled) / total
        variances = (weights @ (present * (filled - means) ** 2)) / total
    means = np.where(total > 0, means, 0.0)
    scales = np.sqrt(np.where(total > 0, variances, 0.0))
    return means, np.where(scales > 0, scales, 1.0)


# --- Likelihood -------------------------------------------------------------------------------


def penalised_loss_and_gradient(
    params: np.ndarray, z: np.ndarray, y: np.ndarray, weights: np.ndarray, l2: float
) -> tuple[float, np.ndarray]:
    """Penalised negative log-likelihood per unit weight and its gradient; params = (intercept, coefficients).

    loss = [sum_i w_i (log(1 + e^eta_i) - y_i eta_i) + l2/2 |coef|^2] / sum_i w_i, eta = intercept + z coef.
    Why this scale: the penalty is a fixed Gaussian prior (variance 1/l2 on a standardised
    coefficient) whose pull fades as data accumulate, and tolerances do not depend on the row count.
    """
    total = weights.sum()
    coefficients = params[1:]
    eta = params[0] + z @ coefficients
    residual = weights * (expit(eta) - y)
    loss = weights @ (np.logaddexp(0.0, eta) - y * eta) + 0.5 * l2 * coefficients @ coefficients
    gradient = np.concatenate([[residual.sum()], z.T @ residual + l2 * coefficients])
    return float(loss / total), gradient / total


# --- Fitting ----------------------------------------------------------------------------------


def _not_fitted(features: tuple[str, ...], training_rows: int, positive_rate: float, status: str) -> RiskModel:
    """Build a model that carries only the reason it cannot be used (NaN numbers, so nobody uses them by mistake)."""
    nan = dict.fromkeys(features, float("nan"))
    return RiskModel(features, nan, dict(nan), float("nan"), dict(nan), training_rows, positive_rate, False, status)


def _training_arrays(training: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Read features, outcomes and weights of the rows with a known outcome; say "ok" or why they are unusable.

    Rows with a null outcome (the window has not yet passed) are left out.
    """
    if OUTCOME not in training.columns:
        raise ValueError(f"the training frame lacks column {OUTCOME!r}")
    matrix = model_matrix(training)
    outcomes = float_array(training[OUTCOME])
    weights = float_array(training[WEIGHT]) if WEIGHT in training.columns else np.ones(len(training))
    known = ~np.isnan(outcomes)
    matrix, outcomes, weights = matrix[known], outcomes[known], weights[known]
    status = OK
    if not np.all((outcomes == 0) | (outcomes == 1)):
        status = f"{OUTCOME} must be 0 or 1"
    elif not np.all(np.isfinite(weights) & (weights > 0)):
        status = f"{WEIGHT} must be a positive number"
    return matrix, outcomes, weights, status


def _data_problem(outcomes: np.ndarray) -> str:
    """Say why there is too little data to learn from, or "ok"."""
    positives = int(np.count_nonzero(outcomes))
    negatives = len(outcomes) - positives
    if len(outcomes) < MIN_TRAINING_ROWS:
        return f"only {len(outcomes)} training rows with a known outcome; at least {MIN_TRAINING_ROWS} are needed"
    if min(positives, negatives) < MIN_CLASS_ROWS:
        return (
            f"{positives} rows without and {negatives} with a purchase in the window; "
            f"at least {MIN_CLASS_ROWS} of each are needed"
        )
    return OK


def _newton_polished(
    params: np.ndarray, z: np.ndarray, y: np.ndarray, weights: np.ndarray, l2: float, steps: int = 2
) -> np.ndarray:
    """Take Newton steps (exact Hessian) from L-BFGS-B's answer to the optimum itself.

    Why: L-BFGS-B stops anywhere in a region where the loss is flat to its tolerance, about 1e-8
    relative wide, and where depends on its path: rows in another order or features differing in the
    last bit (DuckDB and Spark compute exp and ln differently) moved coefficients by 1e-9. From there
    Newton converges quadratically, so two steps land on the optimum to rounding, whatever the path.
    Returns params unchanged when the Hessian cannot be solved (no penalty and separable data).
    """
    design = np.column_stack([np.ones(len(z)), z])
    penalty = np.diag(np.concatenate([[0.0], np.full(z.shape[1], l2)]))
    polished = params
    for _ in range(steps):
        gradient = penalised_loss_and_gradient(polished, z, y, weights, l2)[1]
        probability = expit(design @ polished)
        hessian = ((design.T * (weights * probability * (1 - probability))) @ design + penalty) / weights.sum()
        try:
            polished = polished - np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            return params
    return polished if np.all(np.isfinite(polished)) else params


def fit_risk_model(
    training: pd.DataFrame, l2: float = 1.0, features: tuple[str, ...] | list[str] = FEATURES
) -> RiskModel:
    """Learn the risk model from training rows (INPUT_COLUMNS, ``outcome_no_purchase``, optional ``sample_weight``).

    ``features`` may name a subset of FEATURES, e.g. a naive baseline the full model must beat.
    Never raises for data problems (too few rows or of a class, invalid outcomes or weights,
    non-convergence): the model then comes back with ``converged=False`` and the reason. Starts at
    the base rate with zero coefficients. Convergence is judged on the gradient itself, because
    L-BFGS-B sometimes stops with a line-search warning exactly at the optimum.
    """
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0, got {l2}")
    features = _feature_subset(features)
    matrix, outcomes, weights, status = _training_arrays(training)
    rows = len(outcomes)
    if status != OK:
        return _not_fitted(features, rows, float("nan"), status)
    positive_rate = float(weights @ outcomes / weights.sum()) if rows else float("nan")
    status = _data_problem(outcomes)
    if status != OK:
        return _not_fitted(features, rows, positive_rate, status)
    matrix = matrix[:, _columns_of(features)]
    means, scales = _weighted_moments(matrix, weights)
    z = _standardise(matrix, means, scales)
    start = np.concatenate([[np.log(positive_rate / (1 - positive_rate))], np.zeros(len(features))])
    result = minimize(
        penalised_loss_and_gradient,
        start,
        args=(z, outcomes, weights, l2),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 1000, "ftol": 1e-15, "gtol": 1e-10},
    )
    params = _newton_polished(result.x, z, outcomes, weights, l2)
    largest_slope = float(np.max(np.abs(penalised_loss_and_gradient(params, z, outcomes, weights, l2)[1])))
    if not (np.all(np.isfinite(params)) and largest_slope <= GRADIENT_TOLERANCE):
        reason = f"not converged after {result.nit} iterations (largest gradient {largest_slope:.2e}: {result.message})"
        return _not_fitted(features, rows, positive_rate, reason)
    return RiskModel(
        features,
        dict(zip(features, means.tolist(), strict=True)),
        dict(zip(features, scales.tolist(), strict=True)),
        float(params[0]),
        dict(zip(features, params[1:].tolist(), strict=True)),
        rows,
        positive_rate,
        True,
        OK,
    )


# --- Storage ----------------------------------------------------------------------------------


def coefficients_frame(model: RiskModel) -> pd.DataFrame:
    """One row for the intercept (null mean and scale) and one per feature, with the fit's quality on every row."""
    rows = [(INTERCEPT, model.intercept, float("nan"), float("nan"))]
    rows += [(name, model.coefficients[name], model.means[name], model.scales[name]) for name in model.features]
    frame = pd.DataFrame(rows, columns=list(COEFFICIENT_COLUMNS[:4]))
    frame["training_rows"] = model.training_rows
    frame["positive_rate"] = model.positive_rate
    frame["is_converged"] = model.converged
    frame["model_status"] = model.status
    return frame


def model_from_coefficients_frame(frame: pd.DataFrame) -> RiskModel:
    """Rebuild a RiskModel from ``coefficients_frame`` rows, e.g. read back from the warehouse.

    Why: scoring from the stored table guarantees that the published coefficients and the scores
    agree. Extra columns are ignored; rows that are not exactly one intercept and one per feature of
    a subset of FEATURES (e.g. a table written by another version of this module) give an unusable model.
    """
    missing = [column for column in COEFFICIENT_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"the coefficients frame lacks column(s) {missing}; expected {list(COEFFICIENT_COLUMNS)}")
    if frame.empty:
        return _not_fitted(FEATURES, 0, float("nan"), "the coefficients table is empty")
    training_rows = int(frame["training_rows"].iloc[0])
    positive_rate = float(float_array(frame["positive_rate"])[0])
    names = frame["feature"].tolist()
    features = tuple(name for name in FEATURES if name in names)
    if sorted(names) != sorted([INTERCEPT, *features]) or not features:
        return _not_fitted(FEATURES, training_rows, positive_rate, "the coefficients table does not match FEATURES")
    by_feature = frame.set_index("feature")
    coefficient, mean, scale = (
        dict(zip(by_feature.index, float_array(by_feature[column]).tolist(), strict=True))
        for column in COEFFICIENT_COLUMNS[1:4]
    )
    converged, status = bool(frame["is_converged"].iloc[0]), str(frame["model_status"].iloc[0])
    numbers = [coefficient[INTERCEPT], *(v[name] for v in (coefficient, mean, scale) for name in features)]
    if converged and not np.all(np.isfinite(numbers)):
        converged, status = False, "the stored coefficients are not finite numbers"
    return RiskModel(
        features,
        {name: mean[name] for name in features},
        {name: scale[name] for name in features},
        coefficient[INTERCEPT],
        {name: coefficient[name] for name in features},
        training_rows,
        positive_rate,
        converged,
        status,
    )


# --- Scoring ----------------------------------------------------------------------------------


def _reasons(
    contributions: np.ndarray, features: tuple[str, ...]
) -> tuple[list[pd.api.extensions.ExtensionArray], list[np.ndarray]]:
    """Codes and values of each row's REASON_COUNT largest positive contributions; null where there are fewer.

    Equal contributions are ordered as in FEATURES, so the result never depends on chance. Codes
    are strings (not objects) so that DuckDB types a column of nulls as VARCHAR, not as NULL.
    """
    n = len(contributions)
    padded = np.hstack([contributions, np.zeros((n, REASON_COUNT))])  # models with fewer features than reasons
    order = np.argsort(-padded, axis=1, kind="stable")[:, :REASON_COUNT]
    names = np.array([*features, *[None] * REASON_COUNT], dtype=object)
    codes, values = [], []
    for k in range(REASON_COUNT):
        value = np.take_along_axis(padded, order[:, k : k + 1], axis=1)[:, 0]
        positive = value > 0
        codes.append(pd.array(np.where(positive, names[order[:, k]], np.array(None)), dtype="str"))
        values.append(np.where(positive, value, np.nan))
    return codes, values


def score(model: RiskModel, features: pd.DataFrame) -> pd.DataFrame:
    """Score each customer: risk_score and the top reasons; all null when the model is unusable.

    Input: customer_id and INPUT_COLUMNS (extra columns are ignored).
    """
    names = _feature_subset(model.features)
    matrix = model_matrix(features)[:, _columns_of(names)]
    n = len(features)
    if model.converged:
        means, scales, coefficients = (
            np.array([v[name] for name in names]) for v in (model.means, model.scales, model.coefficients)
        )
        contributions = _standardise(matrix, means, scales) * coefficients
        risk = expit(model.intercept + contributions.sum(axis=1))
        codes, values = _reasons(contributions, names)
    else:
        risk = np.full(n, np.nan)
        codes = [pd.array([None] * n, dtype="str") for _ in range(REASON_COUNT)]
        values = [np.full(n, np.nan) for _ in range(REASON_COUNT)]
    reason_columns = [column for pair in zip(codes, values, strict=True) for column in pair]
    columns = (features["customer_id"].to_numpy(), risk, *reason_columns)
    return pd.DataFrame(dict(zip(SCORE_COLUMNS, columns, strict=True)))


# --- Reason texts -----------------------------------------------------------------------------

REASON_TEMPLATES: dict[str, str] = {
    "bgnbd_prob_no_purchase": "BG/NBD: {probability:.0%} chance of no purchase in {window}",
    "recency_ratio": "no purchase for {days} days, usually every {usual_gap}",
    "days_since_last_purchase": "last purchase {days} days ago",
    "frequency_trend": "purchases {direction} from {prior} to {last} in the last {recent_days} days",
    "recent_returns_count": "{count} {noun} in the last {recent_days} days",
    "recent_failed_payments_count": "{count} {noun} in the last {recent_days} days",
    "open_tickets_count": "{count} {noun}",
    "recent_tickets_count": "{count} {noun} in the last {recent_days} days",
    "overdue_open_tickets_count": "{count} {noun}",
    "is_nps_detractor": "NPS detractor on {date}",
    "is_csat_low": "CSAT {score} on {date}",
    "is_loyalty_member": "not a loyalty member",
    "tenure_days": "customer for {days} days",
}
"""The usual text of each reason code, filled by ``describe_reason``; other texts cover missing values and the
opposite direction (e.g. purchases up, a loyalty member), which a learned coefficient may also make a reason."""
COUNT_NOUNS = {
    "recent_returns_count": ("return", "returns"),
    "recent_failed_payments_count": ("failed payment", "failed payments"),
    "open_tickets_count": ("unresolved ticket", "unresolved tickets"),
    "recent_tickets_count": ("support ticket", "support tickets"),
    "overdue_open_tickets_count": ("overdue open ticket", "overdue open tickets"),
}

Row: TypeAlias = Mapping[str, object] | pd.Series


def _is_null(value: object) -> bool:
    """Tell None, NaN, NaT and pd.NA apart from values (strings are never null)."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _number(row: Row, name: str) -> float | None:
    """Read a numeric value; None when absent, null, NaN or not a number."""
    value = row.get(name)
    if _is_null(value):
        return None
    try:
        return float(value)  # type: ignore[arg-type]  # anything float() reads; the rest is None below
    except (TypeError, ValueError):
        return None


def _whole(value: float) -> str:
    """Show a count or a number of days as a whole number."""
    return str(int(round(value)))


def _date_text(row: Row, name: str) -> str | None:
    """Show a date (date, datetime, Timestamp or ISO string) as YYYY-MM-DD; None if missing, as given if unreadable."""
    value = row.get(name)
    if _is_null(value):
        return None
    if isinstance(value, datetime | date):
        return pd.Timestamp(value).date().isoformat()
    try:
        return pd.Timestamp(str(value)).date().isoformat()
    except ValueError:
        return str(value)


def _describe_probability(code: str, row: Row) -> str:
    """BG/NBD text; the window comes from the row's ``churn_window_days`` when it has one."""
    probability = _number(row, code)
    if probability is None:
        return "no BG/NBD prediction"
    window_days = _number(row, "churn_window_days")
    window = "the churn window" if window_days is None else f"{_whole(window_days)} days"
    return REASON_TEMPLATES[code].format(probability=probability, window=window)


def _describe_recency(code: str, row: Row) -> str:
    """Recency relative to the customer's usual gap between purchases."""
    days, usual_gap = _number(row, "days_since_last_purchase"), _number(row, "usual_gap_days")
    if days is None:
        return "no purchase date known"
    if usual_gap is None:
        return f"no purchase for {_whole(days)} days"
    return REASON_TEMPLATES[code].format(days=_whole(days), usual_gap=_whole(usual_gap))


def _describe_days(code: str, row: Row) -> str:
    """Fill a template with one number of days (read from the row's column of the same name as the code)."""
    days = _number(row, code)
    if days is None:
        return f"{code.replace('_', ' ')} unknown"
    return REASON_TEMPLATES[code].format(days=_whole(days))


def _recent_days(row: Row) -> str:
    """Name the window the row's recent_* counts were taken over, for the reason texts."""
    days = _number(row, "recent_activity_days")
    return _whole(RECENT_DAYS if days is None else days)


def _describe_trend(code: str, row: Row) -> str:
    """Compare the purchase counts of the last and the prior window."""
    last, prior = _number(row, "recent_purchases_count"), _number(row, "prior_purchases_count")
    if last is None or prior is None:
        return "purchase trend unknown"
    if last == prior:
        return f"purchases steady at {_whole(last)} per {_recent_days(row)} days"
    direction = "down" if last < prior else "up"
    return REASON_TEMPLATES[code].format(
        direction=direction, prior=_whole(prior), last=_whole(last), recent_days=_recent_days(row)
    )


def _describe_count(code: str, row: Row) -> str:
    """Fill a count template, with the noun in singular or plural."""
    singular, plural = COUNT_NOUNS[code]
    count = _number(row, code)
    if count is None:
        return f"number of {plural} unknown"
    shown = _whole(count)
    return REASON_TEMPLATES[code].format(
        count=shown, noun=singular if shown == "1" else plural, recent_days=_recent_days(row)
    )


def _describe_nps(code: str, row: Row) -> str:
    """Describe the latest NPS answer: a detractor with its date, or the plain score."""
    flag, answer, on_date = _number(row, code), _number(row, "latest_nps_score"), _date_text(row, "latest_nps_date")
    if flag == 1:
        return "NPS detractor" if on_date is None else REASON_TEMPLATES[code].format(date=on_date)
    if answer is None:
        return "no NPS answer"
    return f"latest NPS {_whole(answer)}" + ("" if on_date is None else f" on {on_date}")


def _describe_csat(code: str, row: Row) -> str:
    """Describe the latest CSAT answer by its score and date."""
    flag, answer, on_date = _number(row, code), _number(row, "latest_csat_score"), _date_text(row, "latest_csat_date")
    if answer is None:
        return "low CSAT" if flag == 1 else "no CSAT answer"
    if on_date is None:
        return f"CSAT {_whole(answer)}"
    return REASON_TEMPLATES[code].format(score=_whole(answer), date=on_date)


def _describe_loyalty(code: str, row: Row) -> str:
    """State loyalty membership."""
    member = _number(row, code)
    if member is None:
        return "loyalty membership unknown"
    return "loyalty member" if member == 1 else REASON_TEMPLATES[code]


_DESCRIBERS: dict[str, Callable[[str, Row], str]] = {
    "bgnbd_prob_no_purchase": _describe_probability,
    "recency_ratio": _describe_recency,
    "days_since_last_purchase": _describe_days,
    "frequency_trend": _describe_trend,
    **dict.fromkeys(COUNT_NOUNS, _describe_count),
    "is_nps_detractor": _describe_nps,
    "is_csat_low": _describe_csat,
    "is_loyalty_member": _describe_loyalty,
    "tenure_days": _describe_days,
}


def describe_reason(code: str | None, row: Row) -> str | None:
    """Turn a reason code and the customer's raw values into text for the retention team; None for a null code.

    ``row`` is a mapping or pandas Series with the raw columns (counts, ``days_since_last_purchase``,
    ``usual_gap_days``, ``latest_nps_date`` ...; optionally ``churn_window_days`` for the BG/NBD
    text). Dates may be dates, datetimes or ISO strings; missing values give a text saying so.
    Texts state facts in both directions (e.g. "purchases up from 1 to 6"), because a learned
    coefficient may make either direction the one that raises a customer's risk.
    """
    if _is_null(code):
        return None
    if code not in _DESCRIBERS:
        raise ValueError(f"unknown reason code {code!r}; expected one of {list(FEATURES)}")
    return _DESCRIBERS[code](code, row)


# --- Backtest ---------------------------------------------------------------------------------


def _known_pairs(scores: np.ndarray, outcomes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep the pairs where both score and outcome are known (an unusable model scores null)."""
    s, y = np.asarray(scores, dtype=float), np.asarray(outcomes, dtype=float)
    known = ~(np.isnan(s) | np.isnan(y))
    return s[known], y[known]


def _ranked_with_tie_means(scores: np.ndarray, outcomes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort by score ascending and replace each outcome by the mean outcome of its group of equal scores.

    Why: any statistic over a contiguous block of ranks then equals its average over every order
    of the tied customers, so results never depend on row order or chance.
    """
    order = np.argsort(scores, kind="stable")
    s, y = scores[order], outcomes[order]
    group = np.cumsum(np.diff(s, prepend=s[:1]) != 0)
    return s, (np.bincount(group, weights=y) / np.bincount(group))[group]


def _deciles(count: int) -> np.ndarray:
    """Decile (1 = lowest scores ... 10 = highest) of each rank 0..count-1: floor(10 rank / count) + 1.

    The top decile thus holds the floor(count / 10) highest scores.
    """
    return np.arange(count) * 10 // max(count, 1) + 1


def backtest_metrics(scores: np.ndarray, outcomes: np.ndarray) -> dict[str, float]:
    """AUC, top-decile precision and lift, base rate and Brier score of risk scores against 0/1 outcomes.

    auc: P(a customer with outcome 1 outscores one with outcome 0), ties counting 1/2 (Mann-Whitney).
    top_decile_precision: share of outcome 1 among the floor(n/10) highest scores, ties at the edge
    shared out as their average. Pairs with a missing score or outcome are left out; a statistic
    without the data to define it (one class only, fewer than 10 customers) is NaN.
    """
    s, y = _known_pairs(scores, outcomes)
    n, positives = len(y), float(y.sum())
    negatives = n - positives
    tie_means = _ranked_with_tie_means(s, y)[1]
    positive_rank_sum = tie_means @ np.arange(1, n + 1)  # = the positives' mid-rank sum: ties share their ranks
    auc = (
        (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
        if positives * negatives
        else np.nan
    )
    top = tie_means[_deciles(n) == 10]
    precision = float(top.mean()) if len(top) else np.nan
    base_rate = positives / n if n else np.nan
    return {
        "auc": float(auc),
        "top_decile_precision": precision,
        "base_rate": float(base_rate),
        "top_decile_lift": float(precision / base_rate) if base_rate else np.nan,
        "brier": float(np.mean((s - y) ** 2)) if n else np.nan,
    }


def calibration_by_decile(scores: np.ndarray, outcomes: np.ndarray) -> pd.DataFrame:
    """Mean predicted risk and actual no-purchase rate per score decile (1 = lowest scores ... 10 = highest).

    Deciles are rank blocks of floor(10 rank / n) + 1, the same as ``backtest_metrics``' top decile;
    tied scores across a decile edge share their outcomes as in ``backtest_metrics``. Pairs with a
    missing value are left out; deciles without customers (n < 10) have no row.
    """
    s, y = _known_pairs(scores, outcomes)
    ranked_scores, tie_means = _ranked_with_tie_means(s, y)
    frame = pd.DataFrame({"score_decile": _deciles(len(s)), "score": ranked_scores, "outcome": tie_means})
    return frame.groupby("score_decile", as_index=False).agg(
        customers=("score", "size"), mean_predicted=("score", "mean"), actual_rate=("outcome", "mean")
    )
