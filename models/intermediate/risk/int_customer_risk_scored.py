"""Score the population of as_of_date and of every backtest date with that date's fitted models.

Adds the top three reasons (feature codes, their contribution to the logit) and, on as_of_date,
their plain-words text. Only the population rows of the scoring dates leave the engine (a few of the
snapshot dates), not every snapshot's.
"""


def model(dbt, session):
    """Return one row per scoring date and customer with risk_score, baseline_score and reasons."""
    from modelling.risk_pipeline import score_dates

    dbt.config(materialized="table")
    as_of_date = dbt.ref("int_parameters_resolved").df()["as_of_date"].iloc[0]
    coefficients = dbt.ref("int_risk_models_fitted").df()
    dates = ", ".join(f"date '{day:%Y-%m-%d}'" for day in sorted(set(coefficients["scoring_date"])))
    features = dbt.ref("int_risk_features_completed").filter(f"snapshot_date in ({dates})").df()
    return score_dates(features, coefficients, texts_on=as_of_date)
