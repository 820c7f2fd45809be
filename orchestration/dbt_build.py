"""The dbt project as Dagster assets: every model and seed an asset, every dbt test an asset check.

Why a full build starts from a fresh build file: the build file is scratch (BI tools read the
serving folder), so a build killed half-way leaves nothing a later build must repair, and models
renamed or removed since the last build cannot linger. A subset (a few models materialized from
the UI) builds in place, over the tables of the last full build it depends on. Events are collected while dbt streams
them (each finished model is reported at once for the progress display) and yielded after the
build, once the row counts of the built tables can be read without a second DuckDB writer.
"""

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from orchestration.project import orchestration_settings
from orchestration.writer import WarehouseWriter, busy_retry
from warehouse_home.duckdb_session import MEMORY_LIMIT_ENV, connect, memory_limit, one_row

LOCKED_FILE_MESSAGE = "Could not set lock on file"
"""DuckDB's error when another process holds the build file: transient, so the step is retried."""
OUT_OF_MEMORY_MESSAGE = "Out of Memory Error"
"""DuckDB's error when a query needs more than its memory limit and cannot spill the rest to disk."""


class RetentionTranslator(DagsterDbtTranslator):
    """Asset keys `<schema>/<model>` (marts/fct_orders) and groups by layer and business area."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        """Keep dbt's `<source>/<table>` key for sources (raw/raw_orders); prefix models and seeds with their schema."""
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """marts_<area> for marts (marts_retention, ...), else the schema (staging, intermediate, reference)."""
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "model" and len(fqn) > 3 and fqn[1] == "marts":
            return f"marts_{fqn[2]}"
        return dbt_resource_props["schema"]


TRANSLATOR = RetentionTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def _row_counts(build_file: Path, tables: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Exact row counts of the built tables (schema, name), read-only after dbt has exited."""
    with connect(str(build_file), read_only=True) as con:
        existing = set(con.execute("select schema_name, table_name from duckdb_tables()").fetchall())
        return {
            (schema, name): one_row(con, f'select count(*) from "{schema}"."{name}"')[0]
            for schema, name in tables & existing
        }


def _dbt_failures(invocation: Any) -> str:
    """List the failed or errored nodes of the build, one line each, from run_results.json."""
    run_results = invocation.target_path / "run_results.json"
    results = json.loads(run_results.read_text())["results"] if run_results.exists() else []
    failed = [result for result in results if result["status"] in ("error", "fail", "runtime error")]
    lines = [f"{result['unique_id']}: {result['status']}: {result.get('message')}" for result in failed]
    return "\n".join(lines) or f"dbt build failed before running a node; see {invocation.target_path / 'dbt.log'}"


def _memory_advice(logs: str) -> str:
    """Name the setting to raise when dbt failed because DuckDB ran out of memory; else nothing.

    Why: DuckDB's own advice ("SET memory_limit") cannot be followed in a dbt profile; the project's
    limit (default 2GB, enough for 1M customers) comes from one environment variable.
    """
    if OUT_OF_MEMORY_MESSAGE not in logs:
        return ""
    error = next(line for line in logs.splitlines() if OUT_OF_MEMORY_MESSAGE in line)
    return (
        f"\n{error[error.index(OUT_OF_MEMORY_MESSAGE) :]}"
        f"\nDuckDB ran out of memory within its limit ({MEMORY_LIMIT_ENV}={memory_limit()}): set "
        f"{MEMORY_LIMIT_ENV} higher (10M customers need 8GB; README, Scale) and refresh again."
    )


def _relations(project: DbtProject) -> dict[str, tuple[str, str]]:
    """unique_id -> (schema, table) of every model and seed in the prepared manifest."""
    nodes = json.loads(project.manifest_path.read_text())["nodes"]
    return {
        unique_id: (node["schema"], node.get("alias") or node["name"])
        for unique_id, node in nodes.items()
        if node["resource_type"] in ("model", "seed")
    }


def _relation(event: dg.Output, relations: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """Find the (schema, table) an Output of the dbt build materialized, from its unique_id."""
    unique_id = event.metadata.get("unique_id")
    return relations.get(str(getattr(unique_id, "value", unique_id)))


def _with_row_count(event: Any, relations: dict[str, tuple[str, str]], counts: dict) -> Any:
    """Add `dagster/row_count` to the event when it materialized a table."""
    if not isinstance(event, dg.Output):
        return event
    relation = _relation(event, relations)
    if relation not in counts:
        return event
    return event.with_metadata({**event.metadata, "dagster/row_count": dg.MetadataValue.int(counts[relation])})


def _progress(
    context: dg.AssetExecutionContext, event: Any, relations: dict[str, tuple[str, str]], done: int, total: int
) -> int:
    """Log each built model ("dbt 12/61: marts.fct_orders built") and each failing test; return models done."""
    if isinstance(event, dg.Output):
        done += 1
        context.log.info(f"dbt {done}/{total}: {'.'.join(_relation(event, relations) or (event.output_name,))} built")
    elif isinstance(event, dg.AssetCheckResult) and not event.passed:
        asset = event.asset_key.to_user_string() if event.asset_key else "?"
        context.log.warning(f"dbt test failed: {asset} {event.check_name}")
    return done


def dbt_build_assets(project: DbtProject) -> dg.AssetsDefinition:
    """Every model and seed of project's prepared manifest as an asset, built by one `dbt build`."""

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=TRANSLATOR, name="dbt_build")
    def dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, writer: WarehouseWriter) -> Iterator[Any]:
        """`dbt build` (models, seeds, data and unit tests) of the landed delivery into the build file."""
        yield from build(context, dbt, writer, project)

    return dbt_build


def build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, writer: WarehouseWriter, project: DbtProject
) -> Iterator[Any]:
    """Run `dbt build` under the run's lease; yield its events with row counts, then fail if dbt failed."""
    settings = orchestration_settings()
    build_file = settings.layout.build_file
    with writer.held(context):
        build_file.parent.mkdir(parents=True, exist_ok=True)
        if not context.is_subset:
            for path in (build_file, build_file.with_name(build_file.name + ".wal")):
                path.unlink(missing_ok=True)
        relations = _relations(project)
        invocation = dbt.cli(["build"], context=context, raise_on_error=False)
        events, done, total = [], 0, len(context.selected_asset_keys)
        for event in invocation.stream():
            done = _progress(context, event, relations, done, total)
            events.append(event)
        logs = "".join(path.read_text() for path in invocation.target_path.glob("dbt.log*"))
        if not invocation.is_successful() and LOCKED_FILE_MESSAGE in logs:
            raise busy_retry(settings)
        counts = _row_counts(build_file, set(relations.values())) if build_file.exists() else {}
    yield from (_with_row_count(event, relations, counts) for event in events)
    if not invocation.is_successful():
        raise dg.Failure(description=f"dbt build failed:\n{_dbt_failures(invocation)}{_memory_advice(logs)}")
