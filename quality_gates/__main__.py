"""Run the raw-data gates on their own: ``python -m quality_gates --raw-dir data/sample``.

Prints every finding that is not a pass, the Data Docs path, and exits 2 when the delivery is
blocked (nothing would be built from it), 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quality_gates.gates import GateReport, run_gates, write_validated
from quality_gates.settings import parse_load_time


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
