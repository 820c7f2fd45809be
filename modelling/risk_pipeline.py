"""The churn-risk pipeline: BG/NBD signal per snapshot, point-in-time model fits, scores and reasons.

Why a module: the dbt Python models only read tables and call these functions, so a runner on an
engine without dbt Python models can produce the same tables. Everything here is point-in-time:
a model used on a scoring date learns only from snapshots whose outcome window (the next
window_days) had ended by that date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from modelling.clv import bg_nbd_probability_no_purchase, fit_bg_nbd
from modelling.risk import (
    FEATURES,
    REASON_COUNT,
    coefficients_frame,
    describe_reason,
    fit_risk_model,
    model_from_coefficients_frame,
    score,
)

RISK_MODEL = "risk"
BASELINE_MODEL = "baseline"
BASELINE_FEATURES: tuple[str, ...] = ("days_since_last_purchase",)
"""The naive baseline the risk score must beat: days since the last purchase alone."""
MODEL_FEATURES = {RISK_MODEL: FEATURES, BASELINE_MODEL: BASELINE_FEATURES}


def add_bgnbd_no_purchase(features: pd.DataFrame, window_days: int, min_repeat_customers: int) -> pd.DataFrame:
    """Return the population rows with `bgnbd_prob_no_purchase` added, snapshot by snapshot.

    Each snapshot's BG/NBD fit uses every customer with a purchase by that date (not only the
    scored population), as the value marts do on as_of_date; where the fit is not usable the
    column stays null and the risk model imputes it.
    """
    scored = []
    for _, snapshot in _in_stable_order(features).groupby("snapshot_date", sort=True):
        x, t_x, T = (
            snapshot[c].to_numpy(dtype=float) for c in ("repeat_purchase_days", "purchase_span_days", "tenure_days")
        )
        fit = fit_bg_nbd(x, t_x, T, min_repeat_customers=min_repeat_customers)
        probability = np.full(len(snapshot), np.nan)
        if fit.converged:
            params = tuple(fit.params[name] for name in ("r", "alpha", "a", "b"))
            probability = bg_nbd_probability_no_purchase(params, x, t_x, T, window_days)
        snapshot = snapshot.assign(bgnbd_prob_no_purchase=probability)
        scored.append(snapshot[snapshot["is_in_population"].astype(bool)])
    return pd.concat(scored, ignore_index=True)


def _in_stable_order(features: pd.DataFrame) -> pd.DataFrame:
    """Sort by snapshot and customer, so the same data always reaches a fit in the same order.

    The warehouse returns rows in no fixed order, and a fit's floating-point sums depend on it.
    """
    return features.sort_values(["snapshot_date", "customer_id"], kind="stable").reset_index(drop=True)


def training_rows(features: pd.DataFrame, scoring_date: pd.Timestamp, window_days: int) -> pd.DataFrame:
    """Select the population rows whose outcome was known on scoring_date (snapshot + window <= it)."""
    dates = pd.to_datetime(features["snapshot_date"])
    known = dates + pd.Timedelta(days=window_days) <= pd.Timestamp(scoring_date)
    return features[known & features["outcome_no_purchase"].notna()]


def fit_models(features: pd.DataFrame, scoring_dates: list[pd.Timestamp], window_days: int) -> pd.DataFrame:
    """Fit the risk model and the baseline for every scoring date; one coefficient row per feature."""
    frames = []
    features = _in_stable_order(features)
    for scoring_date in scoring_dates:
        training = training_rows(features, scoring_date, window_days)
        for name, model_features in MODEL_FEATURES.items():
            model = fit_risk_model(training, features=model_features)
            frame = coefficients_frame(model)
            frame.insert(0, "model_name", name)
            frame.insert(0, "scoring_date", pd.Timestamp(scoring_date))
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def score_dates(features: pd.DataFrame, coefficients: pd.DataFrame) -> pd.DataFrame:
    """Score the population of every scoring date with that date's models; add reason texts."""
    frames = []
    features = _in_stable_order(features)
    snapshot_dates = pd.to_datetime(features["snapshot_date"])
    for scoring_date, models in coefficients.groupby("scoring_date", sort=True):
        population = features[snapshot_dates == pd.Timestamp(scoring_date)].reset_index(drop=True)
        risk = score(model_from_coefficients_frame(models[models["model_name"] == RISK_MODEL]), population)
        baseline = score(model_from_coefficients_frame(models[models["model_name"] == BASELINE_MODEL]), population)
        scored = population[["customer_id", "outcome_no_purchase"]].copy()
        scored.insert(0, "scoring_date", pd.Timestamp(scoring_date))
        scored["risk_score"] = risk["risk_score"].to_numpy()
        scored["baseline_score"] = baseline["risk_score"].to_numpy()
        for rank in range(1, REASON_COUNT + 1):
            codes = risk[f"reason_{rank}_code"].to_numpy()
            scored[f"reason_{rank}_code"] = codes
            scored[f"reason_{rank}_contribution"] = risk[f"reason_{rank}_contribution"].to_numpy()
            texts = [describe_reason(code, row) for code, row in zip(codes, population.to_dict("records"), strict=True)]
            scored[f"reason_{rank}"] = pd.array(texts, dtype="str")
        frames.append(scored)
    return pd.concat(frames, ignore_index=True)
