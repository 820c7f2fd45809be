"""Prove a refactoring changes no mart value: snapshot every mart of many builds, then compare.

    python -m tests.mart_snapshot take OUT_DIR        # build every data set, write each mart as Parquet
    python -m tests.mart_snapshot compare BEFORE AFTER

The data sets are the bundled sample (default settings and a second set of vars), the tiny
fixture, the synthetic generator at another seed, and the random raw data of the retention and
voice differential tests. Each is built with `dbt build` without tests (some differential data
sets have no tickets, which data tests would reject, and tests are not what is compared).
Marts are compared row by row after sorting on every column; floats to a relative 1e-9, because
summation order may change with a query plan and nothing else is allowed to.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd

from tests.warehouse import FIXTURES, REPO_ROOT, run_dbt

SAMPLE_DIR = REPO_ROOT / "data" / "sample"
NO_TESTS = ["--exclude-resource-type", "test", "unit_test"]


def _synthetic(raw_dir: Path) -> None:
    from synthetic.generator import main as synthetic_main  # noqa: PLC0415 - only this data set needs it

    synthetic_main(["--customers", "1500", "--seed", "7", "--format", "parquet", "--out", str(raw_dir)])


def _retention_differential(index: int) -> Callable[[Path], dict]:
    def write(raw_dir: Path) -> dict:
        from tests import test_retention_differential as diff  # noqa: PLC0415

        scenario = diff.SCENARIOS[index]
        customers, orders, _ = diff.random_raw(scenario)
        diff.write_raw(customers, orders, raw_dir)
        return {"as_of_date": scenario.as_of_date.isoformat(), "churn_window_days": scenario.window_days}

    return write


def _voice_differential(index: int) -> Callable[[Path], dict]:
    def write(raw_dir: Path) -> dict:
        from tests import test_voice_differential as diff  # noqa: PLC0415

        scenario = diff.SCENARIOS[index]
        customers, orders, tickets, responses = diff.random_raw(scenario)
        diff.write_raw(customers, orders, raw_dir, tickets, responses)
        return {"as_of_date": scenario.as_of_date.isoformat()}

    return write


def data_sets() -> Iterator[tuple[str, Path | Callable[[Path], dict | None], dict]]:
    """(name, raw folder or a writer of one, dbt vars) of every data set compared."""
    yield "sample", SAMPLE_DIR, {}
    yield (
        "sample_vars",
        SAMPLE_DIR,
        {"as_of_date": "2024-06-30", "churn_window_days": 45, "recent_activity_days": 60, "risk_snapshot_months": 9},
    )
    yield "tiny", FIXTURES / "tiny", {}
    yield "synthetic_seed7", _synthetic, {}
    for index in range(5):
        yield f"retention_differential_{index}", _retention_differential(index), {}
    for index in range(3):
        yield f"voice_differential_{index}", _voice_differential(index), {}


def take(out_dir: Path, only: set[str] | None = None) -> None:
    """Build every data set and write each of its marts to out_dir/<data set>/<mart>.parquet."""
    for name, source, dbt_vars in data_sets():
        if only and name not in only:
            continue
        with tempfile.TemporaryDirectory(prefix=f"snapshot_{name}_") as work:
            work_dir = Path(work)
            if isinstance(source, Path):
                raw_dir = source
            else:
                raw_dir = work_dir / "raw"
                dbt_vars = {**(source(raw_dir) or {}), **dbt_vars}
            db_path = work_dir / "warehouse.duckdb"
            run_dbt(["build", *NO_TESTS], raw_dir, db_path, dbt_vars or None)
            target = out_dir / name
            target.mkdir(parents=True, exist_ok=True)
            with duckdb.connect(str(db_path), read_only=True) as con:
                marts = con.sql(
                    "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
                ).fetchall()
                for (mart,) in marts:
                    con.sql(f"copy (select * from marts.{mart}) to '{target / mart}.parquet' (format parquet)")
            print(f"{name}: {len(marts)} marts", flush=True)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), na_position="first", kind="mergesort").reset_index(drop=True)


def _same_value(left: object, right: object) -> bool:
    if pd.isna(left) and pd.isna(right):  # type: ignore[arg-type]
        return True
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12)
    return bool(left == right)


def differences(before: Path, after: Path, renames: dict[str, str] | None = None) -> list[str]:
    """Every mart missing on one side, or whose columns, types or values differ.

    renames maps a column's old name to its new one (a rename recorded in the CHANGELOG).
    """
    problems: list[str] = []
    for before_set in sorted(p for p in before.iterdir() if p.is_dir()):
        after_set = after / before_set.name
        names = {p.name for p in before_set.glob("*.parquet")}
        after_names = {p.name for p in after_set.glob("*.parquet")}
        problems += [f"{before_set.name}/{n}: missing after" for n in sorted(names - after_names)]
        problems += [f"{before_set.name}/{n}: new after" for n in sorted(after_names - names)]
        for name in sorted(names & after_names):
            left = pd.read_parquet(before_set / name).rename(columns=renames or {})
            right = pd.read_parquet(after_set / name)
            where = f"{before_set.name}/{name}"
            if list(left.columns) != list(right.columns) or list(left.dtypes) != list(right.dtypes):
                problems.append(
                    f"{where}: columns {list(zip(left.columns, left.dtypes, strict=False))} -> "
                    f"{list(zip(right.columns, right.dtypes, strict=False))}"
                )
                continue
            if len(left) != len(right):
                problems.append(f"{where}: {len(left)} rows -> {len(right)}")
                continue
            left, right = _sorted(left), _sorted(right)
            for column in left.columns:
                bad = [
                    i for i, (a, b) in enumerate(zip(left[column], right[column], strict=True)) if not _same_value(a, b)
                ]
                if bad:
                    i = bad[0]
                    problems.append(
                        f"{where}.{column}: {len(bad)} rows differ, e.g. {left[column][i]!r} -> {right[column][i]!r}"
                    )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    take_parser = commands.add_parser("take")
    take_parser.add_argument("out_dir", type=Path)
    take_parser.add_argument("--only", nargs="*", help="data set names (default: all)")
    compare_parser = commands.add_parser("compare")
    compare_parser.add_argument("before", type=Path)
    compare_parser.add_argument("after", type=Path)
    compare_parser.add_argument("--renames", nargs="*", default=[], help="old=new column renames")
    args = parser.parse_args(argv)
    if args.command == "take":
        take(args.out_dir, set(args.only) if args.only else None)
        return 0
    problems = differences(args.before, args.after, dict(r.split("=", 1) for r in args.renames))
    sets = sorted(p.name for p in args.before.iterdir() if p.is_dir())
    marts = sum(len(list((args.before / s).glob("*.parquet"))) for s in sets)
    for problem in problems:
        print(problem)
    print(f"{len(sets)} data sets, {marts} marts compared: {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
