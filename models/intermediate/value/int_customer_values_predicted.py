"""Score every customer with the fitted BG/NBD and Gamma-Gamma models.

The math lives in modelling.clv; this model reads the inputs and the fitted parameters (so the
fit and the scores cannot disagree) and returns one row per customer with a purchase.
"""


def model(dbt, session):
    """Return p_alive, expected purchases and spend, predicted CLV and a status per customer."""
    from modelling.clv import fits_from_parameters_frame, score_customers
    from modelling.clv_warehouse import summary_from_warehouse

    dbt.config(materialized="table")
    inputs = dbt.ref("int_clv_inputs_summarized").df()
    parameters = dbt.ref("int_parameters_resolved").df()
    bg_nbd, gamma_gamma = fits_from_parameters_frame(dbt.ref("int_clv_models_fitted").df())
    summary = summary_from_warehouse(inputs)
    return score_customers(
        summary,
        bg_nbd,
        gamma_gamma,
        horizon_days=int(dbt.config.get("clv_horizon_days")),
        churn_window_days=int(parameters["churn_window_days"].iloc[0]),
        annual_discount_rate=float(dbt.config.get("clv_annual_discount_rate")),
    )
