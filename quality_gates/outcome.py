"""What a gate run found, without the rows: small enough to pass between processes as JSON.

Why: the gates run in a child process that exits before dbt starts
(refresh.landing.land_delivery_in_child), so the memory they used is returned to the operating
system, and only this summary comes back to the orchestration process.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from quality_gates.gates import Finding, GateReport


@dataclass(frozen=True)
class TableOutcome:
    """One table's file, its rows delivered, landed and quarantined, its warnings and its latest timestamp."""

    file: str
    landed_rows: int
    quarantined_rows: int
    warnings: list[str] = field(default_factory=list)
    latest_at: str | None = None
    """The latest parseable event timestamp of the delivered rows (UTC, ISO text): how recent the file is."""

    @property
    def delivered_rows(self) -> int:
        """Rows in the delivered file (landed or quarantined)."""
        return self.landed_rows + self.quarantined_rows


@dataclass(frozen=True)
class GateOutcome:
    """Every finding of a gate run and each table's counts; blocked findings mean nothing may be built."""

    load_time: datetime
    tables: dict[str, TableOutcome]
    findings: list[Finding]
    data_docs_index: Path | None = None

    @property
    def blocked(self) -> list[Finding]:
        """The findings that stop the run."""
        return [finding for finding in self.findings if finding.outcome == "blocked"]

    def row_counts(self) -> dict[str, int]:
        """Rows delivered per table (for the next run's volume check)."""
        return {table: result.delivered_rows for table, result in self.tables.items()}

    @classmethod
    def of(cls, report: GateReport) -> GateOutcome:
        """Summarise a report (drop the rows, keep counts, findings and warnings)."""
        tables = {
            table: TableOutcome(
                result.file,
                result.good_row_count,
                len(result.quarantined),
                list(result.warnings),
                None if result.latest_at is None else str(result.latest_at),
            )
            for table, result in report.tables.items()
        }
        return cls(report.load_time, tables, report.findings, report.data_docs_index)

    def to_json(self) -> str:
        """Serialise for the parent process."""
        return json.dumps(
            {
                "load_time": self.load_time.isoformat(),
                "tables": {table: dataclasses.asdict(result) for table, result in self.tables.items()},
                "findings": [dataclasses.asdict(finding) for finding in self.findings],
                "data_docs_index": str(self.data_docs_index) if self.data_docs_index else None,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> GateOutcome:
        """Read what to_json wrote."""
        document = json.loads(text)
        findings = [Finding(**{**finding, "examples": tuple(finding["examples"])}) for finding in document["findings"]]
        tables = {table: TableOutcome(**result) for table, result in document["tables"].items()}
        docs = document["data_docs_index"]
        return cls(datetime.fromisoformat(document["load_time"]), tables, findings, Path(docs) if docs else None)
