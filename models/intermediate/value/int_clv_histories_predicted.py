"""Expected purchases over the CLV horizon, plain and discounted, per distinct purchase history.

The only CLV quantity without a closed form (it needs the hypergeometric function), so Python
computes it, in one vectorised pass over the distinct histories; int_customer_values_predicted
joins it to every customer and computes everything else in SQL. Engine-neutral (modelling.relations):
DuckDB runs it as a dbt Python model, engines.spark_build the same file on Spark.
"""


def model(dbt, session):
    """Return x, t_x, t with expected_purchases and discounted_expected_purchases."""
    from modelling.clv import fits_from_parameters_frame, predict_histories
    from modelling.relations import to_frame

    dbt.config(materialized="table")
    bg_nbd, _ = fits_from_parameters_frame(to_frame(dbt.ref("int_clv_models_fitted")))
    return predict_histories(
        to_frame(dbt.ref("int_clv_histories_summarized"), order_by=["x", "t_x", "t"]),
        bg_nbd,
        horizon_days=int(dbt.config.get("clv_horizon_days")),
        annual_discount_rate=float(dbt.config.get("clv_annual_discount_rate")),
    )
