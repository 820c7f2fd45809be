"""Two refreshes of different deliveries at once: each publishes its own delivery, never the other's build.

Why processes and barriers: the bug this guards against needed a second refresh (delivery B) to land
and build while the first (delivery A) sat between its dbt build and its publish, which then published
B's build as A's. Here refresh A is the README's command stopped at a barrier (tests/paused_refresh.py)
between its landing and its dbt build, or between its build and its publish, each time before the
next step enters its writer section; refresh B is started then and says when it finds the warehouse
held; only then is A let go. Nothing waits on a timer. (With a lock per step, B would find the warehouse
free, land and build its delivery, and never say so: the test fails.)
"""

from __future__ import annotations

import csv
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from publishing.versions import current_version, list_versions
from refresh.landing import delivery_fingerprint
from tests.conftest import SAMPLE_DIR
from tests.warehouse import REPO_ROOT
from warehouse_home.layout import WarehouseLayout

pytestmark = [pytest.mark.dagster, pytest.mark.slow]

BARRIER_SECONDS = 900.0
"""Generous bound on any one wait (a refresh takes ~45 s here); reaching it fails the test."""
A_LOAD_TIME = "2025-01-01T06:00:00Z"
B_CUTOFF = "2024-11-01 00:00:00"
B_LOAD_TIME = "2024-11-01T06:00:00Z"
TIMESTAMPS = {
    "raw_customers": ("signup_at",),
    "raw_orders": ("ordered_at",),
    "raw_support_tickets": ("created_at", "first_response_at", "resolved_at"),
    "raw_survey_responses": ("responded_at",),
}


def _utc(text: str) -> str:
    return text.replace("T", " ").removesuffix("Z")[:19]


def delivery_before(cutoff: str, out: Path) -> Path:
    """The sample as it was delivered on the cutoff: every record (and ticket event) before it."""
    out.mkdir(parents=True)
    kept_tickets: set[str] = set()
    for table, columns in TIMESTAMPS.items():
        with (SAMPLE_DIR / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames, list(reader)
        rows = [row for row in rows if all(_utc(row[column]) < cutoff for column in columns if row[column])]
        if table == "raw_support_tickets":
            kept_tickets = {row["ticket_id"] for row in rows}
        if table == "raw_survey_responses":
            rows = [row for row in rows if not row["ticket_id"] or row["ticket_id"] in kept_tickets]
        with (out / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return out


@dataclass
class Refresh:
    """A refresh CLI in its own process, its stdout lines as they come and its stderr in a file."""

    process: subprocess.Popen
    stderr: Path
    lines: queue.Queue = field(default_factory=queue.Queue)
    stdout: list[str] = field(default_factory=list)

    def wait_for(self, marker: str) -> None:
        """Block until the process prints marker (fail if it exits first or the bound passes)."""
        while True:
            try:
                line = self.lines.get(timeout=BARRIER_SECONDS)
            except queue.Empty:
                pytest.fail(f"no {marker!r} within {BARRIER_SECONDS} s; stderr: {self.tail()}")
            if line is None:
                pytest.fail(f"exited ({self.process.wait()}) before {marker!r}; stderr: {self.tail()}")
            if line.strip() == marker:
                return

    def go_on(self) -> None:
        """Release the process from the barrier it stopped at."""
        self.process.stdin.write("\n")
        self.process.stdin.flush()

    def finish(self) -> tuple[int, str]:
        """Wait for the exit; return the exit code and everything it printed on stdout."""
        code = self.process.wait(timeout=BARRIER_SECONDS)
        while self.lines.get(timeout=BARRIER_SECONDS) is not None:
            pass
        return code, "".join(self.stdout)

    def log(self) -> str:
        """Everything the process logged (Dagster's console log goes to stderr)."""
        return self.stderr.read_text() if self.stderr.exists() else ""

    def tail(self) -> str:
        """The end of the log, for a failure message."""
        return self.log()[-3000:]


def start(point: str, raw_dir: Path, load_time: str, home: Path, name: str) -> Refresh:
    """Start `python -m orchestration` on raw_dir into home, with the barrier point installed."""
    stderr = home.parent / f"{name}.stderr"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.paused_refresh", point, "--raw-dir", str(raw_dir), "--load-time", load_time],
        cwd=REPO_ROOT,
        env={**os.environ, "RETENTION_HOME": str(home)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr.open("w"),
        text=True,
    )
    refresh = Refresh(process, stderr)

    def pump() -> None:
        for line in process.stdout:
            refresh.stdout.append(line)
            refresh.lines.put(line)
        refresh.lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return refresh


def served_state(layout: WarehouseLayout) -> tuple[str, str, dict[str, int], dict[str, int]]:
    """The served file as a reader sees it: version, as_of_date, promised and actual row counts."""
    with duckdb.connect(str(layout.serving_file), read_only=True) as con:
        version, as_of = con.execute("select version_id, as_of_date::varchar from meta.publication").fetchone()
        promised = dict(con.execute("select table_name, row_count from meta.published_tables").fetchall())
        actual = {table: con.execute(f'select count(*) from marts."{table}"').fetchone()[0] for table in promised}
    return version, as_of, promised, actual


@pytest.fixture(scope="module")
def delivery_b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample as delivered on 2024-11-01: 26,253 orders up to 2024-10-31 (the sample has 30,577)."""
    return delivery_before(B_CUTOFF, tmp_path_factory.mktemp("delivery_b") / "raw")


@pytest.mark.parametrize("pause", ["before_build", "before_publish"])
def test_a_second_refresh_waits_and_each_publishes_its_own_delivery(
    pause: str, delivery_b: Path, tmp_path: Path
) -> None:
    """A stops after its landing (before its dbt build) or after its build (before its publish); B, started
    then, finds it held and waits; A goes on and publishes delivery A, then B runs its whole sequence and publishes
    delivery B. Each CLI prints its own version, as_of_date and row counts; the served version is B's, complete and
    consistent."""
    home = tmp_path / "home"
    home.mkdir()
    layout = WarehouseLayout(home)
    a = start(pause, SAMPLE_DIR, A_LOAD_TIME, home, "a")
    a.wait_for(f"BARRIER {pause}")
    b = start("waiting", delivery_b, B_LOAD_TIME, home, "b")
    b.wait_for("BARRIER waiting")
    a.go_on()
    a_code, a_out = a.finish()
    b_code, b_out = b.finish()
    assert (a_code, b_code) == (0, 0), (a.tail(), b.tail())

    a_version, b_version = list_versions(layout.serving_dir)
    expected = [
        (a_version, delivery_fingerprint(SAMPLE_DIR), "2024-12-31", 30_577, 3_000),
        (b_version, delivery_fingerprint(delivery_b), "2024-10-31", 26_253, 2_658),
    ]
    for version, fingerprint, as_of, orders, customers in expected:
        manifest = version.manifest
        assert (manifest["delivery_fingerprint"], manifest["as_of_date"]) == (fingerprint, as_of)
        assert (version.row_counts["fct_orders"], version.row_counts["dim_customers"]) == (orders, customers)
    assert a_version.manifest["run_id"] != b_version.manifest["run_id"]
    assert f"version {a_version.version_id}, as_of_date 2024-12-31" in a_out
    assert "marts.fct_orders" in a_out and "30,577 rows" in a_out and "26,253 rows" not in a_out
    assert f"version {b_version.version_id}, as_of_date 2024-10-31" in b_out
    assert "26,253 rows" in b_out and "30,577 rows" not in b_out
    assert f"writer: the warehouse is busy (run {a_version.manifest['run_id']} (pid {a.process.pid}" in b.log()

    assert current_version(layout.serving_dir) == b_version.version_id
    version, as_of, promised, actual = served_state(layout)
    assert (version, as_of) == (b_version.version_id, "2024-10-31")
    assert promised == actual == b_version.row_counts
