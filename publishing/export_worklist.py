"""Export the at-risk worklist for the CRM or e-mail tool: one CSV and one Parquet file per as-of date.

Why a command: marketing and sales tools import files, not warehouse tables. The column list is
fixed here (a stable interface for those imports), a file is never overwritten (an export is a
record of what was handed over on a day), and each file is written under a temporary name and
renamed, so an importer never reads half a file.

Usage: ``python -m publishing.export_worklist [--warehouse PATH] [--out exports]``
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from warehouse_home.duckdb_session import connect, one_row
from warehouse_home.layout import WarehouseLayout

EXPORT_COLUMNS = (
    "worklist_rank",
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "rfm_segment",
    "risk_tier",
    "risk_score",
    "predicted_clv",
    "value_at_risk",
    "action_code",
    "recommended_action",
    "owning_role",
    "priority",
    "due_date",
    "reason_1",
    "reason_2",
    "reason_3",
    "as_of_date",
)
"""The exported columns, in order; importers map these names."""


class ExportExistsError(RuntimeError):
    """An export for this as-of date already exists and must not be replaced."""


def read_worklist(warehouse: Path) -> tuple[str, pd.DataFrame]:
    """Read the worklist (in rank order) and its as_of_date, read-only, from the marts alone.

    Why the marts: the published file holds the marts (and meta) only, no intermediate schema; a build
    file holds them too, so both can be exported.
    """
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `make run` first (it publishes one there)")
    with connect(str(warehouse), read_only=True) as con:
        as_of = one_row(con, "select max(as_of_date) from marts.dim_customers")[0]
        worklist = con.execute(
            f"select {', '.join(EXPORT_COLUMNS)} from marts.at_risk_customers order by worklist_rank"
        ).df()
    return as_of.isoformat(), worklist


def _write_new(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file in the same folder, then rename; never replace a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    try:
        os.link(temporary, path)  # fails if path exists: no overwrite, even in a race
    finally:
        temporary.unlink()


def export_worklist(warehouse: Path, out_dir: Path) -> list[Path]:
    """Write at_risk_customers_<as_of_date>.csv and .parquet into out_dir; refuse to overwrite."""
    as_of, worklist = read_worklist(warehouse)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [out_dir / f"at_risk_customers_{as_of}.csv", out_dir / f"at_risk_customers_{as_of}.parquet"]
    existing = [str(path) for path in targets if path.exists()]
    if existing:
        raise ExportExistsError(f"Export for as_of_date {as_of} already exists, not overwritten: {', '.join(existing)}")
    _write_new(targets[0], lambda path: worklist.to_csv(path, index=False))
    _write_new(targets[1], lambda path: worklist.to_parquet(path, index=False))
    return targets


def main(argv: list[str] | None = None) -> int:
    """Run the export; exit 1 with a message when the export already exists."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=None, help="warehouse file (default: the published one)")
    parser.add_argument("--out", type=Path, default=Path("exports"), help="folder for the export files")
    args = parser.parse_args(argv)
    try:
        paths = export_worklist(args.warehouse or WarehouseLayout.from_env().serving_file, args.out)
    except (ExportExistsError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 1
    for path in paths:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
