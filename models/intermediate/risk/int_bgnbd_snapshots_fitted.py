"""Fit BG/NBD once per risk snapshot date, on that date's compressed histories.

The rows never come here: the summary has one row per distinct (x, t_x, T) and date, read one date
at a time in a fixed order, and the fit (modelling.clv) returns one parameter row per date, which
SQL applies to every customer. Engine-neutral (modelling.relations): DuckDB runs it as a dbt Python
model, engines.spark_build runs the same file on Spark.
"""


def model(dbt, session):
    """Return r, alpha, a, b, convergence and status per snapshot date."""
    from modelling.relations import frames_by
    from modelling.risk_pipeline import fit_bg_nbd_by_snapshot

    dbt.config(materialized="table")
    histories = frames_by(dbt.ref("int_bgnbd_inputs_summarized"), "snapshot_date", order_by=["x", "t_x", "t"])
    return fit_bg_nbd_by_snapshot(histories, min_repeat_customers=int(dbt.config.get("clv_min_repeat_customers")))
