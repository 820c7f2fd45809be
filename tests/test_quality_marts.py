"""Mart suites (expectations/marts/) pass on a good build and catch a broken mart; the gates CLI blocks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from retention.quality.mart_checks import run_mart_suites
from tests.warehouse import REPO_ROOT, Warehouse, copy_raw


@pytest.fixture(autouse=True)
def _gx_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETENTION_GX_DIR", str(tmp_path / "gx"))


def test_mart_suites_pass_on_the_sample_build(sample_warehouse: Warehouse) -> None:
    findings = run_mart_suites(sample_warehouse.path)
    assert findings, "no mart suite ran"
    assert [f.message() for f in findings if f.outcome != "passed"] == []
    assert {f.table for f in findings} >= {
        "marts.retention_monthly",
        "marts.at_risk_customers",
        "marts.clv_model_parameters",
    }


def test_mart_suites_catch_a_broken_identity_and_rate(sample_warehouse: Warehouse, tmp_path: Path) -> None:
    broken = tmp_path / "broken.duckdb"
    shutil.copy(sample_warehouse.path, broken)
    with duckdb.connect(str(broken)) as con:
        con.execute(
            "update marts.retention_monthly set retention_rate = 1.5, new_customers = new_customers + 1 "
            "where month = (select max(month) from marts.retention_monthly)"
        )
    failed = {(f.table, f.column, f.rule) for f in run_mart_suites(broken) if f.outcome != "passed"}
    assert ("marts.retention_monthly", "retention_rate", "expect_column_values_to_be_between") in failed
    assert ("marts.retention_monthly", "identity_gap", "expect_column_values_to_be_between") in failed


def test_gates_cli_blocks_and_points_to_data_docs(tiny_dir: Path, tmp_path: Path) -> None:
    raw = copy_raw(tiny_dir, tmp_path / "raw")
    (raw / "raw_orders.csv").write_text(
        (raw / "raw_orders.csv").read_text().replace("completed,100.00", "completed,-100.00")
    )
    result = subprocess.run(
        [sys.executable, "-m", "retention.quality", "--raw-dir", str(raw), "--load-time", "2024-07-02T06:00:00Z"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        "column gross_amount: expect_column_values_to_be_between(min_value=0): blocked, 1 of 10 rows" in result.stdout
    )
    assert "examples: -100.0" in result.stdout
    assert "Data Docs: " in result.stdout and "index.html" in result.stdout
