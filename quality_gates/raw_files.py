"""Find and read one raw delivery file exactly as the warehouse will (DuckDB, text columns).

Why DuckDB: it is the reader dbt's landing macro uses, so a file the gate accepts is a file the
build can read, and it reads 10M-row CSVs in seconds. Every column is read as text; typing is
done separately so that an unparseable value becomes a finding instead of a crash.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse_home.duckdb_session import connect, one_row

RAW_FORMATS = (".csv", ".parquet")
EXAMPLE_ROWS = 5


class DeliveryError(Exception):
    """A table-level problem with a delivery: the run must stop before anything is replaced."""


def find_raw_file(raw_dir: Path, table: str) -> Path:
    """Return the one file delivering table; a missing or doubly delivered table is an error."""
    found = sorted(path for path in raw_dir.glob(f"{table}.*") if path.suffix.lower() in RAW_FORMATS)
    if not found:
        raise DeliveryError(f"{raw_dir / table}.csv: file missing (expected {table}.csv or {table}.parquet)")
    if len(found) > 1:
        raise DeliveryError(
            f"{found[0]}: table {table} delivered more than once ({', '.join(p.name for p in found)}); "
            "rule: one file per table, CSV or Parquet"
        )
    return found[0]


def _reader(path: Path) -> str:
    quoted = str(path).replace("'", "''")
    if path.suffix.lower() == ".parquet":
        return f"read_parquet('{quoted}')"
    return (
        f"read_csv('{quoted}', header = true, delim = ',', quote = '\"', escape = '\"', "
        "encoding = 'utf-8', all_varchar = true, strict_mode = true)"
    )


def header_names(path: Path) -> list[str]:
    """Return the column names exactly as delivered: the CSV's first record (BOM dropped) or the Parquet schema.

    Why not DuckDB's column names: DuckDB renames a repeated name (status, status_1) and names an empty
    one (column3), which hides the ambiguity the header check must see.
    """
    if path.suffix.lower() == ".parquet":
        try:
            return list(pq.read_schema(path).names)
        except (pa.ArrowException, OSError):
            return []  # not a readable Parquet file: the read that follows says so, as "unreadable"
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        return next(csv.reader(handle), [])


def check_header(path: Path, names: list[str]) -> None:
    """Refuse a header with an empty or whitespace-only name, or a name twice: which column is meant is ambiguous.

    Names are compared as DuckDB resolves them: trimmed and ignoring case.
    """
    empty = [str(position) for position, name in enumerate(names, start=1) if not name.strip()]
    seen: dict[str, list[int]] = {}
    for position, name in enumerate(names, start=1):
        if name.strip():
            seen.setdefault(name.strip().lower(), []).append(position)
    repeated = [
        f"{names[positions[0] - 1].strip()} (columns {', '.join(map(str, positions))})"
        for positions in seen.values()
        if len(positions) > 1
    ]
    problems = ([f"empty name at column(s) {', '.join(empty)}"] if empty else []) + (
        [f"name(s) repeated: {'; '.join(repeated)}"] if repeated else []
    )
    if problems:
        raise DeliveryError(
            f"{path}: ambiguous header: {'; '.join(problems)}; rule: every column name in the header is non-empty "
            "and unique"
        )


def repeated_header_rows(frame: pd.DataFrame) -> pd.Index:
    """Return the rows of a text frame that repeat the header (every value equals its column's name).

    Each column is compared only on the rows whose earlier columns matched: one column on almost every row.
    """
    candidates = frame.index
    for column in frame.columns:
        values = frame.loc[candidates, column]
        candidates = candidates[(values.str.strip().str.lower() == column.lower()).to_numpy()]
        if candidates.empty:
            break
    return candidates


def repeated_header_error(path: Path, rows: list[int], count: int) -> DeliveryError:
    """Refuse a file whose data repeats its header row: two exports concatenated, not one bad row.

    rows are the first data rows (0-based) repeating it, count how many do.
    """
    lines = [str(row + 2) for row in rows[:EXAMPLE_ROWS]]
    return DeliveryError(
        f"{path}: the header row appears again inside the data ({count} time(s), at line(s) "
        f"{', '.join(lines)}): two exports concatenated into one file?; rule: one header row, at the top "
        "(deliver one export per table)"
    )


def _unreadable(path: Path, error: duckdb.Error) -> DeliveryError:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    # DuckDB's "LINE 1: <our query>" context names our SQL, not the file's problem.
    reason = " ".join(line for line in lines if not line.startswith("LINE ") and set(line) != {"^"})
    reason = reason.replace(str(path), path.name)[:400]
    return DeliveryError(f"{path}: unreadable ({reason}); rule: {_format_rule(path)}")


def delivered_columns(path: Path, contract_columns: list[str]) -> list[str]:
    """Check the file can be read and has the contract's columns; return the columns found."""
    if path.stat().st_size == 0:
        raise DeliveryError(f"{path}: empty file (0 bytes); rule: a header row and at least one data row")
    check_header(path, header_names(path))
    with connect() as con:
        try:
            found = [column[0] for column in con.execute(f"select * from {_reader(path)} limit 0").description]
        except duckdb.Error as error:
            raise _unreadable(path, error) from error
    missing = [column for column in contract_columns if column not in found]
    if missing:
        raise DeliveryError(
            f"{path}: column(s) {', '.join(missing)} missing; rule: raw data contract; "
            f"columns found: {', '.join(found[:12])}"
        )
    return found


def text_batches(
    path: Path, contract_columns: list[str], derived: list[str], batch_rows: int
) -> Iterator[pd.DataFrame]:
    """Read the contract's columns as text, in file order, batch_rows rows at a time.

    Each batch also carries the derived select expressions (over the text columns) and is indexed
    by the rows' positions in the file; a file without data rows yields one empty batch. Why
    batches: the gates' memory stays bounded by one batch however large the delivery. A file
    DuckDB cannot read raises DeliveryError (unreadable).
    """
    columns = ", ".join(f'cast("{column}" as varchar) as "{column}"' for column in contract_columns)
    outputs = ", ".join([*(f'"{column}"' for column in contract_columns), *derived])
    query = f"select {outputs} from (select {columns} from {_reader(path)}) as delivery"
    offset = 0
    with connect() as con:
        try:
            reader = con.sql(query).to_arrow_reader(batch_rows)
            pending: list[pa.RecordBatch] = []
            # DuckDB hands over smaller batches: gather batch_rows rows first; None marks the end.
            for batch in itertools.chain(reader, [None]):
                if batch is not None:
                    pending.append(batch)
                    if sum(chunk.num_rows for chunk in pending) < batch_rows:
                        continue
                rows = sum(chunk.num_rows for chunk in pending)
                if rows == 0 and offset > 0:
                    break
                table = pa.Table.from_batches(pending, schema=reader.schema)
                pending = []
                frame = table.to_pandas(split_blocks=True, self_destruct=True)
                frame.index = pd.RangeIndex(offset, offset + rows)
                offset += rows
                yield frame
        except duckdb.Error as error:
            raise _unreadable(path, error) from error


def to_pandas(con: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    """Run query into pandas through Arrow: for 10M rows ~6x faster than .df() at a third of its peak memory."""
    return con.sql(query).to_arrow_table().to_pandas(self_destruct=True, split_blocks=True)


class RawFileSummary(NamedTuple):
    """What arrived: the rows of a delivered file and its latest parseable timestamp (None when none parses)."""

    rows: int
    latest_at: datetime | None


def describe_raw_file(path: Path, timestamp_column: str) -> RawFileSummary:
    """Count the rows of a delivered file and find its latest timestamp, read the way the gates read it.

    Why: the orchestration shows what arrived and when before anything is validated; unparseable
    timestamps are ignored here (the gates report them).
    """
    latest = f"max(try_cast(replace(replace(\"{timestamp_column}\", 'T', ' '), 'Z', '') as timestamp))"
    with connect() as con:
        rows, latest_at = one_row(con, f"select count(*), {latest} from {_reader(path)}")
    return RawFileSummary(int(rows), latest_at)


def _format_rule(path: Path) -> str:
    if path.suffix.lower() == ".parquet":
        return "a readable Parquet file"
    return "CSV with a header, comma-delimited, UTF-8, RFC 4180 quoting"
