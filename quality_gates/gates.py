"""Run the raw-data gates on a delivery folder: validate, quarantine, block, and write what passes.

Why this shape: the marts must never be built from a bad delivery, and bad rows must never vanish
silently. So the gates run before dbt, on pandas frames read through DuckDB (GX over DuckDB's
SQLAlchemy dialect gives wrong results), and hand dbt a folder holding only the good rows as
Parquet, the quarantined rows with the rules they broke, and every expectation's result.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from quality_gates.raw_files import (
    DeliveryError,
    delivered_columns,
    find_raw_file,
    repeated_header_error,
    repeated_header_rows,
    text_batches,
)
from quality_gates.settings import GateSettings
from quality_gates.suites import RAW_TABLES, SuiteFile, load_suite
from quality_gates.typing_rules import PARSE_RULES, split_typed, typing_selects

Validator = Callable[[SuiteFile, pd.DataFrame, dict], list[tuple[dict, dict]]]
"""Validate a frame against a suite: (expectation, result) pairs in suite order (GX in gx_runner.GxValidator)."""

MIN_TIMESTAMP = pd.Timestamp("2000-01-01")
UNKNOWN_CUSTOMER_COLUMN = "unknown_customer_id"
BEFORE_SIGNUP_COLUMN = "dated_before_signup"
UNKNOWN_TICKET_COLUMN = "unknown_ticket_id"
BEFORE_TICKET_COLUMN = "dated_before_ticket"
DERIVED_COLUMNS = (UNKNOWN_CUSTOMER_COLUMN, BEFORE_SIGNUP_COLUMN, UNKNOWN_TICKET_COLUMN, BEFORE_TICKET_COLUMN)
"""Columns the gate adds to a table from the tables validated before it; the suites expect them null."""
KEYS = {"raw_customers": "customer_id", "raw_orders": "order_id", "raw_support_tickets": "ticket_id"}
KEYS["raw_survey_responses"] = "response_id"
EVENT_COLUMNS = {
    "raw_customers": "signup_at",
    "raw_orders": "ordered_at",
    "raw_support_tickets": "created_at",
    "raw_survey_responses": "responded_at",
}
"""When each row happened: what a point-in-time build compares with as_of_date (by day)."""
EXAMPLE_COUNT = 5
QUALITY_SUBDIR = "quality"


@dataclass(frozen=True)
class Finding:
    """The result of one rule on one table, as the run output and the data_quality_report show it."""

    table: str
    file: str
    rule: str
    column: str | None
    level: str
    outcome: str  # passed | quarantined | warned | blocked
    failing_rows: int
    total_rows: int
    examples: tuple[str, ...] = ()
    observed: str | None = None
    hint: str | None = None
    """What the rule means in words and what to do, from the expectation's meta.hint."""

    def message(self) -> str:
        """Name the file, the column, the rule, the failing rows and up to five example values (and the hint)."""
        where = f"column {self.column}: " if self.column else ""
        if self.observed is not None:
            hint = f". {self.hint}" if self.hint else ""
            return (
                f"{self.file}: {where}{self.rule}: {self.outcome}; observed {self.observed} in {self.total_rows} rows"
                f"{hint}"
            )
        if not self.total_rows and not self.failing_rows:
            return f"{self.file}: {where}{self.rule}: {self.outcome}"
        share = f" ({self.failing_rows / self.total_rows:.1%})" if self.total_rows else ""
        examples = f"; examples: {', '.join(self.examples)}" if self.examples else ""
        return (
            f"{self.file}: {where}{self.rule}: {self.outcome}, "
            f"{self.failing_rows} of {self.total_rows} rows failing{share}{examples}"
        )


@dataclass
class TableResult:
    """One table's findings, where its passing rows were written, and the rows quarantined."""

    table: str
    file: str
    good_rows_file: Path | None = None
    """Parquet file of the rows that pass (text columns), written batch by batch while validating."""
    good_row_count: int = 0
    quarantined: pd.DataFrame = field(default_factory=pd.DataFrame)
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    event_dates: pd.Series | None = None
    """Day of each passing row's event, by its id: what later tables may refer to (customers, tickets)."""
    latest_at: pd.Timestamp | None = None
    """The latest parseable event timestamp (EVENT_COLUMNS) of the delivered rows: how recent the file is."""


@dataclass
class GateReport:
    """Everything a run found; blocked findings mean nothing may be built."""

    load_time: datetime
    tables: dict[str, TableResult]
    data_docs_index: Path | None = None
    spool: tempfile.TemporaryDirectory | None = None
    """The temporary folder holding the passing rows when run_gates was given none (removed with the report)."""

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every table."""
        return [finding for result in self.tables.values() for finding in result.findings]

    @property
    def blocked(self) -> list[Finding]:
        """The findings that stop the run."""
        return [finding for finding in self.findings if finding.outcome == "blocked"]

    def row_counts(self) -> dict[str, int]:
        """Rows delivered per table (for the next run's volume check)."""
        return {table: result.good_row_count + len(result.quarantined) for table, result in self.tables.items()}


def _examples(values: pd.Series) -> tuple[str, ...]:
    unique = pd.unique(values.astype("string").fillna("<null>"))
    return tuple(str(value) for value in unique[:EXAMPLE_COUNT])


def _argument_text(value: object, parameters: dict) -> str:
    """Render an argument for a message: $PARAMETERs resolved, long sets summarised."""
    if isinstance(value, dict) and "$PARAMETER" in value:
        name = value["$PARAMETER"]
        resolved = parameters.get(name)
        if isinstance(resolved, list):
            return f"{name} ({len(resolved)} values)"
        return f"{resolved} ({name})"
    if isinstance(value, list) and len(value) > 8:
        return f"{len(value)} values"
    return str(value)


def _rule_text(expectation: dict, parameters: dict) -> str:
    """Render the expectation and its arguments, so a failure says which bound was broken."""
    kwargs = {
        key: value
        for key, value in expectation["kwargs"].items()
        if key not in {"column", "column_A", "column_B", "condition_parser", "ignore_row_if"}
    }
    arguments = ", ".join(f"{key}={_argument_text(value, parameters)}" for key, value in kwargs.items())
    return f"{expectation['type']}({arguments})"


def _column_of(expectation: dict) -> str | None:
    kwargs = expectation["kwargs"]
    if "column" in kwargs:
        return kwargs["column"]
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    return None


def _parameters(load_time: datetime, previous_rows: int | None, settings: GateSettings) -> dict:
    """Resolve the suites' $PARAMETERs: min_timestamp, load_time, min_row_count and freshness_floor."""
    minimum = 1 if previous_rows is None else max(1, math.ceil(previous_rows * (1 - settings.max_volume_drop)))
    return {
        "min_timestamp": MIN_TIMESTAMP,
        "load_time": pd.Timestamp(load_time).tz_localize(None),
        "min_row_count": minimum,
        "freshness_floor": pd.Timestamp(load_time).tz_localize(None) - timedelta(days=settings.max_data_age_days),
    }


BATCH_ROWS = 1_000_000
"""Rows validated at a time: the gates hold one batch (plus the columns of the whole-table rules) in memory."""
CROSS_ROW_TYPES = frozenset(
    {
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
        "expect_multicolumn_values_to_be_unique",
    }
)
"""Row rules whose verdict on a row depends on other rows: they see the whole table, like table-level rules."""
WHOLE_TABLE_SUFFIX = "__whole_table"
"""The whole-table rules of a table run as a suite of their own, named the table's suite name and this."""


def is_whole_table(expectation: dict) -> bool:
    """Rules that must see every row at once: table-level rules (row count, freshness) and uniqueness.

    They run once on the table's columns they name; every other rule runs batch by batch. Why they
    may not quarantine: the passing rows are written batch by batch, before the whole table is seen.
    """
    return expectation.get("meta", {}).get("level", "row") == "table" or expectation["type"] in CROSS_ROW_TYPES


def _named_columns(expectation: dict) -> list[str]:
    kwargs = expectation["kwargs"]
    return [kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs] + list(
        kwargs.get("column_list", [])
    )


@dataclass
class _Tally:
    """What the batches found for one rule: the failing rows, their first example values, or a failure without rows."""

    indexes: list[int] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    failure: dict | None = None

    def add(self, indexes: list[int], values: pd.Series) -> None:
        """Count a batch's failing rows; keep the first distinct example values in file order."""
        self.indexes.extend(indexes)
        if len(self.examples) < EXAMPLE_COUNT:
            for example in _examples(values):
                if example not in self.examples and len(self.examples) < EXAMPLE_COUNT:
                    self.examples.append(example)

    def outcome(self) -> dict:
        """Return the rule's result over every batch, shaped like one validator result."""
        if self.failure is not None:
            return self.failure
        return {"success": not self.indexes, "unexpected_index_list": self.indexes}


def _example_values(expectation: dict, typed: pd.DataFrame, indexes: list[int]) -> pd.Series:
    kwargs = expectation["kwargs"]
    if "column" in kwargs:
        return typed.loc[indexes, kwargs["column"]]
    return (
        typed.loc[indexes, kwargs["column_A"]].astype("string")
        + " < "
        + typed.loc[indexes, kwargs["column_B"]].astype("string")
    )


def _tally_outcome(tally: _Tally, expectation: dict, outcome: dict, typed: pd.DataFrame) -> None:
    if outcome["success"]:
        return
    indexes = outcome.get("unexpected_index_list") or []
    if not indexes:
        tally.failure = tally.failure or outcome
    else:
        tally.add(indexes, _example_values(expectation, typed, indexes))


def _validate_table(
    suite: SuiteFile,
    raw_dir: Path,
    parameters: dict,
    settings: GateSettings,
    validator: Validator,
    references: dict[str, pd.Series],
    spool_dir: Path,
) -> TableResult:
    """Read, type and validate one table batch by batch; decide per rule whether rows are quarantined or the run stops.

    Passing rows are appended to a Parquet file in spool_dir as each batch is validated.
    """
    table = suite.name
    try:
        path = find_raw_file(raw_dir, table)
        found = delivered_columns(path, list(suite.contract))
    except DeliveryError as error:
        return _blocked_delivery(table, error)
    result = TableResult(table, str(path))
    extra = [column for column in found if column not in suite.contract]
    if extra:
        result.warnings.append(f"{path}: column(s) outside the contract, ignored: {', '.join(extra)}")
    whole_rules = [expectation for expectation in suite.expectations if is_whole_table(expectation)]
    if any(rule.get("meta", {}).get("level", "row") == "row" for rule in whole_rules):
        raise ValueError(f"{table}: a uniqueness rule can warn or block (meta.level warn or table), not quarantine")
    row_rules = [expectation for expectation in suite.expectations if not is_whole_table(expectation)]
    whole_columns = list(dict.fromkeys(column for rule in whole_rules for column in _named_columns(rule)))
    cross_rules = [rule for rule in whole_rules if rule["type"] in CROSS_ROW_TYPES]
    parse_tallies = {column: _Tally() for column in suite.contract}
    rule_tallies = {id(expectation): _Tally() for expectation in suite.expectations}
    bad_rows: dict[int, list[str]] = {}
    derived_columns: list[str] = []
    whole_parts: list[pd.DataFrame] = []
    quarantined: list[pd.DataFrame] = []
    event_dates: list[pd.Series] = []
    header_rows: list[int] = []
    total = 0
    result.good_rows_file = spool_dir / f"{table}.parquet"
    writer: pq.ParquetWriter | None = None
    try:
        for batch in text_batches(path, list(suite.contract), typing_selects(suite.contract), BATCH_ROWS):
            text = batch[list(suite.contract)]
            header_rows.extend(repeated_header_rows(text))
            typed, unparseable = split_typed(batch, suite.contract)
            del batch
            typed = with_references(table, typed, references)
            derived_columns = [column for column in DERIVED_COLUMNS if column in typed]
            row_suite = _without_missing_references(
                SuiteFile(suite.name, suite.contract, row_rules, suite.document), derived_columns
            )
            total += len(text)
            batch_latest = typed[EVENT_COLUMNS[table]].max()
            if pd.notna(batch_latest) and (result.latest_at is None or batch_latest > result.latest_at):
                result.latest_at = batch_latest
            batch_bad: dict[int, list[str]] = {}
            for column, kind in suite.contract.items():
                failing = unparseable[column]
                if failing.any():
                    failing_index = list(failing[failing].index)
                    for index in failing_index:
                        batch_bad.setdefault(index, []).append(f"{column}: {PARSE_RULES[kind]}")
                    parse_tallies[column].add(failing_index, text.loc[failing, column])
            for expectation, outcome in validator(row_suite, typed, parameters):
                _tally_outcome(rule_tallies[id(expectation)], expectation, outcome, typed)
                if expectation.get("meta", {}).get("level", "row") == "row" and not outcome["success"]:
                    rule = _rule_text(expectation, parameters)
                    for index in outcome.get("unexpected_index_list") or []:
                        batch_bad.setdefault(index, []).append(f"{_column_of(expectation)}: {rule}")
            bad_rows.update(batch_bad)
            # Copied out of the batch: a column still backed by the batch's Arrow buffers keeps all of them alive.
            whole_parts.append(
                pd.DataFrame(
                    {
                        **{
                            column: pd.array(typed[column].to_numpy(), dtype=typed[column].dtype)
                            for column in whole_columns
                            if column in typed
                        },
                        **{_partition_column(rule): _partition_hashes(rule, typed) for rule in cross_rules},
                    },
                    index=typed.index,
                )
            )
            bad_index = pd.Index(sorted(batch_bad), dtype="int64")
            quarantined.append(text.loc[bad_index].assign(failed_rules=["; ".join(batch_bad[i]) for i in bad_index]))
            passing = text.drop(index=bad_index)
            result.good_row_count += len(passing)
            arrow = pa.Table.from_pandas(passing, preserve_index=False)
            writer = writer or pq.ParquetWriter(result.good_rows_file, arrow.schema)
            writer.write_table(arrow)
            if table in EVENT_DATE_TABLES:
                event_dates.append(_event_dates(table, typed.drop(index=bad_index)))
    except DeliveryError as error:
        return _blocked_delivery(table, error)
    finally:
        if writer is not None:
            writer.close()
    if header_rows:
        return _blocked_delivery(table, repeated_header_error(path, header_rows, len(header_rows)))
    whole = pd.concat(whole_parts)
    del whole_parts
    for expectation, outcome in _validate_whole_table(suite, whole_rules, whole, parameters, validator):
        _tally_outcome(rule_tallies[id(expectation)], expectation, outcome, whole)
    result.quarantined = pd.concat(quarantined)
    if event_dates:
        dates = pd.concat(event_dates)
        result.event_dates = dates.groupby(level=0).min()
    row_findings = [
        Finding(
            table,
            str(path),
            PARSE_RULES[kind],
            column,
            "row",
            "quarantined",
            len(tally.indexes),
            total,
            tuple(tally.examples),
        )
        for (column, kind), tally in zip(suite.contract.items(), parse_tallies.values(), strict=True)
        if tally.indexes
    ]
    for expectation in _without_missing_references(suite, derived_columns).expectations:
        tally = rule_tallies[id(expectation)]
        outcome = tally.outcome()
        level = expectation.get("meta", {}).get("level", "row")
        named = _column_of(expectation)
        rule = _rule_text(expectation, parameters)
        if outcome["success"]:
            result.findings.append(Finding(table, str(path), rule, named, level, "passed", 0, total))
        elif level == "table" or tally.failure is not None:
            result.findings.append(
                Finding(
                    table,
                    str(path),
                    rule,
                    named,
                    "table",
                    "blocked",
                    0,
                    total,
                    observed=str(outcome.get("observed_value")),
                    hint=expectation.get("meta", {}).get("hint"),
                )
            )
        else:
            outcome_name = "warned" if level == "warn" else "quarantined"
            row_findings.append(
                Finding(
                    table,
                    str(path),
                    rule,
                    named,
                    level,
                    outcome_name,
                    len(tally.indexes),
                    total,
                    tuple(tally.examples),
                )
            )
    allowed = settings.max_bad_row_share
    blocking = len(bad_rows) / total > allowed if total else False
    for finding in row_findings:
        too_many = finding.failing_rows / total > allowed if total else False
        if blocking or too_many:
            finding = Finding(**{**finding.__dict__, "outcome": "blocked"})
        result.findings.append(finding)
    return result


def _partition_column(rule: dict) -> str:
    """Name the column holding the hash of the values a uniqueness rule compares."""
    return "__hash_of_" + "_".join(_named_columns(rule))


def _partition_hashes(rule: dict, typed: pd.DataFrame) -> np.ndarray:
    """Hash the values a uniqueness rule compares, per row: equal values, equal hashes (taken batch by batch)."""
    return pd.util.hash_pandas_object(typed[_named_columns(rule)], index=False).to_numpy()


def _validate_whole_table(
    suite: SuiteFile, rules: list[dict], whole: pd.DataFrame, parameters: dict, validator: Validator
) -> list[tuple[dict, dict]]:
    """Validate the whole-table rules on the table's columns they name: (expectation, result) pairs.

    Table-level rules see every row at once. A uniqueness rule is validated per hash partition of
    the columns it names, about BATCH_ROWS rows each: equal values always share a partition, so the
    union of the partitions' failing rows is the table's, while GX's memory stays that of a batch.
    """
    name = f"{suite.name}{WHOLE_TABLE_SUFFIX}"
    table_rules = [rule for rule in rules if rule["type"] not in CROSS_ROW_TYPES]
    named = list(dict.fromkeys(column for rule in table_rules for column in _named_columns(rule)))
    table_frame = whole[named or list(whole.columns[:1])]  # a row count needs the rows, not their columns
    results = validator(SuiteFile(name, suite.contract, table_rules, suite.document), table_frame, parameters)
    partitions = max(1, math.ceil(len(whole) / BATCH_ROWS))
    for rule in (rule for rule in rules if rule["type"] in CROSS_ROW_TYPES):
        columns = _named_columns(rule)
        keys = whole[_partition_column(rule)].to_numpy() % partitions
        merged: dict = {"success": True, "unexpected_index_list": []}
        for partition in range(partitions):
            frame = whole.loc[keys == partition, columns]
            ((_, outcome),) = validator(SuiteFile(name, suite.contract, [rule], suite.document), frame, parameters)
            if not outcome["success"] and not outcome.get("unexpected_index_list"):
                merged = outcome  # a failure without rows (an exception): the rule's result as it is
                break
            merged["success"] = merged["success"] and bool(outcome["success"])
            merged["unexpected_index_list"] += list(outcome.get("unexpected_index_list") or [])
        merged["unexpected_index_list"] = sorted(merged.get("unexpected_index_list") or [])
        results.append((rule, merged))
    return results


def _blocked_delivery(table: str, error: DeliveryError) -> TableResult:
    """Return the table-level finding of a file that cannot be validated at all (missing, unreadable, ambiguous)."""
    file, message = str(error).split(": ", 1)
    return TableResult(table, file, findings=[Finding(table, file, message, None, "table", "blocked", 0, 0)])


EVENT_DATE_TABLES = ("raw_customers", "raw_support_tickets")


def _event_dates(table: str, passing: pd.DataFrame) -> pd.Series:
    """Each passing row's event day by its id (the earliest when an id repeats)."""
    passing = passing.dropna(subset=[KEYS[table]])
    dates = passing[EVENT_COLUMNS[table]].dt.normalize()
    return dates.groupby(passing[KEYS[table]]).min()


def _without_missing_references(suite: SuiteFile, derived_columns: list[str]) -> SuiteFile:
    """Drop the rules on derived columns the gate could not add (derived_columns are those it added).

    With the customers (or tickets) blocked, they would only repeat that failure.
    """
    kept = [
        expectation
        for expectation in suite.expectations
        if expectation["kwargs"].get("column") not in DERIVED_COLUMNS
        or expectation["kwargs"]["column"] in derived_columns
    ]
    return SuiteFile(suite.name, suite.contract, kept, suite.document)


@dataclass(frozen=True)
class Reference:
    """A column of some tables that must name a passing row of another table, not dated before it."""

    column: str
    referenced: str
    referring: tuple[str, ...]
    unknown_column: str
    before_column: str
    what: str


REFERENCES = (
    Reference(
        "customer_id",
        "raw_customers",
        ("raw_orders", "raw_support_tickets", "raw_survey_responses"),
        UNKNOWN_CUSTOMER_COLUMN,
        BEFORE_SIGNUP_COLUMN,
        "signup of customer",
    ),
    Reference(
        "ticket_id",
        "raw_support_tickets",
        ("raw_survey_responses",),
        UNKNOWN_TICKET_COLUMN,
        BEFORE_TICKET_COLUMN,
        "creation of ticket",
    ),
)


def with_references(table: str, typed: pd.DataFrame, references: dict[str, pd.Series]) -> pd.DataFrame:
    """Add the derived reference columns (DERIVED_COLUMNS) the suites expect to be null.

    For each Reference of table: unknown_<x>_id is the row's id when no passing row of the referenced
    table has it; dated_before_<x> says which row, day and id when the row is dated (by day) before
    the row it refers to (a customer's signup, a ticket's creation).

    Why derived here: a set lookup in pandas takes a second on 10M rows, while GX's in_set with a
    million-value parameter took ~90 s per table; and referring to the *passing* rows is what makes a
    quarantine follow dependent rows (a quarantined ticket takes its CSAT answers with it).
    """
    derived = {}
    for reference in REFERENCES:
        if table not in reference.referring or reference.referenced not in references:
            continue
        ids = typed[reference.column]
        referred = ids.map(references[reference.referenced])
        present = ids.notna()
        derived[reference.unknown_column] = ids.where(present & referred.isna())
        event = typed[EVENT_COLUMNS[table]].dt.normalize()
        early = present & referred.notna() & (event < referred)
        described = (  # text for the few early rows only: building it for 10M rows would cost seconds
            typed.loc[early, KEYS[table]].astype("string")
            + " on "
            + event[early].dt.strftime("%Y-%m-%d")
            + f" before {reference.what} "
            + ids[early].astype("string")
            + " on "
            + referred[early].dt.strftime("%Y-%m-%d")
        )
        derived[reference.before_column] = described.reindex(typed.index)
    return typed.assign(**derived)


def run_gates(
    raw_dir: Path,
    load_time: datetime,
    previous_row_counts: dict[str, int] | None = None,
    settings: GateSettings | None = None,
    validator: Validator | None = None,
    spool_dir: Path | None = None,
) -> GateReport:
    """Validate every raw table of raw_dir; the report says what passed, was quarantined or blocks.

    The passing rows of each table are written to spool_dir (a temporary folder the report keeps
    alive when none is given) for write_validated to move into the landing folder.
    """
    from quality_gates.gx_runner import GxValidator

    settings = settings or GateSettings.from_project()
    validator = validator or GxValidator()
    report = GateReport(load_time=load_time, tables={})
    if spool_dir is None:
        report.spool = tempfile.TemporaryDirectory(prefix="gates_spool_")
        spool_dir = Path(report.spool.name)
    spool_dir.mkdir(parents=True, exist_ok=True)
    references: dict[str, pd.Series] = {}
    for table in RAW_TABLES:
        parameters = _parameters(load_time, (previous_row_counts or {}).get(table), settings)
        suite = load_suite(table)
        result = _validate_table(suite, raw_dir, parameters, settings, validator, references, spool_dir)
        report.tables[table] = result
        if result.event_dates is not None and not any(f.table == table for f in report.blocked):
            references[table] = result.event_dates
    report.data_docs_index = getattr(validator, "build_docs", lambda: None)()
    return report


def write_validated(report: GateReport, out_dir: Path) -> None:
    """Move in the good rows (Parquet, text columns) and write the quarantine and the results for dbt to land."""
    quality_dir = out_dir / QUALITY_SUBDIR
    quality_dir.mkdir(parents=True, exist_ok=True)
    load_at = pd.Timestamp(report.load_time).tz_localize(None)
    for table, result in report.tables.items():
        if result.good_rows_file is None:
            raise ValueError(f"{table}: no validated rows to write (the table was blocked)")
        shutil.move(result.good_rows_file, out_dir / f"{table}.parquet")
        result.good_rows_file = out_dir / f"{table}.parquet"
        result.quarantined.assign(load_at=load_at).to_parquet(quality_dir / f"quarantine_{table}.parquet", index=False)
    results = pd.DataFrame(
        [
            {
                "table_name": f.table,
                "file_name": f.file,
                "rule": f.rule,
                "column_name": f.column,
                "level": f.level,
                "outcome": f.outcome,
                "failing_rows": f.failing_rows,
                "total_rows": f.total_rows,
                "examples": ", ".join(f.examples),
                "load_at": load_at,
            }
            for f in report.findings
        ]
    )
    results.to_parquet(quality_dir / "data_quality_results.parquet", index=False)
