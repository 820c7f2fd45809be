"""Type the text columns of a delivery the way staging will, and find the values that do not parse.

Pushed down to DuckDB: parsing 10M timestamps in SQL takes a second, in pandas much longer.
Cleaning matches the staging macros: trimmed text, empty = null, enums compared lowercase,
timestamps ISO-8601 UTC with or without `T` / `Z`.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from retention.quality.raw_files import to_pandas

PARSERS = {
    "text": "{value}",
    "enum": "lower({value})",
    "timestamp": "try_cast(replace(replace({value}, 'T', ' '), 'Z', '') as timestamp)",
    "date": "try_cast({value} as date)",
    "decimal": "try_cast({value} as double)",
    "integer": "try_cast({value} as bigint)",
}
"""Contract type -> DuckDB expression turning the cleaned text `{value}` into the typed value."""


def typed_frame(text: pd.DataFrame, contract: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the typed frame and a boolean frame marking the values that did not parse."""
    selects, checks = [], []
    for column, kind in contract.items():
        value = f"nullif(trim(\"{column}\"), '')"
        parsed = PARSERS[kind].format(value=value)
        selects.append(f'{parsed} as "{column}"')
        checks.append(f'({value} is not null and {parsed} is null) as "{column}"')
    with duckdb.connect() as con:
        con.register("delivery", text)
        typed = to_pandas(con, f"select {', '.join(selects)} from delivery")
        unparseable = to_pandas(con, f"select {', '.join(checks)} from delivery")
    # GX only takes its vectorised path for nanosecond timestamps; DuckDB hands over microseconds.
    for column, kind in contract.items():
        if kind == "timestamp":
            typed[column] = typed[column].astype("datetime64[ns]")
    typed.index = text.index
    unparseable.index = text.index
    return typed, unparseable
