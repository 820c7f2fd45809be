"""The published CDNOW results, reproduced through the real pipeline: raw files -> dbt build -> marts.

The CDNOW 1/10th sample (2,357 customers who first bought in Q1 1997) is loaded through the raw
contract as completed orders; with as_of_date 1997-09-30 (the 39-week calibration period of
Fader, Hardie & Lee 2005) the BG/NBD fit must give r = 0.243, alpha = 4.414 weeks (30.90 days),
a = 0.793, b = 2.426, and the Gamma-Gamma fit p = 6.25, q = 3.74, gamma = 15.44, within 1%.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.warehouse import FIXTURES, Warehouse, run_dbt

pytestmark = pytest.mark.dbt

CDNOW_FILE = FIXTURES / "cdnow" / "cdnow_sample.txt"
PUBLISHED = {
    ("bg_nbd", "r"): 0.243,
    ("bg_nbd", "alpha"): 4.414 * 7,
    ("bg_nbd", "a"): 0.793,
    ("bg_nbd", "b"): 2.426,
    ("gamma_gamma", "p"): 6.25,
    ("gamma_gamma", "q"): 3.74,
    ("gamma_gamma", "gamma"): 15.44,
}


def write_cdnow_raw(cdnow_file: Path, raw_dir: Path) -> None:
    """Write the CDNOW elog as the four raw contract files (orders completed, no tickets or surveys)."""
    elog = pd.read_csv(
        cdnow_file,
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "dollars"],
        dtype={"master_id": str, "customer_id": str, "date": str},
    )
    elog["customer_id"] = "CD" + elog["customer_id"].str.zfill(4)
    elog["ordered_at"] = pd.to_datetime(elog["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d 12:00:00")
    first = elog.groupby("customer_id", as_index=False)["ordered_at"].min()
    raw_dir.mkdir(parents=True)
    pd.DataFrame(
        {
            "customer_id": first["customer_id"],
            "email": first["customer_id"].str.lower() + "@cdnow.example",
            "first_name": "CDNOW",
            "last_name": first["customer_id"],
            "birth_date": "",
            "signup_at": first["ordered_at"].str.slice(0, 10) + " 00:00:00",
            "country": "US",
            "acquisition_channel": "organic",
            "loyalty_member_since": "",
        }
    ).to_csv(raw_dir / "raw_customers.csv", index=False)
    pd.DataFrame(
        {
            "order_id": [f"CDO{i:05d}" for i in range(len(elog))],
            "customer_id": elog["customer_id"],
            "ordered_at": elog["ordered_at"],
            "status": "completed",
            "gross_amount": elog["dollars"].map("{:.2f}".format),
            "discount_amount": "0.00",
            "items_count": elog["cds"],
            "channel": "web",
        }
    ).to_csv(raw_dir / "raw_orders.csv", index=False)
    (raw_dir / "raw_support_tickets.csv").write_text(
        "ticket_id,customer_id,created_at,first_response_at,resolved_at,category,priority,channel,status\n"
    )
    (raw_dir / "raw_survey_responses.csv").write_text(
        "response_id,customer_id,responded_at,survey_type,score,ticket_id,comment\n"
    )


@pytest.fixture(scope="module")
def cdnow_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    work = tmp_path_factory.mktemp("cdnow")
    write_cdnow_raw(CDNOW_FILE, work / "raw")
    db_path = work / "warehouse.duckdb"
    run_dbt(
        ["build"],
        work / "raw",
        db_path,
        {"as_of_date": "1997-09-30"},
    )
    return Warehouse(db_path, "")


def test_cdnow_sample_has_2357_customers(cdnow_warehouse: Warehouse) -> None:
    assert cdnow_warehouse.query("select count(*) as n from marts.customer_lifetime_value")["n"][0] == 2357


@pytest.mark.parametrize(("model", "parameter"), list(PUBLISHED))
def test_published_parameters_within_one_percent(cdnow_warehouse: Warehouse, model: str, parameter: str) -> None:
    row = cdnow_warehouse.query(
        f"select * from marts.clv_model_parameters where model = '{model}' and parameter = '{parameter}'"
    ).iloc[0]
    assert row["is_converged"], row["fit_status"]
    assert row["fit_status"] == "ok"
    assert row["value"] == pytest.approx(PUBLISHED[(model, parameter)], rel=0.01)
    assert str(row["as_of_date"].date()) == "1997-09-30"


def test_fit_metadata(cdnow_warehouse: Warehouse) -> None:
    fits = cdnow_warehouse.query(
        "select model, any_value(customer_count) as customers, any_value(log_likelihood) as ll "
        "from marts.clv_model_parameters group by model order by model"
    ).set_index("model")
    assert fits.loc["bg_nbd", "customers"] == 2357
    # Gamma-Gamma is fitted on the customers with a repeat purchase day in the calibration period.
    assert fits.loc["gamma_gamma", "customers"] == 946
    assert fits["ll"].notna().all()


def test_predictions_are_complete_and_sane(cdnow_warehouse: Warehouse) -> None:
    """Every customer is predicted, and BG/NBD's one-time buyers are alive (the ranges are dbt tests)."""
    clv = cdnow_warehouse.query("select * from marts.customer_lifetime_value")
    assert (clv["prediction_status"] == "ok").all()
    assert (clv.loc[clv["repeat_purchase_days"] == 0, "p_alive"] == 1).all()


def test_sql_predictions_equal_the_python_scorer(cdnow_warehouse: Warehouse) -> None:
    """The warehouse scores in SQL (closed forms) plus expected purchases per history in Python; on every CDNOW
    customer it says what modelling.clv.score_customers says from the same fitted parameters."""
    from modelling.clv import fits_from_parameters_frame, score_customers
    from modelling.clv_warehouse import summary_from_warehouse

    inputs = cdnow_warehouse.query("select * from intermediate.int_clv_inputs_summarized")
    fits = fits_from_parameters_frame(cdnow_warehouse.query("select * from intermediate.int_clv_models_fitted"))
    expected = score_customers(summary_from_warehouse(inputs), *fits, horizon_days=365, churn_window_days=90)
    actual = cdnow_warehouse.query("select * from intermediate.int_customer_values_predicted order by customer_id")
    expected = expected.sort_values("customer_id").reset_index(drop=True)
    assert actual["customer_id"].tolist() == expected["customer_id"].tolist()
    assert actual["prediction_status"].tolist() == expected["prediction_status"].tolist()
    for column in ("p_alive", "expected_purchases", "expected_average_order_value", "predicted_clv"):
        pd.testing.assert_series_equal(actual[column], expected[column], rtol=1e-12, check_names=False)
    pd.testing.assert_series_equal(
        actual["probability_no_purchase_in_window"], expected["probability_no_purchase_in_window"], rtol=1e-12
    )
