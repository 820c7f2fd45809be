"""Run the raw-data gates on their own: ``python -m retention.quality --raw-dir data/sample``.

Prints every finding that is not a pass, the Data Docs path, and exits 2 when the delivery is
blocked (nothing would be built from it), 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from retention.quality.gates import GateReport, run_gates, write_validated


def print_report(report: GateReport) -> None:
    """Print warnings, non-passing findings and the Data Docs location."""
    for result in report.tables.values():
        for warning in result.warnings:
            print(f"WARNING: {warning}")
    for finding in report.findings:
        if finding.outcome != "passed":
            print(f"{finding.outcome.upper()}: {finding.message()}")
    if report.data_docs_index:
        print(f"Data Docs: {report.data_docs_index}")


def parse_load_time(text: str | None) -> datetime:
    """Parse an ISO-8601 UTC load time (naive UTC); None means now."""
    if text is None:
        return datetime.now(UTC).replace(tzinfo=None)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def main(argv: list[str] | None = None) -> int:
    """Validate a raw folder; optionally write the validated delivery."""
    parser = argparse.ArgumentParser(description="Run the raw-data quality gates on a folder of raw files.")
    parser.add_argument("--raw-dir", type=Path, required=True)
    parser.add_argument("--load-time", help="ISO-8601 UTC load time (default: now)")
    parser.add_argument("--out", type=Path, help="write good rows, quarantine and results here")
    args = parser.parse_args(argv)
    report = run_gates(args.raw_dir, parse_load_time(args.load_time))
    print_report(report)
    if report.blocked:
        print(f"BLOCKED: {len(report.blocked)} rule(s) failed; nothing may be built from {args.raw_dir}")
        return 2
    if args.out:
        write_validated(report, args.out)
        print(f"Validated delivery written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
