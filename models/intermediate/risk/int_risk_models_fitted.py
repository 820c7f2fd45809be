"""Fit the churn-risk model and the naive baseline for as_of_date and every backtest date.

Each fit learns only from snapshots whose outcome was known on its scoring date (see
modelling.risk_pipeline.training_rows), so a backtest score is what the warehouse would have said then.
The rows are int_risk_training_rows_sampled: at most risk_training_max_rows, weighted. Engine-neutral
(modelling.relations): DuckDB runs it as a dbt Python model, engines.spark_build the same file on Spark.
"""


def model(dbt, session):
    """Return one coefficient row per scoring date, model and feature."""
    from modelling.relations import to_frame
    from modelling.risk_pipeline import fit_models

    dbt.config(materialized="table")
    training = to_frame(dbt.ref("int_risk_training_rows_sampled"))
    snapshots = to_frame(dbt.ref("int_risk_snapshots_enumerated"))
    parameters = to_frame(dbt.ref("int_parameters_resolved"))
    scoring = snapshots[snapshots["is_as_of_date"] | snapshots["is_backtest_date"]]
    return fit_models(
        training,
        scoring_dates=sorted(scoring["snapshot_date"]),
        window_days=int(parameters["churn_window_days"].iloc[0]),
    )
