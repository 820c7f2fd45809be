"""The suites under expectations/: one JSON file per table, the only place a rule is written.

A suite file is a Great Expectations suite (name, expectations with type / kwargs / meta) whose
meta also carries the table's contract types (mart invariants are dbt tests, next to the marts).
Each expectation's meta.level says what a failure does: `row` quarantines the failing rows, `warn`
only reports them, `table` stops the run; row and warn failures stop the run too when they hit more
than max_bad_row_share of the rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from retention.quality.settings import REPO_ROOT

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
    """Read expectations/<name>.json and check every expectation has a known level."""
    path = directory / f"{name}.json"
    document = json.loads(path.read_text())
    for expectation in document["expectations"]:
        level = expectation.get("meta", {}).get("level", "row")
        if level not in LEVELS:
            raise ValueError(f"{path}: expectation {expectation['type']} has level {level!r}; use one of {LEVELS}")
    return SuiteFile(
        name=document["name"],
        contract=document.get("meta", {}).get("contract", {}),
        expectations=document["expectations"],
        document=document,
    )
