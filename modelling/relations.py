"""What a fit reads from the engine: a relation as a pandas frame, whole or one key value at a time.

Why: the fits are dbt Python models, and `dbt.ref()` hands them the engine's own relation type, a
DuckDB relation on DuckDB and a Spark DataFrame on Spark (engines.spark_build runs the same model
files there). The models call these functions instead of either API, so one model file serves both.
The relations are summaries (distinct histories, sampled training rows), never the raw rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd


def _is_spark(relation: Any) -> bool:
    """Tell a Spark DataFrame (classic or Connect) from a DuckDB relation."""
    return hasattr(relation, "toPandas")


def to_frame(relation: Any, order_by: list[str] | None = None) -> pd.DataFrame:
    """Read the whole relation, ordered by order_by when given (the engines return rows in no fixed order)."""
    if _is_spark(relation):
        ordered = relation.orderBy(*order_by) if order_by else relation
        return ordered.toArrow().to_pandas()  # through Arrow: pyspark's own toPandas() predates pandas 3
    ordered = relation.order(", ".join(order_by)) if order_by else relation
    return ordered.df()


def frames_by(relation: Any, key: str, order_by: list[str]) -> Iterator[tuple[Any, pd.DataFrame]]:
    """(key value, its rows ordered by order_by) for each value of key in ascending order, read one at a time.

    Why one at a time: at 10M customers the rows of all values together (tens of millions of
    distinct histories) would not fit in memory as one frame, while one value's rows do.
    """
    for value in _distinct_values(relation, key):
        if _is_spark(relation):
            rows = relation.filter(relation[key] == value)
        else:
            import duckdb

            rows = relation.filter(duckdb.ColumnExpression(key) == duckdb.ConstantExpression(value))
        yield value, to_frame(rows, order_by)


def _distinct_values(relation: Any, key: str) -> list[Any]:
    """Return the distinct values of key, ascending."""
    if _is_spark(relation):
        return [row[0] for row in relation.select(key).distinct().orderBy(key).collect()]
    return [row[0] for row in relation.project(key).distinct().order(key).fetchall()]
