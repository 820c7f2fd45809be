"""Publishing: new versions are complete and self-describing, old ones are kept N deep and can come back.

Why small hand-made build files: publishing only copies marts, so two-table builds with known
row counts prove every rule (contract constraints kept, meta tables, Parquet + manifest, pruning,
rollback, a publish dying half-way) in milliseconds, without dbt.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from publishing import versions as publishing
from publishing.versions import current_version, list_versions, prune, publish, rollback

LOAD_TIME = datetime(2025, 1, 1, 6, 0)


def make_build(path: Path, customers: int, as_of: str = "2024-12-31", landed_by: str | None = None) -> Path:
    """A build file with two marts (customers rows and 2 rows), the resolved parameters and, when landed_by
    names a run, the load manifest the landing macro copies into a refresh's build."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema intermediate; create schema quality")
        con.execute("create table marts.dim_customers (customer_id varchar not null, name varchar)")
        con.execute("insert into marts.dim_customers select 'C' || range, 'n' from range(?)", [customers])
        con.execute("create table marts.retention_monthly as select * from (values (1), (2)) as t(month_number)")
        con.execute(f"create table intermediate.int_parameters_resolved as select date '{as_of}' as as_of_date")
        if landed_by:
            con.execute(
                "create table quality.load_manifest as select ? as run_id, ? as delivery_fingerprint, "
                "'/data/in' as raw_dir, '2025-01-01T05:00:00' as load_time",
                [landed_by, f"fp-{landed_by}"],
            )
    return path


def publish_at(
    build: Path, serving: Path, second: int, keep: int = 5, run_id: str | None = None
) -> publishing.PublishedVersion:
    """Publish with a fixed clock, so version ids are known and ordered."""
    return publish(
        build, serving, published_at=datetime(2025, 1, 1, 6, 0, second), run_id=run_id, load_time=LOAD_TIME, keep=keep
    )


def test_a_refresh_publishes_only_the_build_of_the_delivery_it_landed(tmp_path: Path) -> None:
    """The build file names the run that landed its delivery; a publish by another run (or of a build with no
    landed delivery) is refused before anything is written, and a publish by the landing run records its
    delivery fingerprint, run and load time."""
    serving = tmp_path / "serving"
    first = publish_at(make_build(tmp_path / "a.duckdb", 3, landed_by="run-a"), serving, 1, run_id="run-a")
    assert (first.manifest["run_id"], first.manifest["delivery_fingerprint"]) == ("run-a", "fp-run-a")
    assert first.manifest["load_time"] == "2025-01-01T05:00:00"
    with duckdb.connect(str(serving / "retention.duckdb"), read_only=True) as con:
        publication = con.execute("select run_id, delivery_fingerprint, load_time::varchar from meta.publication")
        assert publication.fetchall() == [("run-a", "fp-run-a", "2025-01-01 05:00:00")]
    before = sorted(str(path) for path in serving.rglob("*")), (serving / "current.json").read_text()
    message = (
        r"refusing to publish .*b\.duckdb: it holds the delivery fp-run-b landed by run run-b, not the delivery "
        r"run run-a gated, built and checked .* Nothing was published"
    )
    with pytest.raises(publishing.BuildNotOwned, match=message):
        publish_at(make_build(tmp_path / "b.duckdb", 4, landed_by="run-b"), serving, 2, run_id="run-a")
    with pytest.raises(publishing.BuildNotOwned, match="it holds no landed delivery of any refresh"):
        publish_at(make_build(tmp_path / "plain.duckdb", 5), serving, 3, run_id="run-a")
    assert (sorted(str(path) for path in serving.rglob("*")), (serving / "current.json").read_text()) == before


def test_a_refresh_removes_what_a_killed_publish_left(tmp_path: Path) -> None:
    """Hidden temp version folders and served-name temp files are removed; kept versions are not."""
    serving = tmp_path / "serving"
    publish_at(make_build(tmp_path / "a.duckdb", 3), serving, 1)
    (serving / "versions" / ".20250101T060002.000000Z.tmp" / "parquet").mkdir(parents=True)
    (serving / ".retention.duckdb.tmp").write_text("half")
    removed = publishing.remove_leftovers(serving)
    assert sorted(path.name for path in removed) == [".20250101T060002.000000Z.tmp", ".retention.duckdb.tmp"]
    assert sorted(path.name for path in serving.rglob("*") if path.name.startswith(".")) == []
    assert [version.version_id for version in list_versions(serving)] == ["20250101T060001.000000Z"]


def test_a_version_holds_the_marts_with_their_constraints_and_says_which_version_it_is(tmp_path: Path) -> None:
    """The served file, the Parquet copies and the manifest agree on version and row counts."""
    version = publish_at(make_build(tmp_path / "build.duckdb", 3), tmp_path / "serving", 1)
    assert version.version_id == "20250101T060001.000000Z"
    with duckdb.connect(str(tmp_path / "serving" / "retention.duckdb"), read_only=True) as con:
        assert con.execute("select version_id, as_of_date::varchar from meta.publication").fetchall() == [
            ("20250101T060001.000000Z", "2024-12-31")
        ]
        assert con.execute("select * from meta.published_tables order by 1").fetchall() == [
            ("dim_customers", 3),
            ("retention_monthly", 2),
        ]
        assert con.execute("select count(*) from marts.dim_customers").fetchone() == (3,)
        not_null = con.execute(
            "select is_nullable from information_schema.columns where table_name = 'dim_customers' "
            "and column_name = 'customer_id'"
        ).fetchone()
        assert not_null == ("NO",)
        schemas = con.execute("select distinct schema_name from duckdb_tables() order by 1").fetchall()
        assert schemas == [("marts",), ("meta",)]
    current = json.loads((tmp_path / "serving" / "current.json").read_text())
    assert current["tables"]["dim_customers"] == {"rows": 3, "parquet": "parquet/dim_customers.parquet"}
    parquet = Path(current["version_dir"]) / current["tables"]["dim_customers"]["parquet"]
    assert len(pd.read_parquet(parquet)) == 3


def test_publishing_switches_readers_and_keeps_the_last_n_versions(tmp_path: Path) -> None:
    """Each publish becomes current; only the newest `keep` versions stay on disk."""
    serving = tmp_path / "serving"
    for second, customers in enumerate((1, 2, 3, 4), start=1):
        publish_at(make_build(tmp_path / f"build{second}.duckdb", customers), serving, second, keep=2)
    assert [version.version_id[-9:-1] for version in list_versions(serving)] == ["3.000000", "4.000000"]
    assert current_version(serving) == "20250101T060004.000000Z"
    with duckdb.connect(str(serving / "retention.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_customers").fetchone() == (4,)


def test_rollback_serves_the_previous_version_and_prune_never_deletes_the_current_one(tmp_path: Path) -> None:
    """One command brings the previous version back; pruning afterwards keeps it."""
    serving = tmp_path / "serving"
    for second, customers in ((1, 10), (2, 20), (3, 30)):
        publish_at(make_build(tmp_path / f"b{second}.duckdb", customers), serving, second)
    assert rollback(serving).version_id == "20250101T060002.000000Z"
    assert rollback(serving).version_id == "20250101T060001.000000Z"
    with duckdb.connect(str(serving / "retention.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_customers").fetchone() == (10,)
    assert prune(serving, keep=1) == ["20250101T060002.000000Z"]
    assert [version.version_id for version in list_versions(serving)] == [
        "20250101T060001.000000Z",
        "20250101T060003.000000Z",
    ]
    with pytest.raises(ValueError, match="no version older than 20250101T060001.000000Z"):
        rollback(serving)
    assert rollback(serving, to="20250101T060003.000000Z").row_counts["dim_customers"] == 30
    with pytest.raises(ValueError, match=r"'nope' is not kept .*\(kept: 20250101T060001.000000Z, 20250101T060003"):
        rollback(serving, to="nope")


def test_a_publish_dying_half_way_leaves_the_current_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash while writing the new version changes nothing readers see; the next publish cleans up."""
    serving = tmp_path / "serving"
    publish_at(make_build(tmp_path / "good.duckdb", 5), serving, 1)
    before = (serving / "retention.duckdb").read_bytes(), (serving / "current.json").read_text()

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(publishing, "_write_meta", crash)
    with pytest.raises(OSError, match="disk full"):
        publish_at(make_build(tmp_path / "next.duckdb", 6), serving, 2)
    assert ((serving / "retention.duckdb").read_bytes(), (serving / "current.json").read_text()) == before
    assert [path.name for path in (serving / "versions").iterdir() if path.name.startswith(".")] == [
        ".20250101T060002.000000Z.tmp"
    ]
    monkeypatch.undo()
    publish_at(make_build(tmp_path / "next2.duckdb", 7), serving, 3)
    assert sorted(path.name for path in (serving / "versions").iterdir()) == [
        "20250101T060001.000000Z",
        "20250101T060003.000000Z",
    ]


def test_the_cli_lists_and_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m publishing rollback` is the one-command rollback the README documents."""
    monkeypatch.setenv("RETENTION_HOME", str(tmp_path))
    for second, customers in ((1, 1), (2, 2)):
        publish_at(make_build(tmp_path / f"b{second}.duckdb", customers), tmp_path / "serving", second)
    assert publishing.main(["rollback"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Serving version 20250101T060001.000000Z (as_of_date 2024-12-31) again.",
        "* 20250101T060001.000000Z  as_of_date 2024-12-31  3 mart rows",
        "  20250101T060002.000000Z  as_of_date 2024-12-31  4 mart rows",
    ]
    assert publishing.main(["rollback"]) == 1
    assert "ROLLBACK FAILED: no version older than" in capsys.readouterr().out
