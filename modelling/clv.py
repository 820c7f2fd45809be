"""Customer-lifetime-value math: BG/NBD purchase frequency and dropout, Gamma-Gamma spend (numpy/scipy only).

Why a plain module: dbt Python models, benchmarks and tests all need the same fitted numbers, so the
math lives in one engine-independent place that takes and returns pandas frames or numpy arrays.

Models and units:

- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): per customer
  ``x`` repeat purchase days, ``t_x`` days from the first to the last purchase day, ``T`` days from
  the first purchase day to the as-of date. Parameters ``r, alpha`` (alpha in days), ``a, b``.
- Gamma-Gamma (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"): ``m_x``, the mean
  value of the ``x`` repeat purchase days, for customers with ``x > 0``. Parameters ``p, q, gamma``
  (gamma in currency units).

Both likelihoods are maximised with L-BFGS-B on log-parameters with analytic gradients, on the
unique input rows weighted by their counts (identical histories have identical likelihoods), with
the special functions evaluated once per distinct x: a million customers fit in about two seconds
(benchmarks/results/clv.md). A fit that cannot be trusted never raises: it comes back with
``converged=False`` and a reason, and scoring turns that reason into null predictions with a
``prediction_status`` per customer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeResult, minimize
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from modelling.frames import float_array

BG_NBD = "bg_nbd"
GAMMA_GAMMA = "gamma_gamma"
BG_NBD_PARAMS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMS = ("p", "q", "gamma")
DEFAULT_MIN_REPEAT_CUSTOMERS = 50
DISCOUNT_STEP_DAYS = 30
"""Discounting applies one factor per step of this many days, taken at the step's midpoint."""
DAYS_PER_YEAR = 365.0
SUMMARY_COLUMNS = ("customer_id", "x", "t_x", "T", "monetary_value")
SCORE_COLUMNS = (
    "customer_id",
    "p_alive",
    "expected_purchases",
    "expected_average_order_value",
    "predicted_clv",
    "probability_no_purchase_in_window",
    "prediction_status",
)
PARAMETER_COLUMNS = (
    "model",
    "parameter",
    "value",
    "log_likelihood",
    "customer_count",
    "is_converged",
    "fit_status",
)
OK = "ok"
INVALID_FREQUENCY = "x must be a whole number >= 0, T >= 0 and 0 <= t_x <= T"
INVALID_SPEND = "monetary_value must be a positive number when x > 0"
LOG_PARAM_RANGE = np.log(1e6)
"""Log-parameters may move this far from their start; reaching the edge means the MLE is at infinity."""
GRADIENT_TOLERANCE = 1e-5
"""Largest accepted |d mean log-likelihood / d log-parameter| at the optimum."""
A_NEAR_ONE = 1e-6
"""Expected purchases divide by (a - 1); closer than this, a is moved to the edge (a removable singularity)."""

ObjectiveAndGradient = Callable[[np.ndarray], tuple[float, np.ndarray]]
Params = Sequence[float] | np.ndarray


@dataclass(frozen=True)
class FitResult:
    """One fitted model: parameters, fit quality and whether its predictions may be used."""

    model: str
    params: dict[str, float]
    log_likelihood: float
    customer_count: int
    converged: bool
    status: str

    def values(self) -> np.ndarray:
        """Parameters as an array in the model's fixed order, for the array functions below."""
        names = BG_NBD_PARAMS if self.model == BG_NBD else GAMMA_GAMMA_PARAMS
        return np.array([self.params[name] for name in names], dtype=float)


# --- Input preparation ----------------------------------------------------------------------


def summarise_purchases(purchases: pd.DataFrame, as_of_date: str | date) -> pd.DataFrame:
    """Turn purchase rows (customer_id, purchase_date, net_revenue) into the per-customer model inputs.

    A reference implementation of the inputs' definition (the warehouse computes the same in SQL):
    only purchases on or before ``as_of_date`` count, a purchase day's value is the sum of its rows,
    ``monetary_value`` is the mean value of the repeat purchase days (first day excluded), NaN if none.
    """
    as_of = pd.Timestamp(as_of_date)
    dates = pd.to_datetime(purchases["purchase_date"]).dt.normalize()
    kept = (dates <= as_of).to_numpy()
    days = pd.DataFrame(
        {
            "customer_id": purchases["customer_id"].to_numpy()[kept],
            "day": (dates[kept] - as_of).dt.days.to_numpy(),
            "value": purchases["net_revenue"].to_numpy(dtype=float)[kept],
        }
    )
    daily = days.groupby(["customer_id", "day"], sort=True, as_index=False)["value"].sum()
    grouped = daily.groupby("customer_id", sort=True)
    per_customer = grouped.agg(
        first=("day", "min"), last=("day", "max"), n_days=("day", "size"), total=("value", "sum")
    )
    first_value = grouped["value"].first().to_numpy()
    x = per_customer["n_days"].to_numpy() - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(x > 0, (per_customer["total"].to_numpy() - first_value) / x, np.nan)
    return pd.DataFrame(
        {
            "customer_id": per_customer.index.to_numpy(),
            "x": x,
            "t_x": (per_customer["last"] - per_customer["first"]).to_numpy(dtype=float),
            "T": (-per_customer["first"]).to_numpy(dtype=float),
            "monetary_value": monetary,
        }
    )


def compress_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Find the unique rows of equal-length columns, their counts and each input row's unique-row index.

    Why: the likelihood of identical inputs is identical, so fitting the unique rows weighted by
    counts gives the same optimum as fitting every customer, at a fraction of the cost.
    """
    order = np.lexsort(columns[::-1])
    ordered = [np.asarray(column)[order] for column in columns]
    repeats_previous = np.zeros(len(order), dtype=bool)
    repeats_previous[1:] = True
    for column in ordered:
        repeats_previous[1:] &= column[1:] == column[:-1]
    starts = ~repeats_previous
    group = np.cumsum(starts) - 1
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = group
    counts = np.bincount(group).astype(float)
    return [column[starts] for column in ordered], counts, inverse


# --- BG/NBD likelihood ------------------------------------------------------------------------


def _per_count(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct whole counts in x and their total weights.

    Why: the special-function terms depend on x alone, and customers share a few hundred distinct x
    values, so evaluating them once per x makes a likelihood evaluation ~1.7 times as fast.
    """
    totals = np.bincount(x.astype(np.int64), weights=w)
    present = np.flatnonzero(totals)
    return present.astype(float), totals[present]


def bg_nbd_log_likelihood_and_gradient(
    params: Params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Total weighted BG/NBD log-likelihood and its gradient in (r, alpha, a, b), computed in log space.

    ln L = ln G(r+x) - ln G(r) + r ln alpha + ln B(a, b+x) - ln B(a, b)
           + logaddexp(-(r+x) ln(alpha+T), [x>0] (ln a - ln(b+x-1) - (r+x) ln(alpha+t_x))).
    x must hold whole numbers. The first line depends on x only and is summed per distinct x; the
    two tail terms are "still alive at T" and "dropped out after the last purchase", and their
    shares of the sum weight the tail's derivatives.
    """
    r, alpha, a, b = params
    w = np.ones(len(x)) if weights is None else weights
    xs, ws = _per_count(x, w)
    count_ll = gammaln(r + xs) - gammaln(r) + r * np.log(alpha) + betaln(a, b + xs) - betaln(a, b)
    digamma_abx = digamma(a + b + xs)
    count_gradient = np.array(
        [
            digamma(r + xs) - digamma(r) + np.log(alpha),
            np.full(len(xs), r / alpha),
            digamma(a + b) - digamma_abx,
            digamma(b + xs) - digamma_abx - digamma(b) + digamma(a + b),
        ]
    )
    repeat = x > 0
    rx = r + x
    log_alive_span, log_dead_span = np.log(alpha + T), np.log(alpha + t_x)
    dead_denominator = np.where(repeat, b + x - 1, 1.0)
    log_alive = -rx * log_alive_span
    log_dead = np.where(repeat, np.log(a) - np.log(dead_denominator) - rx * log_dead_span, -np.inf)
    log_tail = np.logaddexp(log_alive, log_dead)
    alive_share, dead_share = np.exp(log_alive - log_tail), np.exp(log_dead - log_tail)
    tail_gradient = np.array(
        [
            -(alive_share * log_alive_span + dead_share * log_dead_span),
            -rx * (alive_share / (alpha + T) + dead_share / (alpha + t_x)),
            dead_share / a,
            -dead_share / dead_denominator,
        ]
    )
    return float(count_ll @ ws + log_tail @ w), count_gradient @ ws + tail_gradient @ w


def bg_nbd_log_likelihood(
    params: Params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray | None = None
) -> float:
    """Total weighted BG/NBD log-likelihood (time in days): what the fit maximises."""
    return bg_nbd_log_likelihood_and_gradient(params, x, t_x, T, weights)[0]


# --- Gamma-Gamma likelihood -------------------------------------------------------------------


def gamma_gamma_log_likelihood_and_gradient(
    params: Params, x: np.ndarray, m_x: np.ndarray, weights: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Total weighted Gamma-Gamma log-likelihood of mean spends m_x (whole x > 0) and its gradient in (p, q, gamma).

    ln f(m_x) = ln G(px+q) - ln G(px) - ln G(q) + q ln gamma + (px-1) ln m_x + px ln x - (px+q) ln(gamma + x m_x):
    x m_x is Gamma(px, nu) given the customer's nu, and nu is Gamma(q, gamma) across customers. The
    gamma-function terms depend on x only and are summed per distinct x.
    """
    p, q, gamma = params
    w = np.ones(len(x)) if weights is None else weights
    xs, ws = _per_count(x, w)
    digamma_pxq = digamma(p * xs + q)
    count_ll = gammaln(p * xs + q) - gammaln(p * xs) - gammaln(q) + q * np.log(gamma)
    count_gradient = np.array(
        [xs * (digamma_pxq - digamma(p * xs)), digamma_pxq - digamma(q) + np.log(gamma), np.full(len(xs), q / gamma)]
    )
    px = p * x
    total = x * m_x
    log_spend = np.log(gamma + total)
    row_ll = (px - 1) * np.log(m_x) + px * np.log(x) - (px + q) * log_spend
    row_gradient = np.array([x * (np.log(total) - log_spend), -log_spend, -(px + q) / (gamma + total)])
    return float(count_ll @ ws + row_ll @ w), count_gradient @ ws + row_gradient @ w


def gamma_gamma_log_likelihood(
    params: Params, x: np.ndarray, m_x: np.ndarray, weights: np.ndarray | None = None
) -> float:
    """Total weighted Gamma-Gamma log-likelihood: what the spend fit maximises."""
    return gamma_gamma_log_likelihood_and_gradient(params, x, m_x, weights)[0]


# --- Fitting ----------------------------------------------------------------------------------


def _not_fitted(model: str, customer_count: int, status: str) -> FitResult:
    """Build a result that carries only the reason no usable fit exists."""
    names = BG_NBD_PARAMS if model == BG_NBD else GAMMA_GAMMA_PARAMS
    return FitResult(model, dict.fromkeys(names, float("nan")), float("nan"), customer_count, False, status)


def _maximise(
    model: str, log_likelihood_and_gradient: ObjectiveAndGradient, start: np.ndarray, total_weight: float
) -> tuple[np.ndarray, float, str]:
    """Maximise a log-likelihood over log-parameters with L-BFGS-B; return params, LL and "ok" or a reason.

    Why log-parameters: every parameter is positive, and the optimiser then needs no lower bounds
    and takes scale-free steps. The objective is the mean log-likelihood so that tolerances do not
    depend on the number of customers. Convergence is judged on the gradient itself, because
    L-BFGS-B sometimes stops with a line-search warning exactly at the optimum.
    """
    names = BG_NBD_PARAMS if model == BG_NBD else GAMMA_GAMMA_PARAMS
    log_start = np.log(start)

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        value, gradient = log_likelihood_and_gradient(params)
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            return np.inf, np.zeros_like(log_params)
        return -value / total_weight, -gradient * params / total_weight

    bounds = list(zip(log_start - LOG_PARAM_RANGE, log_start + LOG_PARAM_RANGE, strict=True))
    result = minimize(
        objective,
        log_start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9},
    )
    params = np.exp(result.x)
    value, gradient = log_likelihood_and_gradient(params)
    return params, value, _optimum_problem(names, result, bounds, value, gradient * params / total_weight)


def _optimum_problem(
    names: Sequence[str], result: OptimizeResult, bounds: list[tuple[float, float]], value: float, slope: np.ndarray
) -> str:
    """Say why an optimiser outcome cannot be used, or "ok"; slope is d mean LL / d log-parameter there."""
    largest_slope = float(np.max(np.abs(slope)))
    if not (np.isfinite(value) and np.all(np.isfinite(result.x)) and np.isfinite(largest_slope)):
        return f"the optimiser reached non-finite values ({result.message})"
    at_bound = [
        name for name, v, (low, high) in zip(names, result.x, bounds, strict=True) if min(v - low, high - v) < 1e-3
    ]
    if at_bound:
        return (
            f"parameter(s) {', '.join(at_bound)} ran to a factor 1e6 from their start: the maximum is at "
            "infinity and the data do not identify the model"
        )
    if largest_slope > GRADIENT_TOLERANCE:
        return f"not converged after {result.nit} iterations (largest gradient {largest_slope:.2e}: {result.message})"
    return OK


def _finish(model: str, params: np.ndarray, value: float, customer_count: int, status: str) -> FitResult:
    """Package an optimiser outcome: parameters only when usable; otherwise NaN, with the values reached in the reason.

    Why NaN: a stored parameter table is read by people and programs that may not check the flag.
    """
    names = BG_NBD_PARAMS if model == BG_NBD else GAMMA_GAMMA_PARAMS
    if status != OK:
        reached = ", ".join(f"{name} = {v:.4g}" for name, v in zip(names, params, strict=True))
        return _not_fitted(model, customer_count, f"{status} (reached {reached})")
    fitted = {name: float(v) for name, v in zip(names, params, strict=True)}
    return FitResult(model, fitted, float(value), customer_count, True, OK)


def _too_few(repeaters: int, minimum: int) -> str:
    """Explain why a fit is refused for lack of repeat customers."""
    return f"only {repeaters} customers with repeat purchases (x > 0); at least {minimum} are needed"


def fit_bg_nbd(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    weights: np.ndarray | None = None,
    min_repeat_customers: int = DEFAULT_MIN_REPEAT_CUSTOMERS,
) -> FitResult:
    """Fit BG/NBD to (possibly compressed) day-unit arrays; never raises for data reasons.

    The start point matches the mean purchase rate (r = 1, alpha = mean T / mean x) with a = b = 1,
    so time units only shift log alpha and need no rescaling.
    """
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    t_x = np.where(x > 0, t_x, 0.0)
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    customers, repeaters = int(round(w.sum())), int(round(w[x > 0].sum()))
    invalid = int(np.count_nonzero(~_valid_frequency(x, t_x, T)))
    if invalid:
        return _not_fitted(BG_NBD, customers, f"{invalid} input rows are invalid: {INVALID_FREQUENCY}")
    if repeaters < max(min_repeat_customers, 1):
        return _not_fitted(BG_NBD, customers, _too_few(repeaters, min_repeat_customers))
    mean_x, mean_T = (w @ x) / w.sum(), (w @ T) / w.sum()
    start = np.array([1.0, max(mean_T, 1.0) / mean_x, 1.0, 1.0])
    params, value, status = _maximise(
        BG_NBD, lambda p: bg_nbd_log_likelihood_and_gradient(p, x, t_x, T, w), start, w.sum()
    )
    return _finish(BG_NBD, params, value, customers, status)


def fit_gamma_gamma(
    x: np.ndarray,
    m_x: np.ndarray,
    weights: np.ndarray | None = None,
    min_repeat_customers: int = DEFAULT_MIN_REPEAT_CUSTOMERS,
) -> FitResult:
    """Fit Gamma-Gamma to (possibly compressed) arrays of repeat customers (x > 0, m_x > 0).

    Refuses q <= 1, because the population mean spend p gamma / (q - 1) is then infinite. The start
    (p = q = 2, gamma = mean m_x) gives the observed mean spend, so currency units need no rescaling.
    """
    x, m_x = np.asarray(x, dtype=float), np.asarray(m_x, dtype=float)
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    customers = int(round(w.sum()))
    invalid = int(np.count_nonzero(~_valid_spend(x, m_x)))
    if invalid:
        return _not_fitted(GAMMA_GAMMA, customers, f"{invalid} input rows are invalid: {INVALID_SPEND}")
    if customers < max(min_repeat_customers, 1):
        return _not_fitted(GAMMA_GAMMA, customers, _too_few(customers, min_repeat_customers))
    start = np.array([2.0, 2.0, (w @ m_x) / w.sum()])
    params, value, status = _maximise(
        GAMMA_GAMMA, lambda p: gamma_gamma_log_likelihood_and_gradient(p, x, m_x, w), start, w.sum()
    )
    if status == OK and params[1] <= 1:
        status = "q <= 1: the Gamma-Gamma mean spend is infinite"
    return _finish(GAMMA_GAMMA, params, value, customers, status)


def _summary_arrays(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read x, t_x, T, monetary_value as float arrays; t_x is set to 0 when x = 0 (it plays no part then)."""
    missing = [column for column in SUMMARY_COLUMNS if column not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks column(s) {missing}; expected {list(SUMMARY_COLUMNS)}")
    x, t_x, T, m_x = (float_array(summary[column]) for column in ("x", "t_x", "T", "monetary_value"))
    return x, np.where(x > 0, t_x, 0.0), T, m_x


def _valid_frequency(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Rows the BG/NBD model can describe: whole x >= 0, 0 <= t_x <= T (t_x ignored when x = 0)."""
    with np.errstate(invalid="ignore"):
        whole = (x >= 0) & (np.floor(x) == x) & np.isfinite(T) & (T >= 0)
        return whole & ((x == 0) | ((t_x >= 0) & (t_x <= T)))


def _valid_spend(x: np.ndarray, m_x: np.ndarray) -> np.ndarray:
    """Mark repeat customers (whole x > 0) whose mean spend the Gamma-Gamma model can describe (finite, > 0)."""
    with np.errstate(invalid="ignore"):
        return (x > 0) & (np.floor(x) == x) & np.isfinite(m_x) & (m_x > 0)


def fit_clv_models(
    summary: pd.DataFrame, min_repeat_customers: int = DEFAULT_MIN_REPEAT_CUSTOMERS
) -> tuple[FitResult, FitResult]:
    """Fit BG/NBD and Gamma-Gamma on the per-customer summary; return (bg_nbd_fit, gamma_gamma_fit).

    Rows the models cannot describe (see ``score_customers``' statuses) are left out of the fits;
    ``customer_count`` says how many customers each fit used.
    """
    x, t_x, T, m_x = _summary_arrays(summary)
    frequency = _valid_frequency(x, t_x, T)
    (ux, ut, uT), counts, _ = compress_rows(x[frequency], t_x[frequency], T[frequency])
    bg_nbd = fit_bg_nbd(ux, ut, uT, counts, min_repeat_customers)
    spend = frequency & _valid_spend(x, m_x)
    (sx, sm), spend_counts, _ = compress_rows(x[spend], m_x[spend])
    gamma_gamma = fit_gamma_gamma(sx, sm, spend_counts, min_repeat_customers)
    return bg_nbd, gamma_gamma


def parameters_frame(fits: Sequence[FitResult]) -> pd.DataFrame:
    """One row per model parameter with its fit's quality, the shape of the parameters table."""
    rows = [
        (fit.model, name, value, fit.log_likelihood, fit.customer_count, fit.converged, fit.status)
        for fit in fits
        for name, value in fit.params.items()
    ]
    return pd.DataFrame(rows, columns=list(PARAMETER_COLUMNS))


def fits_from_parameters_frame(parameters: pd.DataFrame) -> tuple[FitResult, FitResult]:
    """Rebuild (bg_nbd_fit, gamma_gamma_fit) from ``parameters_frame`` rows, e.g. read back from the warehouse.

    Why: scoring from the stored parameters guarantees that the published fit and the scores agree.
    Extra columns are ignored; a model whose rows are missing or incomplete comes back not fitted.
    """
    missing = [column for column in PARAMETER_COLUMNS if column not in parameters.columns]
    if missing:
        raise ValueError(f"parameters lack column(s) {missing}; expected {list(PARAMETER_COLUMNS)}")
    return _fit_from_rows(parameters, BG_NBD), _fit_from_rows(parameters, GAMMA_GAMMA)


def _fit_from_rows(parameters: pd.DataFrame, model: str) -> FitResult:
    """Rebuild one model's FitResult from its rows of the parameters table."""
    names = BG_NBD_PARAMS if model == BG_NBD else GAMMA_GAMMA_PARAMS
    rows = parameters[parameters["model"] == model]
    if sorted(rows["parameter"]) != sorted(names):
        return _not_fitted(model, 0, f"the parameters table does not hold exactly one row per {model} parameter")
    values = dict(zip(rows["parameter"], float_array(rows["value"]).tolist(), strict=True))
    converged, status = bool(rows["is_converged"].iloc[0]), str(rows["fit_status"].iloc[0])
    if converged and not np.all(np.isfinite(list(values.values()))):
        converged, status = False, "the stored parameters are not finite numbers"
    return FitResult(
        model,
        {name: values[name] for name in names},
        float(float_array(rows["log_likelihood"])[0]),
        int(rows["customer_count"].iloc[0]),
        converged,
        status,
    )


# --- Predictions ------------------------------------------------------------------------------


def bg_nbd_p_alive(params: Params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """P(still alive at T | x, t_x, T); exactly 1 for x = 0 (dropout only follows a repeat purchase)."""
    r, alpha, a, b = params
    repeat = x > 0
    log_odds_dead = (
        np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    )
    return np.where(repeat, expit(-log_odds_dead), 1.0)


def bg_nbd_expected_purchases(
    params: Params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, t: float | np.ndarray
) -> np.ndarray:
    """Compute expected purchases in the next t days given the history (FHL 2005 eq. 10).

    E = P(alive) (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)], z = t/(alpha+T+t).
    Euler's transformation rewrites the product as (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), whose
    parameters no longer grow with x, so the series stays accurate for heavy buyers and long horizons.
    """
    r, alpha, a, b = params
    shift = a - 1 if abs(a - 1) >= A_NEAR_ONE else np.copysign(A_NEAR_ONE, a - 1)
    z = t / (alpha + T + t)
    c = a + b + x - 1
    tail = np.exp(shift * np.log1p(-z)) * hyp2f1(a + b - 1 - r, shift, c, z)
    expected = bg_nbd_p_alive(params, x, t_x, T) * c / shift * (1 - tail)
    return np.maximum(expected, 0.0)  # a count's expectation; only rounding (and -0.0 at t = 0) lies below


def bg_nbd_probability_no_purchase(
    params: Params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, window_days: float
) -> np.ndarray:
    """P(no purchase in the next window_days | history).

    A dead customer never buys; an alive one has a Gamma(r+x, alpha+T) rate and cannot drop out
    without buying first, so it buys nothing with probability ((alpha+T)/(alpha+T+window))^(r+x).
    """
    r, alpha, _, _ = params
    alive = bg_nbd_p_alive(params, x, t_x, T)
    silent_if_alive = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + window_days)))
    return 1 - alive + alive * silent_if_alive


def discounted_expected_purchases(
    params: Params,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    horizon_days: float,
    annual_discount_rate: float,
    step_days: float = DISCOUNT_STEP_DAYS,
) -> np.ndarray:
    """Compute expected purchases over the horizon, each step's share discounted to today.

    The horizon is cut into steps of step_days (the last may be shorter); a step's expected purchases
    E(t_k) - E(t_(k-1)) are discounted by (1 + rate)^(-midpoint / 365). A zero rate returns the
    plain cumulative expectation, so undiscounted CLV is exactly the plain product.
    """
    if annual_discount_rate == 0 or horizon_days == 0:
        return bg_nbd_expected_purchases(params, x, t_x, T, horizon_days)
    edges = np.append(np.arange(0.0, horizon_days, step_days), horizon_days)
    cumulative = np.stack([bg_nbd_expected_purchases(params, x, t_x, T, edge) for edge in edges[1:]])
    steps = np.diff(cumulative, axis=0, prepend=0.0)
    factors = (1 + annual_discount_rate) ** (-((edges[:-1] + edges[1:]) / 2) / DAYS_PER_YEAR)
    return factors @ steps


def gamma_gamma_expected_spend(params: Params, x: np.ndarray, m_x: np.ndarray) -> np.ndarray:
    """Compute the expected value of a future purchase day: p (gamma + x m_x) / (p x + q - 1).

    For x = 0 this is the population mean p gamma / (q - 1), since nothing is known about the customer.
    """
    p, q, gamma = params
    observed_total = x * np.where(x > 0, m_x, 0.0)
    return p * (gamma + observed_total) / (p * x + q - 1)


# --- Scoring ----------------------------------------------------------------------------------


HISTORY_COLUMNS = ("x", "t_x", "t", "expected_purchases", "discounted_expected_purchases")


def predict_histories(
    histories: pd.DataFrame, bg_nbd: FitResult, horizon_days: float, annual_discount_rate: float
) -> pd.DataFrame:
    """Predict purchases over the horizon, plain and discounted, for each distinct (x, t_x, t) history.

    Why per history and here: these need the Gaussian hypergeometric function (no closed form in SQL);
    customers share a few thousand histories, so one vectorised pass over them is all Python does, and
    SQL joins the result back to every customer (int_customer_values_predicted). NaN when the fit is
    not usable.
    """
    _check_scoring_arguments(horizon_days, 0, annual_discount_rate)
    x, t_x, T = (float_array(histories[column]) for column in ("x", "t_x", "t"))
    expected, discounted = np.full(len(x), np.nan), np.full(len(x), np.nan)
    if bg_nbd.converged and len(x):
        with np.errstate(all="ignore"):
            expected = bg_nbd_expected_purchases(bg_nbd.values(), x, t_x, T, horizon_days)
            discounted = discounted_expected_purchases(bg_nbd.values(), x, t_x, T, horizon_days, annual_discount_rate)
    columns = (*(histories[column].to_numpy() for column in ("x", "t_x", "t")), expected, discounted)
    return pd.DataFrame(dict(zip(HISTORY_COLUMNS, columns, strict=True)))


def _check_scoring_arguments(horizon_days: float, churn_window_days: float, annual_discount_rate: float) -> None:
    """Reject impossible settings early: they are configuration mistakes, not data problems."""
    if horizon_days < 0 or churn_window_days < 0:
        raise ValueError(f"horizon_days ({horizon_days}) and churn_window_days ({churn_window_days}) must be >= 0")
    if annual_discount_rate <= -1:
        raise ValueError(f"annual_discount_rate must be > -1, got {annual_discount_rate}")


def _frequency_predictions(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, settings: tuple[float, float, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """p_alive, expected purchases, no-purchase probability and discounted purchases, per unique history."""
    horizon_days, churn_window_days, rate = settings
    (ux, ut, uT), _, inverse = compress_rows(x, t_x, T)
    with np.errstate(all="ignore"):
        columns = (
            bg_nbd_p_alive(params, ux, ut, uT),
            bg_nbd_expected_purchases(params, ux, ut, uT, horizon_days),
            bg_nbd_probability_no_purchase(params, ux, ut, uT, churn_window_days),
            discounted_expected_purchases(params, ux, ut, uT, horizon_days, rate),
        )
    return tuple(column[inverse] for column in columns)


def score_customers(
    summary: pd.DataFrame,
    bg_nbd: FitResult,
    gamma_gamma: FitResult,
    horizon_days: int,
    churn_window_days: int,
    annual_discount_rate: float = 0.0,
) -> pd.DataFrame:
    """Score every input customer; predictions that cannot be trusted are NaN with a reason.

    ``prediction_status`` is "ok" or the first reason that applies: the BG/NBD fit is unusable or the
    row is invalid (all predictions NaN); the Gamma-Gamma fit is unusable or the customer's
    monetary value is not positive (frequency predictions kept, AOV and CLV NaN); or the numbers came
    out non-finite. ``predicted_clv`` = discounted expected purchases over ``horizon_days`` times the
    expected value of a purchase day.
    """
    _check_scoring_arguments(horizon_days, churn_window_days, annual_discount_rate)
    x, t_x, T, m_x = _summary_arrays(summary)
    n = len(summary)
    status = np.full(n, OK, dtype=object)
    p_alive, expected, no_purchase, discounted, spend = (np.full(n, np.nan) for _ in range(5))
    frequency = _valid_frequency(x, t_x, T)
    if not bg_nbd.converged:
        status[:] = f"bg_nbd not fitted: {bg_nbd.status}"
        frequency[:] = False
    else:
        status[~frequency] = f"invalid input: {INVALID_FREQUENCY}"
        settings = (horizon_days, churn_window_days, annual_discount_rate)
        rows = _frequency_predictions(bg_nbd.values(), x[frequency], t_x[frequency], T[frequency], settings)
        for target, values in zip((p_alive, expected, no_purchase, discounted), rows, strict=True):
            target[frequency] = values
    spendable = frequency & ((x == 0) | _valid_spend(x, m_x))
    if gamma_gamma.converged:
        status[frequency & ~spendable] = f"invalid input: {INVALID_SPEND}"
        spend[spendable] = gamma_gamma_expected_spend(gamma_gamma.values(), x[spendable], m_x[spendable])
    else:
        status[frequency] = f"gamma_gamma not fitted: {gamma_gamma.status}"
    clv = discounted * spend
    finite = np.isfinite(p_alive) & np.isfinite(expected) & np.isfinite(no_purchase) & np.isfinite(discounted)
    broken = frequency & ~finite
    status[broken] = "numerical failure: non-finite prediction"
    for column in (p_alive, expected, no_purchase, clv, spend):
        column[broken] = np.nan
    columns = (summary["customer_id"].to_numpy(), p_alive, expected, spend, clv, no_purchase, status.astype(str))
    return pd.DataFrame(dict(zip(SCORE_COLUMNS, columns, strict=True)))
