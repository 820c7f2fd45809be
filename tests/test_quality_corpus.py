"""The bad-input corpus: every kind of broken delivery is stopped with a message naming what broke.

Why: a gate is only as good as the deliveries it has been shown. Each case breaks one thing in a
clean copy of the tiny fixture and runs the real pipeline against a warehouse published from the
clean delivery: landing it must raise GateFailure whose message names the file, the column, the
rule, the failing rows and example values, and must leave the published files and load history
byte for byte as they were. Rows failing below the threshold are quarantined instead, shown end to end
on the bundled sample.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from quality_gates import gates
from quality_gates.gates import run_gates
from refresh.landing import GateFailure, delivery_fingerprint, land_delivery
from tests.refresh import Refreshed, published_digests, refresh_without_dagster
from tests.warehouse import FIXTURES, REPO_ROOT, copy_raw
from warehouse_home.layout import WarehouseLayout

pytestmark = pytest.mark.dbt

TINY_DIR = FIXTURES / "tiny"
SAMPLE_DIR = REPO_ROOT / "data" / "sample"
LOAD_TIME = datetime(2024, 7, 4, 6, 0)
"""After tiny's last event (survey R6, 2024-07-03 10:00) and within 7 days of its latest order (2024-07-01).

At 2024-07-02 06:00 tiny's ticket T4, T2's resolution and survey R6 lie in the future, which blocks.
"""
STALE_LOAD_TIME = datetime(2024, 8, 1, 6, 0)
"""A month after tiny's latest order: far beyond dq_max_data_age_days (7)."""
SAMPLE_LOAD_TIME = datetime(2025, 1, 1, 6, 0)
"""The morning after the sample's latest order (2024-12-31 20:10)."""
BOUNDS_AT_2024_07_02 = (
    "expect_column_values_to_be_between(min_value=2000-01-01 00:00:00 (min_timestamp), "
    "max_value=2024-07-02 06:00:00 (load_time))"
)
"""The timestamp rule as worded for a load at 2024-07-02 06:00."""
RAW = "<raw>"
"""Stands for the broken delivery's folder in the expected messages."""
Rows = list[list[str]]


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace text that must occur exactly once, so a change to the fixture cannot silently void a case."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def rewrite_csv(path: Path, change: Callable[[Rows], Rows], delimiter: str = ",") -> None:
    """Rewrite a CSV through a function of its rows (header first); fields keep their text."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(change(rows))


TINY_DUPLICATE_ORDER = "O4,C2,2024-01-20 12:00:00,completed,30.00,5.00,1,store"
TINY_OLD_CUSTOMER_VERSION = "C2,bob.old@example.com,Bob,Old,,2024-01-10 10:00:00,FR,paid_search,"


def clean_tiny(target: Path) -> Path:
    """Copy tiny without its second order O4 and its older C2 version.

    Why: uniqueness is a `warn` rule that blocks above 1% of the rows; in tiny's 10 orders and
    5 customer rows one duplicate is 20% and 40% (see test_unmodified_tiny_is_blocked).
    """
    raw = copy_raw(TINY_DIR, target)
    for name, duplicate in (("raw_orders.csv", TINY_DUPLICATE_ORDER), ("raw_customers.csv", TINY_OLD_CUSTOMER_VERSION)):
        lines = (raw / name).read_text(encoding="utf-8").splitlines(keepends=True)
        assert lines[-1] == duplicate + "\n", f"tiny's {name} no longer ends with {duplicate!r}"
        (raw / name).write_text("".join(lines[:-1]), encoding="utf-8")
    return raw


@pytest.fixture(autouse=True)
def _gx_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep GX's file context and Data Docs out of the repo, one small site per test."""
    monkeypatch.setenv("RETENTION_GX_DIR", str(tmp_path / "gx"))


@pytest.fixture(scope="module")
def build_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pytest.MonkeyPatch]:
    """GX files and dbt's target/ and logs/ of the module's builds in a tmp folder, not the repo."""
    root = tmp_path_factory.mktemp("build_env")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RETENTION_GX_DIR", str(root / "gx"))
        patch.setenv("DBT_TARGET_PATH", str(root / "target"))
        patch.setenv("DBT_LOG_PATH", str(root / "logs"))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        yield patch


def add_coupon_code(raw: Path) -> None:
    """Give raw_orders.csv a column outside the contract (empty values)."""
    rewrite_csv(
        raw / "raw_orders.csv", lambda rows: [[*row, "" if row[0] != "order_id" else "coupon_code"] for row in rows]
    )


@dataclass(frozen=True)
class Published:
    """The published refresh, and the digests of the published files and load history no bad delivery may change."""

    raw_dir: Path
    run: Refreshed
    digests: dict[str, str]

    def current_digests(self) -> dict[str, str]:
        """Digests of the published files and the load history as they are now."""
        return published_digests(self.run.layout, with_landing=True)


@pytest.fixture(scope="module")
def published(build_env: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Published:
    """One warehouse published from the clean tiny delivery, as production would have it.

    The delivery also carries an extra column: that case must warn and load normally, and riding on
    this run it costs no dbt build of its own (test_extra_column_warns_and_loads).
    """
    root = tmp_path_factory.mktemp("published")
    raw = clean_tiny(root / "raw")
    add_coupon_code(raw)
    run = refresh_without_dagster(raw, LOAD_TIME, root / "home")
    return Published(raw, run, published_digests(run.layout, with_landing=True))


def _missing_column(raw: Path) -> None:
    def without_status(rows: Rows) -> Rows:
        position = rows[0].index("status")
        return [row[:position] + row[position + 1 :] for row in rows]

    rewrite_csv(raw / "raw_orders.csv", without_status)


def _renamed_column(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "gross_amount", "gross")


def _semicolons(raw: Path) -> None:
    rewrite_csv(raw / "raw_orders.csv", lambda rows: rows, delimiter=";")


def cut_after(path: Path, marker: str) -> None:
    """Truncate the file right after marker, as an interrupted transfer would."""
    data = path.read_bytes()
    path.write_bytes(data[: data.index(marker.encode()) + len(marker.encode())])


def _truncated_row(raw: Path) -> None:
    cut_after(raw / "raw_orders.csv", "O9,C4,2024-06-25 10:00:00,comp")


def _truncated_quote(raw: Path) -> None:
    cut_after(raw / "raw_survey_responses.csv", 'R5,C3,2024-02-11 10:00:00,NPS,0,,"Café arr')


def _latin1(raw: Path) -> None:
    path = raw / "raw_survey_responses.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))


def _empty(raw: Path) -> None:
    (raw / "raw_support_tickets.csv").write_bytes(b"")


def _header_only(raw: Path) -> None:
    rewrite_csv(raw / "raw_orders.csv", lambda rows: rows[:1])


def _duplicate_order(raw: Path) -> None:
    with (raw / "raw_orders.csv").open("a", encoding="utf-8") as handle:
        handle.write(TINY_DUPLICATE_ORDER + "\n")


def _unknown_customer(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "O9,C4,", "O9,C99,")


def _negative_amount(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "completed,50.00,0.00", "completed,-50.00,0.00")


def _discount_above_gross(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "15.50,0.50", "15.50,20.00")


def _unknown_status(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "cancelled", "shipped")


def _nps_11(raw: Path) -> None:
    replace_once(raw / "raw_survey_responses.csv", "nps,9,", "nps,11,")


def _csat_0(raw: Path) -> None:
    replace_once(raw / "raw_survey_responses.csv", "csat,4,", "csat,0,")


def _future_order(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "2024-07-01 10:00:00", "2024-07-09 10:00:00")


def _unparseable_timestamp(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "2024-03-10 08:00:00", "10.03.2024 08:00")


def _resolved_before_created(raw: Path) -> None:
    replace_once(raw / "raw_support_tickets.csv", "2024-03-12 08:00:00", "2024-03-10 08:00:00")


def _customers_as_orders(raw: Path) -> None:
    shutil.copy(raw / "raw_customers.csv", raw / "raw_orders.csv")


def _half_the_orders(raw: Path) -> None:
    kept = {"order_id", "O1", "O2", "O3", "O8"}
    rewrite_csv(raw / "raw_orders.csv", lambda rows: [row for row in rows if row[0] in kept])


def orders_to_parquet(raw: Path, select: str) -> None:
    """Write raw_orders.parquet from raw_orders.csv (read as text) through a DuckDB select list."""
    with duckdb.connect() as con:
        con.execute(
            f"copy (select {select} from read_csv('{raw / 'raw_orders.csv'}', all_varchar = true)) "
            f"to '{raw / 'raw_orders.parquet'}'"
        )


def _csv_and_parquet(raw: Path) -> None:
    orders_to_parquet(raw, "*")


def _boolean_amounts(raw: Path) -> None:
    orders_to_parquet(raw, "* replace (cast(gross_amount as double) > 40 as gross_amount)")
    (raw / "raw_orders.csv").unlink()


def _truncated_parquet(raw: Path) -> None:
    orders_to_parquet(raw, "*")
    (raw / "raw_orders.csv").unlink()
    data = (raw / "raw_orders.parquet").read_bytes()
    (raw / "raw_orders.parquet").write_bytes(data[: len(data) // 2])


def _missing_file(raw: Path) -> None:
    (raw / "raw_support_tickets.csv").unlink()


def _as_delivered(raw: Path) -> None:
    """Leave the delivery clean: the stale case is broken by its load time alone."""


def _fractional_items(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "returned,80.00,0.00,1,", "returned,80.00,0.00,2.5,")


def _items_beyond_32_bits(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "payment_failed,60.00,0.00,3,", "payment_failed,60.00,0.00,3000000000,")


def _nan_amount(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "completed,50.00,0.00", "completed,NaN,0.00")


def _infinite_discount(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "15.50,0.50", "15.50,Infinity")


def _sub_cent_amount(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "completed,70.00,", "completed,70.005,")


def _second_status_column(raw: Path) -> None:
    rewrite_csv(
        raw / "raw_orders.csv", lambda rows: [[*row, "status" if i == 0 else "completed"] for i, row in enumerate(rows)]
    )


def _status_in_two_cases(raw: Path) -> None:
    rewrite_csv(
        raw / "raw_orders.csv", lambda rows: [[*row, "Status" if i == 0 else "web"] for i, row in enumerate(rows)]
    )


def _empty_and_blank_column_names(raw: Path) -> None:
    rewrite_csv(
        raw / "raw_orders.csv",
        lambda rows: [[*row, *(["", "  "] if i == 0 else ["x", "y"])] for i, row in enumerate(rows)],
    )


def _two_exports_concatenated(raw: Path) -> None:
    rewrite_csv(raw / "raw_orders.csv", lambda rows: rows[:5] + rows[:1] + rows[5:])


def _ticket_without_customer(raw: Path) -> None:
    replace_once(raw / "raw_support_tickets.csv", "T3,C3,", "T3,,")


def _survey_of_unknown_ticket(raw: Path) -> None:
    replace_once(raw / "raw_survey_responses.csv", "csat,4,T1,", "csat,4,T9,")


def _order_before_signup(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "O9,C4,2024-06-25 10:00:00", "O9,C4,2024-06-19 10:00:00")


def _answer_before_its_ticket(raw: Path) -> None:
    replace_once(raw / "raw_survey_responses.csv", "R2,C1,2024-03-13 10:00:00", "R2,C1,2024-03-10 10:00:00")


def _order_without_status(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "O6,C2,2024-04-01 09:00:00,cancelled,", "O6,C2,2024-04-01 09:00:00,,")


def _order_without_gross_amount(raw: Path) -> None:
    replace_once(raw / "raw_orders.csv", "completed,70.00,", "completed,,")


CSV_RULE = "rule: CSV with a header, comma-delimited, UTF-8, RFC 4180 quoting: blocked, 0 of 0 rows failing"
ORDER_COLUMNS = "order_id, customer_id, ordered_at, status, gross_amount, discount_amount, items_count, channel"


@dataclass(frozen=True)
class BadCase:
    """One broken delivery and the lines its GateFailure message must consist of."""

    name: str
    damage: Callable[[Path], None]
    message: tuple[str, ...]
    load_time: datetime = LOAD_TIME


CASES = [
    BadCase(
        "missing_column",
        _missing_column,
        (
            "<raw>/raw_orders.csv: column(s) status missing; rule: raw data contract; columns found: order_id, customer_id, ordered_at, gross_amount, discount_amount, items_count, channel: blocked",
        ),
    ),
    BadCase(
        "renamed_column",
        _renamed_column,
        (
            "<raw>/raw_orders.csv: column(s) gross_amount missing; rule: raw data contract; columns found: order_id, customer_id, ordered_at, status, gross, discount_amount, items_count, channel: blocked",
        ),
    ),
    BadCase(
        "semicolon_delimiter",
        _semicolons,
        (
            "<raw>/raw_orders.csv: column(s) order_id, customer_id, ordered_at, status, gross_amount, discount_amount, items_count, channel missing; rule: raw data contract; columns found: order_id;customer_id;ordered_at;status;gross_amount;discount_amount;items_count;channel: blocked",
        ),
    ),
    BadCase(
        "truncated_last_row_too_few_fields",
        _truncated_row,
        (
            "<raw>/raw_orders.csv: unreadable (Invalid Input Error: Error when sniffing file \"raw_orders.csv\". It was not possible to automatically detect the CSV parsing dialect The search space used was: Delimiter Candidates: ',' Quote/Escape Candidates: ['\"','\"'] Comment Candidates: '\\0', '#' Encoding: utf-8 Possible fixes: * Disable the parser's strict mode (strict_mode=false) to allow reading rows that do not comply with the CSV standard.); rule: CSV with a header, comma-delimited, UTF-8, RFC 4180 quoting: blocked",
        ),
    ),
    BadCase(
        "truncated_inside_quoted_field",
        _truncated_quote,
        (
            "<raw>/raw_survey_responses.csv: unreadable (Invalid Input Error: Error when sniffing file \"raw_survey_responses.csv\". It was not possible to automatically detect the CSV parsing dialect The search space used was: Delimiter Candidates: ',' Quote/Escape Candidates: ['\"','\"'] Comment Candidates: '\\0', '#' Encoding: utf-8 Possible fixes: * Disable the parser's strict mode (strict_mode=false) to allow reading rows that do not comply with the CSV); rule: CSV with a header, comma-delimited, UTF-8, RFC 4180 quoting: blocked",
        ),
    ),
    BadCase(
        "latin1_bytes",
        _latin1,
        (
            "<raw>/raw_survey_responses.csv: unreadable (Invalid Input Error: CSV Error on Line: 6 Original Line: R4,C2,2024-06-01 10:00:00,nps,8,, Invalid unicode (byte sequence mismatch) detected. This file is not utf-8 encoded. Possible Solution: Set the correct encoding, if available, to read this CSV File (e.g., encoding='UTF-16') Possible Solution: Enable ignore errors (ignore_errors=true) to skip this row file = raw_survey_responses.csv delimiter); rule: CSV with a header, comma-delimited, UTF-8, RFC 4180 quoting: blocked",
        ),
    ),
    BadCase(
        "empty_file",
        _empty,
        ("<raw>/raw_support_tickets.csv: empty file (0 bytes); rule: a header row and at least one data row: blocked",),
    ),
    BadCase(
        "header_only",
        _header_only,
        (
            "<raw>/raw_orders.csv: expect_table_row_count_to_be_between(min_value=7 (min_row_count)): blocked; observed 0 in 0 rows",
            "<raw>/raw_orders.csv: column ordered_at: expect_column_max_to_be_between(min_value=2024-06-27 06:00:00 (freshness_floor)): blocked; observed NaT in 0 rows. Freshness: the newest order must be at most dq_max_data_age_days days older than the load time, or the delivery looks stale (an old export sent again?). Loading historical data on purpose? Give the time it was delivered as the load time: make run LOAD_TIME=2024-12-31T06:00:00Z (python -m orchestration --load-time ...)",
        ),
    ),
    BadCase(
        "duplicate_order_id",
        _duplicate_order,
        (
            "<raw>/raw_orders.csv: column order_id: expect_column_values_to_be_unique(): blocked, 2 of 10 rows failing (20.0%); examples: O4",
        ),
    ),
    BadCase(
        "order_of_unknown_customer",
        _unknown_customer,
        (
            "<raw>/raw_orders.csv: column unknown_customer_id: expect_column_values_to_be_null(): blocked, 1 of 9 rows failing (11.1%); examples: C99",
        ),
    ),
    BadCase(
        "negative_amount",
        _negative_amount,
        (
            "<raw>/raw_orders.csv: column gross_amount: expect_column_values_to_be_between(min_value=0): blocked, 1 of 9 rows failing (11.1%); examples: -50.0",
            "<raw>/raw_orders.csv: column gross_amount, discount_amount: expect_column_pair_values_a_to_be_greater_than_b(or_equal=True): blocked, 1 of 9 rows failing (11.1%); examples: -50.0 < 0.0",
        ),
    ),
    BadCase(
        "discount_above_gross",
        _discount_above_gross,
        (
            "<raw>/raw_orders.csv: column gross_amount, discount_amount: expect_column_pair_values_a_to_be_greater_than_b(or_equal=True): blocked, 1 of 9 rows failing (11.1%); examples: 15.5 < 20.0",
        ),
    ),
    BadCase(
        "unknown_status",
        _unknown_status,
        (
            "<raw>/raw_orders.csv: column status: expect_column_values_to_be_in_set(value_set=['completed', 'returned', 'cancelled', 'payment_failed']): blocked, 1 of 9 rows failing (11.1%); examples: shipped",
        ),
    ),
    BadCase(
        "nps_score_11",
        _nps_11,
        (
            '<raw>/raw_survey_responses.csv: column score: expect_column_values_to_be_between(min_value=0, max_value=10, row_condition=survey_type=="nps"): blocked, 1 of 6 rows failing (16.7%); examples: 11',
        ),
    ),
    BadCase(
        "csat_score_0",
        _csat_0,
        (
            '<raw>/raw_survey_responses.csv: column score: expect_column_values_to_be_between(min_value=1, max_value=5, row_condition=survey_type=="csat"): blocked, 1 of 6 rows failing (16.7%); examples: 0',
        ),
    ),
    BadCase(
        "order_after_load_time",
        _future_order,
        (
            "<raw>/raw_orders.csv: column ordered_at: expect_column_values_to_be_between(min_value=2000-01-01 00:00:00 (min_timestamp), max_value=2024-07-04 06:00:00 (load_time)): blocked, 1 of 9 rows failing (11.1%); examples: 2024-07-09 10:00:00",
        ),
    ),
    BadCase(
        "unparseable_timestamp",
        _unparseable_timestamp,
        (
            "<raw>/raw_orders.csv: column ordered_at: value is an ISO-8601 timestamp (UTC unless it carries an offset or zone): blocked, 1 of 9 rows failing (11.1%); examples: 10.03.2024 08:00",
            "<raw>/raw_orders.csv: column ordered_at: expect_column_values_to_not_be_null(): blocked, 1 of 9 rows failing (11.1%); examples: <null>",
        ),
    ),
    BadCase(
        "resolved_before_created",
        _resolved_before_created,
        (
            "<raw>/raw_support_tickets.csv: column resolved_at, created_at: expect_column_pair_values_a_to_be_greater_than_b(or_equal=True): blocked, 1 of 4 rows failing (25.0%); examples: 2024-03-10 08:00:00 < 2024-03-11 08:00:00",
        ),
    ),
    BadCase(
        "customers_file_named_raw_orders",
        _customers_as_orders,
        (
            "<raw>/raw_orders.csv: column(s) order_id, ordered_at, status, gross_amount, discount_amount, items_count, channel missing; rule: raw data contract; columns found: customer_id, email, first_name, last_name, birth_date, signup_at, country, acquisition_channel, loyalty_member_since: blocked",
        ),
    ),
    BadCase(
        "half_the_orders",
        _half_the_orders,
        (
            "<raw>/raw_orders.csv: expect_table_row_count_to_be_between(min_value=7 (min_row_count)): blocked; observed 4 in 4 rows",
        ),
    ),
    BadCase(
        "csv_and_parquet_for_one_table",
        _csv_and_parquet,
        (
            "<raw>/raw_orders.csv: table raw_orders delivered more than once (raw_orders.csv, raw_orders.parquet); rule: one file per table, CSV or Parquet: blocked",
        ),
    ),
    BadCase(
        "parquet_boolean_amounts",
        _boolean_amounts,
        (
            "<raw>/raw_orders.parquet: column gross_amount: value is an amount: a finite number with at most 2 decimals and 16 digits before the point: blocked, 9 of 9 rows failing (100.0%); examples: true, false",
            "<raw>/raw_orders.parquet: column gross_amount: expect_column_values_to_not_be_null(): blocked, 9 of 9 rows failing (100.0%); examples: <null>",
        ),
    ),
    BadCase(
        "missing_file",
        _missing_file,
        (
            "<raw>/raw_support_tickets.csv: file missing (expected raw_support_tickets.csv or raw_support_tickets.parquet): blocked",
        ),
    ),
    BadCase(
        "stale_orders",
        _as_delivered,
        (
            "<raw>/raw_orders.csv: column ordered_at: expect_column_max_to_be_between(min_value=2024-07-25 06:00:00 (freshness_floor)): blocked; observed 2024-07-01 10:00:00 in 9 rows. Freshness: the newest order must be at most dq_max_data_age_days days older than the load time, or the delivery looks stale (an old export sent again?). Loading historical data on purpose? Give the time it was delivered as the load time: make run LOAD_TIME=2024-12-31T06:00:00Z (python -m orchestration --load-time ...)",
        ),
        STALE_LOAD_TIME,
    ),
    BadCase(
        "truncated_parquet",
        _truncated_parquet,
        (
            "<raw>/raw_orders.parquet: unreadable (Invalid Input Error: No magic bytes found at end of file 'raw_orders.parquet'); rule: a readable Parquet file: blocked",
        ),
    ),
    BadCase(
        "fractional_items_count",
        _fractional_items,
        (
            "<raw>/raw_orders.csv: column items_count: value is a whole number within 32 bits (-2147483648 to 2147483647): blocked, 1 of 9 rows failing (11.1%); examples: 2.5",
        ),
    ),
    BadCase(
        "items_count_beyond_32_bits",
        _items_beyond_32_bits,
        (
            "<raw>/raw_orders.csv: column items_count: value is a whole number within 32 bits (-2147483648 to 2147483647): blocked, 1 of 9 rows failing (11.1%); examples: 3000000000",
        ),
    ),
    BadCase(
        "nan_amount",
        _nan_amount,
        (
            "<raw>/raw_orders.csv: column gross_amount: value is an amount: a finite number with at most 2 decimals and 16 digits before the point: blocked, 1 of 9 rows failing (11.1%); examples: NaN",
            "<raw>/raw_orders.csv: column gross_amount: expect_column_values_to_not_be_null(): blocked, 1 of 9 rows failing (11.1%); examples: <null>",
        ),
    ),
    BadCase(
        "infinite_discount",
        _infinite_discount,
        (
            "<raw>/raw_orders.csv: column discount_amount: value is an amount: a finite number with at most 2 decimals and 16 digits before the point: blocked, 1 of 9 rows failing (11.1%); examples: Infinity",
            "<raw>/raw_orders.csv: column discount_amount: expect_column_values_to_not_be_null(): blocked, 1 of 9 rows failing (11.1%); examples: <null>",
        ),
    ),
    BadCase(
        "sub_cent_amount",
        _sub_cent_amount,
        (
            "<raw>/raw_orders.csv: column gross_amount: value is an amount: a finite number with at most 2 decimals and 16 digits before the point: blocked, 1 of 9 rows failing (11.1%); examples: 70.005",
            "<raw>/raw_orders.csv: column gross_amount: expect_column_values_to_not_be_null(): blocked, 1 of 9 rows failing (11.1%); examples: <null>",
        ),
    ),
    BadCase(
        "second_status_column",
        _second_status_column,
        (
            "<raw>/raw_orders.csv: ambiguous header: name(s) repeated: status (columns 4, 9); rule: every column name in the header is non-empty and unique: blocked",
        ),
    ),
    BadCase(
        "status_twice_in_two_cases",
        _status_in_two_cases,
        (
            "<raw>/raw_orders.csv: ambiguous header: name(s) repeated: status (columns 4, 9); rule: every column name in the header is non-empty and unique: blocked",
        ),
    ),
    BadCase(
        "empty_and_blank_column_names",
        _empty_and_blank_column_names,
        (
            "<raw>/raw_orders.csv: ambiguous header: empty name at column(s) 9, 10; rule: every column name in the header is non-empty and unique: blocked",
        ),
    ),
    BadCase(
        "two_exports_concatenated",
        _two_exports_concatenated,
        (
            "<raw>/raw_orders.csv: the header row appears again inside the data (1 time(s), at line(s) 6): two exports concatenated into one file?; rule: one header row, at the top (deliver one export per table): blocked",
        ),
    ),
    BadCase(
        "ticket_without_customer",
        _ticket_without_customer,
        (
            "<raw>/raw_support_tickets.csv: column customer_id: expect_column_values_to_not_be_null(): blocked, 1 of 4 rows failing (25.0%); examples: <null>",
        ),
    ),
    BadCase(
        "survey_of_unknown_ticket",
        _survey_of_unknown_ticket,
        (
            "<raw>/raw_survey_responses.csv: column unknown_ticket_id: expect_column_values_to_be_null(): blocked, 1 of 6 rows failing (16.7%); examples: T9",
        ),
    ),
    BadCase(
        "order_before_signup",
        _order_before_signup,
        (
            "<raw>/raw_orders.csv: column dated_before_signup: expect_column_values_to_be_null(): blocked, 1 of 9 rows failing (11.1%); examples: O9 on 2024-06-19 before signup of customer C4 on 2024-06-20",
        ),
    ),
    BadCase(
        "answer_before_its_ticket",
        _answer_before_its_ticket,
        (
            "<raw>/raw_survey_responses.csv: column dated_before_ticket: expect_column_values_to_be_null(): blocked, 1 of 6 rows failing (16.7%); examples: R2 on 2024-03-10 before creation of ticket T1 on 2024-03-11",
        ),
    ),
    BadCase(
        "order_without_status",
        _order_without_status,
        (
            "<raw>/raw_orders.csv: column status: expect_column_values_to_not_be_null(): blocked, 1 of 9 rows failing (11.1%); examples: <null>",
        ),
    ),
    BadCase(
        "order_without_gross_amount",
        _order_without_gross_amount,
        (
            "<raw>/raw_orders.csv: column gross_amount: expect_column_values_to_not_be_null(): blocked, 1 of 9 rows failing (11.1%); examples: <null>",
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_delivery_is_blocked_and_the_warehouse_untouched(
    case: BadCase, published: Published, tmp_path: Path
) -> None:
    """The same load as production would run: same warehouse, same load history, only the delivery is bad."""
    raw = clean_tiny(tmp_path / "raw")
    case.damage(raw)
    with pytest.raises(GateFailure) as excinfo:
        land_delivery(raw, case.load_time, published.run.layout, "corpus-run")
    expected = [line.replace(RAW, str(raw)) for line in case.message]
    assert str(excinfo.value).splitlines() == expected
    assert [finding.message() for finding in excinfo.value.report.blocked] == expected
    assert published.current_digests() == published.digests


def test_unmodified_tiny_is_blocked() -> None:
    """Why the corpus starts from clean_tiny and loads at LOAD_TIME: tiny as shipped fails five rules."""
    report = run_gates(TINY_DIR, datetime(2024, 7, 2, 6, 0))
    assert [(f.table, f.column, f.rule, f.failing_rows, f.examples) for f in report.blocked] == [
        ("raw_customers", "customer_id", "expect_column_values_to_be_unique()", 2, ("C2",)),
        ("raw_orders", "order_id", "expect_column_values_to_be_unique()", 2, ("O4",)),
        ("raw_support_tickets", "created_at", BOUNDS_AT_2024_07_02, 1, ("2024-07-02 10:00:00",)),
        ("raw_support_tickets", "resolved_at", BOUNDS_AT_2024_07_02, 1, ("2024-07-02 22:00:00",)),
        ("raw_survey_responses", "responded_at", BOUNDS_AT_2024_07_02, 1, ("2024-07-03 10:00:00",)),
    ]


def _gate_results(raw: Path, spool: Path) -> tuple[list[str], dict[str, list], dict[str, list], dict[str, dict]]:
    """Every finding's message, each table's passing and quarantined rows and its event dates, from one gate run."""
    report = run_gates(raw, LOAD_TIME, spool_dir=spool)
    passing = {
        table: pd.read_parquet(result.good_rows_file).to_dict("records") if result.good_rows_file else []
        for table, result in report.tables.items()
    }
    quarantined = {table: result.quarantined.to_dict("records") for table, result in report.tables.items()}
    events = {
        table: {} if result.event_dates is None else result.event_dates.astype(str).to_dict()
        for table, result in report.tables.items()
    }
    return [finding.message() for finding in report.findings], passing, quarantined, events


@pytest.mark.parametrize(
    "change",
    [None, _duplicate_order, _unknown_customer, _negative_amount, _two_exports_concatenated],
    ids=["unmodified_tiny", "duplicate_order", "unknown_customer", "negative_amount", "two_exports"],
)
def test_batches_change_nothing(
    change: Callable[[Path], None] | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gates read and validate a table in batches: batches of two rows find exactly what one batch finds.

    Same findings (counts, examples and their order), same passing, quarantined and referenced rows; a
    duplicate split across batches is still found (uniqueness sees the whole table, per hash partition).
    """
    raw = copy_raw(TINY_DIR, tmp_path / "raw") if change is None else clean_tiny(tmp_path / "raw")
    if change is not None:
        change(raw)
    whole = _gate_results(raw, tmp_path / "whole")
    monkeypatch.setattr(gates, "BATCH_ROWS", 2)
    assert _gate_results(raw, tmp_path / "batched") == whole
    assert any(not message.endswith(": passed") for message in whole[0])  # each case finds something


@pytest.mark.parametrize("table", ["raw_support_tickets", "raw_survey_responses"])
def test_header_only_ticket_or_survey_file_is_blocked(table: str, tmp_path: Path) -> None:
    """A delivery losing every ticket or survey must stop like one losing its orders (gates only, no build)."""
    raw = clean_tiny(tmp_path / "raw")
    rewrite_csv(raw / f"{table}.csv", lambda rows: rows[:1])
    previous = {"raw_customers": 4, "raw_orders": 9, "raw_support_tickets": 4, "raw_survey_responses": 6}
    assert [finding.table for finding in run_gates(raw, LOAD_TIME, previous).blocked] == [table]


def test_extra_column_warns_and_loads(published: Published) -> None:
    """A new column upstream is no reason to stop: it is reported, ignored, and the load is recorded."""
    report = published.run.report
    assert report.blocked == []
    assert report.tables["raw_orders"].warnings == [
        f"{published.raw_dir / 'raw_orders.csv'}: column(s) outside the contract, ignored: coupon_code"
    ]
    (load,) = json.loads((published.run.layout.state_dir / "load_history.json").read_text())["loads"]
    assert load == {
        "run_id": load["run_id"],
        "delivery_fingerprint": delivery_fingerprint(published.raw_dir),
        "raw_dir": str(published.raw_dir),
        "load_time": LOAD_TIME.isoformat(),
        "row_counts": {"raw_customers": 4, "raw_orders": 9, "raw_support_tickets": 4, "raw_survey_responses": 6},
    }
    assert load["run_id"].startswith("test-")
    with duckdb.connect(str(published.run.layout.build_file), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_orders").fetchall() == [(9,)]
        columns = con.execute("select column_name from information_schema.columns where table_name = 'raw_orders'")
        assert "coupon_code" not in {name for (name,) in columns.fetchall()}
    assert published.current_digests() == published.digests


NEGATIVE_ORDERS = {"O00000001": "-32.27", "O00000002": "-40.08", "O00000003": "-39.32"}
"""Three of the sample's 30,577 orders given a negative gross amount (0.01% of the rows: under the threshold)."""
RESOLVED_EARLY_TICKET = "T0000003"
"""A ticket made to be resolved before it was created; CSAT answer R00000009 follows it."""
ORPHAN_TICKET = "T0000008"
"""A ticket delivered without its customer_id; CSAT answer R00000010 follows it."""


@pytest.fixture(scope="module")
def quarantining_run(build_env: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Refreshed:
    """The sample with three negative gross amounts (discount 0 on those rows), built into its own warehouse."""
    root = tmp_path_factory.mktemp("quarantine")
    raw = copy_raw(SAMPLE_DIR, root / "raw")

    def negate(rows: Rows) -> Rows:
        return [
            [*row[:4], NEGATIVE_ORDERS[row[0]], "0.00", *row[6:]] if row[0] in NEGATIVE_ORDERS else row for row in rows
        ]

    def break_tickets(rows: Rows) -> Rows:
        changed = {
            RESOLVED_EARLY_TICKET: lambda row: [*row[:4], "2022-03-20 07:21:43", *row[5:]],
            ORPHAN_TICKET: lambda row: [row[0], "", *row[2:]],
        }
        return [changed[row[0]](row) if row[0] in changed else row for row in rows]

    rewrite_csv(raw / "raw_orders.csv", negate)
    rewrite_csv(raw / "raw_support_tickets.csv", break_tickets)
    return refresh_without_dagster(raw, SAMPLE_LOAD_TIME, root / "home")


def test_rows_under_the_threshold_are_quarantined(quarantining_run: Refreshed) -> None:
    """A few bad rows must not stop the load, nor vanish: they leave the marts and wait in quarantine."""
    with duckdb.connect(str(quarantining_run.layout.build_file), read_only=True) as con:
        orders = con.execute(
            "select count(*), count(*) filter (order_id in ?) from marts.fct_orders", [list(NEGATIVE_ORDERS)]
        ).fetchall()
        quarantine = con.execute(
            "select order_id, gross_amount, discount_amount, failed_rules from quality.quarantine_raw_orders order by 1"
        ).fetchall()
    assert orders == [(30_574, 0)]
    rules = (
        "gross_amount: expect_column_values_to_be_between(min_value=0); "
        "gross_amount, discount_amount: expect_column_pair_values_a_to_be_greater_than_b(or_equal=True)"
    )
    assert quarantine == [(order_id, gross, "0.00", rules) for order_id, gross in NEGATIVE_ORDERS.items()]


def test_data_quality_report_shows_the_quarantine(quarantining_run: Refreshed) -> None:
    """Analysts see in the warehouse itself which rule set rows aside, how many, and what the values were."""
    with duckdb.connect(str(quarantining_run.layout.build_file), read_only=True) as con:
        report = con.execute(
            "select table_name, column_name, rule_name, rule_level, failing_rows, total_rows, example_values "
            "from marts.data_quality_report where outcome = 'quarantined' and table_name = 'raw_orders' "
            "order by column_name"
        ).fetchall()
    examples = ", ".join(NEGATIVE_ORDERS.values())
    assert report == [
        ("raw_orders", "gross_amount", "expect_column_values_to_be_between(min_value=0)", "row", 3, 30_577, examples),
        (
            "raw_orders",
            "gross_amount, discount_amount",
            "expect_column_pair_values_a_to_be_greater_than_b(or_equal=True)",
            "row",
            3,
            30_577,
            " < 0.0, ".join(NEGATIVE_ORDERS.values()) + " < 0.0",
        ),
    ]


def test_a_quarantined_ticket_takes_its_csat_answers_with_it(quarantining_run: Refreshed) -> None:
    """A ticket answered before it was created, and one without a customer, are quarantined by the gate (not
    stopped by a dbt test), and the CSAT answers that follow them are quarantined too, saying why; the build
    (every dbt test included) then passes, and the quarantine is in the data_quality_report."""
    with duckdb.connect(str(quarantining_run.layout.build_file), read_only=True) as con:
        tickets = con.execute(
            "select ticket_id, failed_rules from quality.quarantine_raw_support_tickets order by 1"
        ).fetchall()
        answers = con.execute(
            "select response_id, ticket_id, failed_rules from quality.quarantine_raw_survey_responses order by 1"
        ).fetchall()
        published = con.execute(
            "select count(*) from marts.fct_survey_responses where response_id in ('R00000009', 'R00000010')"
        ).fetchone()
        report = con.execute(
            "select table_name, column_name, failing_rows, example_values from marts.data_quality_report "
            "where outcome = 'quarantined' and table_name <> 'raw_orders' order by 1, 2"
        ).fetchall()
    assert tickets == [
        (
            RESOLVED_EARLY_TICKET,
            "resolved_at, created_at: expect_column_pair_values_a_to_be_greater_than_b(or_equal=True)",
        ),
        (ORPHAN_TICKET, "customer_id: expect_column_values_to_not_be_null()"),
    ]
    assert answers == [
        ("R00000009", RESOLVED_EARLY_TICKET, "unknown_ticket_id: expect_column_values_to_be_null()"),
        ("R00000010", ORPHAN_TICKET, "unknown_ticket_id: expect_column_values_to_be_null()"),
    ]
    assert published == (0,)
    assert report == [
        ("raw_support_tickets", "customer_id", 1, "<null>"),
        ("raw_support_tickets", "resolved_at, created_at", 1, "2022-03-20 07:21:43 < 2022-03-24 12:50:53"),
        ("raw_survey_responses", "unknown_ticket_id", 2, f"{RESOLVED_EARLY_TICKET}, {ORPHAN_TICKET}"),
    ]


def test_gates_cli_blocks_and_points_to_data_docs(
    tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make gates` (python -m quality_gates) on a bad delivery: exit 2, the finding, and where Data Docs are."""
    monkeypatch.setenv("RETENTION_GX_DIR", str(tmp_path / "gx"))
    raw = copy_raw(tiny_dir, tmp_path / "raw")
    (raw / "raw_orders.csv").write_text(
        (raw / "raw_orders.csv").read_text().replace("completed,100.00", "completed,-100.00")
    )
    result = subprocess.run(
        [sys.executable, "-m", "quality_gates", "--raw-dir", str(raw), "--load-time", "2024-07-02T06:00:00Z"],
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


def test_landing_in_a_child_process_says_what_in_process_landing_says(published: Published, tmp_path: Path) -> None:
    """The refresh gates in a child process (its memory is freed before dbt): same findings and counts come back,
    a blocked delivery raises the same GateFailure, and nothing published changes."""
    from refresh.landing import land_delivery_in_child

    raw = clean_tiny(tmp_path / "raw")
    _missing_column(raw)
    with pytest.raises(GateFailure) as in_child:
        land_delivery_in_child(raw, LOAD_TIME, published.run.layout, "child-run")
    with pytest.raises(GateFailure) as in_process:
        land_delivery(raw, LOAD_TIME, published.run.layout, "corpus-run")
    assert str(in_child.value) == str(in_process.value) and str(in_child.value)
    assert in_child.value.report.findings == in_process.value.report.findings
    assert published.current_digests() == published.digests
    home = tmp_path / "home"
    outcome = land_delivery_in_child(published.raw_dir, LOAD_TIME, WarehouseLayout(home), "child-run")
    assert outcome.tables == published.run.report.tables
    assert outcome.findings == published.run.report.findings
    assert json.loads((WarehouseLayout(home).landing_dir / "load.json").read_text())["run_id"] == "child-run"
