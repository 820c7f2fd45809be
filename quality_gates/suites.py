"""The suites under expectations/: one JSON file per table, the only place a rule is written.

A suite file is a Great Expectations suite (name, expectations with type / kwargs / meta); the
table's column types come from the raw contract (quality_gates.contract). Mart invariants are dbt
tests, next to the marts.
Each expectation's meta.level says what a failure does: `row` quarantines the failing rows, `warn`
only reports them, `table` stops the run; row and warn failures stop the run too when they hit more
than max_bad_row_share of the rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from quality_gates.contract import raw_contract
from quality_gates.settings import REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
RAW_TABLES = ("raw_customers", "raw_orders", "raw_support_tickets", "raw_survey_responses")
"""Validation order: customers first, because the other tables must refer to known customers."""
LEVELS = ("row", "warn", "table")


@dataclass(frozen=True)
class SuiteFile:
    """One suite as read from disk."""

    name: str
    contract: dict[str, str]
    expectations: list[dict]
    document: dict


def load_suite(name: str, directory: Path = EXPECTATIONS_DIR) -> SuiteFile:
    """Read expectations/<name>.json (with its table's contract types) and check every expectation's level."""
    path = directory / f"{name}.json"
    document = json.loads(path.read_text())
    for expectation in document["expectations"]:
        level = expectation.get("meta", {}).get("level", "row")
        if level not in LEVELS:
            raise ValueError(f"{path}: expectation {expectation['type']} has level {level!r}; use one of {LEVELS}")
    return SuiteFile(
        name=document["name"],
        contract=raw_contract().get(document["name"], {}),
        expectations=document["expectations"],
        document=document,
    )
