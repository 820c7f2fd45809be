"""The Dagster code location end to end: full refresh, blocked delivery, busy lock, kill, readers, triggers.

Why one module with one home (conftest.py points RETENTION_HOME at a temp folder): a refresh costs
~40 s, so the tests follow one warehouse's life in order — published from the sample, a bad
delivery bounced, a refresh killed during dbt and the next one succeeding, BI readers querying while
refreshes publish — and each asserts what its step must leave behind.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import pytest

from publishing.versions import current_version, list_versions, publish
from quality_gates.suites import RAW_TABLES
from refresh.lease import warehouse_lock
from tests.conftest import ORCHESTRATION_RAW_DIR, SAMPLE_DIR
from tests.refresh import published_digests
from tests.warehouse import REPO_ROOT, copy_raw, run_dbt

pytestmark = [pytest.mark.dagster, pytest.mark.slow]

LOAD_TIME = "2025-01-01T06:00:00Z"
"""The morning after the sample's latest order (2024-12-31 20:10)."""
EXTRA_ORDERS = 100
"""Delivery B: the sample plus this many orders (copies of existing ones under new ids)."""
BIN = Path(sys.executable).parent
READERS = 3


@pytest.fixture(scope="module")
def orch() -> SimpleNamespace:
    """The code location, loaded as Dagster loads it once the dbt manifest is prepared."""
    from orchestration import jobs, triggers
    from orchestration.definitions import defs
    from orchestration.project import orchestration_settings, prepare_manifest

    project = prepare_manifest()
    settings = orchestration_settings()
    return SimpleNamespace(
        project=project,
        defs=defs(),
        settings=settings,
        layout=settings.layout,
        jobs=jobs,
        triggers=triggers,
        instance=dg.DagsterInstance.ephemeral(),
    )


def refresh(orch: SimpleNamespace, raw_dir: Path | None = None, **kwargs: object) -> dg.ExecuteInProcessResult:
    """Execute the refresh job in-process (raw_dir None: RETENTION_RAW_DIR, the sample copy)."""
    job = orch.defs.resolve_job_def(orch.jobs.REFRESH_JOB)
    run_config = orch.jobs.landing_run_config(str(raw_dir) if raw_dir else None, LOAD_TIME)
    return job.execute_in_process(run_config=run_config, instance=orch.instance, raise_on_error=False, **kwargs)


@pytest.fixture(scope="module")
def first_refresh(orch: SimpleNamespace) -> dg.ExecuteInProcessResult:
    """The first refresh of the home, on the bundled sample."""
    return refresh(orch)


@pytest.fixture(scope="module")
def delivery_b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample plus EXTRA_ORDERS orders, so its marts differ from the sample's (30,677 orders)."""
    raw = copy_raw(SAMPLE_DIR, tmp_path_factory.mktemp("delivery_b") / "raw")
    with (raw / "raw_orders.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    extra = [[f"X{row[0]}", *row[1:]] for row in rows[1 : EXTRA_ORDERS + 1]]
    with (raw / "raw_orders.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(extra)
    return raw


def failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    """`asset:check` of every check that failed in the run."""
    evaluations = result.get_asset_check_evaluations()
    return [check.asset_check_key.to_user_string() for check in evaluations if not check.passed]


def served_count(orch: SimpleNamespace, table: str) -> int:
    """Rows of a mart in the served file, read as a BI tool would."""
    with duckdb.connect(str(orch.layout.serving_file), read_only=True) as con:
        return con.execute(f"select count(*) from marts.{table}").fetchone()[0]


def test_full_refresh_materializes_every_asset_and_passes_every_check(
    orch: SimpleNamespace, first_refresh: dg.ExecuteInProcessResult
) -> None:
    """Every asset of the job (landed raw tables and gate results, every dbt model and seed, the published
    warehouse) and every check (a gate per raw table, every dbt data test) ran and passed; the delivered
    files were observed. The counts come from the dbt manifest, so a new model or test needs no edit here."""
    assert first_refresh.success
    nodes = json.loads(orch.project.manifest_path.read_text())["nodes"].values()
    dbt_assets = [node for node in nodes if node["resource_type"] in ("model", "seed")]
    data_tests = [node for node in nodes if node["resource_type"] == "test"]
    graph = orch.defs.resolve_job_def(orch.jobs.REFRESH_JOB).asset_layer.asset_graph
    materialized = {event.asset_key for event in first_refresh.get_asset_materialization_events()}
    assert materialized == set(orch.defs.resolve_asset_graph().materializable_asset_keys)
    assert len(materialized) == len(dbt_assets) + len(RAW_TABLES) + 2  # + gate results, + the served warehouse
    evaluations = first_refresh.get_asset_check_evaluations()
    assert {evaluation.asset_check_key for evaluation in evaluations} == set(graph.asset_check_keys)
    assert [evaluation.asset_check_key for evaluation in evaluations if not evaluation.passed] == []
    assert len(evaluations) == len(data_tests) + len(RAW_TABLES)
    observed = {event.asset_key.to_user_string() for event in first_refresh.get_asset_observation_events()}
    assert observed == {f"delivery/{table}" for table in RAW_TABLES}
    assert served_count(orch, "fct_orders") == 30_577


def _metadata(result: dg.ExecuteInProcessResult, key: str) -> dict:
    """The metadata values of the one materialization or observation of key in the run."""
    entries = [
        event.step_materialization_data.materialization for event in result.get_asset_materialization_events()
    ] + [event.asset_observation_data.asset_observation for event in result.get_asset_observation_events()]
    (entry,) = [entry for entry in entries if entry.asset_key.to_user_string() == key]
    return {name: getattr(value, "value", value) for name, value in entry.metadata.items()}


def test_assets_carry_what_a_user_looks_for(orch: SimpleNamespace, first_refresh: dg.ExecuteInProcessResult) -> None:
    """Row counts per mart, as_of_date, model fit convergence, data-quality results, Data Docs, the version."""
    published = _metadata(first_refresh, "serving/warehouse")
    assert published["version_id"] == current_version(orch.layout.serving_dir)
    assert published["as_of_date"] == "2024-12-31"
    assert published["serving_file"] == str(orch.layout.serving_file)
    assert published["clv_fits"] == {
        "bg_nbd": {"converged": True, "status": "ok"},
        "gamma_gamma": {"converged": True, "status": "ok"},
    }
    assert "| dim_customers | 3,000 |" in published["rows_per_mart"]
    assert set(published["data_quality_rules"]) <= {"passed", "warned", "quarantined"}
    assert published["data_docs"].startswith("file://") and Path(published["data_docs"][7:]).exists()
    assert _metadata(first_refresh, "marts/dim_customers")["dagster/row_count"] == 3000
    assert _metadata(first_refresh, "marts/fct_orders")["dagster/row_count"] == 30_577
    landed = _metadata(first_refresh, "raw/raw_orders")
    assert (landed["rows_delivered"], landed["dagster/row_count"], landed["rows_quarantined"]) == (30_577, 30_577, 0)
    with (ORCHESTRATION_RAW_DIR / "raw_orders.csv").open(newline="", encoding="utf-8") as handle:
        latest = max(row["ordered_at"].replace("T", " ").removesuffix("Z") for row in csv.DictReader(handle))
    observed = _metadata(first_refresh, "delivery/raw_orders")
    assert (observed["dagster/row_count"], observed["latest ordered_at"]) == (30_577, latest)


def test_the_run_used_the_prepared_manifest_without_reparsing(
    orch: SimpleNamespace, first_refresh: dg.ExecuteInProcessResult, tmp_path: Path
) -> None:
    """dbt partial-parsed from the prepared state; the control shows a different profile would re-parse."""
    (run_dir,) = orch.layout.dbt_target_dir.glob(f"dbt_build-{first_refresh.run_id[:7]}-*")
    log = "".join(path.read_text() for path in run_dir.glob("dbt.log*"))
    assert "PartialParsingEnabled" in log
    assert "UnableToPartialParse" not in log
    control = tmp_path / "control"
    (control / "target").mkdir(parents=True)
    shutil.copy(orch.layout.dbt_target_dir / "partial_parse.msgpack", control / "target")
    output = run_dbt(["parse"], orch.layout.landing_dir, control / "other.duckdb").stdout
    assert "Unable to do partial parsing because profile has changed" in output


def _refresh_while_held(
    orch: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, wait_seconds: float, leftover: Path | None = None
) -> tuple[dg.ExecuteInProcessResult, str, bool]:
    """Run the landing step while another writer holds the warehouse; the holder lets go when the step has found
    it busy, and the step goes on only once it has (events, no timers). Returns the result and what the step
    was told about the holder, and whether leftover still existed while the step waited.
    """
    from orchestration import writer

    found_busy, released, told, kept = threading.Event(), threading.Event(), [], []
    acquire = writer.acquire_lease

    def spied(*args: object, on_busy: object = None, **kwargs: object) -> object:
        def busy(holder: str) -> None:
            told.append(holder)
            kept.append(leftover is not None and leftover.exists())
            found_busy.set()
            assert released.wait(timeout=600)
            if on_busy is not None:
                on_busy(holder)

        return acquire(*args, on_busy=busy, **kwargs)

    monkeypatch.setattr(writer, "acquire_lease", spied)
    patient = dataclasses.replace(orch.settings, writer_wait_seconds=wait_seconds)
    monkeypatch.setattr(writer, "orchestration_settings", lambda: patient)
    held = threading.Event()

    def hold() -> None:
        with warehouse_lock(orch.layout, owner="the other writer"):
            held.set()
            found_busy.wait(timeout=600)
        released.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(timeout=600)
    landing = [dg.AssetKey(["raw", table]) for table in RAW_TABLES] + [dg.AssetKey(["quality", "data_quality_results"])]
    result = refresh(orch, asset_selection=landing)
    holder.join()
    return result, told[0], kept[0]


def test_a_busy_warehouse_is_waited_for(
    orch: SimpleNamespace, first_refresh: dg.ExecuteInProcessResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While another writer holds the warehouse, the landing step waits (saying for whom) and goes on once free;
    only then does it remove what a publish killed half-way left (the holder's own temp folder while it holds)."""
    assert first_refresh.success
    leftover = orch.layout.serving_dir / "versions" / ".20250101T060000.000000Z.tmp"
    (leftover / "parquet").mkdir(parents=True)
    result, holder, kept_while_held = _refresh_while_held(orch, monkeypatch, wait_seconds=600, leftover=leftover)
    assert result.success
    assert holder.startswith("the other writer (pid ")
    assert kept_while_held and not leftover.exists()
    assert [event for event in result.all_events if event.event_type_value == "STEP_UP_FOR_RETRY"] == []


def test_a_warehouse_still_busy_after_the_wait_is_retried_not_failed(
    orch: SimpleNamespace, first_refresh: dg.ExecuteInProcessResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no wait left, the landing step asks to be retried; the retry succeeds once the warehouse is free."""
    assert first_refresh.success
    result, _, _ = _refresh_while_held(orch, monkeypatch, wait_seconds=0)
    assert result.success
    retries = [event for event in result.all_events if event.event_type_value == "STEP_UP_FOR_RETRY"]
    assert len(retries) >= 1


def test_a_bad_delivery_fails_its_gate_and_leaves_the_published_version_byte_identical(
    orch: SimpleNamespace, first_refresh: dg.ExecuteInProcessResult, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """A delivery without the orders' status column stops at the gate: nothing downstream runs, nothing
    published changes, the failure summary names the asset, the check and the rule, and the README's
    command (`python -m orchestration`) exits 2."""
    before = published_digests(orch.layout, with_landing=True)
    raw = copy_raw(SAMPLE_DIR, tmp_path / "raw")
    with (raw / "raw_orders.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    position = rows[0].index("status")
    with (raw / "raw_orders.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(row[:position] + row[position + 1 :] for row in rows)
    result = refresh(orch, raw)
    assert not result.success
    assert failed_checks(result) == ["raw/raw_orders:quality_gate"]
    assert result.get_asset_materialization_events() == []
    assert published_digests(orch.layout, with_landing=True) == before
    assert "column(s) status missing" in _metadata(result, "delivery/raw_orders")["problem"]  # observed, as it is
    assert _metadata(result, "delivery/raw_customers")["dagster/row_count"] == 3000
    summary = (orch.layout.state_dir / "last_failure.md").read_text()
    assert "# Refresh failed: step `landed_delivery`" in summary
    assert f"- raw/raw_orders · quality_gate: {raw / 'raw_orders.csv'}: column(s) status missing" in summary
    assert f"published version unchanged: {current_version(orch.layout.serving_dir)}" in summary
    from orchestration.__main__ import main as run_cli

    capsys.readouterr()
    assert run_cli(["--raw-dir", str(raw), "--load-time", LOAD_TIME]) == 2
    assert "REFRESH FAILED" in capsys.readouterr().out
    assert published_digests(orch.layout, with_landing=True) == before


def _rewrite_sample(path: Path, change: object) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(change(rows))


BAD_DELIVERIES = {
    "numbers": (
        "raw_orders.csv",
        lambda rows: [
            rows[0],
            *[row[:6] + ["2.5"] + row[7:] if i % 50 == 0 else row for i, row in enumerate(rows[1:])],
        ],
        "column items_count: value is a whole number within 32 bits (-2147483648 to 2147483647): blocked, 612 of 30577",
    ),
    "headers": (
        "raw_orders.csv",
        lambda rows: [[*row, "status" if i == 0 else "completed"] for i, row in enumerate(rows)],
        "ambiguous header: name(s) repeated: status (columns 4, 9)",
    ),
    "references": (
        "raw_support_tickets.csv",
        lambda rows: [rows[0], *[[row[0], "", *row[2:]] if i % 20 == 0 else row for i, row in enumerate(rows[1:])]],
        "column customer_id: expect_column_values_to_not_be_null(): blocked, 53 of 1057",
    ),
    "repeated_header": (
        "raw_survey_responses.csv",
        lambda rows: rows[:1000] + rows[:1] + rows[1000:],
        "the header row appears again inside the data (1 time(s), at line(s) 1001)",
    ),
}
"""Per class of bad delivery (issue 13): the file, how it is broken, and what the message must say."""


@pytest.mark.parametrize("case", sorted(BAD_DELIVERIES))
def test_each_class_of_bad_delivery_is_blocked_by_the_main_job(
    case: str,
    orch: SimpleNamespace,
    first_refresh: dg.ExecuteInProcessResult,
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    """The README's command (`python -m orchestration`) exits 2 on each class, printing the file, the column,
    the rule and examples once, and leaves every published and landed file byte-identical."""
    from orchestration.__main__ import main as run_cli

    assert first_refresh.success
    file, damage, expected = BAD_DELIVERIES[case]
    raw = copy_raw(SAMPLE_DIR, tmp_path / "raw")
    _rewrite_sample(raw / file, damage)
    before = published_digests(orch.layout, with_landing=True)
    capsys.readouterr()
    assert run_cli(["--raw-dir", str(raw), "--load-time", LOAD_TIME]) == 2
    printed = capsys.readouterr().out
    assert printed.count(f"{raw / file}: {expected}") == 1, printed[-3000:]
    assert published_digests(orch.layout, with_landing=True) == before


def test_a_failing_dbt_test_blocks_the_publish(
    orch: SimpleNamespace, first_refresh: dg.ExecuteInProcessResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mart invariants live in dbt tests only: a refresh whose build fails one (here a churn window of 0 days,
    refused by the test on int_parameters_resolved) publishes nothing, and the summary names the test."""
    from dagster_dbt import DbtCliResource

    cli = DbtCliResource.cli

    def with_a_zero_churn_window(self: DbtCliResource, args: list[str], **kwargs: object) -> object:
        return cli(self, [*args, "--vars", json.dumps({"churn_window_days": 0})], **kwargs)

    monkeypatch.setattr(DbtCliResource, "cli", with_a_zero_churn_window)
    before = published_digests(orch.layout)
    result = refresh(orch)
    assert not result.success
    test = "accepted_range_int_parameters_resolved_churn_window_days__1"
    assert failed_checks(result) == [f"intermediate/int_parameters_resolved:{test}"]
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert dg.AssetKey(["serving", "warehouse"]) not in materialized
    assert published_digests(orch.layout) == before
    summary = (orch.layout.state_dir / "last_failure.md").read_text()
    assert "# Refresh failed: step `dbt_build`" in summary
    assert test in summary


def test_a_build_out_of_duckdb_memory_names_the_setting_to_raise(
    orch: SimpleNamespace, first_refresh: dg.ExecuteInProcessResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt started with a DuckDB memory limit too small for anything fails, publishes nothing, and the failure says
    which environment variable to raise. Only dbt's process gets the small limit (a real run gives every process
    the same one): the gates before it and the row counts after it need more than 300KB."""
    from dagster_dbt import DbtCliResource

    from warehouse_home.duckdb_session import MEMORY_LIMIT_ENV

    cli = DbtCliResource.cli

    def with_too_little_memory(self: DbtCliResource, args: list[str], **kwargs: object) -> object:
        with monkeypatch.context() as scoped:  # restores the variable as it was once dbt's process has started
            scoped.setenv(MEMORY_LIMIT_ENV, "300KB")
            return cli(self, args, **kwargs)

    monkeypatch.setattr(DbtCliResource, "cli", with_too_little_memory)
    before = published_digests(orch.layout)
    result = refresh(orch)
    assert not result.success
    assert published_digests(orch.layout) == before
    summary = (orch.layout.state_dir / "last_failure.md").read_text()
    assert "# Refresh failed: step `dbt_build`" in summary
    assert "Out of Memory Error" in summary, summary[-3000:]
    assert f"set {MEMORY_LIMIT_ENV} higher" in summary, summary[-3000:]


def test_a_refresh_killed_during_dbt_build_leaves_the_published_version_and_the_next_one_succeeds(
    orch: SimpleNamespace, first_refresh: dg.ExecuteInProcessResult, delivery_b: Path
) -> None:
    """SIGKILL the CLI refresh (and its dbt) mid-build: readers keep the old version; a new refresh publishes."""
    before, version_before = published_digests(orch.layout), current_version(orch.layout.serving_dir)
    command = [sys.executable, "-m", "orchestration", "--raw-dir", str(delivery_b), "--load-time", LOAD_TIME]
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True
    )
    lines: list[str] = []
    mid_build = threading.Event()

    def watch() -> None:
        for line in process.stderr:
            lines.append(line)
            if "dbt 10/" in line:
                mid_build.set()
        mid_build.set()  # the process ended first: the assertion below says so

    threading.Thread(target=watch, daemon=True).start()
    assert mid_build.wait(timeout=READ_WAIT_SECONDS) and any("dbt 10/" in line for line in lines), "".join(lines[-30:])
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=READ_WAIT_SECONDS)
    assert published_digests(orch.layout) == before
    assert current_version(orch.layout.serving_dir) == version_before
    result = refresh(orch, delivery_b)
    assert result.success
    assert current_version(orch.layout.serving_dir) != version_before
    assert served_count(orch, "fct_orders") == 30_577 + EXTRA_ORDERS


READ_WAIT_SECONDS = 600.0
"""Generous bound on every reader having read a new version (a read takes milliseconds)."""


@dataclasses.dataclass
class Reader:
    """A reader process, the versions it has said it read, and a condition to wait on them."""

    process: subprocess.Popen
    out: Path
    seen: set[str] = dataclasses.field(default_factory=set)
    changed: threading.Condition = dataclasses.field(default_factory=threading.Condition)

    def pump(self) -> None:
        """Collect the version ids the reader prints."""
        for line in self.process.stdout:
            with self.changed:
                self.seen.add(line.strip())
                self.changed.notify_all()

    def wait_for(self, version: str) -> bool:
        """Block until the reader has read version (bounded); return whether it has."""
        with self.changed:
            return self.changed.wait_for(lambda: version in self.seen, timeout=READ_WAIT_SECONDS)


def _start_readers(orch: SimpleNamespace, folder: Path) -> list[Reader]:
    readers = []
    for i in range(READERS):
        command = [sys.executable, "-m", "tests.serving_reader", str(orch.layout.serving_file)]
        command += [str(folder / f"reader{i}.json"), str(folder / "stop")]
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
        reader = Reader(process, folder / f"reader{i}.json")
        threading.Thread(target=reader.pump, daemon=True).start()
        readers.append(reader)
    return readers


def test_readers_never_fail_nor_see_a_mix_while_refreshes_publish(
    orch: SimpleNamespace, delivery_b: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Readers in other processes query the served file throughout a full refresh (the README's command,
    in-process) and 20 more publishes of two different builds, each waited for until every reader has read
    it: no reader error, every read consistent, every version read by every reader, no publish disturbed."""
    from orchestration.__main__ import main as run_cli

    assert served_count(orch, "fct_orders") == 30_577 + EXTRA_ORDERS  # B is current (previous test)
    b_build = shutil.copy(orch.layout.build_file, tmp_path / "b.duckdb")
    readers = _start_readers(orch, tmp_path)
    published = {version.version_id: version.row_counts for version in list_versions(orch.layout.serving_dir)}
    waited = [current_version(orch.layout.serving_dir)]
    capsys.readouterr()
    assert run_cli(["--load-time", LOAD_TIME]) == 0
    printed = capsys.readouterr().out
    assert f"Published warehouse: {orch.layout.serving_file}" in printed
    assert f"version {current_version(orch.layout.serving_dir)}, as_of_date 2024-12-31" in printed
    assert "marts.fct_orders" in printed and "30,577 rows" in printed
    published.update({version.version_id: version.row_counts for version in list_versions(orch.layout.serving_dir)})
    waited.append(current_version(orch.layout.serving_dir))
    assert all(reader.wait_for(waited[-1]) for reader in readers)
    a_build = shutil.copy(orch.layout.build_file, tmp_path / "a.duckdb")
    for build in [a_build, b_build] * 10:
        version = publish(
            Path(build),
            orch.layout.serving_dir,
            published_at=datetime.now(UTC).replace(tzinfo=None),
            run_id=None,
            keep=orch.settings.keep_versions,
        )
        published[version.version_id] = version.row_counts
        waited.append(version.version_id)
        assert all(reader.wait_for(version.version_id) for reader in readers), version.version_id
    (tmp_path / "stop").touch()
    reports = []
    for reader in readers:
        assert reader.process.wait(timeout=READ_WAIT_SECONDS) == 0
        reports.append(json.loads(reader.out.read_text()))
    assert [report["errors"] for report in reports] == [[]] * READERS
    assert [report["inconsistent"] for report in reports] == [0] * READERS
    assert all(set(waited) <= set(report["versions"]) for report in reports)
    seen = {version: counts for report in reports for version, counts in report["versions"].items()}
    assert all(published[version] == counts for version, counts in seen.items())
    assert {counts["fct_orders"] for counts in seen.values()} == {30_577, 30_577 + EXTRA_ORDERS}
    assert len(list_versions(orch.layout.serving_dir)) == orch.settings.keep_versions


def test_the_documented_worklist_export_reads_the_published_warehouse(
    orch: SimpleNamespace, first_refresh: dg.ExecuteInProcessResult, tmp_path: Path
) -> None:
    """`make export-worklist` (the README's command) exports the served version's worklist, named by its
    as_of_date, and refuses to overwrite that export when run again."""
    assert first_refresh.success
    env = {**os.environ, "RETENTION_HOME": str(orch.layout.home)}
    command = ["make", "--no-print-directory", "export-worklist", f"OUT={tmp_path / 'exports'}"]
    exported = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    assert exported.returncode == 0, exported.stdout + exported.stderr
    with duckdb.connect(str(orch.layout.serving_file), read_only=True) as con:
        (as_of,) = con.execute("select as_of_date from meta.publication").fetchone()
        (rows,) = con.execute("select count(*) from marts.at_risk_customers").fetchone()
    export = tmp_path / "exports" / f"at_risk_customers_{as_of}.csv"
    assert f"wrote {export}" in exported.stdout
    with export.open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == rows > 0
    again = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    assert again.returncode != 0 and "already exists, not overwritten" in again.stderr


def make_run(*variables: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `make run` (the README's main command) with make variables and environment overrides."""
    return subprocess.run(
        ["make", "--no-print-directory", "run", *variables],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_make_run_on_a_folder_that_does_not_exist_says_so_at_once(orch: SimpleNamespace, tmp_path: Path) -> None:
    """A wrong RETENTION_RAW_DIR is named before the manifest or the gates start; nothing changes."""
    before = published_digests(orch.layout)
    result = make_run(RETENTION_RAW_DIR=str(tmp_path / "nope"))
    assert result.returncode != 0
    assert f"REFRESH NOT STARTED: the delivery folder {tmp_path / 'nope'} does not exist" in result.stdout
    assert "Preparing the dbt manifest" not in result.stdout
    assert published_digests(orch.layout) == before


def test_own_data_that_is_stale_says_how_to_load_it_and_then_loads(
    orch: SimpleNamespace, first_refresh: dg.ExecuteInProcessResult, tmp_path: Path
) -> None:
    """Own data whose newest order is old is blocked by the freshness gate with a message that says what the
    rule means and how to load historical data, printed once and without a stack trace; `make run
    LOAD_TIME=...` (as the message says) then publishes it, and the run prints the Data Docs path."""
    assert first_refresh.success
    raw = copy_raw(SAMPLE_DIR, tmp_path / "own")
    blocked = make_run(RETENTION_RAW_DIR=str(raw))
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output[-3000:]
    assert output.count("REFRESH FAILED") == 1
    assert "Traceback" not in output
    assert output.count("expect_column_max_to_be_between") == 1
    assert (
        "Loading historical data on purpose? Give the time it was delivered as the load time: make run LOAD_TIME="
        in output
    )
    assert f"(also in {orch.layout.state_dir / 'last_failure.md'})" in output
    loaded = make_run(f"LOAD_TIME={LOAD_TIME}", RETENTION_RAW_DIR=str(raw))
    assert loaded.returncode == 0, (loaded.stdout + loaded.stderr)[-3000:]
    assert "as_of_date 2024-12-31" in loaded.stdout
    docs = orch.layout.gx_dir / "gx/uncommitted/data_docs/local_site/index.html"
    assert f"Data Docs (every delivery gate): {docs}" in loaded.stdout and docs.exists()
    assert "dbt 10/" in loaded.stderr and "dagster - INFO" not in loaded.stderr


def test_the_schedule_requests_a_refresh_with_its_scheduled_time_as_load_time(orch: SimpleNamespace) -> None:
    """Daily at 05:00 UTC by default; the tick's time is the load time the freshness gate judges by."""
    (schedule,) = orch.defs.schedules
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 5 * * *", "UTC")
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2025, 1, 2, 5, 0, tzinfo=UTC))
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.run_config == {"ops": {"landed_delivery": {"config": {"load_time": "2025-01-02T05:00:00+00:00"}}}}
    assert request.tags["retention/trigger"] == "schedule"
    job = orch.defs.resolve_job_def(orch.jobs.REFRESH_JOB)
    assert dg.validate_run_config(job, request.run_config)


def test_the_cron_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """RETENTION_REFRESH_CRON moves the refresh without touching code."""
    from orchestration.settings import OrchestrationSettings

    monkeypatch.setenv("RETENTION_REFRESH_CRON", "30 3 * * 1-5")
    assert OrchestrationSettings.from_env().refresh_cron == "30 3 * * 1-5"


def test_the_sensor_requests_one_refresh_per_settled_delivery(orch: SimpleNamespace) -> None:
    """New files: wait one tick, then one run keyed by the delivery; unchanged files: nothing; a partial
    delivery: nothing."""
    sensor = orch.triggers.new_delivery

    def tick(cursor: str | None) -> tuple[object, str | None]:
        context = dg.build_sensor_context(cursor=cursor, instance=orch.instance)
        result = sensor.evaluate_tick(context)
        return result, result.cursor

    result, cursor = tick(None)
    assert result.run_requests == [] and "waiting one tick" in result.skip_message
    result, cursor = tick(cursor)
    (request,) = result.run_requests
    assert request.run_config == {"ops": {"landed_delivery": {"config": {"raw_dir": str(ORCHESTRATION_RAW_DIR)}}}}
    assert request.run_key == json.loads(cursor)["requested"]
    assert dg.validate_run_config(orch.defs.resolve_job_def(orch.jobs.REFRESH_JOB), request.run_config)
    result, cursor = tick(cursor)
    assert result.run_requests == [] and "already refreshed" in result.skip_message
    orders = ORCHESTRATION_RAW_DIR / "raw_orders.csv"
    os.utime(orders, ns=(orders.stat().st_atime_ns, orders.stat().st_mtime_ns + 10**9))
    result, cursor = tick(cursor)
    assert result.run_requests == [] and "waiting one tick" in result.skip_message
    result, cursor = tick(cursor)
    (second,) = result.run_requests
    assert second.run_key != request.run_key
    moved = orders.rename(orders.with_suffix(".partial"))
    try:
        result, _ = tick(cursor)
        assert result.run_requests == [] and "waiting for all four raw files" in result.skip_message
    finally:
        moved.rename(orders)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_dagster_validates_the_definitions(orch: SimpleNamespace) -> None:
    """`dagster definitions validate` loads the code location as a deployment would."""
    validated = subprocess.run(
        [str(BIN / "dagster"), "definitions", "validate", "-m", "orchestration.definitions"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert validated.returncode == 0, validated.stderr[-3000:]


STARTUP_SECONDS = 600.0
"""Generous bound on `make dev` answering (about 30 s here); only a hang reaches it."""
SHUTDOWN_SECONDS = 300.0
"""Generous bound on every process of `make dev` being gone after the signal (about 5 s here)."""
GRAPH_QUERY = (
    "{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name blocking } } } } "
    "instance { runQueueConfig { tagConcurrencyLimitsYaml } } }"
)


def start_make_dev(home: Path) -> tuple[subprocess.Popen, int]:
    """Start `make dev` (the README's command) on a free port in its own process group, as a terminal would.

    Its output goes to <home>.log, which a failing test shows.
    """
    port = _free_port()
    home.parent.mkdir(parents=True, exist_ok=True)
    with home.with_suffix(".log").open("w") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "dev", f"PORT={port}"],
            cwd=REPO_ROOT,
            env={**os.environ, "RETENTION_HOME": str(home)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_signals_as_in_a_terminal,
        )
    return process, port


def _signals_as_in_a_terminal() -> None:
    """In the child before exec: SIGINT and SIGTERM handled by default and not blocked, as a shell starts make.

    Why: a process inherits ignored and blocked signals across exec, and make keeps ignoring a signal it
    was started with ignored. After the in-process Dagster runs of this session the test process may not be
    a terminal's clean slate, and a make started from it never saw the SIGTERM this test sends.
    """
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def graph_when_up(process: subprocess.Popen, port: int) -> dict:
    """Ask the UI's GraphQL for the asset graph until it answers (bounded; fails if make dev exits first)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql",
            data=json.dumps({"query": GRAPH_QUERY}).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())["data"]
        except OSError:
            time.sleep(1)
    pytest.fail(f"make dev did not answer on 127.0.0.1:{port} (exit code {process.poll()})")


SERVICES_STARTED = ("Instance is configured with the following daemons", "Serving dagster-webserver on")
"""What dagster dev prints once its daemon and its webserver are both running."""


def services_started(process: subprocess.Popen, home: Path) -> None:
    """Wait until make dev's log says every service has started (bounded): a stop sent while dagster dev is still
    launching its daemon tests a start-up race, not the shutdown this test is about."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        log = home.with_suffix(".log").read_text()
        if all(line in log for line in SERVICES_STARTED):
            return
        time.sleep(1)
    pytest.fail(f"make dev did not start its daemon and webserver:\n{_log_tail(home)}")


def group_gone(pgid: int) -> bool:
    """Wait until no process of the group is left (bounded); return whether none is."""
    deadline = time.monotonic() + SHUTDOWN_SECONDS
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.5)
    return False


def serve_then_stop(home: Path, stop: Callable[[int], None]) -> dict:
    """Start `make dev`, read the asset graph once it answers, stop it with stop(make's pid); assert that make
    exits and no process it started is left (bounded waits); return the graph."""
    process, port = start_make_dev(home)
    try:
        data = graph_when_up(process, port)
        services_started(process, home)
        stop(process.pid)
        try:
            process.wait(timeout=SHUTDOWN_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"make dev still running {SHUTDOWN_SECONDS:.0f} s after the signal:\n{_log_tail(home)}")
        assert group_gone(process.pid), f"make dev left processes behind:\n{_log_tail(home)}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    return data


def _log_tail(home: Path) -> str:
    """The end of make dev's output, for a failure message."""
    return home.with_suffix(".log").read_text()[-4000:]


def test_make_dev_serves_the_asset_graph_and_stops_on_sigterm(orch: SimpleNamespace, tmp_path: Path) -> None:
    """`make dev` answers on 127.0.0.1 with every asset, the blocking gates and the instance's one-writer run
    queue; a SIGTERM to make alone (as a supervisor sends it) stops it and every process it started."""
    data = serve_then_stop(tmp_path / "home", lambda pid: os.kill(pid, signal.SIGTERM))
    nodes = {"/".join(node["assetKey"]["path"]): node["assetChecksOrError"]["checks"] for node in data["assetNodes"]}
    graph = orch.defs.resolve_asset_graph()
    assert set(nodes) == {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert nodes["raw/raw_orders"] == [{"name": "quality_gate", "blocking": True}]
    assert sum(len(checks) for checks in nodes.values()) == len(graph.asset_check_keys)
    assert "key: retention/writer\n  limit: 1" in data["instance"]["runQueueConfig"]["tagConcurrencyLimitsYaml"]
    with dg.DagsterInstance.from_config(str(tmp_path / "home" / "dagster")) as instance:
        assert (instance.run_retries_enabled, instance.run_monitoring_enabled) == (True, True)


def test_make_dev_stops_on_ctrl_c(orch: SimpleNamespace, tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the terminal's process group) stops `make dev` and everything it started."""
    serve_then_stop(tmp_path / "home", lambda pid: os.killpg(pid, signal.SIGINT))
