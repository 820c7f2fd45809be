"""The CLI's progress display: one plain line per thing a step reports, nothing else.

Why not Dagster's console logger: it also prints every framework event, and a failure three times
(the step's error line, the failure hook's summary, the step-failure event with its stack trace).
`make run` prints the failure once, in words, from <home>/state/last_failure.md; here only what our
steps say at INFO (gates, each dbt model, publish, a busy warehouse) is shown.
"""

from __future__ import annotations

import logging
import sys

import dagster as dg

LOG_RECORD_METADATA = "dagster_meta"
"""Where Dagster keeps a log record's run, step and event (dagster._core.log_manager)."""


class ProgressFilter(logging.Filter):
    """Keep INFO messages our steps logged; drop framework events and warnings or errors (the summary has them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Pass only a step's own INFO line."""
        meta = getattr(record, LOG_RECORD_METADATA, None) or {}
        return record.levelno == logging.INFO and meta.get("dagster_event") is None and bool(meta.get("step_key"))


class ProgressFormatter(logging.Formatter):
    """Format a line as `HH:MM:SS step: message`."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the step and its own message, without run ids."""
        meta = getattr(record, LOG_RECORD_METADATA, None) or {}
        return f"{self.formatTime(record, '%H:%M:%S')} {meta.get('step_key')}: {meta.get('orig_message', '')}"


@dg.logger(config_schema=None, description="The step progress lines of `make run`, on stderr.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    """Build the logger the CLI's run config selects."""
    logger = logging.getLogger("retention.progress")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ProgressFilter())
    handler.setFormatter(ProgressFormatter())
    logger.addHandler(handler)
    return logger
