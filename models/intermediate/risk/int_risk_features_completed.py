"""Complete the churn-risk signals with the BG/NBD probability of no purchase, snapshot by snapshot.

The math lives in modelling.risk_pipeline / modelling.clv; this model only reads and calls.
"""


def model(dbt, session):
    """Return the scored population of every snapshot with bgnbd_prob_no_purchase added."""
    from modelling.risk_pipeline import add_bgnbd_no_purchase

    dbt.config(materialized="table")
    features = dbt.ref("int_customer_features_snapshotted").df()
    parameters = dbt.ref("int_parameters_resolved").df()
    return add_bgnbd_no_purchase(
        features,
        window_days=int(parameters["churn_window_days"].iloc[0]),
        min_repeat_customers=int(dbt.config.get("clv_min_repeat_customers")),
    )
