"""Expected purchases over the CLV horizon, plain and discounted, per distinct purchase history.

The only CLV quantity without a closed form (it needs the hypergeometric function), so Python
computes it, in one vectorised pass over the distinct histories; int_customer_values_predicted
joins it to every customer and computes everything else in SQL.
"""


def model(dbt, session):
    """Return x, t_x, t with expected_purchases and discounted_expected_purchases."""
    from modelling.clv import fits_from_parameters_frame, predict_histories

    dbt.config(materialized="table")
    bg_nbd, _ = fits_from_parameters_frame(dbt.ref("int_clv_models_fitted").df())
    return predict_histories(
        dbt.ref("int_clv_histories_summarized").df(),
        bg_nbd,
        horizon_days=int(dbt.config.get("clv_horizon_days")),
        annual_discount_rate=float(dbt.config.get("clv_annual_discount_rate")),
    )
