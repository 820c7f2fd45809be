"""Benchmark the CLV fits: compressed (unique rows + weights) against per-customer, time and peak memory.

Inputs come from the synthetic generator (seed 42, as of 2024-12-31): completed orders, net revenue
= gross - discount (exact decimals, so the inputs do not depend on DuckDB's summation order),
purchase day = the first 10 characters of ``ordered_at``, summarised per customer in DuckDB straight
from the Arrow tables (x, t_x, T, monetary_value as defined in ``modelling.clv``) and written to
Parquet once per size. Every fit then runs in its own child
process (this script with ``--case``) that reads that file, so its peak RSS is its own; a "load"
case that only imports and reads the file gives the baseline the fits add to. The per-customer
fit evaluates the same likelihood on one row per customer, as the lifetimes library does.

Usage: ``python -m benchmarks.bench_clv`` (writes ``benchmarks/results/clv.{json,md}``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.measure import RESULTS_DIR, machine_info, run_measured
from warehouse_home.duckdb_session import connect, one_row

SIZES = (100_000, 1_000_000)
SEED = 42
AS_OF_DATE = "2024-12-31"
TARGET_SECONDS = 10.0
"""Budget for the compressed fit of both models on 1,000,000 customers (in-process fit time)."""
CASES = ("load", "compressed", "uncompressed", "score")
REPEATS = 3
"""Each timed step runs this many times in its child and the median is reported: sub-second fits are noisy."""
SCORING: dict[str, Any] = {"horizon_days": 365, "churn_window_days": 90, "annual_discount_rate": 0.1}

SUMMARY_SQL = f"""
with purchase_days as (
    select customer_id, cast(left(ordered_at, 10) as date) as purchase_date,
        sum(gross_amount - discount_amount) as value
    from orders
    where status = 'completed' and cast(left(ordered_at, 10) as date) <= date '{AS_OF_DATE}'
    group by all
)
select
    customer_id,
    count(*) - 1 as x,
    cast(date_diff('day', min(purchase_date), max(purchase_date)) as double) as t_x,
    cast(date_diff('day', min(purchase_date), date '{AS_OF_DATE}') as double) as T,
    cast(sum(value) - arg_min(value, purchase_date) as double) / nullif(count(*) - 1, 0) as monetary_value
from purchase_days
group by customer_id
order by customer_id
"""


def prepare(n_customers: int, path: Path) -> dict[str, Any]:
    """Generate raw data and write the per-customer summary; time generation and summarising apart."""
    from synthetic.generator import generate

    started = time.perf_counter()
    orders = generate(n_customers, seed=SEED)["raw_orders"]
    generated = time.perf_counter()
    with connect() as con:
        con.register("orders", orders)
        con.execute(f"copy ({SUMMARY_SQL}) to '{path}' (format parquet)")
        customers, repeaters = one_row(con, f"select count(*), count(*) filter (x > 0) from '{path}'")
    summarised = time.perf_counter()
    return {
        "generate_s": round(generated - started, 3),
        "prepare_s": round(summarised - generated, 3),
        "customers_with_purchases": customers,
        "repeat_customers": repeaters,
    }


def fit_report(fits: tuple) -> dict[str, Any]:
    """Parameters, log-likelihood and status of each fit, keyed by model."""
    return {
        fit.model: {
            "params": fit.params,
            "log_likelihood": fit.log_likelihood,
            "customers": fit.customer_count,
            "status": fit.status,
        }
        for fit in fits
    }


def timed(step: Callable[[], Any]) -> tuple[Any, float]:
    """Run step REPEATS times; return its last result and the median wall time in seconds."""
    seconds = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = step()
        seconds.append(time.perf_counter() - started)
    return result, round(statistics.median(seconds), 3)


def run_case(case: str, path: Path) -> dict[str, Any]:
    """Be the child process of one case: read the summary, then load only, fit, or fit and score."""
    import numpy as np
    import pandas as pd

    from modelling import clv

    summary = pd.read_parquet(path)
    x, t_x, T, m_x = (summary[c].to_numpy(dtype=float) for c in ("x", "t_x", "T", "monetary_value"))
    repeat = x > 0
    if case == "load":
        return {}
    if case == "uncompressed":
        bg_nbd, bg_nbd_s = timed(lambda: clv.fit_bg_nbd(x, t_x, T))
        gamma_gamma, gamma_gamma_s = timed(lambda: clv.fit_gamma_gamma(x[repeat], m_x[repeat]))
        return {
            "fit_s": round(bg_nbd_s + gamma_gamma_s, 3),
            "bg_nbd_s": bg_nbd_s,
            "gamma_gamma_s": gamma_gamma_s,
            "fits": fit_report((bg_nbd, gamma_gamma)),
        }
    if case == "score":
        fits = clv.fit_clv_models(summary)
        scores, score_s = timed(lambda: clv.score_customers(summary, *fits, **SCORING))
        return {"score_s": score_s, "scored_ok": int((scores["prediction_status"] == "ok").sum())}
    fits, fit_s = timed(lambda: clv.fit_clv_models(summary))
    return {
        "fit_s": fit_s,
        "unique_rows": {
            "bg_nbd": len(clv.compress_rows(x, np.where(repeat, t_x, 0.0), T)[1]),
            "gamma_gamma": len(clv.compress_rows(x[repeat], m_x[repeat])[1]),
        },
        "fits": fit_report(fits),
    }


def measure(case: str, path: Path) -> dict[str, Any]:
    """Run one case in a child process; return its report plus wall time and peak RSS."""
    measured = run_measured([sys.executable, "-m", "benchmarks.bench_clv", "--case", case, str(path)])
    return {"wall_s": measured.wall_s, "peak_rss_mib": measured.peak_rss_mib, **json.loads(measured.stdout)}


def largest_difference(one: dict[str, Any], other: dict[str, Any]) -> float:
    """Largest relative difference between the parameters of two fit reports."""
    return max(
        abs(one[model]["params"][name] / other[model]["params"][name] - 1)
        for model in one
        for name in one[model]["params"]
    )


def measure_size(n_customers: int) -> dict[str, Any]:
    """Prepare one size's inputs, then measure every case on them."""
    with tempfile.TemporaryDirectory(prefix="bench_clv_") as folder:
        path = Path(folder) / "summary.parquet"
        prepared = run_measured(
            [sys.executable, "-m", "benchmarks.bench_clv", "--prepare", str(n_customers), str(path)]
        )
        result = {
            "customers": n_customers,
            **json.loads(prepared.stdout),
            "prepare_peak_rss_mib": prepared.peak_rss_mib,
        }
        for case in CASES:
            result[case] = measure(case, path)
    result["max_relative_parameter_difference"] = largest_difference(
        result["compressed"]["fits"], result["uncompressed"]["fits"]
    )
    return result


def to_markdown(machine: dict[str, Any], sizes: list[dict[str, Any]]) -> str:
    """Render the results as the table committed next to the JSON."""
    lines = [
        "# CLV fit benchmark (BG/NBD + Gamma-Gamma)",
        "",
        f"`python -m benchmarks.bench_clv`, synthetic data seed {SEED}, as of {AS_OF_DATE}. Fit times are the",
        f"median of {REPEATS} in-process runs of the fit of both models (compression and input checks included),",
        "score the same for `score_customers` (365-day horizon, 10% discounting in 30-day steps); peak RSS is the",
        "child process's maximum resident set size, next to a child that only imports and reads the same",
        "summary file (baseline). Per customer = the same likelihood on one row per customer, no weights.",
        "",
        "| customers | with purchases | unique BG/NBD rows | unique G-G rows | compressed fit (s) "
        "| per-customer fit (s) | compressed peak RSS (MiB) | per-customer peak RSS (MiB) | baseline RSS (MiB) "
        "| score (s) | max param diff |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        compressed, per_customer = size["compressed"], size["uncompressed"]
        lines.append(
            f"| {size['customers']:,} | {size['customers_with_purchases']:,} "
            f"| {compressed['unique_rows']['bg_nbd']:,} | {compressed['unique_rows']['gamma_gamma']:,} "
            f"| {compressed['fit_s']} | {per_customer['fit_s']} (BG/NBD {per_customer['bg_nbd_s']}, "
            f"G-G {per_customer['gamma_gamma_s']}) | {compressed['peak_rss_mib']:,} | {per_customer['peak_rss_mib']:,} "
            f"| {size['load']['peak_rss_mib']:,} | {size['score']['score_s']} "
            f"| {size['max_relative_parameter_difference']:.1e} |"
        )
    lines += ["", "Input preparation (generator, then DuckDB summary to Parquet):", ""]
    lines += [
        f"- {size['customers']:,} customers: generate {size['generate_s']} s, summarise {size['prepare_s']} s, "
        f"{size['repeat_customers']:,} repeat customers"
        for size in sizes
    ]
    lines += ["", "Fitted parameters (compressed fit; alpha in days, gamma in currency units):", ""]
    for size in sizes:
        for model, fit in size["compressed"]["fits"].items():
            params = ", ".join(f"{name} = {value:.4g}" for name, value in fit["params"].items())
            lines.append(f"- {size['customers']:,} {model}: {params}; LL {fit['log_likelihood']:.1f}; {fit['status']}")
    target = [size for size in sizes if size["customers"] == 1_000_000]
    if target:
        verdict = "met" if target[0]["compressed"]["fit_s"] < TARGET_SECONDS else "MISSED"
        lines += [
            "",
            f"Target: 1,000,000 customers fitted (compressed) in under {TARGET_SECONDS:.0f} s: **{verdict}**.",
        ]
    lines += ["", "## Machine", ""] + [f"- {key}: {value}" for key, value in machine.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Run all sizes (or, with ``--prepare`` / ``--case``, be the child that does one step)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    parser.add_argument("--prepare", nargs=2, metavar=("N", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--case", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        print(json.dumps(prepare(int(args.prepare[0]), Path(args.prepare[1]))))
        return
    if args.case:
        print(json.dumps(run_case(args.case[0], Path(args.case[1]))))
        return
    sizes = []
    for n_customers in args.sizes:
        sizes.append(measure_size(n_customers))
        compressed, per_customer = sizes[-1]["compressed"], sizes[-1]["uncompressed"]
        print(
            f"{n_customers:>9,}: compressed {compressed['fit_s']} s / {compressed['peak_rss_mib']} MiB, "
            f"per customer {per_customer['fit_s']} s / {per_customer['peak_rss_mib']} MiB"
        )
    machine = machine_info()
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "clv.json").write_text(json.dumps({"machine": machine, "sizes": sizes}, indent=2) + "\n")
    (args.results / "clv.md").write_text(to_markdown(machine, sizes))


if __name__ == "__main__":
    main()
