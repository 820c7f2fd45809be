"""Benchmark the main job (`python -m orchestration`: gates, dbt build with its tests, publish) at scale.

Why next to a floor query: machines here are shared and noisy, so the cost is quoted as CPU seconds
(user + sys of every process) and as a ratio to the physical floor measured in the same run: DuckDB
typing every raw order into a fct_orders-like table. Peak memory is the largest sum over all the
job's processes at one moment (the orchestration process and dbt together). The generator runs
first and is reported apart: it is not part of the job.

Usage: ``python -m benchmarks.bench_scale [--sizes 100000 1000000 10000000] [--merge]``
(writes ``benchmarks/results/scale.{json,md}``; --merge keeps the results of the sizes not measured).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.measure import Measured, run_measured, run_sizes
from warehouse_home.duckdb_session import MEMORY_LIMIT_ENV, memory_limit

REPO_ROOT = Path(__file__).resolve().parent.parent
SIZES = (100_000, 1_000_000)
SEED = 42
SLOWEST = 8
LOAD_TIME = "2025-01-01T06:00:00Z"
"""The generator's deliveries end on 2024-12-31; the freshness gate judges them as loaded the next morning."""
FLOOR_SQL = """
create table fct_orders as
select
    cast(order_id as varchar) as order_id,
    cast(customer_id as varchar) as customer_id,
    cast(ordered_at as timestamp) as ordered_at,
    lower(trim(cast(status as varchar))) as order_status,
    cast(gross_amount as decimal(18, 2)) as gross_amount,
    cast(discount_amount as decimal(18, 2)) as discount_amount,
    cast(items_count as integer) as items_count,
    lower(trim(cast(channel as varchar))) as sales_channel
from {reader}
"""
READERS = {"csv": "read_csv('{path}', all_varchar = true)", "parquet": "read_parquet('{path}')"}


def delivery_format() -> str:
    """Name the delivery format (env BENCH_SCALE_FORMAT): CSV by default, as most shops deliver and the sample is."""
    return os.environ.get("BENCH_SCALE_FORMAT", "csv")


ROLES = {
    "orchestration": "orchestration (Dagster, publish)",
    "refresh.land_child": "gates and landing (child process)",
    "dbt": "dbt build (DuckDB, Python models)",
}
"""What each kind of process of the job does, by the module or program it runs."""
STEP_LINE = re.compile(r"^(\d\d):(\d\d):(\d\d) (\w+): ")


def generate_delivery(n_customers: int, raw_dir: Path) -> Measured:
    """Generate the benchmarks' delivery (seed 42, delivery_format()) into raw_dir, in a child process."""
    return run_measured(
        [sys.executable, "-m", "synthetic", "--customers", str(n_customers), "--seed", str(SEED)]
        + ["--format", delivery_format(), "--out", str(raw_dir)],
        cwd=REPO_ROOT,
    )


def floor_query(raw_dir: Path, work_dir: Path) -> Measured:
    """Type every order into a table of a fresh DuckDB file, in a child process (the physical floor)."""
    fmt = delivery_format()
    script = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
        f"con.execute({FLOOR_SQL.format(reader=READERS[fmt].format(path=raw_dir / f'raw_orders.{fmt}'))!r}); "
        "con.close()"
    )
    return run_measured([sys.executable, "-c", script, str(work_dir / "floor.duckdb")], cwd=REPO_ROOT)


def _step_seconds(progress: str) -> dict[str, int]:
    """Wall seconds of each step of the job, from the first to the last progress line it printed."""
    seen: dict[str, list[int]] = {}
    for line in progress.splitlines():
        match = STEP_LINE.match(line)
        if match:
            hours, minutes, seconds, step = match.groups()
            seen.setdefault(step, []).append(int(hours) * 3600 + int(minutes) * 60 + int(seconds))
    return {step: max(times) - min(times) for step, times in seen.items()}


def _slowest_nodes(home: Path) -> list[dict[str, Any]]:
    """List the dbt nodes of the job's build that took longest (wall seconds, from run_results.json)."""
    (run_results,) = (home / "dbt_target").glob("dbt_build-*/run_results.json")
    results = json.loads(run_results.read_text())["results"]
    slowest = sorted(results, key=lambda result: result["execution_time"], reverse=True)[:SLOWEST]
    return [{"node": result["unique_id"], "wall_s": round(result["execution_time"], 1)} for result in slowest]


def measure(n_customers: int) -> dict[str, Any]:
    """Generate one delivery, measure the floor query and the main job on it."""
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as work:
        work_dir = Path(work)
        raw_dir, home = work_dir / "raw", work_dir / "home"
        generated = generate_delivery(n_customers, raw_dir)
        floor = floor_query(raw_dir, work_dir)
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("RETENTION_", "DBT_"))},
            "RETENTION_HOME": str(home),
            MEMORY_LIMIT_ENV: memory_limit(),
        }
        job = run_measured(
            [sys.executable, "-m", "orchestration", "--raw-dir", str(raw_dir), "--load-time", LOAD_TIME],
            env=env,
            cwd=REPO_ROOT,
        )
        slowest = _slowest_nodes(home)
    return {
        "customers": n_customers,
        "format": delivery_format(),
        "duckdb_memory_limit": memory_limit(),
        "generator": {
            "cpu_s": generated.cpu_s,
            "wall_s": generated.wall_s,
            "peak_rss_mib": generated.tree_peak_rss_mib,
        },
        "floor": {"cpu_s": floor.cpu_s, "wall_s": floor.wall_s, "peak_rss_mib": floor.tree_peak_rss_mib},
        "job": {"cpu_s": job.cpu_s, "wall_s": job.wall_s, "peak_rss_mib": job.tree_peak_rss_mib},
        "job_processes": {
            ROLES.get(role, role): {"cpu_s": usage.cpu_s, "peak_rss_mib": usage.peak_rss_mib}
            for role, usage in job.roles.items()
            if usage.cpu_s >= 0.5
        },
        "job_to_floor_cpu": round(job.cpu_s / floor.cpu_s, 1) if floor.cpu_s else None,
        "step_wall_s": _step_seconds(job.stdout),
        "slowest_nodes": slowest,
    }


def to_markdown(machine: dict[str, Any], cases: list[dict[str, Any]]) -> str:
    """Render the results as the table the README quotes, then the slowest nodes per size."""
    lines = [
        "# Main job at scale",
        "",
        f"Measured {machine['date']} on {machine['cpu']} ({machine['usable_cores']} usable cores, "
        f"{machine['memory_gib']} GiB), DuckDB {machine['duckdb']}. `python -m benchmarks.bench_scale`: the "
        f"generator (seed 42, {cases[0]['format'] if cases else delivery_format()} files), then the floor query "
        "(DuckDB typing every order into a table) and the "
        "main job (`python -m orchestration`: gates, dbt build with every test, publish), each in a child "
        "process. CPU = user + sys of every process; peak = the largest sum of RSS over all processes.",
        "",
        "| customers | job CPU s | floor CPU s | job / floor | job wall s | job peak RSS MiB | generator CPU s "
        "| DuckDB memory limit | commit |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for case in cases:
        job, floor, generator = case["job"], case["floor"], case["generator"]
        lines.append(
            f"| {case['customers']:,} | {job['cpu_s']:,.0f} | {floor['cpu_s']:,.1f} | {case['job_to_floor_cpu']} "
            f"| {job['wall_s']:,.0f} | {job['peak_rss_mib']:,.0f} | {generator['cpu_s']:,.0f} "
            f"| {case.get('duckdb_memory_limit', '')} | {case.get('commit', '')} |"
        )
    for smaller, larger in zip(cases, cases[1:], strict=False):
        lines.append(
            f"\nFrom {smaller['customers']:,} to {larger['customers']:,} customers the job's CPU grows "
            f"{larger['job']['cpu_s'] / smaller['job']['cpu_s']:.1f}x (the floor "
            f"{larger['floor']['cpu_s'] / smaller['floor']['cpu_s']:.1f}x)."
        )
    for case in cases:
        lines += ["", f"## {case['customers']:,} customers", "", "Step wall seconds: "]
        lines[-1] += ", ".join(f"{step} {seconds}" for step, seconds in case["step_wall_s"].items())
        lines += ["", "| process | CPU s | peak RSS MiB |", "| --- | ---: | ---: |"]
        lines += [
            f"| {role} | {usage['cpu_s']:,.1f} | {usage['peak_rss_mib']:,.0f} |"
            for role, usage in case.get("job_processes", {}).items()
        ]
        lines += ["", "| slowest dbt node | wall s |", "| --- | ---: |"]
        lines += [f"| {node['node']} | {node['wall_s']} |" for node in case["slowest_nodes"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    run_sizes("scale", __doc__ or "", SIZES, measure, to_markdown)
