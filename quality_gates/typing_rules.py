"""Type the text columns of a delivery the way staging will, and find the values that do not parse.

Pushed down to DuckDB: parsing 10M timestamps in SQL takes a second, in pandas much longer.
Cleaning and casts match the staging macros (macros/staging_cleaning.sql) cast for cast: trimmed
text, empty = null, enums compared lowercase; timestamps ISO-8601, converted to UTC when they carry an
offset or zone (`2024-02-01T14:31:11+02:00` is 12:31:11 UTC), UTC when they do not; amounts as
decimal(18, 2) and counts as integer. A value that the staging cast would change rather than keep
(2.5 items rounded to 3, 1.005 rounded to 1.01, 3000000000 beyond 32 bits, NaN or Infinity) does not
parse: it is a finding here, never a silent change or a dbt error later (tests/test_parsing_agreement.py).
"""

from __future__ import annotations

import pandas as pd

from quality_gates.raw_files import to_pandas
from warehouse_home.duckdb_session import connect

PARSERS = {
    "text": "{value}",
    "enum": "lower({value})",
    "timestamp": "(try_cast({value} as timestamptz) at time zone 'UTC')",
    "date": "try_cast({value} as date)",
    "decimal": (
        "case when try_cast({value} as double) = try_cast({value} as decimal(18, 2)) "
        "then cast(try_cast({value} as decimal(18, 2)) as double) end"
    ),
    "integer": (
        "case when try_cast({value} as double) = try_cast({value} as integer) then try_cast({value} as integer) end"
    ),
}
"""Contract type -> DuckDB expression turning the cleaned text `{value}` into the typed value, or null when the
staging cast would fail or change it (an accepted amount is handed to GX as the double of its decimal).
Evaluated in a UTC session (warehouse_home.duckdb_session)."""
PARSE_RULES = {
    "timestamp": "value is an ISO-8601 timestamp (UTC unless it carries an offset or zone)",
    "date": "value is a date (YYYY-MM-DD)",
    "decimal": "value is an amount: a finite number with at most 2 decimals and 16 digits before the point",
    "integer": "value is a whole number within 32 bits (-2147483648 to 2147483647)",
}
"""The rule a value that does not parse breaks, in words, as findings and the data_quality_report name it."""


TYPED_PREFIX = "typed__"
UNPARSEABLE_PREFIX = "unparseable__"


def typing_selects(contract: dict[str, str]) -> list[str]:
    """Select list typing the text columns of a relation: `typed__<column>` and `unparseable__<column>`.

    Each column's typed value comes with a flag marking a value that is there but does not parse.
    """
    selects = []
    for column, kind in contract.items():
        value = f"nullif(trim(\"{column}\"), '')"
        parsed = PARSERS[kind].format(value=value)
        selects.append(f'{parsed} as "{TYPED_PREFIX}{column}"')
        selects.append(f'({value} is not null and {parsed} is null) as "{UNPARSEABLE_PREFIX}{column}"')
    return selects


def split_typed(frame: pd.DataFrame, contract: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a frame holding typing_selects' columns into the typed frame and the unparseable flags."""
    typed = pd.DataFrame({column: frame[f"{TYPED_PREFIX}{column}"] for column in contract}, index=frame.index)
    unparseable = pd.DataFrame(
        {column: frame[f"{UNPARSEABLE_PREFIX}{column}"].astype(bool) for column in contract}, index=frame.index
    )
    # GX only takes its vectorised path for nanosecond timestamps; DuckDB hands over microseconds.
    for column, kind in contract.items():
        if kind == "timestamp":
            typed[column] = typed[column].astype("datetime64[ns]")
    return typed, unparseable


def typed_frame(text: pd.DataFrame, contract: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the typed frame and a boolean frame marking the values that did not parse (for a frame of text)."""
    with connect() as con:
        con.register("delivery", text)
        frame = to_pandas(con, f"select {', '.join(typing_selects(contract))} from delivery")
    frame.index = text.index
    return split_typed(frame, contract)
