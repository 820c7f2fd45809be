"""Model math called by the dbt Python models: CLV (BG/NBD, Gamma-Gamma) and churn risk (numpy/scipy)."""
