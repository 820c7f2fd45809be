"""Great Expectations, imported lazily (~6 s) and only where validation runs.

Validates pandas frames (GX over DuckDB through SQLAlchemy returns wrong results, GX issues
10738 and 11579) with result_format COMPLETE, so every failing row's index comes back for the
quarantine. Results are stored in a file context under RETENTION_GX_DIR (default warehouse/gx,
git-ignored) so that Data Docs can be built as static HTML after each validation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from quality_gates.settings import REPO_ROOT
from quality_gates.suites import SuiteFile

DEFAULT_GX_DIR = REPO_ROOT / "warehouse" / "gx"
RULE_POSITION = "rule_position"
"""Meta key tying a GX result back to its expectation in the suite file."""


class GxValidator:
    """Run a suite file on a frame; one file context per instance."""

    def __init__(self, project_dir: Path | None = None) -> None:
        """Create (or open) the GX file context and quiet its progress bars."""
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        root = project_dir or Path(os.environ.get("RETENTION_GX_DIR", DEFAULT_GX_DIR))
        root.mkdir(parents=True, exist_ok=True)
        self.context = gx.get_context(mode="file", project_root_dir=str(root))
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_or_update_pandas("raw_deliveries")

    def _suite(self, suite_file: SuiteFile) -> Any:
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        suite = self._gx.ExpectationSuite(name=suite_file.name, meta={"contract": suite_file.contract})
        for position, expectation in enumerate(suite_file.expectations):
            meta = {**expectation.get("meta", {}), RULE_POSITION: position}
            suite.add_expectation_configuration(ExpectationConfiguration(**{**expectation, "meta": meta}))
        return self.context.suites.add_or_update(suite)

    def _batch_definition(self, name: str) -> Any:
        names = [asset.name for asset in self.datasource.assets]
        asset = self.datasource.get_asset(name) if name in names else self.datasource.add_dataframe_asset(name)
        definitions = [definition.name for definition in asset.batch_definitions]
        if "whole_delivery" in definitions:
            return asset.get_batch_definition("whole_delivery")
        return asset.add_batch_definition_whole_dataframe("whole_delivery")

    def __call__(self, suite_file: SuiteFile, frame: pd.DataFrame, parameters: dict) -> list[tuple[dict, dict]]:
        """Validate frame; return (expectation as in the suite file, its result) pairs in suite order."""
        suite = self._suite(suite_file)
        definition = self._gx.ValidationDefinition(
            data=self._batch_definition(suite_file.name), suite=suite, name=suite_file.name
        )
        definition = self.context.validation_definitions.add_or_update(definition)
        run = definition.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters,
            result_format={"result_format": "COMPLETE"},
        )
        by_position = {}
        for result in run.results:
            outcome = dict(result.result)
            outcome["success"] = bool(result.success)
            if result.exception_info and result.exception_info.get("raised_exception"):
                outcome["success"] = False
                outcome["observed_value"] = result.exception_info.get("exception_message")
            config = result.expectation_config
            if config is not None:  # GX names the expectation of every result it returns
                by_position[config.meta[RULE_POSITION]] = outcome
        missing = {"success": False, "observed_value": "not evaluated"}
        return [(expectation, by_position.get(i, missing)) for i, expectation in enumerate(suite_file.expectations)]

    def build_docs(self) -> Path:
        """Build the static Data Docs site; return its index.html."""
        self.context.build_data_docs()
        url = self.context.get_docs_sites_urls()[0]["site_url"]
        return Path(str(url).removeprefix("file://"))
