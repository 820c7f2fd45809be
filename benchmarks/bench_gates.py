"""Benchmark the raw-data quality gates at scale and break their time down by phase and expectation.

Why: the gates run before every `dbt build`, so validating a delivery must cost well under the
build itself (the bar: 10,000,000 orders validated in well under the build time). Three child
processes per size, each measured on its own (peak RSS never goes down inside a process):

1. the command a user runs, ``python -m quality_gates --raw-dir ... --load-time ...``, for the
   headline wall time and peak RSS;
2. this script with ``--case``: the same ``run_gates`` with its phases timed (GX import, read,
   typing, GX validation, the gate's own decisions, Data Docs) and the peak RSS after each;
3. this script with ``--expectations``: every expectation validated alone, to see which rule
   the GX time goes to (each run also pays GX's fixed per-run cost, shown by the cheapest rule).

Usage: ``python -m benchmarks.bench_gates [--sizes 100000 1000000] [--no-expectations]``
(writes ``benchmarks/results/gates.{json,md}``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.measure import RESULTS_DIR, commit, machine_info, run_measured

REPO_ROOT = Path(__file__).resolve().parent.parent
SIZES = (100_000, 1_000_000)
SEED = 42
LOAD_TIME = "2025-01-01T06:00:00Z"
WELL_UNDER = 0.5
"""Gates wall / build wall below which "well under the build time" counts as met."""
SLOWEST = 8
PHASES = ("read", "typing", "gx_validate")
"""The per-table phases whose peak RSS the markdown shows, in the order they run."""


def _peak_rss_mib() -> float:
    """Return this process's peak RSS so far (Linux reports KiB), read after each phase to see what drives it."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _column_label(expectation: dict) -> str:
    kwargs = expectation["kwargs"]
    return kwargs.get("column") or ", ".join(kwargs[key] for key in ("column_A", "column_B") if key in kwargs)


class _Clock:
    """Accumulate seconds and the peak RSS per (table, phase) while run_gates runs unchanged."""

    def __init__(self) -> None:
        self.table = "-"
        self.phases: dict[str, dict[str, Any]] = {}

    def timed(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap function so that each call adds its duration to the current table's phase."""

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                row = self.phases.setdefault(self.table, {})
                row[f"{phase}_s"] = round(row.get(f"{phase}_s", 0.0) + time.perf_counter() - started, 3)
                row[f"{phase}_peak_rss_mib"] = _peak_rss_mib()

        return wrapper


class _TimedValidator:
    """Stand in for GxValidator inside run_gates: same calls, timed, with the validated frame's rows noted."""

    def __init__(self, inner: Any, clock: _Clock) -> None:
        self._inner, self._clock = inner, clock

    def __call__(self, suite_file: Any, frame: Any, parameters: dict) -> list[tuple[dict, dict]]:
        """Validate with the wrapped GxValidator, recording the rows of the batches it is given."""
        from quality_gates.gates import WHOLE_TABLE_SUFFIX

        self._clock.table = suite_file.name.removesuffix(WHOLE_TABLE_SUFFIX)
        if not suite_file.name.endswith(WHOLE_TABLE_SUFFIX):  # batches: count their rows once
            row = self._clock.phases.setdefault(self._clock.table, {})
            row["rows"] = row.get("rows", 0) + len(frame)
        return self._clock.timed("gx_validate", self._inner)(suite_file, frame, parameters)

    def build_docs(self) -> Any:
        """Build Data Docs, timed apart from every table."""
        self._clock.table = "-"
        return self._clock.timed("data_docs", self._inner.build_docs)()


def run_case(raw_dir: Path) -> dict[str, Any]:
    """Run run_gates in this process with every phase timed; the gate code itself is not changed."""
    started = time.perf_counter()
    from quality_gates import gates
    from quality_gates.gx_runner import GxValidator
    from quality_gates.settings import parse_load_time

    imported = time.perf_counter()
    validator = GxValidator()
    context_ready = time.perf_counter()
    clock = _Clock()
    # run_gates looks these names up in its module at call time, so wrapping them there times the real path.
    original_batches = gates.text_batches

    def text_batches(path: Path, contract_columns: list[str], derived: list[str], batch_rows: int) -> Iterator[Any]:
        """Time each batch's read (DuckDB reads and types it in one pass) as the table's read phase."""
        clock.table = path.name.split(".")[0]
        batches = original_batches(path, contract_columns, derived, batch_rows)
        while True:
            try:
                batch = clock.timed("read", next)(batches)
            except StopIteration:
                return
            yield batch

    gates.text_batches = text_batches
    gates.split_typed = clock.timed("typing", gates.split_typed)
    if hasattr(gates, "with_references"):  # the known-customer lookup, timed apart from the gate logic
        gates.with_references = clock.timed("references", gates.with_references)
    report = gates.run_gates(raw_dir, parse_load_time(LOAD_TIME), validator=_TimedValidator(validator, clock))
    run_gates_s = time.perf_counter() - context_ready
    tables = {table: row for table, row in clock.phases.items() if table != "-"}
    data_docs_s = clock.phases.get("-", {}).get("data_docs_s", 0.0)
    phases = ("read", "typing", "references", "gx_validate")
    accounted = sum(row.get(f"{phase}_s", 0.0) for row in tables.values() for phase in phases)
    return {
        "import_s": round(imported - started, 3),
        "gx_context_s": round(context_ready - imported, 3),
        "run_gates_s": round(run_gates_s, 3),
        "data_docs_s": data_docs_s,
        "gate_logic_s": round(run_gates_s - data_docs_s - accounted, 3),
        "tables": tables,
        "blocked": len(report.blocked),
        "non_passing": sum(finding.outcome != "passed" for finding in report.findings),
        "peak_rss_mib_in_child": _peak_rss_mib(),
    }


class _PerExpectationValidator:
    """Stand in for GxValidator inside run_gates: validate each expectation alone and time it."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.timings: list[dict[str, Any]] = []

    def __call__(self, suite_file: Any, frame: Any, parameters: dict) -> list[tuple[dict, dict]]:
        """Run the suite one expectation at a time on run_gates' own frame and parameters."""
        results = []
        for position, expectation in enumerate(suite_file.expectations):
            single = replace(suite_file, expectations=[expectation])
            started = time.perf_counter()
            results += self._inner(single, frame, parameters)
            self.timings.append(
                {
                    "table": suite_file.name,
                    "position": position,
                    "expectation": expectation["type"],
                    "column": _column_label(expectation),
                    "parameters": [
                        value["$PARAMETER"] for value in expectation["kwargs"].values() if isinstance(value, dict)
                    ],
                    "seconds": round(time.perf_counter() - started, 3),
                }
            )
        return results


def run_expectations(raw_dir: Path) -> list[dict[str, Any]]:
    """Validate each expectation alone on the real typed frames; return its seconds, slowest first."""
    from quality_gates.gates import run_gates
    from quality_gates.gx_runner import GxValidator
    from quality_gates.settings import parse_load_time

    validator = _PerExpectationValidator(GxValidator())
    run_gates(raw_dir, parse_load_time(LOAD_TIME), validator=validator)  # no build_docs: Data Docs are skipped
    return sorted(validator.timings, key=lambda timing: timing["seconds"], reverse=True)


def build_wall_s(n_customers: int) -> float | None:
    """Return the dbt build wall time at the same size, from benchmarks/results/build.json, if measured."""
    path = RESULTS_DIR / "build.json"
    if not path.exists():
        return None
    cases = json.loads(path.read_text())["cases"]
    return next((case["build_wall_s"] for case in cases if case["customers"] == n_customers), None)


def measure(n_customers: int, per_expectation: bool) -> dict[str, Any]:
    """Generate one CSV delivery, then run the gate command, the phase case and the expectation case."""
    with tempfile.TemporaryDirectory(prefix="bench_gates_") as work:
        raw_dir = Path(work) / "raw"
        generated = run_measured(
            [sys.executable, "-m", "synthetic", "--customers", str(n_customers), "--seed", str(SEED)]
            + ["--format", "csv", "--out", str(raw_dir)],
            cwd=REPO_ROOT,
        )
        raw_mib = sum(path.stat().st_size for path in raw_dir.iterdir()) / 2**20
        gates = run_measured(
            [sys.executable, "-m", "quality_gates", "--raw-dir", str(raw_dir), "--load-time", LOAD_TIME],
            env={**os.environ, "RETENTION_GX_DIR": str(Path(work) / "gx")},
            cwd=REPO_ROOT,
        )
        print(f"{n_customers:>9,} gates: {gates.wall_s} s, {gates.peak_rss_mib} MiB", flush=True)
        case = run_measured(
            [sys.executable, "-m", "benchmarks.bench_gates", "--case", str(raw_dir)],
            env={**os.environ, "RETENTION_GX_DIR": str(Path(work) / "gx_case")},
            cwd=REPO_ROOT,
        )
        print(f"{n_customers:>9,} phases: {case.wall_s} s, {case.peak_rss_mib} MiB", flush=True)
        expectations = None
        if per_expectation:
            profiled = run_measured(
                [sys.executable, "-m", "benchmarks.bench_gates", "--expectations", str(raw_dir)],
                env={**os.environ, "RETENTION_GX_DIR": str(Path(work) / "gx_expectations")},
                cwd=REPO_ROOT,
            )
            expectations = json.loads(profiled.stdout.strip().splitlines()[-1])
            print(f"{n_customers:>9,} expectations: {profiled.wall_s} s", flush=True)
    build = build_wall_s(n_customers)
    return {
        "customers": n_customers,
        "raw_csv_mib": round(raw_mib, 1),
        "generate_wall_s": generated.wall_s,
        "gates_wall_s": gates.wall_s,
        "gates_peak_rss_mib": gates.peak_rss_mib,
        "gates_output": gates.stdout.strip().splitlines()[-3:],
        "build_wall_s": build,
        "gates_to_build": round(gates.wall_s / build, 2) if build else None,
        "phases": {
            "wall_s": case.wall_s,
            "peak_rss_mib": case.peak_rss_mib,
            **json.loads(case.stdout.strip().splitlines()[-1]),
        },
        "expectations": expectations,
    }


def to_markdown(machine: dict[str, Any], cases: list[dict[str, Any]]) -> str:
    """Render the results as the tables committed next to the JSON."""
    lines = [
        "# Quality gates benchmark",
        "",
        f"`python -m benchmarks.bench_gates`: generator (seed {SEED}, CSV) then `python -m quality_gates",
        f"--raw-dir <dir> --load-time {LOAD_TIME}` in a child process (GX import, read, typing, GX",
        "validation of all four tables, Data Docs). The build column is `dbt build` at the same size from",
        "`build.json` (Parquet input). Bar: validating ~10M orders (1,000,000 customers) in well under",
        f"the build time, taken here as gates / build < {WELL_UNDER}.",
        "",
        "| customers | orders | raw CSV (MiB) | gates wall (s) | gates peak RSS (MiB) | dbt build wall (s) "
        "| gates / build |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases:
        orders = case["phases"]["tables"].get("raw_orders", {}).get("rows", 0)
        ratio = "n/a" if case["gates_to_build"] is None else f"{case['gates_to_build']}x"
        lines.append(
            f"| {case['customers']:,} | {orders:,} | {case['raw_csv_mib']:,} | {case['gates_wall_s']} "
            f"| {case['gates_peak_rss_mib']:,} | {case['build_wall_s'] or 'n/a'} | {ratio} |"
        )
    target = [case for case in cases if case["customers"] == 1_000_000 and case["gates_to_build"] is not None]
    if target:
        verdict = "met" if target[0]["gates_to_build"] < WELL_UNDER else "MISSED"
        lines += ["", f"Bar at 1,000,000 customers: **{verdict}** (gates / build = {target[0]['gates_to_build']})."]
    for case in cases:
        phases = case["phases"]
        lines += [
            "",
            f"## Phases at {case['customers']:,} customers",
            "",
            f"Timed child (`--case`): {phases['wall_s']} s wall, {phases['peak_rss_mib']:,} MiB peak RSS; "
            f"imports {phases['import_s']} s, GX context {phases['gx_context_s']} s, run_gates "
            f"{phases['run_gates_s']} s, of which Data Docs {phases['data_docs_s']} s and the gate's own logic "
            f"(set of known ids, quarantine decisions, splitting good and bad rows) {phases['gate_logic_s']} s. "
            f"Blocked findings: {phases['blocked']}, non-passing: {phases['non_passing']}.",
            "",
            "| table | rows | read (s) | typing (s) | unknown customers (s) | GX validate (s) "
            "| peak RSS after read / typing / GX (MiB) |",
            "|:---|---:|---:|---:|---:|---:|:---|",
        ]
        for table, row in phases["tables"].items():
            peaks = " / ".join(f"{row.get(phase + '_peak_rss_mib', 0):,}" for phase in PHASES)
            lines.append(
                f"| {table} | {row.get('rows', 0):,} | {row.get('read_s', 0)} | {row.get('typing_s', 0)} "
                f"| {row.get('unknown_customers_s', '-')} | {row.get('gx_validate_s', 0)} "
                f"| {peaks} |"
            )
        if case["expectations"]:
            timings = case["expectations"]
            cheapest = min(timing["seconds"] for timing in timings)
            lines += [
                "",
                f"Slowest expectations validated alone (each run includes GX's fixed per-run cost; "
                f"the cheapest of {len(timings)} took {cheapest} s):",
                "",
                "| table | expectation | column | parameters | seconds |",
                "|:---|:---|:---|:---|---:|",
            ]
            lines += [
                f"| {timing['table']} | {timing['expectation']} | {timing['column'] or ''} "
                f"| {', '.join(timing['parameters'])} | {timing['seconds']} |"
                for timing in timings[:SLOWEST]
            ]
    lines += ["", "## Machine", ""] + [f"- {key}: {value}" for key, value in machine.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Run every size (or, with ``--case`` / ``--expectations``, be the child that times one run)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--no-expectations", action="store_true", help="skip the per-expectation child")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    parser.add_argument("--case", type=Path, metavar="RAW_DIR", help=argparse.SUPPRESS)
    parser.add_argument("--expectations", type=Path, metavar="RAW_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    if args.expectations:
        print(json.dumps(run_expectations(args.expectations)))
        return
    started = datetime.now()
    cases = []
    for n_customers in args.sizes:
        cases.append(measure(n_customers, per_expectation=not args.no_expectations))
        print(json.dumps({key: value for key, value in cases[-1].items() if key != "expectations"}), flush=True)
    machine = {
        **machine_info(),
        "commit": commit(REPO_ROOT),
        "benchmark_minutes": round((datetime.now() - started).total_seconds() / 60, 1),
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "gates.json").write_text(json.dumps({"machine": machine, "cases": cases}, indent=2) + "\n")
    (args.results / "gates.md").write_text(to_markdown(machine, cases))


if __name__ == "__main__":
    main()
