"""Customer health, the worklist, the backtest and the export on the bundled sample."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from modelling.risk import backtest_metrics
from publishing.export_worklist import EXPORT_COLUMNS, ExportExistsError, export_worklist
from tests.warehouse import Warehouse

pytestmark = pytest.mark.dbt


def test_risk_score_beats_the_baseline(sample_warehouse: Warehouse) -> None:
    backtest = sample_warehouse.query("select * from marts.risk_backtest").pivot(
        index="backtest_date", columns="scorer", values=["auc", "top_decile_lift"]
    )
    assert len(backtest) == 3
    auc_gain = backtest["auc"]["risk_score"] - backtest["auc"]["baseline_days_since_last_purchase"]
    assert (auc_gain > 0.03).all(), backtest
    assert (
        backtest["top_decile_lift"]["risk_score"] > backtest["top_decile_lift"]["baseline_days_since_last_purchase"]
    ).all()


def test_sql_auc_matches_the_python_metric(sample_warehouse: Warehouse) -> None:
    scores = sample_warehouse.query("select * from intermediate.int_risk_backtest_scores_unpivoted")
    marts = sample_warehouse.query("select * from marts.risk_backtest").set_index(["backtest_date", "scorer"])
    for (backtest_date, scorer), group in scores.groupby(["backtest_date", "scorer"]):
        metrics = backtest_metrics(group["score"].to_numpy(float), group["outcome"].to_numpy(float))
        row = marts.loc[(backtest_date, scorer)]
        assert row["auc"] == pytest.approx(metrics["auc"], abs=1e-12)
        assert row["base_rate"] == pytest.approx(metrics["base_rate"], abs=1e-12)


def test_health_population_and_worklist(sample_warehouse: Warehouse) -> None:
    health = sample_warehouse.query("select * from marts.customer_health")
    active = sample_warehouse.query(
        "select count(*) as n from marts.dim_customers where last_purchase_date > as_of_date - interval 180 day"
    )["n"][0]
    assert len(health) == active
    assert health["risk_score"].notna().all()
    assert health["reason_1"].notna().mean() > 0.9
    worklist = sample_warehouse.query("select * from marts.at_risk_customers order by worklist_rank")
    assert set(worklist["risk_tier"]) == {"high", "medium"}
    assert worklist["value_at_risk"].is_monotonic_decreasing
    assert set(worklist["action_code"]) == {"service_recovery", "recognize", "reward", "re_engage"}


def test_export_writes_once_per_as_of_date(sample_warehouse: Warehouse, tmp_path: Path) -> None:
    csv_path, parquet_path = export_worklist(sample_warehouse.path, tmp_path)
    assert csv_path.name == "at_risk_customers_2024-12-31.csv"
    csv = pd.read_csv(csv_path)
    assert tuple(csv.columns) == EXPORT_COLUMNS
    assert tuple(pd.read_parquet(parquet_path).columns) == EXPORT_COLUMNS
    assert len(csv) == sample_warehouse.query("select count(*) as n from marts.at_risk_customers")["n"][0]
    before = csv_path.read_bytes()
    with pytest.raises(ExportExistsError, match="already exists, not overwritten"):
        export_worklist(sample_warehouse.path, tmp_path)
    assert csv_path.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [csv_path.name, parquet_path.name]


def test_sql_scores_and_reasons_equal_the_python_scorer(sample_warehouse: Warehouse) -> None:
    """The warehouse scores in SQL (int_customer_risk_scored, texts from the seed); from the same features and
    coefficients, modelling.risk_pipeline.score_dates says the same for every scoring date and customer."""
    from modelling.risk_pipeline import score_dates

    features = sample_warehouse.query("select * from intermediate.int_risk_features_completed")
    coefficients = sample_warehouse.query("select * from intermediate.int_risk_models_fitted")
    as_of = sample_warehouse.query("select as_of_date from intermediate.int_parameters_resolved")["as_of_date"][0]
    expected = score_dates(features, coefficients, texts_on=as_of)
    actual = sample_warehouse.query("select * from intermediate.int_customer_risk_scored")
    keys = ["scoring_date", "customer_id"]
    expected = expected.sort_values(keys).reset_index(drop=True)
    actual = actual.sort_values(keys).reset_index(drop=True)
    assert list(actual.columns) == list(expected.columns)
    for column in actual.columns:
        if actual[column].dtype.kind == "f":
            pd.testing.assert_series_equal(actual[column], expected[column], rtol=1e-12, check_dtype=False)
        else:
            assert _values(actual[column]) == _values(expected[column]), column
    assert actual["reason_1"].notna().sum() > 1000  # texts were compared, not only nulls


def _values(column: pd.Series) -> list:
    """A column's values with every kind of null as None, so that two nulls compare equal."""
    return [None if pd.isna(value) else value for value in column]
