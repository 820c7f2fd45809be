"""Quality findings (quality_gates.gates.Finding) as Dagster check results.

Why a module of its own: the landing step reports one check per raw table, and each shows the same
table (rule, column, outcome, failing rows, examples) and the same description (one full message per
failed rule, naming file, column, rule and examples), so the UI reads like the CLI's failure summary.
"""

from pathlib import Path

import dagster as dg

from quality_gates.gates import Finding

FINDING_COLUMNS = {
    "rule": "string",
    "column": "string",
    "level": "string",
    "outcome": "string",
    "failing_rows": "int",
    "examples": "string",
}


def findings_table(findings: list[Finding]) -> dg.MetadataValue:
    """Show findings as a table in the UI: rule, column, level, outcome, failing rows, examples."""
    records = [
        dg.TableRecord(
            {
                "rule": finding.rule,
                "column": finding.column or "",
                "level": finding.level,
                "outcome": finding.outcome,
                "failing_rows": finding.failing_rows,
                "examples": ", ".join(finding.examples),
            }
        )
        for finding in findings
    ]
    schema = dg.TableSchema(columns=[dg.TableColumn(name, kind) for name, kind in FINDING_COLUMNS.items()])
    return dg.MetadataValue.table(records, schema)


def findings_check(
    key: dg.AssetKey,
    check_name: str,
    findings: list[Finding],
    failed: list[Finding],
    data_docs: Path | None,
) -> dg.AssetCheckResult:
    """One ERROR-severity check result: passed when nothing failed; the description lists each failure."""
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=check_name,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        description="\n".join(finding.message() for finding in failed) or None,
        metadata={
            "rules": dg.MetadataValue.int(len(findings)),
            "failed": dg.MetadataValue.int(len(failed)),
            "findings": findings_table(findings),
            **({"data_docs": dg.MetadataValue.url(data_docs.as_uri())} if data_docs else {}),
        },
    )
