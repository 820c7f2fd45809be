"""Publish the checked marts for BI tools: the last asset of a refresh, run only when every check passed.

Why an asset downstream of every mart: Dagster starts it only after the dbt build succeeded with
every data and unit test, so "published" always means "checked". Its metadata is what a
user looks for after a refresh: the version, where it is, the as_of_date, rows per mart, whether
the CLV fits converged, the data-quality outcome and the Data Docs.
"""

import json
from datetime import UTC, datetime

import dagster as dg
from dagster_dbt import DbtProject

from orchestration.dbt_build import TRANSLATOR
from orchestration.project import orchestration_settings
from orchestration.writer import WarehouseWriter
from publishing.versions import BuildNotOwned, PublishedVersion, publish
from refresh.landing import record_load
from warehouse_home.duckdb_session import connect

SERVING_KEY = dg.AssetKey(["serving", "warehouse"])
DATA_DOCS_INDEX = "gx/uncommitted/data_docs/local_site/index.html"
"""Where GX's file context (rooted at the home's gx/ folder) builds its Data Docs site."""


def mart_keys(project: DbtProject) -> list[dg.AssetKey]:
    """Every mart of the prepared dbt manifest (schema marts), keyed as the dbt assets are."""
    nodes = json.loads(project.manifest_path.read_text())["nodes"].values()
    marts = [node for node in nodes if node["resource_type"] == "model" and node["schema"] == "marts"]
    return sorted((TRANSLATOR.get_asset_key(node) for node in marts), key=lambda key: key.to_user_string())


def version_metadata(version: PublishedVersion) -> dict[str, dg.MetadataValue]:
    """Describe a publish for the UI, read back from the published file itself."""
    with connect(str(version.directory / version.manifest["duckdb_file"]), read_only=True) as con:
        fits = con.execute(
            "select model, bool_and(is_converged), any_value(fit_status) from marts.clv_model_parameters "
            "group by model order by model"
        ).fetchall()
        outcomes = con.execute(
            "select outcome, count(*) from marts.data_quality_report group by outcome order by outcome"
        ).fetchall()
    layout = orchestration_settings().layout
    docs = layout.gx_dir / DATA_DOCS_INDEX
    rows = "\n".join(f"| {table} | {count:,} |" for table, count in version.row_counts.items())
    return {
        "version_id": dg.MetadataValue.text(version.version_id),
        "serving_file": dg.MetadataValue.path(str(layout.serving_file)),
        "version_dir": dg.MetadataValue.path(str(version.directory)),
        "as_of_date": dg.MetadataValue.text(version.manifest["as_of_date"]),
        "load_time": dg.MetadataValue.text(version.manifest["load_time"]),
        "run_id": dg.MetadataValue.text(version.manifest["run_id"]),
        "delivery_fingerprint": dg.MetadataValue.text(str(version.manifest["delivery_fingerprint"])),
        "row_counts": dg.MetadataValue.json(version.row_counts),
        "dagster/row_count": dg.MetadataValue.int(sum(version.row_counts.values())),
        "rows_per_mart": dg.MetadataValue.md(f"| mart | rows |\n| --- | ---: |\n{rows}"),
        "clv_fits": dg.MetadataValue.json(
            {model: {"converged": bool(converged), "status": status} for model, converged, status in fits}
        ),
        "data_quality_rules": dg.MetadataValue.json(dict(outcomes)),
        **({"data_docs": dg.MetadataValue.url(docs.as_uri())} if docs.exists() else {}),
    }


def published_warehouse(project: DbtProject) -> dg.AssetsDefinition:
    """Define the serving asset, downstream of every mart of project."""

    @dg.asset(
        key=SERVING_KEY,
        deps=mart_keys(project),
        group_name="serving",
        kinds={"duckdb", "parquet"},
        description="The published marts BI tools read: serving/retention.duckdb (read-only) and Parquet per version.",
    )
    def published_warehouse(context: dg.AssetExecutionContext, writer: WarehouseWriter) -> dg.MaterializeResult:
        """Publish this run's build as a new version, switch readers to it atomically, record the load.

        Only the build of the delivery this run landed is published (checked against the build file's
        own load manifest); anything else fails the step and leaves the served version as it was.
        """
        settings = orchestration_settings()
        with writer.held(context):
            try:
                version = publish(
                    settings.layout.build_file,
                    settings.layout.serving_dir,
                    published_at=datetime.now(UTC).replace(tzinfo=None),
                    run_id=context.run.run_id,
                    keep=settings.keep_versions,
                )
            except BuildNotOwned as not_owned:
                raise dg.Failure(description=str(not_owned)) from not_owned
            record_load(settings.layout, context.run.run_id)
        writer.release()
        context.log.info(
            f"published version {version.version_id} (delivery {version.manifest['delivery_fingerprint']}, "
            f"as_of_date {version.manifest['as_of_date']}) to {settings.layout.serving_file}"
        )
        return dg.MaterializeResult(metadata=version_metadata(version))

    return published_warehouse
