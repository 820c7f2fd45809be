"""Benchmark the whole build on Spark next to DuckDB's, on one machine: the cost of the switch.

The same generated delivery (100k customers by default) is built twice, each in a child process with every
data and unit test: `dbt build` on DuckDB and `python -m engines.spark_build` on a local Spark session
(`local[*]`), next to the floor query of bench_scale measured in the same run. CPU = user + sys of every
process: wait4's figure, or the sampled per-process sum when larger (pyspark does not wait for its JVM, so
wait4 misses the JVM's CPU). Peak = the largest sum of RSS over all processes.

Usage: ``python -m benchmarks.bench_spark [--sizes 100000]`` (writes ``benchmarks/results/spark.{json,md}``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.bench_scale import REPO_ROOT, delivery_format, floor_query, generate_delivery
from benchmarks.measure import Measured, run_measured, run_sizes

SIZES = (100_000,)
ROLES = {
    "bash": "Spark JVM (started by pyspark through spark-submit's shell script)",
    "engines.spark_build": "engines.spark_build (dbt, the fits, py4j)",
}
"""What each kind of process of the Spark build is, by the program it was first seen running."""
DBT = str(Path(sys.executable).with_name("dbt"))


def _cpu_s(measured: Measured) -> float:
    """CPU seconds of every process, the JVM included (see the module docstring)."""
    return round(max(measured.cpu_s, sum(usage.cpu_s for usage in measured.roles.values())), 1)


def _figures(measured: Measured) -> dict[str, Any]:
    return {"cpu_s": _cpu_s(measured), "wall_s": measured.wall_s, "peak_rss_mib": measured.tree_peak_rss_mib}


def measure(n_customers: int) -> dict[str, Any]:
    """Generate one delivery; measure the floor query, the DuckDB build and the Spark build on it."""
    with tempfile.TemporaryDirectory(prefix="bench_spark_") as work:
        work_dir = Path(work)
        raw_dir = work_dir / "raw"
        generate_delivery(n_customers, raw_dir)
        floor = floor_query(raw_dir, work_dir)
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("RETENTION_", "DBT_"))},
            "RETENTION_RAW_DIR": str(raw_dir),
            "RETENTION_LANDING_DIR": str(raw_dir),
        }
        duckdb_build = run_measured(
            [DBT, "build"],
            env={
                **env,
                "RETENTION_DUCKDB_PATH": str(work_dir / "duckdb" / "warehouse.duckdb"),
                "DBT_TARGET_PATH": str(work_dir / "duckdb" / "target"),
                "DBT_LOG_PATH": str(work_dir / "duckdb" / "logs"),
            },
            cwd=REPO_ROOT,
        )
        spark_build = run_measured(
            [sys.executable, "-m", "engines.spark_build"],
            env={
                **env,
                "RETENTION_ENGINE": "spark",
                "RETENTION_SPARK_WAREHOUSE": str(work_dir / "spark" / "warehouse"),
                "DBT_TARGET_PATH": str(work_dir / "spark" / "target"),
                "DBT_LOG_PATH": str(work_dir / "spark" / "logs"),
            },
            cwd=REPO_ROOT,
        )
    duckdb_figures, spark_figures = _figures(duckdb_build), _figures(spark_build)
    return {
        "customers": n_customers,
        "format": delivery_format(),
        "floor": _figures(floor),
        "duckdb": duckdb_figures,
        "spark": spark_figures,
        "spark_to_duckdb_cpu": round(spark_figures["cpu_s"] / duckdb_figures["cpu_s"], 2),
        "spark_processes": {
            ROLES.get(role, role): usage.cpu_s for role, usage in spark_build.roles.items() if usage.cpu_s >= 0.5
        },
    }


def to_markdown(machine: dict[str, Any], cases: list[dict[str, Any]]) -> str:
    """Render one table row per engine and size."""
    lines = [
        "# The whole build on Spark and on DuckDB",
        "",
        f"Measured {machine['date']} on {machine['cpu']} ({machine['usable_cores']} usable cores, "
        f"{machine['memory_gib']} GiB). `python -m benchmarks.bench_spark`: one generated delivery (seed 42, "
        f"{cases[0]['format'] if cases else delivery_format()} files) built with every data and unit test by "
        "`dbt build` on DuckDB and by `python -m engines.spark_build` on Spark `local[*]`, each in a child "
        "process, next to the floor query (DuckDB typing every order). CPU = user + sys of every process, "
        "the Spark JVM included; peak = the largest sum of RSS over all processes.",
        "",
        "| customers | engine | CPU s | CPU / floor | wall s | peak RSS MiB | commit |",
        "| ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for case in cases:
        floor = case["floor"]["cpu_s"]
        for engine in ("duckdb", "spark"):
            figures = case[engine]
            lines.append(
                f"| {case['customers']:,} | {engine} | {figures['cpu_s']:,.0f} | {figures['cpu_s'] / floor:,.1f} "
                f"| {figures['wall_s']:,.0f} | {figures['peak_rss_mib']:,.0f} | {case.get('commit', '')} |"
            )
        lines.append(
            f"\nAt {case['customers']:,} customers Spark costs {case['spark_to_duckdb_cpu']}x DuckDB's CPU "
            f"(floor {floor} CPU s). Spark's CPU by process: "
            + ", ".join(f"{ROLES.get(role, role)} {cpu_s:,.0f} s" for role, cpu_s in case["spark_processes"].items())
            + "."
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    run_sizes("spark", __doc__ or "", SIZES, measure, to_markdown)
