"""BG/NBD and Gamma-Gamma math in modelling.clv: published CDNOW fits, recovery, gradients, scoring, fallbacks.

CDNOW targets are Fader, Hardie & Lee (2005) and Fader & Hardie (2013): r = 0.243, alpha = 4.414 weeks
(30.90 days), a = 0.793, b = 2.426, LL = -9582.4 in weeks; p = 6.25, q = 3.74, gamma = 15.44. The
log-likelihood in days differs from the one in weeks by -sum(x) ln 7: each of the x repeat purchase
times has a density per day that is 1/7 of its density per week (alpha^r (alpha+T)^-(r+x) picks up 7^-x).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelling import clv
from tests.warehouse import FIXTURES

CDNOW = FIXTURES / "cdnow" / "cdnow_sample.txt"
CDNOW_AS_OF = "1997-09-30"
CDNOW_BG_NBD = {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426}
CDNOW_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}
CDNOW_LL_WEEKS = -9582.4

TRUE_BG_NBD = np.array([0.5, 20.0, 0.7, 2.5])
TRUE_GAMMA_GAMMA = np.array([6.0, 4.0, 15.0])
# Relative tolerances, ~3.5 standard deviations of each estimate over 20 seeds of 20,000 customers
# (relative SDs: r 1.2%, alpha 2.0%, a 4.2%, b 5.7%; p 3.6%, q 1.6%, gamma 4.5% on ~14,400 repeaters).
BG_NBD_TOLERANCE = np.array([0.05, 0.08, 0.15, 0.20])
GAMMA_GAMMA_TOLERANCE = np.array([0.15, 0.07, 0.18])


def one(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    raw = pd.read_csv(
        CDNOW, sep=r"\s+", header=None, names=["master_id", "customer_id", "date", "cds", "value"], dtype={"date": str}
    )
    purchases = pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "purchase_date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "net_revenue": raw["value"],
        }
    )
    return clv.summarise_purchases(purchases, CDNOW_AS_OF)


@pytest.fixture(scope="module")
def cdnow_fits(cdnow_summary: pd.DataFrame) -> tuple[clv.FitResult, clv.FitResult]:
    return clv.fit_clv_models(cdnow_summary)


def simulate_bg_nbd(rng: np.random.Generator, n: int, params: np.ndarray, max_T: int) -> tuple[np.ndarray, ...]:
    """Customers with first purchases uniformly over max_T days; repeat purchases until dropout.

    Dropout comes after the K-th repeat purchase, K ~ Geometric(p); given N Poisson events in (0, T],
    the x-th event time is T times the x-th of N uniform order statistics, Beta(x, N - x + 1).
    """
    r, alpha, a, b = params
    rate, dropout = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    T = rng.integers(0, max_T + 1, n).astype(float)
    events = rng.poisson(rate * T)
    x = np.minimum(events, rng.geometric(dropout))
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), events - x + 1), 0.0)
    return x.astype(float), t_x, T


def simulate_mean_spend(rng: np.random.Generator, x: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Mean of x purchase values, each Gamma(p, nu), nu ~ Gamma(q, gamma) per customer (x > 0)."""
    p, q, gamma = params
    nu = rng.gamma(q, 1 / gamma, len(x))
    return rng.gamma(p * x, 1 / nu) / x


# --- 1. CDNOW --------------------------------------------------------------------------------


def test_cdnow_inputs_follow_the_day_conventions(cdnow_summary: pd.DataFrame) -> None:
    assert len(cdnow_summary) == 2357
    assert cdnow_summary["x"].sum() == 2457
    assert (cdnow_summary["x"] > 0).sum() == 946
    first = cdnow_summary.iloc[0]  # 1997-01-01, 01-18, 08-02: T = 272 days = 38.86 weeks, t_x = 213 = 30.43
    assert (first["x"], first["t_x"], first["T"]) == (2, 213, 272)
    assert first["monetary_value"] == pytest.approx((29.73 + 14.96) / 2)
    assert cdnow_summary.loc[cdnow_summary["x"] == 0, "monetary_value"].isna().all()


def test_cdnow_fit_matches_published_parameters(
    cdnow_summary: pd.DataFrame, cdnow_fits: tuple[clv.FitResult, clv.FitResult]
) -> None:
    bg_nbd, gamma_gamma = cdnow_fits
    assert bg_nbd.converged and bg_nbd.status == "ok" and bg_nbd.customer_count == 2357
    assert gamma_gamma.converged and gamma_gamma.status == "ok" and gamma_gamma.customer_count == 946
    for name, published in CDNOW_BG_NBD.items():
        assert bg_nbd.params[name] == pytest.approx(published, rel=0.01), name
    for name, published in CDNOW_GAMMA_GAMMA.items():
        assert gamma_gamma.params[name] == pytest.approx(published, rel=0.01), name
    in_weeks = bg_nbd.log_likelihood + cdnow_summary["x"].sum() * np.log(7)
    assert in_weeks == pytest.approx(CDNOW_LL_WEEKS, abs=0.05)


def test_cdnow_conditional_expectation_matches_the_paper(cdnow_fits: tuple[clv.FitResult, clv.FitResult]) -> None:
    # FHL 2005: x = 2, t_x = 30.43, T = 38.86 weeks expects 1.226 purchases in the next 39 weeks.
    expected = clv.bg_nbd_expected_purchases(cdnow_fits[0].values(), one(2), one(213), one(272), 39 * 7)
    assert expected[0] == pytest.approx(1.226, abs=0.001)


# --- 2. Parameter recovery -------------------------------------------------------------------


def test_parameter_recovery_from_simulated_customers() -> None:
    rng = np.random.default_rng(20240601)
    x, t_x, T = simulate_bg_nbd(rng, 20_000, TRUE_BG_NBD, max_T=730)
    bg_nbd = clv.fit_bg_nbd(x, t_x, T)
    repeat = x > 0
    gamma_gamma = clv.fit_gamma_gamma(x[repeat], simulate_mean_spend(rng, x[repeat], TRUE_GAMMA_GAMMA))
    assert bg_nbd.converged and gamma_gamma.converged
    assert np.all(np.abs(bg_nbd.values() / TRUE_BG_NBD - 1) < BG_NBD_TOLERANCE), bg_nbd.params
    assert np.all(np.abs(gamma_gamma.values() / TRUE_GAMMA_GAMMA - 1) < GAMMA_GAMMA_TOLERANCE), gamma_gamma.params


# --- 3. Gradients and compression ------------------------------------------------------------


def central_differences(function, params: np.ndarray, relative_step: float = 1e-6) -> np.ndarray:
    steps = params * relative_step
    return np.array(
        [(function(params + step) - function(params - step)) / (2 * step[i]) for i, step in enumerate(np.diag(steps))]
    )


def test_bg_nbd_gradient_matches_finite_differences(cdnow_summary: pd.DataFrame) -> None:
    x, t_x, T = (cdnow_summary[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))
    weights = np.random.default_rng(3).integers(1, 4, len(x)).astype(float)
    for params in (one(0.3, 25.0, 0.8, 2.0), one(1.7, 4.0, 3.0, 0.6)):
        _, gradient = clv.bg_nbd_log_likelihood_and_gradient(params, x, t_x, T, weights)
        numeric = central_differences(lambda p: clv.bg_nbd_log_likelihood(p, x, t_x, T, weights), params)
        np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-4)


def test_gamma_gamma_gradient_matches_finite_differences(cdnow_summary: pd.DataFrame) -> None:
    repeaters = cdnow_summary[cdnow_summary["x"] > 0]
    x, m_x = repeaters["x"].to_numpy(dtype=float), repeaters["monetary_value"].to_numpy(dtype=float)
    for params in (one(6.0, 3.5, 15.0), one(0.7, 1.2, 300.0)):
        _, gradient = clv.gamma_gamma_log_likelihood_and_gradient(params, x, m_x)
        numeric = central_differences(lambda p: clv.gamma_gamma_log_likelihood(p, x, m_x), params)
        np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-4)


def test_compressed_fit_equals_per_customer_fit(
    cdnow_summary: pd.DataFrame, cdnow_fits: tuple[clv.FitResult, clv.FitResult]
) -> None:
    x, t_x, T, m_x = (cdnow_summary[c].to_numpy(dtype=float) for c in ("x", "t_x", "T", "monetary_value"))
    (ux, ut, uT), counts, inverse = clv.compress_rows(x, t_x, T)
    assert len(ux) < len(x) / 2 and counts.sum() == len(x)
    np.testing.assert_array_equal(ux[inverse], x)
    np.testing.assert_array_equal(uT[inverse], T)
    per_customer = clv.fit_bg_nbd(x, t_x, T)
    repeat = x > 0
    per_customer_spend = clv.fit_gamma_gamma(x[repeat], m_x[repeat])
    for compressed, uncompressed in zip(cdnow_fits, (per_customer, per_customer_spend), strict=True):
        np.testing.assert_allclose(compressed.values(), uncompressed.values(), rtol=1e-5)
        assert compressed.log_likelihood == pytest.approx(uncompressed.log_likelihood, rel=1e-10)
        assert compressed.customer_count == uncompressed.customer_count


# --- 4. Scoring ------------------------------------------------------------------------------


def test_scores_are_well_formed(cdnow_summary: pd.DataFrame, cdnow_fits: tuple[clv.FitResult, clv.FitResult]) -> None:
    scores = clv.score_customers(cdnow_summary, *cdnow_fits, horizon_days=365, churn_window_days=90)
    assert list(scores.columns) == list(clv.SCORE_COLUMNS)
    assert (scores["prediction_status"] == "ok").all()
    assert scores["customer_id"].tolist() == cdnow_summary["customer_id"].tolist()
    new = (cdnow_summary["x"] == 0).to_numpy()
    assert (scores.loc[new, "p_alive"] == 1).all()
    assert scores["p_alive"].between(0, 1).all() and (scores.loc[~new, "p_alive"] < 1).all()
    assert scores["probability_no_purchase_in_window"].between(0, 1).all()
    population_mean = cdnow_fits[1].params["p"] * cdnow_fits[1].params["gamma"] / (cdnow_fits[1].params["q"] - 1)
    np.testing.assert_allclose(scores.loc[new, "expected_average_order_value"], population_mean)
    previous = np.zeros(len(scores))
    for horizon in (0, 30, 90, 365, 730):
        expected = clv.score_customers(cdnow_summary, *cdnow_fits, horizon, 90)["expected_purchases"].to_numpy()
        assert np.all(expected >= previous) and (horizon == 0 or np.all(expected > previous))
        previous = expected


def test_discounting(cdnow_summary: pd.DataFrame, cdnow_fits: tuple[clv.FitResult, clv.FitResult]) -> None:
    plain = clv.score_customers(cdnow_summary, *cdnow_fits, 365, 90, annual_discount_rate=0.0)
    discounted = clv.score_customers(cdnow_summary, *cdnow_fits, 365, 90, annual_discount_rate=0.1)
    assert (plain["predicted_clv"] == plain["expected_purchases"] * plain["expected_average_order_value"]).all()
    assert (discounted["predicted_clv"] < plain["predicted_clv"]).all()
    # Purchases spread over a year discounted at 10% lose between 0% and 10% of their value.
    ratio = discounted["predicted_clv"] / plain["predicted_clv"]
    assert ratio.between(1 / 1.1, 1).all()
    # Steps telescope: a vanishing rate gives the plain expectation.
    params = cdnow_fits[0].values()
    nearly_plain = clv.discounted_expected_purchases(params, one(2, 0), one(213, 0), one(272, 100), 365, 1e-12)
    np.testing.assert_allclose(
        nearly_plain, clv.bg_nbd_expected_purchases(params, one(2, 0), one(213, 0), one(272, 100), 365)
    )


def monte_carlo(params: np.ndarray, history: tuple[float, float, float], horizon: float, window: float):
    """Estimate P(alive), E[purchases in horizon], P(no purchase in window) by importance sampling from the prior.

    Independent of the closed forms: draws (lambda, p) from the prior, weights them by the history's
    likelihood, picks alive or dead by the two likelihood terms, then simulates the future directly
    (purchases = min(Poisson(lambda t), K), dropout after the K-th, K ~ Geometric(p)).
    """
    r, alpha, a, b = params
    x, t_x, T = history
    rng = np.random.default_rng(7)
    n = 400_000
    rate, dropout = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    log_alive = x * np.log1p(-dropout) + x * np.log(rate) - rate * T
    log_dead = np.log(dropout) + (x - 1) * np.log1p(-dropout) + x * np.log(rate) - rate * t_x if x > 0 else -np.inf
    log_total = np.logaddexp(log_alive, log_dead)
    weight = np.exp(log_total - log_total.max())
    weight /= weight.sum()
    alive_given_draw = np.exp(log_alive - log_total)
    alive = rng.random(n) < alive_given_draw
    lifetime = rng.geometric(dropout)
    purchases = np.where(alive, np.minimum(lifetime, rng.poisson(rate * horizon)), 0)
    silent = np.where(alive, np.minimum(lifetime, rng.poisson(rate * window)), 0) == 0
    return weight @ alive_given_draw, weight @ purchases, weight @ silent


@pytest.mark.parametrize("history", [(2.0, 213.0, 272.0), (7.0, 250.0, 260.0), (1.0, 10.0, 270.0), (0.0, 0.0, 100.0)])
def test_predictions_match_monte_carlo(cdnow_fits: tuple[clv.FitResult, clv.FitResult], history) -> None:
    params = cdnow_fits[0].values()
    x, t_x, T = (one(v) for v in history)
    p_alive, expected, silent = monte_carlo(params, history, horizon=273, window=90)
    assert clv.bg_nbd_p_alive(params, x, t_x, T)[0] == pytest.approx(p_alive, abs=0.01)
    assert clv.bg_nbd_expected_purchases(params, x, t_x, T, 273)[0] == pytest.approx(expected, rel=0.03)
    assert clv.bg_nbd_probability_no_purchase(params, x, t_x, T, 90)[0] == pytest.approx(silent, abs=0.01)


def test_expected_purchases_are_continuous_through_a_equal_one() -> None:
    x, t_x, T = one(0, 3), one(0, 100), one(50, 200)
    at_one = clv.bg_nbd_expected_purchases(one(0.5, 20, 1.0, 3.0), x, t_x, T, 365)
    below = clv.bg_nbd_expected_purchases(one(0.5, 20, 1 - 1e-4, 3.0), x, t_x, T, 365)
    above = clv.bg_nbd_expected_purchases(one(0.5, 20, 1 + 1e-4, 3.0), x, t_x, T, 365)
    np.testing.assert_allclose(at_one, (below + above) / 2, rtol=1e-6)


# --- 5. Fallbacks ----------------------------------------------------------------------------


def test_too_few_repeat_customers_gives_null_predictions_with_a_reason(cdnow_summary: pd.DataFrame) -> None:
    few = pd.concat([cdnow_summary[cdnow_summary["x"] > 0].head(20), cdnow_summary[cdnow_summary["x"] == 0].head(200)])
    bg_nbd, gamma_gamma = clv.fit_clv_models(few)
    for fit in (bg_nbd, gamma_gamma):
        assert not fit.converged and "only 20 customers" in fit.status and "at least 50" in fit.status
        assert all(np.isnan(v) for v in fit.params.values()) and np.isnan(fit.log_likelihood)
    scores = clv.score_customers(few, bg_nbd, gamma_gamma, 365, 90, 0.1)
    assert len(scores) == len(few)
    assert scores.drop(columns=["customer_id", "prediction_status"]).isna().all().all()
    assert (scores["prediction_status"] == f"bg_nbd not fitted: {bg_nbd.status}").all()
    parameters = clv.parameters_frame([bg_nbd, gamma_gamma])
    assert list(parameters.columns) == list(clv.PARAMETER_COLUMNS) and len(parameters) == 7
    assert not parameters["is_converged"].any() and parameters["value"].isna().all()


def test_spend_failure_keeps_frequency_predictions(cdnow_summary: pd.DataFrame) -> None:
    rng = np.random.default_rng(11)
    heavy_tailed = cdnow_summary.copy()
    repeat = heavy_tailed["x"] > 0
    x = heavy_tailed.loc[repeat, "x"].to_numpy(dtype=float)
    heavy_tailed.loc[repeat, "monetary_value"] = simulate_mean_spend(rng, x, one(6.0, 0.6, 15.0))
    bg_nbd, gamma_gamma = clv.fit_clv_models(heavy_tailed)
    assert bg_nbd.converged
    assert not gamma_gamma.converged and gamma_gamma.status.startswith("q <= 1: the Gamma-Gamma mean spend is infinite")
    assert ", q = 0.5" in gamma_gamma.status and np.isnan(gamma_gamma.values()).all()
    scores = clv.score_customers(heavy_tailed, bg_nbd, gamma_gamma, 365, 90)
    assert scores[["p_alive", "expected_purchases", "probability_no_purchase_in_window"]].notna().all().all()
    assert scores[["expected_average_order_value", "predicted_clv"]].isna().all().all()
    assert (scores["prediction_status"] == f"gamma_gamma not fitted: {gamma_gamma.status}").all()


def test_invalid_rows_are_flagged_not_scored(
    cdnow_summary: pd.DataFrame, cdnow_fits: tuple[clv.FitResult, clv.FitResult]
) -> None:
    broken = cdnow_summary.head(4).copy()
    broken.loc[0, "t_x"] = 400.0  # after T
    broken.loc[1, "monetary_value"] = -3.0  # x = 1, negative mean spend
    scores = clv.score_customers(broken, *cdnow_fits, 365, 90)
    assert scores.loc[0, "prediction_status"].startswith("invalid input: x must be")
    assert scores.iloc[0, 1:6].isna().all()
    assert scores.loc[1, "prediction_status"].startswith("invalid input: monetary_value")
    assert np.isfinite(scores.loc[1, "p_alive"]) and np.isnan(scores.loc[1, "predicted_clv"])
    assert (scores.loc[2:, "prediction_status"] == "ok").all()
    assert clv.fit_clv_models(broken, min_repeat_customers=1)[0].customer_count == 3
    assert "invalid" in clv.fit_bg_nbd(one(1, 2), one(5, 9), one(4, 10), min_repeat_customers=1).status


def test_unidentified_model_is_not_converged() -> None:
    # Pure Poisson buyers who never drop out: the MLE sends a to 0 (or b to infinity).
    rng = np.random.default_rng(5)
    T = rng.integers(30, 700, 5_000).astype(float)
    events = rng.poisson(0.05 * T)
    t_x = np.where(events > 0, T * rng.beta(np.maximum(events, 1), 1), 0.0)
    fit = clv.fit_bg_nbd(events.astype(float), t_x, T)
    assert not fit.converged and "ran to a factor 1e6" in fit.status and "(reached r = " in fit.status
    assert np.isnan(fit.values()).all() and np.isnan(fit.log_likelihood)


# --- Parameters table round trip -------------------------------------------------------------


def test_fits_survive_a_round_trip_through_the_warehouse(
    cdnow_summary: pd.DataFrame, cdnow_fits: tuple[clv.FitResult, clv.FitResult]
) -> None:
    import duckdb

    not_fitted = clv.fit_clv_models(cdnow_summary.head(30))[1]
    for fits in (cdnow_fits, (cdnow_fits[0], not_fitted)):
        frame = clv.parameters_frame(fits)
        frame["as_of_date"] = pd.Timestamp(CDNOW_AS_OF)
        with duckdb.connect() as con:
            con.execute("create table parameters as select * from frame")
            stored = con.execute("select * from parameters order by parameter desc").df()
        rebuilt = clv.fits_from_parameters_frame(stored)
        for original, copy in zip(fits, rebuilt, strict=True):
            assert (copy.model, copy.converged, copy.status) == (original.model, original.converged, original.status)
            assert copy.customer_count == original.customer_count
            np.testing.assert_array_equal(copy.values(), original.values())
            assert copy.log_likelihood == original.log_likelihood or np.isnan(original.log_likelihood)
    missing = clv.fits_from_parameters_frame(clv.parameters_frame(cdnow_fits[:1]))[1]
    assert not missing.converged and "one row per gamma_gamma parameter" in missing.status
