"""The gate and staging read every raw value the same way, on any host time zone.

Why: a value the gate accepts but staging's cast rejects stops the refresh in dbt (no file, no
example, no quarantine); a value both accept but read differently (an offset ignored, 2.5 items
rounded to 3) is published wrong without a word. So every tricky value goes through the gate's
parser (quality_gates/typing_rules.py) and through the staging macros themselves (dbt show,
macros/staging_cleaning.sql): what the gate accepts, staging must cast to the very same value; what
staging would change, the gate must refuse.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from quality_gates.typing_rules import typed_frame
from tests.warehouse import FIXTURES, run_dbt

pytestmark = pytest.mark.dbt

VALUES = {
    "timestamp": {
        "2024-02-01 14:31:11": "2024-02-01 14:31:11",
        "2024-02-01T14:31:11Z": "2024-02-01 14:31:11",
        "2024-02-01T14:31:11+02:00": "2024-02-01 12:31:11",
        "2024-02-01T14:31:11-05:30": "2024-02-01 20:01:11",
        "2024-02-01 14:31:11+00": "2024-02-01 14:31:11",
        "2024-02-01T14:31:11.250+01:00": "2024-02-01 13:31:11.250000",
        "2024-02-01": "2024-02-01 00:00:00",
        "01.02.2024 14:31": None,
        "2024-13-01 00:00:00": None,
        "yesterday": None,
    },
    "decimal": {
        "19.99": 19.99,
        " 5 ": 5.0,
        "-0.5": -0.5,
        "1e3": 1000.0,
        "1.005": None,
        "NaN": None,
        "Infinity": None,
        "-inf": None,
        "12345678901234567.5": None,
        "12,50": None,
        "true": None,
    },
    "integer": {
        "3": 3,
        "+4": 4,
        "3.0": 3,
        "2.5": None,
        "3000000000": None,
        "-2147483649": None,
        "2147483647": 2147483647,
        "NaN": None,
        "0x10": None,
        "one": None,
    },
}
"""Contract type -> raw text -> what it must become in UTC (None: the gate refuses it)."""
MACROS = {"timestamp": "parse_utc_timestamp", "decimal": "parse_amount", "integer": "parse_integer"}


def gate_values(kind: str) -> dict[str, object]:
    """Parse VALUES[kind] with the gate's parser: text -> value, or None when it does not parse."""
    texts = list(VALUES[kind])
    typed, unparseable = typed_frame(pd.DataFrame({"v": texts}), {"v": kind})
    parsed = {}
    for text, value, refused in zip(texts, typed["v"], unparseable["v"], strict=True):
        if refused:
            parsed[text] = None
        elif kind == "timestamp":
            parsed[text] = str(pd.Timestamp(value))
        else:
            parsed[text] = float(value) if kind == "decimal" else int(value)
    return parsed


def staging_values(kind: str, texts: list[str], tmp_path: Path, time_zone: str) -> dict[str, object]:
    """Cast texts with the staging macro through `dbt show` (a dbt session, as staging runs), under time_zone."""
    rows = ", ".join("('" + text.replace("'", "''") + "')" for text in texts)
    cast = f"cast({{{{ {MACROS[kind]}('v') }}}} as varchar)"
    query = f"select v, {cast} as parsed from (values {rows}) as t(v)"
    previous = os.environ.get("TZ")
    os.environ["TZ"] = time_zone
    try:
        result = run_dbt(
            ["show", "--inline", query, "--limit", "100", "--output", "json", "--log-format", "json"],
            FIXTURES / "tiny",
            tmp_path / "show.duckdb",
        )
    finally:
        os.environ.pop("TZ") if previous is None else os.environ.update(TZ=previous)
    shown = next(
        json.loads(line)["data"]["preview"]
        for line in result.stdout.splitlines()
        if line.startswith("{") and "preview" in json.loads(line).get("data", {})
    )
    rows = json.loads(shown) if isinstance(shown, str) else shown
    converters = {"timestamp": lambda text: str(pd.Timestamp(text)), "decimal": float, "integer": int}
    return {row["v"]: converters[kind](row["parsed"]) for row in rows}


@pytest.mark.parametrize("kind", list(VALUES))
def test_the_gate_accepts_exactly_what_staging_keeps_unchanged(kind: str, tmp_path: Path) -> None:
    """The gate's reading of each value is the expected one; staging's macro, run by dbt in a session of a
    machine in Europe/Berlin, casts every value the gate accepts to the same value."""
    gate = gate_values(kind)
    assert gate == VALUES[kind]
    accepted = [text for text, value in gate.items() if value is not None]
    assert staging_values(kind, accepted, tmp_path, "Europe/Berlin") == {text: gate[text] for text in accepted}
