"""Build the dbt project into a throw-away DuckDB file and read marts back, for the tests.

dbt runs in a subprocess: a dbt run and a DuckDB connection to the same file must not share a
process (DuckDB allows one writer per file), and a subprocess is what users run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
DBT = str(Path(sys.executable).with_name("dbt"))


@dataclass(frozen=True)
class Warehouse:
    """A built warehouse file and the dbt output that built it."""

    path: Path
    log: str

    def query(self, sql: str) -> pd.DataFrame:
        """Run a read-only query against the warehouse."""
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.sql(sql).df()

    def mart(self, name: str, order_by: str) -> pd.DataFrame:
        """Read one mart, ordered so comparisons are deterministic."""
        return self.query(f"select * from marts.{name} order by {order_by}")

    def tables(self, schema: str) -> list[str]:
        """Names of the tables in one schema."""
        frame = self.query(
            f"select table_name from information_schema.tables where table_schema = '{schema}' order by 1"
        )
        return frame["table_name"].tolist()


def run_dbt(
    args: list[str], raw_dir: Path, db_path: Path, dbt_vars: dict | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run one dbt command from the repo root against raw_dir and db_path."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "RETENTION_RAW_DIR": str(raw_dir),
        "RETENTION_LANDING_DIR": str(raw_dir),
        "RETENTION_DUCKDB_PATH": str(db_path),
        "DBT_LOG_PATH": str(db_path.parent / "logs"),
        "DBT_TARGET_PATH": str(db_path.parent / "target"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [DBT, *args]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}")
    return result


def build_warehouse(raw_dir: Path, work_dir: Path, dbt_vars: dict | None = None) -> Warehouse:
    """`dbt build` the whole project on raw_dir into work_dir/warehouse.duckdb."""
    db_path = work_dir / "warehouse.duckdb"
    result = run_dbt(["build"], raw_dir, db_path, dbt_vars)
    return Warehouse(db_path, result.stdout)


def copy_raw(source_dir: Path, target_dir: Path) -> Path:
    """Copy a raw folder so a test can alter it without touching the fixture."""
    shutil.copytree(source_dir, target_dir)
    return target_dir
