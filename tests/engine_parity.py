"""Compare the marts of two engines' builds: same columns, types after mapping, rows (in any order), values.

Numbers are equal within 1e-9 relative (or 1e-12 absolute, for sums that cancel to about zero): the
engines' exp/ln/pow and the order of parallel sums differ in the last bits, nothing else may differ.
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa

RELATIVE = 1e-9
ABSOLUTE = 1e-12


def type_name(data_type: pa.DataType) -> str:
    """An engine-independent name of an Arrow type: Spark's int is DuckDB's INTEGER, and so on."""
    if pa.types.is_timestamp(data_type):
        return "timestamp"
    if pa.types.is_large_string(data_type) or pa.types.is_string(data_type) or pa.types.is_string_view(data_type):
        return "string"
    return str(data_type)


def _normalised(table: pa.Table) -> pa.Table:
    """Timestamps as naive UTC microseconds and strings as plain strings, so equal values compare equal."""
    columns = []
    for column in table.columns:
        if pa.types.is_timestamp(column.type):
            column = column.cast(pa.timestamp("us", tz=column.type.tz)).cast(pa.timestamp("us"))
        elif type_name(column.type) == "string":
            column = column.cast(pa.string())
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _sort_key(row: dict[str, Any], float_columns: set[str]) -> tuple:
    """Exact columns first, floats rounded to 9 significant digits: last-bit noise must not reorder rows."""
    exact = tuple((value is None, str(value)) for name, value in row.items() if name not in float_columns)
    rounded = tuple(
        (value is None, float(f"{value:.9g}") if value is not None and math.isfinite(value) else str(value))
        for name, value in row.items()
        if name in float_columns
    )
    return exact + rounded


def _numbers_equal(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is None and right is None
    left, right = float(left), float(right)
    if math.isnan(left) or math.isnan(right):
        return math.isnan(left) and math.isnan(right)
    return math.isclose(left, right, rel_tol=RELATIVE, abs_tol=ABSOLUTE)


def differences(name: str, left: pa.Table, right: pa.Table, limit: int = 5) -> list[str]:
    """What differs between two builds of one mart (empty when they are equal)."""
    if left.column_names != right.column_names:
        return [f"{name}: columns {left.column_names} != {right.column_names}"]
    types = [
        (column, type_name(a), type_name(b))
        for column, a, b in zip(left.column_names, left.schema.types, right.schema.types, strict=True)
    ]
    mismatched = [f"{column} {a} != {b}" for column, a, b in types if a != b]
    if mismatched:
        return [f"{name}: types differ: {', '.join(mismatched)}"]
    if left.num_rows != right.num_rows:
        return [f"{name}: {left.num_rows} rows != {right.num_rows} rows"]
    float_columns = {
        field.name for field in left.schema if pa.types.is_floating(field.type) or pa.types.is_decimal(field.type)
    }
    rows = [
        sorted(_normalised(table).to_pylist(), key=lambda row: _sort_key(row, float_columns)) for table in (left, right)
    ]
    found = []
    for index, (a, b) in enumerate(zip(*rows, strict=True)):
        for column in left.column_names:
            equal = _numbers_equal(a[column], b[column]) if column in float_columns else a[column] == b[column]
            if not equal:
                found.append(f"{name} row {index} {column}: {a[column]!r} != {b[column]!r}")
                if len(found) >= limit:
                    return found
    return found
