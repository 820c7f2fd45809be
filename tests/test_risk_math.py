"""Churn-risk math in modelling.risk: recovery, gradient, reasons and their texts, backtest metrics, fallbacks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu

from modelling import risk

# Standardised-scale coefficients used to simulate outcomes. Over 20 seeds of 20,000 rows the estimates' SDs
# were 0.014-0.030 (largest for the correlated recency features), largest error 0.073: 0.1 is > 3 SDs for all.
TRUE_INTERCEPT = -0.3
TRUE_COEFFICIENTS = {
    "bgnbd_prob_no_purchase": 0.8,
    "recency_ratio": 0.6,
    "days_since_last_purchase": 0.3,
    "frequency_trend": -0.5,
    "recent_returns_count": 0.2,
    "recent_failed_payments_count": 0.25,
    "open_tickets_count": 0.4,
    "recent_tickets_count": 0.1,
    "overdue_open_tickets_count": 0.3,
    "is_nps_detractor": 0.35,
    "is_csat_low": 0.15,
    "is_loyalty_member": -0.45,
    "tenure_days": -0.2,
}
TOLERANCE = 0.1


def simulate_inputs(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Raw input columns with realistic ranges; recency ratio follows from the days and the usual gap."""
    usual_gap = rng.gamma(2.0, 15.0, n).round()
    days = rng.integers(0, 400, n)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:06d}" for i in range(n)],
            "bgnbd_prob_no_purchase": rng.uniform(0, 1, n),
            "recency_ratio": days / (usual_gap + 1),
            "days_since_last_purchase": days,
            "usual_gap_days": usual_gap,
            "recent_purchases_count": rng.poisson(2.0, n),
            "prior_purchases_count": rng.poisson(2.0, n),
            "recent_returns_count": rng.poisson(0.3, n),
            "recent_failed_payments_count": rng.poisson(0.2, n),
            "open_tickets_count": rng.poisson(0.5, n),
            "recent_tickets_count": rng.poisson(1.0, n),
            "overdue_open_tickets_count": rng.poisson(0.2, n),
            "is_nps_detractor": rng.binomial(1, 0.2, n),
            "is_csat_low": rng.binomial(1, 0.15, n),
            "is_loyalty_member": rng.binomial(1, 0.4, n),
            "tenure_days": rng.integers(1, 2000, n),
        }
    )


def simulate_training(seed: int, n: int) -> pd.DataFrame:
    """Inputs plus outcomes drawn from the true coefficients on the sample-standardised features."""
    rng = np.random.default_rng(seed)
    frame = simulate_inputs(rng, n)
    matrix = risk.model_matrix(frame)
    z = (matrix - matrix.mean(axis=0)) / matrix.std(axis=0)
    eta = TRUE_INTERCEPT + z @ np.array([TRUE_COEFFICIENTS[name] for name in risk.FEATURES])
    frame[risk.OUTCOME] = rng.binomial(1, 1 / (1 + np.exp(-eta)))
    return frame


@pytest.fixture(scope="module")
def training() -> pd.DataFrame:
    return simulate_training(seed=7, n=20_000)


@pytest.fixture(scope="module")
def model(training: pd.DataFrame) -> risk.RiskModel:
    return risk.fit_risk_model(training)


def zero_model(**coefficients: float) -> risk.RiskModel:
    """A hand-made model with means 0 and scales 1, so that z is the transformed raw value itself."""
    return risk.RiskModel(
        features=risk.FEATURES,
        means=dict.fromkeys(risk.FEATURES, 0.0),
        scales=dict.fromkeys(risk.FEATURES, 1.0),
        intercept=0.0,
        coefficients={name: coefficients.get(name, 0.0) for name in risk.FEATURES},
        training_rows=1000,
        positive_rate=0.5,
        converged=True,
        status="ok",
    )


def zero_customer(**values: float) -> pd.DataFrame:
    """One customer whose transformed features are all 0 except the given raw values."""
    row = dict.fromkeys(risk.INPUT_COLUMNS, 0.0) | values
    return pd.DataFrame([{"customer_id": "C1", **row}])


# --- Features and fit -----------------------------------------------------------------------------


def test_model_matrix_transforms_documented_columns() -> None:
    frame = zero_customer(
        recency_ratio=2.0,
        days_since_last_purchase=np.e - 1,
        tenure_days=-5.0,
        recent_purchases_count=1,
        prior_purchases_count=5,
        open_tickets_count=3,
    )
    frame.loc[0, "bgnbd_prob_no_purchase"] = None
    row = dict(zip(risk.FEATURES, risk.model_matrix(frame)[0], strict=True))
    assert row["recency_ratio"] == pytest.approx(np.log(3.0))
    assert row["days_since_last_purchase"] == pytest.approx(1.0)
    assert row["tenure_days"] == 0.0  # impossible negative values read as 0
    assert row["frequency_trend"] == pytest.approx(np.log(2 / 6))
    assert row["open_tickets_count"] == 3.0
    assert np.isnan(row["bgnbd_prob_no_purchase"])


def test_missing_input_column_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="tenure_days"):
        risk.model_matrix(zero_customer().drop(columns="tenure_days"))


def test_recovers_known_coefficients(model: risk.RiskModel) -> None:
    assert model.converged, model.status
    assert model.status == "ok"
    assert model.training_rows == 20_000
    assert model.intercept == pytest.approx(TRUE_INTERCEPT, abs=TOLERANCE)
    for name, true in TRUE_COEFFICIENTS.items():
        assert model.coefficients[name] == pytest.approx(true, abs=TOLERANCE), name


def test_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(3)
    z = rng.normal(size=(300, 4))
    y = rng.binomial(1, 0.4, 300).astype(float)
    weights = rng.uniform(0.5, 2.0, 300)
    params = np.array([0.2, -0.7, 1.1, 0.05, -2.0])
    _, gradient = risk.penalised_loss_and_gradient(params, z, y, weights, 3.0)
    step = 1e-6
    numeric = [
        (
            risk.penalised_loss_and_gradient(params + step * unit, z, y, weights, 3.0)[0]
            - risk.penalised_loss_and_gradient(params - step * unit, z, y, weights, 3.0)[0]
        )
        / (2 * step)
        for unit in np.eye(len(params))
    ]
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-9)


def test_weights_act_as_repeated_rows(training: pd.DataFrame) -> None:
    subset = training.iloc[:2_000]
    doubled = risk.fit_risk_model(pd.concat([subset, subset.iloc[:500]]))
    weighted = risk.fit_risk_model(subset.assign(sample_weight=[2.0] * 500 + [1.0] * 1_500))
    assert doubled.converged and weighted.converged
    assert weighted.intercept == pytest.approx(doubled.intercept, abs=1e-5)
    for name in risk.FEATURES:
        assert weighted.coefficients[name] == pytest.approx(doubled.coefficients[name], abs=1e-5)
        assert weighted.means[name] == pytest.approx(doubled.means[name], rel=1e-9)


def test_rows_without_outcome_are_left_out(training: pd.DataFrame) -> None:
    subset = training.iloc[:1_000].copy()
    subset[risk.OUTCOME] = subset[risk.OUTCOME].astype(float)
    subset.loc[subset.index[:100], risk.OUTCOME] = np.nan
    fitted = risk.fit_risk_model(subset)
    assert fitted.converged
    assert fitted.training_rows == 900


@pytest.mark.parametrize(
    ("rows", "positives", "reason"),
    [
        (150, 75, "only 150 training rows"),
        (500, 0, "0 rows without and 500 with a purchase"),
        (500, 500, "500 rows without and 0 with a purchase"),
        (500, 19, "at least 20 of each"),
    ],
)
def test_too_little_data_gives_an_unusable_model_and_null_scores(
    training: pd.DataFrame, rows: int, positives: int, reason: str
) -> None:
    subset = training.iloc[:rows].copy()
    subset[risk.OUTCOME] = [1] * positives + [0] * (rows - positives)
    fitted = risk.fit_risk_model(subset)
    assert not fitted.converged
    assert reason in fitted.status
    assert fitted.training_rows == rows
    assert np.isnan(fitted.intercept)
    scores = risk.score(fitted, subset)
    assert list(scores.columns) == list(risk.SCORE_COLUMNS)
    assert len(scores) == rows
    assert scores["risk_score"].isna().all()
    assert scores["reason_1_code"].isna().all()
    assert scores["reason_3_contribution"].isna().all()


def test_invalid_outcomes_and_weights_give_an_unusable_model(training: pd.DataFrame) -> None:
    subset = training.iloc[:500].copy()
    assert "0 or 1" in risk.fit_risk_model(subset.assign(outcome_no_purchase=2)).status
    assert "sample_weight" in risk.fit_risk_model(subset.assign(sample_weight=-1.0)).status


def test_constant_and_empty_features_get_zero_weight(training: pd.DataFrame) -> None:
    subset = training.iloc[:2_000].assign(is_csat_low=0, bgnbd_prob_no_purchase=np.nan)
    fitted = risk.fit_risk_model(subset)
    assert fitted.converged
    assert fitted.coefficients["is_csat_low"] == 0.0
    assert fitted.coefficients["bgnbd_prob_no_purchase"] == 0.0
    assert fitted.scales["is_csat_low"] == 1.0
    assert fitted.means["bgnbd_prob_no_purchase"] == 0.0
    scores = risk.score(fitted, subset.iloc[:5].assign(is_csat_low=1, bgnbd_prob_no_purchase=0.9))
    assert scores["risk_score"].notna().all()
    assert not scores.filter(like="_code").isin(["is_csat_low", "bgnbd_prob_no_purchase"]).any().any()


def test_a_feature_subset_makes_a_baseline_model(training: pd.DataFrame) -> None:
    baseline = risk.fit_risk_model(training, features=["days_since_last_purchase"])
    assert baseline.converged and baseline.features == ("days_since_last_purchase",)
    assert set(baseline.coefficients) == {"days_since_last_purchase"}
    assert baseline.coefficients["days_since_last_purchase"] > 0
    assert risk.model_from_coefficients_frame(risk.coefficients_frame(baseline)) == baseline
    scores = risk.score(baseline, training.iloc[:200])
    assert set(scores["reason_1_code"].dropna()) == {"days_since_last_purchase"}
    assert scores[["reason_2_code", "reason_3_code"]].isna().all().all()
    pair = risk.fit_risk_model(training.iloc[:2_000], features=("tenure_days", "open_tickets_count"))
    assert pair.features == ("open_tickets_count", "tenure_days")  # always in FEATURES order
    unusable = risk.fit_risk_model(training.iloc[:10], features=("tenure_days",))
    assert not unusable.converged and unusable.features == ("tenure_days",)
    assert risk.score(unusable, training.iloc[:3])["risk_score"].isna().all()
    for bad in (("shoe_size",), (), ("tenure_days", "tenure_days")):
        with pytest.raises(ValueError, match="features must be"):
            risk.fit_risk_model(training, features=bad)


# --- Scores and reasons ---------------------------------------------------------------------------


def test_scores_are_probabilities_and_rank_like_outcomes(model: risk.RiskModel) -> None:
    fresh = simulate_training(seed=8, n=5_000)
    scores = risk.score(model, fresh.assign(extra_column="ignored"))
    assert list(scores.columns) == list(risk.SCORE_COLUMNS)
    assert scores["customer_id"].tolist() == fresh["customer_id"].tolist()
    assert scores["risk_score"].between(0, 1).all()
    metrics = risk.backtest_metrics(scores["risk_score"].to_numpy(), fresh[risk.OUTCOME].to_numpy())
    assert metrics["auc"] > 0.75
    assert metrics["top_decile_lift"] > 1.5


def test_top_reason_is_the_extreme_feature(model: risk.RiskModel, training: pd.DataFrame) -> None:
    typical = training.iloc[[0, 1]].copy()
    typical["open_tickets_count"] = [25, 0]
    typical["is_loyalty_member"] = [1, 0]
    scores = risk.score(model, typical)
    assert scores.loc[0, "reason_1_code"] == "open_tickets_count"
    expected = model.coefficients["open_tickets_count"] * (25 - model.means["open_tickets_count"])
    assert scores.loc[0, "reason_1_contribution"] == pytest.approx(expected / model.scales["open_tickets_count"])
    assert scores.loc[0, "reason_1_contribution"] > scores.loc[0, "reason_2_contribution"]
    assert "is_loyalty_member" not in scores.loc[0].tolist()  # a member's lower risk is never a reason
    assert scores.loc[1, "risk_score"] < scores.loc[0, "risk_score"]


def test_fewer_than_three_positive_contributions_leave_null_codes() -> None:
    model = zero_model(open_tickets_count=0.5, recent_returns_count=1.0, is_loyalty_member=-2.0)
    scores = risk.score(model, zero_customer(open_tickets_count=3, recent_returns_count=1, is_loyalty_member=1))
    row = scores.iloc[0]
    assert row["risk_score"] == pytest.approx(1 / (1 + np.exp(-(1.5 + 1.0 - 2.0))))
    assert (row["reason_1_code"], row["reason_1_contribution"]) == ("open_tickets_count", pytest.approx(1.5))
    assert (row["reason_2_code"], row["reason_2_contribution"]) == ("recent_returns_count", pytest.approx(1.0))
    assert pd.isna(row["reason_3_code"]) and np.isnan(row["reason_3_contribution"])


def test_an_average_customer_has_no_reasons_and_missing_values_add_nothing() -> None:
    model = zero_model(open_tickets_count=0.5, tenure_days=-1.0)
    customer = zero_customer()
    customer["tenure_days"] = None  # imputed at the training mean: z = 0
    row = risk.score(model, customer).iloc[0]
    assert row["risk_score"] == pytest.approx(0.5)
    assert row[["reason_1_code", "reason_2_code", "reason_3_code"]].isna().all()


def test_equal_contributions_follow_feature_order() -> None:
    model = zero_model(open_tickets_count=1.0, recent_returns_count=1.0, is_csat_low=1.0, is_nps_detractor=1.0)
    customer = zero_customer(open_tickets_count=1, recent_returns_count=1, is_csat_low=1, is_nps_detractor=1)
    row = risk.score(model, customer).iloc[0]
    assert [row["reason_1_code"], row["reason_2_code"], row["reason_3_code"]] == [
        "recent_returns_count",
        "open_tickets_count",
        "is_nps_detractor",
    ]


def test_empty_input_scores_to_an_empty_frame(model: risk.RiskModel) -> None:
    scores = risk.score(model, zero_customer().iloc[:0])
    assert list(scores.columns) == list(risk.SCORE_COLUMNS) and scores.empty


# --- Storage --------------------------------------------------------------------------------------


def test_coefficients_frame_round_trip(model: risk.RiskModel) -> None:
    frame = risk.coefficients_frame(model)
    assert list(frame.columns) == list(risk.COEFFICIENT_COLUMNS)
    assert frame["feature"].tolist() == ["intercept", *risk.FEATURES]
    assert frame.loc[0, ["mean", "scale"]].isna().all()
    assert frame["is_converged"].all() and (frame["training_rows"] == 20_000).all()
    shuffled = frame.sample(frac=1.0, random_state=1).assign(as_of_date=date(2024, 10, 31))
    assert risk.model_from_coefficients_frame(shuffled) == model


def test_unusable_model_round_trips_with_its_reason() -> None:
    unusable = risk.fit_risk_model(zero_customer().assign(outcome_no_purchase=1))
    rebuilt = risk.model_from_coefficients_frame(risk.coefficients_frame(unusable))
    assert not rebuilt.converged
    assert rebuilt.status == unusable.status
    assert rebuilt.training_rows == 1


def test_stored_tables_that_do_not_fit_this_module_are_unusable(model: risk.RiskModel) -> None:
    frame = risk.coefficients_frame(model)
    for wrong in (frame.iloc[1:], pd.concat([frame, frame.iloc[[3]]]), frame.replace("tenure_days", "shoe_size")):
        assert "does not match FEATURES" in risk.model_from_coefficients_frame(wrong).status
    assert risk.model_from_coefficients_frame(frame.iloc[:0]).status == "the coefficients table is empty"
    broken = frame.assign(coefficient=frame["coefficient"].where(frame["feature"] != "tenure_days"))
    assert not risk.model_from_coefficients_frame(broken).converged
    with pytest.raises(ValueError, match="model_status"):
        risk.model_from_coefficients_frame(frame.drop(columns="model_status"))
    with pytest.raises(ValueError, match="features"):
        risk.score(replace(model, features=("shoe_size",)), zero_customer())


# --- Reason texts ---------------------------------------------------------------------------------

FULL_ROW = {
    "bgnbd_prob_no_purchase": 0.834,
    "churn_window_days": 90,
    "recency_ratio": 64 / 22,
    "days_since_last_purchase": 64,
    "usual_gap_days": 21.0,
    "recent_purchases_count": 1,
    "prior_purchases_count": 6,
    "recent_returns_count": 1,
    "recent_failed_payments_count": 1,
    "open_tickets_count": 2,
    "recent_tickets_count": 3,
    "overdue_open_tickets_count": 1,
    "is_nps_detractor": 1,
    "latest_nps_date": "2024-10-02",
    "latest_nps_score": 3,
    "is_csat_low": 1,
    "latest_csat_date": date(2024, 10, 5),
    "latest_csat_score": 2.0,
    "is_loyalty_member": 0,
    "tenure_days": 40,
}


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("bgnbd_prob_no_purchase", "BG/NBD: 83% chance of no purchase in 90 days"),
        ("recency_ratio", "no purchase for 64 days, usually every 21"),
        ("days_since_last_purchase", "last purchase 64 days ago"),
        ("frequency_trend", "purchases down from 6 to 1 in the last 90 days"),
        ("recent_returns_count", "1 return in the last 90 days"),
        ("recent_failed_payments_count", "1 failed payment in the last 90 days"),
        ("open_tickets_count", "2 unresolved tickets"),
        ("recent_tickets_count", "3 support tickets in the last 90 days"),
        ("overdue_open_tickets_count", "1 overdue open ticket"),
        ("is_nps_detractor", "NPS detractor on 2024-10-02"),
        ("is_csat_low", "CSAT 2 on 2024-10-05"),
        ("is_loyalty_member", "not a loyalty member"),
        ("tenure_days", "customer for 40 days"),
    ],
)
def test_reason_texts(code: str, text: str) -> None:
    assert risk.describe_reason(code, FULL_ROW) == text
    assert risk.describe_reason(code, pd.Series(FULL_ROW)) == text


def test_every_code_has_a_template_and_a_text_when_values_are_missing() -> None:
    assert set(risk.REASON_TEMPLATES) == set(risk.FEATURES)
    for empty in ({}, dict.fromkeys(FULL_ROW, None), dict.fromkeys(FULL_ROW, np.nan), dict.fromkeys(FULL_ROW, pd.NA)):
        for code in risk.FEATURES:
            text = risk.describe_reason(code, empty)
            assert isinstance(text, str) and text and "{" not in text and "nan" not in text.lower(), (code, text)


@pytest.mark.parametrize(
    ("code", "changes", "text"),
    [
        (
            "bgnbd_prob_no_purchase",
            {"churn_window_days": None},
            "BG/NBD: 83% chance of no purchase in the churn window",
        ),
        ("bgnbd_prob_no_purchase", {"bgnbd_prob_no_purchase": np.nan}, "no BG/NBD prediction"),
        ("recency_ratio", {"usual_gap_days": None}, "no purchase for 64 days"),
        ("recency_ratio", {"days_since_last_purchase": None}, "no purchase date known"),
        ("days_since_last_purchase", {"days_since_last_purchase": 64.4}, "last purchase 64 days ago"),
        ("frequency_trend", {"recent_purchases_count": 7}, "purchases up from 6 to 7 in the last 90 days"),
        ("frequency_trend", {"recent_purchases_count": 6.0}, "purchases steady at 6 per 90 days"),
        ("frequency_trend", {"prior_purchases_count": None}, "purchase trend unknown"),
        ("recent_returns_count", {"recent_returns_count": 0}, "0 returns in the last 90 days"),
        ("open_tickets_count", {"open_tickets_count": 1.0}, "1 unresolved ticket"),
        ("open_tickets_count", {"open_tickets_count": pd.NA}, "number of unresolved tickets unknown"),
        ("is_nps_detractor", {"latest_nps_date": datetime(2024, 10, 2, 13, 5)}, "NPS detractor on 2024-10-02"),
        ("is_nps_detractor", {"latest_nps_date": pd.Timestamp("2024-10-02")}, "NPS detractor on 2024-10-02"),
        ("is_nps_detractor", {"latest_nps_date": pd.NaT}, "NPS detractor"),
        ("is_nps_detractor", {"is_nps_detractor": 0, "latest_nps_score": 9}, "latest NPS 9 on 2024-10-02"),
        ("is_nps_detractor", {"is_nps_detractor": None, "latest_nps_score": None}, "no NPS answer"),
        ("is_csat_low", {"latest_csat_date": "2024-10-05T08:00:00"}, "CSAT 2 on 2024-10-05"),
        ("is_csat_low", {"latest_csat_date": "soon"}, "CSAT 2 on soon"),
        ("is_csat_low", {"latest_csat_date": None}, "CSAT 2"),
        ("is_csat_low", {"latest_csat_score": None}, "low CSAT"),
        ("is_csat_low", {"is_csat_low": 0, "latest_csat_score": None}, "no CSAT answer"),
        ("is_loyalty_member", {"is_loyalty_member": True}, "loyalty member"),
        ("tenure_days", {"tenure_days": None}, "tenure days unknown"),
    ],
)
def test_reason_text_variants(code: str, changes: dict[str, object], text: str) -> None:
    assert risk.describe_reason(code, FULL_ROW | changes) == text


def test_null_and_unknown_codes() -> None:
    assert risk.describe_reason(None, FULL_ROW) is None
    assert risk.describe_reason(np.nan, FULL_ROW) is None
    with pytest.raises(ValueError, match="unknown reason code"):
        risk.describe_reason("shoe_size", FULL_ROW)


# --- Backtest metrics -----------------------------------------------------------------------------


def test_auc_of_perfect_reversed_and_tied_rankings() -> None:
    outcomes = np.array([0, 0, 0, 1, 1])
    scores = np.array([0.1, 0.2, 0.3, 0.8, 0.9])
    assert risk.backtest_metrics(scores, outcomes)["auc"] == 1.0
    assert risk.backtest_metrics(-scores, outcomes)["auc"] == 0.0
    assert risk.backtest_metrics(np.full(5, 0.4), outcomes)["auc"] == 0.5
    # Pairs (positive, negative): 0.8 beats 0.1, 0.3; ties 0.8; 0.2 loses to 0.3 and 0.8, beats 0.1 -> 3.5 / 6.
    assert risk.backtest_metrics(np.array([0.1, 0.8, 0.3, 0.8, 0.2]), outcomes)["auc"] == pytest.approx(3.5 / 6)


def test_auc_matches_scipy_mann_whitney_with_many_ties() -> None:
    rng = np.random.default_rng(5)
    scores = rng.integers(0, 8, 500) / 8
    outcomes = rng.binomial(1, 0.2 + 0.6 * scores)
    statistic = mannwhitneyu(scores[outcomes == 1], scores[outcomes == 0]).statistic
    expected = statistic / (outcomes.sum() * (500 - outcomes.sum()))
    assert risk.backtest_metrics(scores, outcomes)["auc"] == pytest.approx(expected, rel=1e-12)


def test_top_decile_precision_lift_and_brier_by_hand() -> None:
    # 20 customers, 5 positives (base rate 0.25); top decile = the 2 highest scores: one positive, one not.
    scores = np.linspace(0.0, 0.95, 20)
    outcomes = np.zeros(20)
    outcomes[[0, 5, 10, 15, 19]] = 1
    metrics = risk.backtest_metrics(scores, outcomes)
    assert metrics["base_rate"] == 0.25
    assert metrics["top_decile_precision"] == 0.5
    assert metrics["top_decile_lift"] == 2.0
    assert metrics["brier"] == pytest.approx(np.mean((scores - outcomes) ** 2))
    assert set(metrics) == {"auc", "top_decile_precision", "base_rate", "top_decile_lift", "brier"}


def test_top_decile_ties_share_their_outcomes_whatever_the_row_order() -> None:
    # The 2 top-decile places go to 0.9 (positive) and one of the three 0.8s (one positive of three): 1 + 1/3.
    scores = np.array([0.9, 0.8, 0.8, 0.8, *np.linspace(0.1, 0.5, 16)])
    outcomes = np.array([1, 0, 1, 0, *np.zeros(16)])
    expected = (1 + 1 / 3) / 2
    assert risk.backtest_metrics(scores, outcomes)["top_decile_precision"] == pytest.approx(expected)
    order = np.random.default_rng(0).permutation(20)
    assert risk.backtest_metrics(scores[order], outcomes[order])["top_decile_precision"] == pytest.approx(expected)
    assert risk.backtest_metrics(np.full(20, 0.3), outcomes)["top_decile_lift"] == pytest.approx(1.0)


def test_missing_pairs_are_left_out_and_undefined_metrics_are_nan() -> None:
    metrics = risk.backtest_metrics(np.array([0.2, np.nan, 0.9]), np.array([0, 1, np.nan]))
    assert metrics["base_rate"] == 0.0 and metrics["brier"] == pytest.approx(0.04)
    assert np.isnan(metrics["auc"]) and np.isnan(metrics["top_decile_precision"])
    assert np.isnan(metrics["top_decile_lift"])


def test_calibration_by_decile_by_hand() -> None:
    # 20 customers, 2 per decile; decile d holds scores (d - 1) / 10 and (d - 1) / 10 + 0.05.
    scores = np.repeat(np.arange(10) / 10, 2) + np.tile([0.0, 0.05], 10)
    outcomes = np.tile([1, 0], 10)
    outcomes[18:] = 1
    table = risk.calibration_by_decile(scores[::-1], outcomes[::-1])
    assert table.columns.tolist() == ["score_decile", "customers", "mean_predicted", "actual_rate"]
    assert table["score_decile"].tolist() == list(range(1, 11))
    assert table["customers"].tolist() == [2] * 10
    np.testing.assert_allclose(table["mean_predicted"], np.arange(10) / 10 + 0.025)
    np.testing.assert_allclose(table["actual_rate"], [0.5] * 9 + [1.0])


def test_calibration_with_uneven_deciles_and_ties() -> None:
    # 12 customers: ranks 0-1 -> decile 1 (floor(10 r / 12) = 0), rank 11 -> decile 10; equal scores share outcomes.
    scores = np.array([0.0, 0.0, *np.linspace(0.1, 0.9, 10)])
    outcomes = np.array([1, 0, *np.zeros(10)])
    table = risk.calibration_by_decile(scores, outcomes)
    assert table["customers"].sum() == 12
    assert table.loc[table["score_decile"] == 1, "customers"].item() == 2
    assert table.loc[table["score_decile"] == 1, "actual_rate"].item() == 0.5
    assert table.loc[table["score_decile"] == 10, "customers"].item() == 1
