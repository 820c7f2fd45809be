"""Gate the delivery and land what passed: the raw assets dbt reads, with the gates as blocking checks.

Why one multi-asset: the gates validate the four tables together (orders must refer to known
customers), and a delivery is landed whole or not at all. Each raw table gets a blocking
`quality_gate` check: when one fails, nothing is written, the step fails and no dbt model,
build or publish runs, so the published version stays exactly as it was.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from orchestration.delivery import DELIVERY_KEYS, file_metadata
from orchestration.findings import findings_check
from orchestration.project import orchestration_settings
from orchestration.writer import WarehouseWriter
from publishing.versions import remove_leftovers
from quality_gates.outcome import GateOutcome
from quality_gates.settings import parse_load_time
from quality_gates.suites import RAW_TABLES
from refresh.landing import GateFailure, land_delivery_in_child

GATE_CHECK = "quality_gate"
RAW_KEYS = {table: dg.AssetKey(["raw", table]) for table in RAW_TABLES}
RESULTS_KEY = dg.AssetKey(["quality", "data_quality_results"])


class LandingConfig(dg.Config):
    """Which delivery to gate, and the load time the freshness and timestamp rules compare with."""

    raw_dir: str | None = None
    """The delivery folder; default: RETENTION_RAW_DIR (or the bundled sample)."""
    load_time: str | None = None
    """ISO-8601 UTC; default: now. The schedule passes its scheduled time."""


def gate_results(report: GateOutcome) -> Iterator[dg.AssetCheckResult]:
    """One blocking check result per raw table; its description lists the blocking findings in full."""
    for table, key in RAW_KEYS.items():
        findings = [finding for finding in report.findings if finding.table == table]
        blocking = [finding for finding in report.blocked if finding.table == table]
        yield findings_check(key, GATE_CHECK, findings, blocking, report.data_docs_index)


def observe_delivery(context: dg.AssetExecutionContext, report: GateOutcome) -> None:
    """Record what arrived (rows, latest timestamp, size, time) as observations of the delivered files.

    Why from the gates' outcome: they read every row anyway; reading each file again only to count it
    cost a full pass over the delivery in this process. A file the gates could not read is reported.
    """
    for table, key in DELIVERY_KEYS.items():
        result = report.tables[table]
        problems = [  # the file itself could not be read (missing, unreadable, ambiguous header)
            finding.message()
            for finding in report.blocked
            if finding.table == table and finding.observed is None and not finding.total_rows
        ]
        path = Path(result.file)
        metadata: dict[str, dg.MetadataValue]
        if problems or not path.is_file():
            metadata = {"problem": dg.MetadataValue.text("\n".join(problems)[:500] or f"{path}: not found")}
        else:
            metadata = file_metadata(table, path, result.delivered_rows, result.latest_at)
        context.log_event(dg.AssetObservation(asset_key=key, metadata=metadata))


def landed_tables(report: GateOutcome) -> Iterator[dg.MaterializeResult]:
    """Materializations of the landed tables: rows delivered, landed and quarantined, warnings."""
    delivered = report.row_counts()
    for table, key in RAW_KEYS.items():
        result = report.tables[table]
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "rows_delivered": dg.MetadataValue.int(delivered[table]),
                "dagster/row_count": dg.MetadataValue.int(result.landed_rows),
                "rows_quarantined": dg.MetadataValue.int(result.quarantined_rows),
                "warnings": dg.MetadataValue.text("\n".join(result.warnings) or "none"),
                "load_time": dg.MetadataValue.text(report.load_time.isoformat()),
            },
        )
    outcomes = [finding.outcome for finding in report.findings]
    docs = report.data_docs_index
    yield dg.MaterializeResult(
        asset_key=RESULTS_KEY,
        metadata={
            "dagster/row_count": dg.MetadataValue.int(len(outcomes)),
            **{outcome: dg.MetadataValue.int(outcomes.count(outcome)) for outcome in sorted(set(outcomes))},
            **({"data_docs": dg.MetadataValue.url(docs.as_uri())} if docs else {}),
        },
    )


@dg.multi_asset(
    name="landed_delivery",
    specs=[
        *[
            dg.AssetSpec(
                key,
                deps=[DELIVERY_KEYS[table]],
                group_name="raw",
                skippable=True,
                kinds={"parquet"},
                description=f"The {table} rows that passed the gates, landed for dbt (source raw.{table}).",
            )
            for table, key in RAW_KEYS.items()
        ],
        dg.AssetSpec(
            RESULTS_KEY,
            group_name="raw",
            skippable=True,
            kinds={"parquet"},
            description="One row per table and rule of the gate run (source quality.data_quality_results).",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            GATE_CHECK,
            asset=key,
            blocking=True,
            description=f"GX suite expectations/{table}.json: table-level rules and bad-row thresholds.",
        )
        for table, key in RAW_KEYS.items()
    ],
)
def landed_delivery(
    context: dg.AssetExecutionContext, config: LandingConfig, writer: WarehouseWriter
) -> Iterator[object]:
    """Take the warehouse for this run, run the gates, observe the delivery, land it only when nothing blocks."""
    settings = orchestration_settings()
    raw_dir = Path(config.raw_dir or settings.raw_dir).resolve()
    writer.claim(context)
    for leftover in remove_leftovers(settings.layout.serving_dir):
        context.log.info(f"publish: removed {leftover}, left by a publish that was killed half-way")
    context.log.info(f"gates: validating the delivery in {raw_dir}")
    try:
        report = land_delivery_in_child(raw_dir, parse_load_time(config.load_time), settings.layout, context.run.run_id)
    except GateFailure as failure:
        context.log.error(f"gates: delivery blocked, nothing landed:\n{failure}")
        observe_delivery(context, failure.report)
        yield from gate_results(failure.report)
        return
    observe_delivery(context, report)
    for table, result in report.tables.items():
        context.log.info(f"gates: {table} {result.landed_rows:,} rows landed, {result.quarantined_rows:,} quarantined")
    yield from landed_tables(report)
    yield from gate_results(report)
