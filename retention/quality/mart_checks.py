"""Check the key marts after a build with the suites under expectations/marts/.

Each mart suite names the SQL query whose rows it checks (so identities such as
customers_end = retained + new + reactivated become a column to expect zero in), and every
expectation is table level: one failure fails the run.
"""

from __future__ import annotations

from pathlib import Path

from retention.duckdb_session import connect
from retention.quality.gates import Finding
from retention.quality.suites import MART_EXPECTATIONS_DIR, load_suite, mart_suite_names


def run_mart_suites(warehouse: Path, validator: object | None = None) -> list[Finding]:
    """Validate every mart suite against the warehouse (read-only); return one finding per rule."""
    from retention.quality.gx_runner import GxValidator

    validator = validator or GxValidator()
    findings = []
    with connect(str(warehouse), read_only=True) as con:
        frames = {name: con.execute(load_suite(name, MART_EXPECTATIONS_DIR).query).df() for name in mart_suite_names()}
    for name, frame in frames.items():
        suite = load_suite(name, MART_EXPECTATIONS_DIR)
        for expectation, outcome in validator(suite, frame, {}):
            column = expectation["kwargs"].get("column") or expectation["kwargs"].get("column_A")
            failing = outcome.get("unexpected_count") or (0 if outcome["success"] else len(frame))
            examples = tuple(str(value) for value in (outcome.get("partial_unexpected_list") or [])[:5])
            findings.append(
                Finding(
                    table=f"marts.{name}",
                    file=str(warehouse),
                    rule=expectation["type"],
                    column=column,
                    level="table",
                    outcome="passed" if outcome["success"] else "blocked",
                    failing_rows=int(failing),
                    total_rows=len(frame),
                    examples=examples,
                )
            )
    return findings
