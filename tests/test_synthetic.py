"""Tests of the synthetic raw-data generator against the raw data contract."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from quality_gates.contract import raw_contract
from synthetic.generator import generate, main, write_tables

START, END = "2022-01-01", "2024-12-31"
N_CUSTOMERS = 1500
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"

CONTRACT = {table: list(columns) for table, columns in raw_contract().items()}
ENUMS = {
    ("raw_customers", "country"): {"US", "GB", "DE", "FR", "ES", "NL", "SE", "BR", "CA", "AU"},
    ("raw_customers", "acquisition_channel"): {
        "organic",
        "paid_search",
        "social",
        "referral",
        "email",
        "affiliate",
    },
    ("raw_orders", "status"): {"completed", "returned", "cancelled", "payment_failed"},
    ("raw_orders", "channel"): {"web", "app", "store"},
    ("raw_support_tickets", "category"): {
        "billing",
        "returns",
        "product_defect",
        "delivery",
        "account",
        "other",
    },
    ("raw_support_tickets", "priority"): {"low", "normal", "high", "urgent"},
    ("raw_support_tickets", "channel"): {"email", "phone", "chat", "social"},
    ("raw_support_tickets", "status"): {"open", "pending", "solved", "closed"},
    ("raw_survey_responses", "survey_type"): {"nps", "csat"},
}
TIMESTAMPS = {
    "raw_customers": ["signup_at"],
    "raw_orders": ["ordered_at"],
    "raw_support_tickets": ["created_at", "first_response_at", "resolved_at"],
    "raw_survey_responses": ["responded_at"],
}
SPACE_FORM = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
ISO_T_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture(scope="module")
def tables() -> dict[str, pa.Table]:
    return generate(N_CUSTOMERS, seed=7, start_date=START, end_date=END)


@pytest.fixture(scope="module")
def csv_dir(tables, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("csv")
    write_tables(tables, out, "csv")
    return out


@pytest.fixture(scope="module")
def db(tables) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the tables, timestamps parsed, for relational checks."""
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(f"{name}_text", table)
        parsed = ", ".join(
            f"cast(replace(replace({col}, 'T', ' '), 'Z', '') as timestamp) as {col}" for col in TIMESTAMPS[name]
        )
        con.execute(f"create view {name} as select * replace ({parsed}) from {name}_text")
    return con


def _scalar(db: duckdb.DuckDBPyConnection, sql: str):
    return db.sql(sql).fetchall()[0][0]


def _files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path):
    for name, seed in [("a", 3), ("b", 3), ("c", 4)]:
        write_tables(generate(1000, seed=seed), tmp_path / name)
    first, second, other = (_files(tmp_path / name) for name in "abc")
    assert first == second
    assert len(first) == 4
    assert all(first[name] != other[name] for name in first)


def test_committed_sample_is_the_documented_generator_run(tmp_path):
    write_tables(generate(3000, seed=42, start_date="2022-01-01", end_date="2024-12-31"), tmp_path)
    assert _files(tmp_path) == _files(SAMPLE_DIR)


def test_columns_follow_the_contract_in_order(tables, csv_dir):
    assert list(tables) == list(CONTRACT)
    for name, columns in CONTRACT.items():
        assert tables[name].column_names == columns
        header = (csv_dir / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header == ",".join(f'"{column}"' for column in columns)


def test_enums_hold_accepted_values_only(tables):
    for (name, column), accepted in ENUMS.items():
        values = set(pc.unique(tables[name][column]).to_pylist())
        assert values <= accepted, (name, column, values - accepted)
        assert None not in values


def test_ids_are_unique_and_shaped(tables):
    for name, column, pattern in [
        ("raw_customers", "customer_id", r"C\d{7}"),
        ("raw_orders", "order_id", r"O\d{8}"),
        ("raw_support_tickets", "ticket_id", r"T\d{7}"),
        ("raw_survey_responses", "response_id", r"R\d{8}"),
    ]:
        ids = tables[name][column]
        assert ids.null_count == 0
        assert pc.count_distinct(ids).as_py() == len(ids)
        assert pc.all(pc.match_substring_regex(ids, f"^{pattern}$")).as_py()
    emails = tables["raw_customers"]["email"]
    assert pc.all(pc.match_substring_regex(emails, r"^[a-z0-9.]+@[a-z0-9.]+$")).as_py()


def test_every_row_refers_to_a_known_customer(tables):
    known = tables["raw_customers"]["customer_id"]
    for name in ["raw_orders", "raw_support_tickets", "raw_survey_responses"]:
        assert pc.all(pc.is_in(tables[name]["customer_id"], value_set=known)).as_py(), name


def test_csat_follows_a_ticket_of_the_same_customer_and_nps_does_not(db):
    assert _scalar(db, "select count(*) from raw_survey_responses where survey_type = 'csat'") > 0
    assert (
        _scalar(
            db,
            """
            select count(*) from raw_survey_responses s
            left join raw_support_tickets t using (ticket_id)
            where s.survey_type = 'csat'
              and (t.ticket_id is null or t.customer_id <> s.customer_id
                   or t.resolved_at is null or s.responded_at < t.resolved_at)
            """,
        )
        == 0
    )
    assert (
        _scalar(
            db,
            "select count(*) from raw_survey_responses where survey_type = 'nps' and ticket_id is not null",
        )
        == 0
    )


def test_order_amounts_discounts_and_items(tables, csv_dir):
    orders = tables["raw_orders"]
    gross = np.asarray(pc.cast(orders["gross_amount"], pa.float64()))
    discount = np.asarray(pc.cast(orders["discount_amount"], pa.float64()))
    items = np.asarray(orders["items_count"])
    assert (gross >= 0).all()
    assert ((discount >= 0) & (discount <= gross)).all()
    assert (items >= 1).all()
    assert 0.25 < (discount > 0).mean() < 0.35
    shares = (np.asarray(pc.equal(orders["status"], status)).mean() for status in ["completed", "returned"])
    assert abs(next(shares) - 0.88) < 0.02
    assert abs(next(shares) - 0.05) < 0.015
    rows = (csv_dir / "raw_orders.csv").read_text(encoding="utf-8").splitlines()[1:]
    amounts = [field for row in rows for field in row.split(",")[4:6]]
    assert all(re.fullmatch(r"\d+\.\d{2}", amount) for amount in amounts)


def test_about_ten_orders_per_customer(tables):
    orders_per_customer = tables["raw_orders"].num_rows / N_CUSTOMERS
    tickets_per_customer = tables["raw_support_tickets"].num_rows / N_CUSTOMERS
    assert 8 < orders_per_customer < 12
    assert 0.25 < tickets_per_customer < 0.55


def test_scores_are_in_range_per_survey_type(db):
    ranges = dict(
        db.sql("select survey_type, [min(score), max(score)] from raw_survey_responses group by 1").fetchall()
    )
    assert ranges["nps"][0] >= 0 and ranges["nps"][1] <= 10
    assert ranges["csat"][0] >= 1 and ranges["csat"][1] <= 5


def test_no_record_before_signup_or_after_end(db):
    end = f"timestamp '{END} 23:59:59'"
    checks = {
        "signup": f"select count(*) from raw_customers where signup_at > {end} or signup_at < '{START}'",
        "loyalty": f"""select count(*) from raw_customers where loyalty_member_since < cast(signup_at as date)
                       or loyalty_member_since > date '{END}'""",
        "birth": "select count(*) from raw_customers where birth_date >= cast(signup_at as date)",
    }
    for name, column in [
        ("raw_orders", "ordered_at"),
        ("raw_support_tickets", "created_at"),
        ("raw_survey_responses", "responded_at"),
    ]:
        checks[name] = f"""
            select count(*) from {name} join raw_customers c using (customer_id)
            where {column} < c.signup_at or {column} > {end}"""
    checks["ticket_times"] = f"""
        select count(*) from raw_support_tickets
        where first_response_at <= created_at or resolved_at <= first_response_at
           or first_response_at > {end} or resolved_at > {end}"""
    for name, sql in checks.items():
        assert _scalar(db, sql) == 0, name


def test_ticket_status_matches_its_timestamps(db):
    assert (
        _scalar(
            db,
            """
            select count(*) from raw_support_tickets
            where (resolved_at is not null) <> (status in ('solved', 'closed'))
               or (first_response_at is null and status <> 'open')
               or (resolved_at is not null and first_response_at is null)
            """,
        )
        == 0
    )


def test_nullable_columns_have_plausible_null_shares(tables):
    customers = tables["raw_customers"]
    assert 0.12 < customers["birth_date"].null_count / customers.num_rows < 0.18
    assert 0.25 < 1 - customers["loyalty_member_since"].null_count / customers.num_rows < 0.35
    comments = tables["raw_survey_responses"]["comment"]
    assert 0.4 < comments.null_count / len(comments) < 0.6


def test_both_timestamp_forms_appear_in_every_timestamp_column(tables):
    for name, columns in TIMESTAMPS.items():
        for column in columns:
            values = [value for value in tables[name][column].to_pylist() if value is not None]
            iso_t = sum(bool(ISO_T_FORM.match(value)) for value in values)
            space = sum(bool(SPACE_FORM.match(value)) for value in values)
            assert iso_t + space == len(values), (name, column)
            assert 0.05 < iso_t / len(values) < 0.15, (name, column)


def test_csv_round_trips_awkward_names_and_comments(tables, csv_dir):
    con = duckdb.connect()
    for name, column in [
        ("raw_customers", "first_name"),
        ("raw_customers", "last_name"),
        ("raw_survey_responses", "comment"),
    ]:
        path = (csv_dir / f"{name}.csv").as_posix()
        read = con.sql(f"select {column} from read_csv('{path}', all_varchar = true, header = true)")
        assert [row[0] for row in read.fetchall()] == tables[name][column].to_pylist()
    last_names = set(tables["raw_customers"]["last_name"].to_pylist())
    assert {"Smith, Jr.", 'Le "Grand"', "O'Brien", "Müller", "Øster"} <= last_names
    assert "Jérôme" in set(tables["raw_customers"]["first_name"].to_pylist())


def test_parquet_is_written_readable_and_typed(tables, tmp_path):
    paths = write_tables(tables, tmp_path, "parquet")
    assert [path.name for path in paths] == [f"{name}.parquet" for name in CONTRACT]
    orders = pq.read_table(tmp_path / "raw_orders.parquet")
    assert orders.column_names == CONTRACT["raw_orders"]
    assert orders.num_rows == tables["raw_orders"].num_rows
    assert pa.types.is_timestamp(orders.schema.field("ordered_at").type)
    assert pa.types.is_decimal(orders.schema.field("gross_amount").type)
    assert pa.types.is_integer(orders.schema.field("items_count").type)
    customers = pq.read_table(tmp_path / "raw_customers.parquet")
    assert pa.types.is_date32(customers.schema.field("birth_date").type)
    text = tables["raw_orders"]["ordered_at"][:3].to_pylist()
    parsed = [value.strftime("%Y-%m-%d %H:%M:%S") for value in orders["ordered_at"][:3].to_pylist()]
    assert parsed == [value.replace("T", " ").rstrip("Z") for value in text]


def test_tickets_pile_up_before_the_last_purchase_of_lost_customers(db):
    """Lost customers (no order in the last 180 days) raise more tickets in their last 90 days."""
    rates = db.sql(
        f"""
        with lost as (
            select customer_id, max(ordered_at) as last_at from raw_orders group by 1
            having max(ordered_at) < timestamp '{END}' - interval 180 day
        ),
        exposure as (
            select
                sum(datediff('second', c.signup_at, timestamp '{END} 23:59:59')) / 86400 as all_days,
                sum(coalesce(datediff('second', greatest(c.signup_at, l.last_at - interval 90 day),
                                      l.last_at), 0)) / 86400 as window_days
            from raw_customers c left join lost l using (customer_id)
        ),
        counts as (
            select count(*) as all_tickets,
                   count(*) filter (where t.created_at between l.last_at - interval 90 day and l.last_at)
                       as window_tickets
            from raw_support_tickets t left join lost l using (customer_id)
        )
        select window_tickets / window_days,
               (all_tickets - window_tickets) / (all_days - window_days)
        from counts, exposure
        """
    ).fetchall()[0]
    window_rate, other_rate = rates
    assert window_rate > 3 * other_rate


def test_nps_scores_sink_before_dropout(db):
    means = dict(
        db.sql(
            f"""
            with lost as (
                select customer_id, max(ordered_at) as last_at from raw_orders group by 1
                having max(ordered_at) < timestamp '{END}' - interval 180 day
            )
            select s.responded_at >= l.last_at - interval 90 day is true, avg(score)
            from raw_survey_responses s left join lost l using (customer_id)
            where survey_type = 'nps' group by 1
            """
        ).fetchall()
    )
    assert means[True] < means[False] - 1


def test_cli_writes_the_requested_format(tmp_path, capsys):
    main(["--customers", "200", "--seed", "1", "--format", "parquet", "--out", str(tmp_path)])
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(f"{name}.parquet" for name in CONTRACT)
    assert "raw_orders.parquet" in capsys.readouterr().out


def test_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        generate(0)
    with pytest.raises(ValueError):
        generate(10, start_date="2024-01-01", end_date="2023-01-01")
    with pytest.raises(ValueError):
        write_tables(generate(10), tmp_path, "xlsx")


def test_a_delivery_written_block_by_block_holds_together(tmp_path):
    """Above a block's size the generator streams: ids stay unique and every reference resolves across blocks,
    the files hold every block (one CSV header), and one block writes exactly what write_tables writes."""
    from synthetic.generator import generate_stream, write_stream

    rows = write_stream(generate_stream(2_000, seed=7, block_customers=700), tmp_path / "csv")
    assert len(rows) == len(CONTRACT)
    keys = dict(zip(CONTRACT, ("customer_id", "order_id", "ticket_id", "response_id"), strict=True))
    tables = {name: f"read_csv('{tmp_path / 'csv' / name}.csv', all_varchar = true)" for name in CONTRACT}
    customers = tables["raw_customers"]
    with duckdb.connect() as con:
        for name, key in keys.items():
            total, distinct = con.execute(f"select count(*), count(distinct {key}) from {tables[name]}").fetchone()
            assert total == distinct == rows[tmp_path / "csv" / f"{name}.csv"], name
            orphans = con.execute(
                f"select count(*) from {tables[name]} where customer_id not in (select customer_id from {customers})"
            ).fetchone()[0]
            assert orphans == 0, name
        assert rows[tmp_path / "csv" / "raw_customers.csv"] == 2_000
        unknown_tickets = con.execute(
            f"select count(*) from {tables['raw_survey_responses']} where ticket_id is not null "
            f"and ticket_id not in (select ticket_id from {tables['raw_support_tickets']})"
        ).fetchone()[0]
        assert unknown_tickets == 0
    one = write_stream(generate_stream(500, seed=7, block_customers=700), tmp_path / "one")
    write_tables(generate(500, seed=7), tmp_path / "tables")
    assert all(path.read_bytes() == (tmp_path / "tables" / path.name).read_bytes() for path in one)
