"""The steps of a refresh outside dbt and Dagster: the writer lease, gating and landing a delivery."""
