"""Benchmark the whole warehouse build (`dbt build`: every model, data test and unit test) at scale.

Why: the retention models must stay set-based as data grows (an activity row per customer and
day would not). The generator writes N customers as Parquet, then `dbt build` runs in a child
process against a fresh DuckDB file; wall time and peak RSS are the child's, and the slowest
nodes come from dbt's run_results.json.

Usage: ``python -m benchmarks.bench_build [--sizes 100000 1000000]``
(writes ``benchmarks/results/build.{json,md}``).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.measure import run_measured, run_sizes

REPO_ROOT = Path(__file__).resolve().parent.parent
SIZES = (100_000, 1_000_000)
SEED = 42
SLOWEST = 6


def measure(n_customers: int) -> dict[str, Any]:
    """Generate one data set, build the warehouse on it, and report time, memory and slowest nodes."""
    with tempfile.TemporaryDirectory(prefix="bench_build_") as work:
        raw_dir, work_dir = Path(work) / "raw", Path(work)
        generated = run_measured(
            [sys.executable, "-m", "synthetic", "--customers", str(n_customers), "--seed", str(SEED)]
            + ["--format", "parquet", "--out", str(raw_dir)],
            cwd=REPO_ROOT,
        )
        env = {
            **os.environ,
            "RETENTION_RAW_DIR": str(raw_dir),
            "RETENTION_LANDING_DIR": str(raw_dir),
            "RETENTION_DUCKDB_PATH": str(work_dir / "warehouse.duckdb"),
            "DBT_TARGET_PATH": str(work_dir / "target"),
            "DBT_LOG_PATH": str(work_dir / "logs"),
        }
        built = run_measured([str(Path(sys.executable).with_name("dbt")), "build"], env=env, cwd=REPO_ROOT)
        results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
        warehouse_mib = (work_dir / "warehouse.duckdb").stat().st_size / 2**20
    slowest = sorted(results, key=lambda result: result["execution_time"], reverse=True)[:SLOWEST]
    return {
        "customers": n_customers,
        "generate_wall_s": generated.wall_s,
        "build_wall_s": built.wall_s,
        "build_peak_rss_mib": built.peak_rss_mib,
        "nodes": len(results),
        "failed_nodes": sum(result["status"] not in ("success", "pass") for result in results),
        "warehouse_mib": round(warehouse_mib, 1),
        "slowest_nodes": [
            {"node": result["unique_id"], "seconds": round(result["execution_time"], 2)} for result in slowest
        ],
    }


def to_markdown(machine: dict[str, Any], cases: list[dict[str, Any]]) -> str:
    """Render the results as the table committed next to the JSON."""
    lines = [
        "# Warehouse build benchmark",
        "",
        "`python -m benchmarks.bench_build`: generator (seed 42, Parquet) then `dbt build` of the whole",
        "project (models, data tests, unit tests) into a fresh DuckDB file, in a child process.",
        "",
        "| customers | dbt build wall (s) | peak RSS (MiB) | nodes | failed | warehouse (MiB) | generate (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases:
        lines.append(
            f"| {case['customers']:,} | {case['build_wall_s']} | {case['build_peak_rss_mib']:,} | {case['nodes']} "
            f"| {case['failed_nodes']} | {case['warehouse_mib']:,} | {case['generate_wall_s']} |"
        )
    for case in cases:
        lines += ["", f"Slowest nodes at {case['customers']:,} customers:", ""]
        lines += [f"- {node['node']}: {node['seconds']} s" for node in case["slowest_nodes"]]
    lines += ["", "## Machine", ""] + [f"- {key}: {value}" for key, value in machine.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run every size and write benchmarks/results/build.{json,md}."""
    run_sizes("build", __doc__.splitlines()[0], SIZES, measure, to_markdown)


if __name__ == "__main__":
    main()
