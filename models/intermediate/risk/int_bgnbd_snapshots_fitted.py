"""Fit BG/NBD once per risk snapshot date, on that date's compressed histories.

The rows never come here: the summary has one row per distinct (x, t_x, T) and date, read one date
at a time in a fixed order, and the fit (modelling.clv) returns one parameter row per date, which
SQL applies to every customer.
"""


def model(dbt, session):
    """Return r, alpha, a, b, convergence and status per snapshot date."""
    from modelling.risk_pipeline import fit_bg_nbd_by_snapshot

    dbt.config(materialized="table")
    summary = dbt.ref("int_bgnbd_inputs_summarized")
    dates = [row[0] for row in summary.project("snapshot_date").distinct().order("snapshot_date").fetchall()]
    histories = (
        (snapshot_date, summary.filter(f"snapshot_date = date '{snapshot_date}'").order("x, t_x, t").df())
        for snapshot_date in dates
    )
    return fit_bg_nbd_by_snapshot(histories, min_repeat_customers=int(dbt.config.get("clv_min_repeat_customers")))
