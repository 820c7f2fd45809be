"""Benchmark the synthetic raw-data generator: wall time and peak memory per size and format.

Each case runs in a fresh child process (this script with ``--case``), because a process's
peak RSS never goes down: measuring in-process would carry the largest case's peak over to
the next one, and tracemalloc misses numpy/Arrow buffers. ``os.wait4`` returns the resource
usage of exactly that child. Wall time covers the whole command, interpreter start and
imports included, as a user running ``python -m synthetic`` would see it.

Usage: ``python -m benchmarks.bench_generator`` (writes ``benchmarks/results/generator.{json,md}``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import RESULTS_DIR, machine_info, run_measured

SIZES = (1_000, 100_000, 1_000_000)
FORMATS = ("csv", "parquet")
SEED = 42
TARGET_SECONDS = 60.0
"""Budget for 1,000,000 customers written as CSV, whole command included."""


def run_case(n_customers: int, fmt: str, out_dir: Path) -> dict[str, Any]:
    """Generate and write one data set in this process; report the phases and what was written."""
    started = time.perf_counter()
    from synthetic.generator import generate, write_tables

    imported = time.perf_counter()
    tables = generate(n_customers, seed=SEED)
    generated = time.perf_counter()
    paths = write_tables(tables, out_dir, fmt)
    written = time.perf_counter()
    return {
        "import_s": round(imported - started, 3),
        "generate_s": round(generated - imported, 3),
        "write_s": round(written - generated, 3),
        "rows": {name: table.num_rows for name, table in tables.items()},
        "bytes": sum(path.stat().st_size for path in paths),
    }


def measure(n_customers: int, fmt: str) -> dict[str, Any]:
    """Run one case in a child process; return its report plus wall time and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="bench_generator_") as out_dir:
        measured = run_measured(
            [sys.executable, "-m", "benchmarks.bench_generator", "--case", str(n_customers), fmt, out_dir]
        )
    return {
        "customers": n_customers,
        "format": fmt,
        "wall_s": measured.wall_s,
        "peak_rss_mib": measured.peak_rss_mib,
        **json.loads(measured.stdout),
    }


def to_markdown(machine: dict[str, Any], cases: list[dict[str, Any]]) -> str:
    """Render the results as the table committed next to the JSON."""
    lines = [
        "# Synthetic generator benchmark",
        "",
        f"`python -m benchmarks.bench_generator`, seed {SEED}, window 2022-01-01..2024-12-31. Each case runs",
        "in its own process; wall time includes interpreter start and imports, peak RSS is that",
        "process's maximum resident set size. Small cases are start-up bound: importing takes ~0.2 s and",
        "the first Arrow compute call ~0.8 s (counted in generate).",
        "",
        "| customers | format | orders | tickets | surveys | wall (s) | generate (s) | write (s) "
        "| peak RSS (MiB) | output (MiB) |",
        "|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases:
        rows = case["rows"]
        lines.append(
            f"| {case['customers']:,} | {case['format']} | {rows['raw_orders']:,} "
            f"| {rows['raw_support_tickets']:,} | {rows['raw_survey_responses']:,} | {case['wall_s']} "
            f"| {case['generate_s']} | {case['write_s']} | {case['peak_rss_mib']:,} "
            f"| {case['bytes'] / 2**20:,.1f} |"
        )
    target = [case for case in cases if case["customers"] == 1_000_000 and case["format"] == "csv"]
    if target:
        verdict = "met" if target[0]["wall_s"] < TARGET_SECONDS else "MISSED"
        lines += ["", f"Target: 1,000,000 customers to CSV in under {TARGET_SECONDS:.0f} s: **{verdict}**."]
    lines += ["", "## Machine", ""] + [f"- {key}: {value}" for key, value in machine.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Run all cases (or, with ``--case``, be the child that runs one)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    parser.add_argument("--case", nargs=3, metavar=("N", "FORMAT", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        n_customers, fmt, out_dir = args.case
        print(json.dumps(run_case(int(n_customers), fmt, Path(out_dir))))
        return
    cases = []
    for n_customers in args.sizes:
        for fmt in args.formats:
            cases.append(measure(n_customers, fmt))
            print(f"{n_customers:>9,} {fmt:<8} {cases[-1]['wall_s']:>7} s {cases[-1]['peak_rss_mib']:>8} MiB")
    machine = machine_info()
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "generator.json").write_text(json.dumps({"machine": machine, "cases": cases}, indent=2) + "\n")
    (args.results / "generator.md").write_text(to_markdown(machine, cases))


if __name__ == "__main__":
    main()
