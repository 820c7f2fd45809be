"""The marts do not depend on the host's time zone, nor on how a delivery writes its instants.

Why: a Parquet timestamp-with-time-zone used to be read in the host's zone, and a text timestamp with an
offset (`...T14:31:11+02:00`) used to lose it, so the same delivery published different marts on a
machine in Europe/Berlin, or two hours off. Here the bundled sample is delivered differently but
meaning the same instants (orders as Parquet with native timestamptz columns and numbers, tickets
with +02:00 offsets, surveys with -05:30 offsets), gated and built on a host in Europe/Berlin, and
every mart must equal the plain UTC build of the CSV sample.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import SAMPLE_DIR
from tests.warehouse import REPO_ROOT, Warehouse, copy_raw, run_dbt
from warehouse_home.duckdb_session import connect

pytestmark = [pytest.mark.dbt, pytest.mark.slow]

HOST_TIME_ZONE = "Europe/Berlin"
LOAD_TIME = "2025-01-01T06:00:00Z"
OFFSETS = {
    "raw_support_tickets": (("created_at", "first_response_at", "resolved_at"), "+02:00", 2 * 60),
    "raw_survey_responses": (("responded_at",), "-05:30", -(5 * 60 + 30)),
}
"""Table -> timestamp columns rewritten with this offset (minutes east of UTC), same instants."""
NOT_COMPARED = {"data_quality_report"}
"""Built from the gate's results, which a plain dbt build has none of."""


def with_offsets(path: Path, columns: tuple[str, ...], offset: str, minutes: int) -> None:
    """Rewrite the columns of a CSV as local times at the offset, e.g. 12:00:00 UTC -> 14:00:00+02:00."""
    with connect() as con:
        rewritten = ", ".join(
            f"strftime(cast(replace(replace({column}, 'T', ' '), 'Z', '') as timestamp) "
            f"+ interval ({minutes}) minute, '%Y-%m-%dT%H:%M:%S{offset}') as {column}"
            for column in columns
        )
        con.execute(
            f"copy (select * replace ({rewritten}) from read_csv('{path}', all_varchar = true)) "
            f"to '{path}.tmp' (header, quote '\"', force_quote *)"
        )
    Path(f"{path}.tmp").replace(path)


def orders_as_native_parquet(raw: Path) -> None:
    """raw_orders.parquet with ordered_at TIMESTAMPTZ (isAdjustedToUTC), amounts DOUBLE, items INTEGER."""
    source = raw / "raw_orders.csv"
    with connect() as con:
        con.execute(
            "copy (select * replace (cast(replace(replace(ordered_at, 'T', ' '), 'Z', '') || '+00' as timestamptz) "
            "as ordered_at, cast(gross_amount as double) as gross_amount, cast(discount_amount as double) "
            "as discount_amount, cast(items_count as integer) as items_count) "
            f"from read_csv('{source}', all_varchar = true)) to '{raw / 'raw_orders.parquet'}'"
        )
        kind = con.execute(f"describe select ordered_at from read_parquet('{raw / 'raw_orders.parquet'}')").fetchone()
    assert kind[1] == "TIMESTAMP WITH TIME ZONE"
    source.unlink()


@pytest.fixture(scope="module")
def berlin_build(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The re-expressed sample, gated (`python -m quality_gates`) and built by dbt on a Berlin host."""
    root = tmp_path_factory.mktemp("berlin")
    raw = copy_raw(SAMPLE_DIR, root / "raw")
    orders_as_native_parquet(raw)
    for table, (columns, offset, minutes) in OFFSETS.items():
        with_offsets(raw / f"{table}.csv", columns, offset, minutes)
    gated = subprocess.run(
        [sys.executable, "-m", "quality_gates", "--raw-dir", str(raw), "--load-time", LOAD_TIME]
        + ["--out", str(root / "landing")],
        cwd=REPO_ROOT,
        env={**os.environ, "TZ": HOST_TIME_ZONE, "RETENTION_GX_DIR": str(root / "gx")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert gated.returncode == 0, gated.stdout[-3000:] + gated.stderr[-3000:]
    previous = os.environ.get("TZ")
    os.environ["TZ"] = HOST_TIME_ZONE
    try:
        result = run_dbt(["build"], root / "landing", root / "warehouse.duckdb")
    finally:
        os.environ.pop("TZ") if previous is None else os.environ.update(TZ=previous)
    return Warehouse(root / "warehouse.duckdb", result.stdout)


def test_a_berlin_host_and_offset_timestamps_give_the_utc_marts(
    berlin_build: Warehouse, sample_warehouse: Warehouse
) -> None:
    """Every mart (and the as_of_date) is identical to the UTC build of the CSV sample, row for row."""
    marts = sample_warehouse.tables("marts")
    assert berlin_build.tables("marts") == marts
    for mart in sorted(set(marts) - NOT_COMPARED):
        expected = sample_warehouse.query(f"select * from marts.{mart}")
        actual = berlin_build.query(f"select * from marts.{mart}")
        columns = list(expected.columns)
        pd.testing.assert_frame_equal(
            actual[columns].sort_values(columns).reset_index(drop=True),
            expected.sort_values(columns).reset_index(drop=True),
            check_dtype=False,
            obj=f"marts.{mart}",
        )
