"""The churn-risk pipeline: BG/NBD signal per snapshot, point-in-time model fits, scores and reasons.

Why a module: the dbt Python models only read tables and call these functions, so a runner on an
engine without dbt Python models can produce the same tables. Everything here is point-in-time:
a model used on a scoring date learns only from snapshots whose outcome window (the next
window_days) had ended by that date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from modelling.clv import fit_bg_nbd
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


BG_NBD_FIT_COLUMNS = ("snapshot_date", "r", "alpha", "a", "b", "is_converged", "fit_status")


def fit_bg_nbd_by_snapshot(histories: Iterable[tuple[date, pd.DataFrame]], min_repeat_customers: int) -> pd.DataFrame:
    """Fit BG/NBD per snapshot date on compressed histories; one row of parameters per date.

    ``histories`` yields each snapshot date with its frame of x, t_x, t (days) and ``customers``
    sharing that history, ordered by (x, t_x, t) so that the fit's floating-point sums never depend
    on the engine's row order. One date at a time: at 10M customers the dates together hold tens
    of millions of distinct histories. Each fit uses every customer with a purchase by that date
    (not only the scored population), as the value marts do on as_of_date. Where a fit is not
    usable its parameters are null and the status says why.
    """
    rows = []
    for snapshot_date, frame in histories:
        x, t_x, t, customers = (frame[c].to_numpy(dtype=float) for c in ("x", "t_x", "t", "customers"))
        fit = fit_bg_nbd(x, t_x, t, weights=customers, min_repeat_customers=min_repeat_customers)
        rows.append(
            (snapshot_date, *(fit.params[name] for name in ("r", "alpha", "a", "b")), fit.converged, fit.status)
        )
    return pd.DataFrame(rows, columns=list(BG_NBD_FIT_COLUMNS))


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


def score_dates(features: pd.DataFrame, coefficients: pd.DataFrame, texts_on: pd.Timestamp) -> pd.DataFrame:
    """Score the population of every scoring date with that date's models; add reason texts on texts_on only.

    The warehouse scores in SQL (int_customer_risk_scored, texts from the seed risk_reason_templates);
    this is the independent Python reference the SQL is tested against (tests/test_risk_sample.py).
    """
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
        records = population.to_dict("records") if pd.Timestamp(scoring_date) == pd.Timestamp(texts_on) else None
        for rank in range(1, REASON_COUNT + 1):
            codes = risk[f"reason_{rank}_code"].to_numpy()
            scored[f"reason_{rank}_code"] = codes
            scored[f"reason_{rank}_contribution"] = risk[f"reason_{rank}_contribution"].to_numpy()
            texts: list[str | None] = [None] * len(population)
            if records is not None:
                texts = [describe_reason(code, row) for code, row in zip(codes, records, strict=True)]
            scored[f"reason_{rank}"] = pd.array(texts, dtype="str")
        frames.append(scored)
    return pd.concat(frames, ignore_index=True)
