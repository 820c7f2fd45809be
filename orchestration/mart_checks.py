"""The GX mart suites (expectations/marts/) as blocking checks on their marts, run on the build file.

Why blocking: these are the identities and ranges a BI user relies on (customers_end = retained +
new + reactivated, rates in [0, 1], converged model fits); a mart failing one must not be published,
so the publish asset downstream does not run when any of them fails.
"""

from collections.abc import Iterator

import dagster as dg

from orchestration.findings import findings_check
from orchestration.project import SETTINGS
from orchestration.writer import WarehouseWriter
from retention.quality.mart_checks import run_mart_suites
from retention.quality.suites import mart_suite_names

MART_CHECK = "gx_mart_suite"
CHECKED_MARTS = {name: dg.AssetKey(["marts", name]) for name in mart_suite_names()}


@dg.multi_asset_check(
    name="mart_suites",
    specs=[
        dg.AssetCheckSpec(
            MART_CHECK,
            asset=key,
            blocking=True,
            description=f"Great Expectations suite expectations/marts/{name}.json on the built mart.",
        )
        for name, key in CHECKED_MARTS.items()
    ],
)
def mart_suites(context: dg.AssetCheckExecutionContext, writer: WarehouseWriter) -> Iterator[dg.AssetCheckResult]:
    """Validate every mart suite against the build file (read-only, under the run's lease); one result per mart."""
    from retention.quality.gx_runner import GxValidator

    validator = GxValidator(SETTINGS.layout.gx_dir)
    with writer.held(context):
        findings = run_mart_suites(SETTINGS.layout.build_file, validator)
    docs = validator.build_docs()
    for name, key in CHECKED_MARTS.items():
        mine = [finding for finding in findings if finding.table == f"marts.{name}"]
        failed = [finding for finding in mine if finding.outcome != "passed"]
        context.log.info(f"mart checks: {name} {len(mine) - len(failed)}/{len(mine)} rules passed")
        yield findings_check(
            key, MART_CHECK, mine, failed, docs, rows_checked=dg.MetadataValue.int(mine[0].total_rows if mine else 0)
        )
