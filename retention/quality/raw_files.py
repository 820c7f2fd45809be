"""Find and read one raw delivery file exactly as the warehouse will (DuckDB, text columns).

Why DuckDB: it is the reader dbt's landing macro uses, so a file the gate accepts is a file the
build can read, and it reads 10M-row CSVs in seconds. Every column is read as text; typing is
done separately so that an unparseable value becomes a finding instead of a crash.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

RAW_FORMATS = (".csv", ".parquet")


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


def read_text_frame(path: Path, contract_columns: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Read the contract's columns as text; return the frame and the extra columns found."""
    if path.stat().st_size == 0:
        raise DeliveryError(f"{path}: empty file (0 bytes); rule: a header row and at least one data row")
    with duckdb.connect() as con:
        try:
            found = [column[0] for column in con.execute(f"select * from {_reader(path)} limit 0").description]
            missing = [column for column in contract_columns if column not in found]
            if missing:
                raise DeliveryError(
                    f"{path}: column(s) {', '.join(missing)} missing; rule: raw data contract; "
                    f"columns found: {', '.join(found[:12])}"
                )
            columns = ", ".join(f'cast("{column}" as varchar) as "{column}"' for column in contract_columns)
            frame = to_pandas(con, f"select {columns} from {_reader(path)}")
        except duckdb.Error as error:
            reason = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
            reason = reason.replace(str(path), path.name)[:400]
            raise DeliveryError(f"{path}: unreadable ({reason}); rule: {_format_rule(path)}") from error
    extra = [column for column in found if column not in contract_columns]
    return frame, extra


def to_pandas(con: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    """Run query into pandas through Arrow: for 10M rows ~6x faster than .df() at a third of its peak memory."""
    return con.sql(query).to_arrow_table().to_pandas(self_destruct=True, split_blocks=True)


def describe_raw_file(path: Path, timestamp_column: str) -> dict[str, object]:
    """Row count and latest timestamp of a delivered file, read the way the gates read it.

    Why: the orchestration shows what arrived and when before anything is validated; unparseable
    timestamps are ignored here (the gates report them).
    """
    latest = f"max(try_cast(replace(replace(\"{timestamp_column}\", 'T', ' '), 'Z', '') as timestamp))"
    with duckdb.connect() as con:
        rows, latest_at = con.execute(f"select count(*), {latest} from {_reader(path)}").fetchone()
    return {"rows": int(rows), "latest_at": latest_at}


def _format_rule(path: Path) -> str:
    if path.suffix.lower() == ".parquet":
        return "a readable Parquet file"
    return "CSV with a header, comma-delimited, UTF-8, RFC 4180 quoting"
