"""Benchmark publishing at scale: how long BI readers wait for a new version after the build is done.

Why: a refresh's publish copies every mart into a new DuckDB file and Parquet files before the
atomic swap; at 1M customers fct_orders alone has 10M rows. The generator writes N customers as
Parquet, `dbt build` builds them (timed, for the ratio), then the publish runs in a child process
(wall time, peak RSS), and a reader opens the published file read-only and counts fct_orders.

Usage: ``python -m benchmarks.bench_publish [--sizes 100000 1000000]``
(writes ``benchmarks/results/publish.{json,md}``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.measure import run_measured, run_sizes

REPO_ROOT = Path(__file__).resolve().parent.parent
SIZES = (100_000, 1_000_000)
SEED = 42
PUBLISH = (
    "import sys; from datetime import datetime; from pathlib import Path; from publishing.versions import publish; "
    "publish(Path(sys.argv[1]), Path(sys.argv[2]), published_at=datetime(2025, 1, 1, 6), run_id=None, "
    "load_time=datetime(2025, 1, 1, 6))"
)
READ = (
    "import sys, time, duckdb; started = time.perf_counter(); "
    "con = duckdb.connect(sys.argv[1], read_only=True); "
    "print(con.execute('select count(*) from marts.fct_orders').fetchone()[0], time.perf_counter() - started)"
)


def _size_mib(path: Path) -> float:
    files = [path] if path.is_file() else [file for file in path.rglob("*") if file.is_file()]
    return round(sum(file.stat().st_size for file in files) / 2**20, 1)


def measure(n_customers: int) -> dict[str, Any]:
    """Generate, build, publish and read one data set; report times, memory and sizes."""
    with tempfile.TemporaryDirectory(prefix="bench_publish_") as work:
        raw_dir, work_dir = Path(work) / "raw", Path(work)
        run_measured(
            [sys.executable, "-m", "synthetic", "--customers", str(n_customers), "--seed", str(SEED)]
            + ["--format", "parquet", "--out", str(raw_dir)],
            cwd=REPO_ROOT,
        )
        build_file = work_dir / "build.duckdb"
        env = {
            **os.environ,
            "RETENTION_RAW_DIR": str(raw_dir),
            "RETENTION_LANDING_DIR": str(raw_dir),
            "RETENTION_DUCKDB_PATH": str(build_file),
            "DBT_TARGET_PATH": str(work_dir / "target"),
            "DBT_LOG_PATH": str(work_dir / "logs"),
        }
        built = run_measured([str(Path(sys.executable).with_name("dbt")), "build"], env=env, cwd=REPO_ROOT)
        serving = work_dir / "serving"
        published = run_measured([sys.executable, "-c", PUBLISH, str(build_file), str(serving)], cwd=REPO_ROOT)
        read = run_measured([sys.executable, "-c", READ, str(serving / "retention.duckdb")], cwd=REPO_ROOT)
        orders, read_s = read.stdout.split()
        (version_dir,) = (serving / "versions").iterdir()
        return {
            "customers": n_customers,
            "orders": int(orders),
            "build_wall_s": built.wall_s,
            "publish_wall_s": published.wall_s,
            "publish_to_build": round(published.wall_s / built.wall_s, 3),
            "publish_peak_rss_mib": published.peak_rss_mib,
            "build_file_mib": _size_mib(build_file),
            "served_duckdb_mib": _size_mib(version_dir / "retention.duckdb"),
            "parquet_mib": _size_mib(version_dir / "parquet"),
            "reader_open_and_count_s": round(float(read_s), 3),
        }


def to_markdown(machine: dict[str, Any], cases: list[dict[str, Any]]) -> str:
    """Render the results as the table committed next to the JSON."""
    lines = [
        "# Publishing benchmark",
        "",
        "`python -m benchmarks.bench_publish`: generator (seed 42, Parquet), `dbt build` into a build file, then",
        "`publishing.versions.publish` in a child process: every mart copied into a new DuckDB file (same DDL)",
        "and to Parquet, meta tables, checkpoint, atomic swap. The reader column is a fresh read-only",
        "connection to the served file plus `count(*)` of fct_orders.",
        "",
        "| customers | orders | dbt build (s) | publish (s) | publish / build | publish peak RSS (MiB) "
        "| build file (MiB) | served DuckDB (MiB) | Parquet (MiB) | reader open + count (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases:
        lines.append(
            f"| {case['customers']:,} | {case['orders']:,} | {case['build_wall_s']} | {case['publish_wall_s']} "
            f"| {case['publish_to_build']} | {case['publish_peak_rss_mib']:,} | {case['build_file_mib']:,} "
            f"| {case['served_duckdb_mib']:,} | {case['parquet_mib']:,} | {case['reader_open_and_count_s']} |"
        )
    lines += ["", "## Machine", ""] + [f"- {key}: {value}" for key, value in machine.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run every size and write benchmarks/results/publish.{json,md}."""
    run_sizes("publish", __doc__.splitlines()[0], SIZES, measure, to_markdown)


if __name__ == "__main__":
    main()
