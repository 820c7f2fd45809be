"""Running the dbt project on an engine: DuckDB (dbt alone) or Spark (dbt, with the fits run beside it)."""
