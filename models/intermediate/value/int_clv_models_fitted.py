"""Fit the BG/NBD and Gamma-Gamma models on the customers' purchase histories up to as_of_date.

The math lives in modelling.clv so that runners without dbt Python models can reuse it; this
model only reads the inputs, calls the fit and returns one row per model parameter. Engine-neutral
(modelling.relations): DuckDB runs it as a dbt Python model, engines.spark_build the same file on Spark.
"""


def model(dbt, session):
    """Return the fitted parameters of both models, with log-likelihood, convergence and status."""
    from modelling.clv import fit_clv_models, parameters_frame
    from modelling.clv_warehouse import summary_from_warehouse
    from modelling.relations import to_frame

    dbt.config(materialized="table")
    inputs = to_frame(dbt.ref("int_clv_inputs_summarized"))
    as_of_date = to_frame(dbt.ref("int_parameters_resolved"))["as_of_date"].iloc[0]
    summary = summary_from_warehouse(inputs)
    fits = fit_clv_models(summary, min_repeat_customers=int(dbt.config.get("clv_min_repeat_customers")))
    parameters = parameters_frame(fits)
    parameters["as_of_date"] = as_of_date
    return parameters
