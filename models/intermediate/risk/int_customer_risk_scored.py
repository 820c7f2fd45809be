"""Score the population of as_of_date and of every backtest date with that date's fitted models.

Adds the top three reasons (feature codes, their contribution to the logit, and plain-words text).
"""


def model(dbt, session):
    """Return one row per scoring date and customer with risk_score, baseline_score and reasons."""
    from modelling.risk_pipeline import score_dates

    dbt.config(materialized="table")
    return score_dates(dbt.ref("int_risk_features_completed").df(), dbt.ref("int_risk_models_fitted").df())
