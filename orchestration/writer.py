"""One writer at a time per warehouse home, and a retry instead of a failure when another one is busy.

Why three layers: Dagster's run queue (tag retention/writer, limit 1 in orchestration/dagster.yaml)
keeps Dagster runs apart; the `retention_writer` pool (limit 1) keeps writer steps apart; the
file lock (retention.refresh.warehouse_lock) also covers refreshes started outside Dagster. A busy
lock or a DuckDB file locked by another process is transient, so the step asks to be retried.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from orchestration.settings import OrchestrationSettings
from retention.refresh import WarehouseBusy, warehouse_lock

WRITER_POOL = "retention_writer"
WRITER_TAG = "retention/writer"


def busy_retry(settings: OrchestrationSettings) -> dg.RetryRequested:
    """Build the retry request for a transient lock conflict."""
    return dg.RetryRequested(max_retries=settings.busy_retries, seconds_to_wait=settings.busy_retry_seconds)


@contextmanager
def exclusive_writer(settings: OrchestrationSettings) -> Iterator[None]:
    """Hold the warehouse lock for the body; ask Dagster to retry the step if it is held elsewhere."""
    try:
        with warehouse_lock(settings.layout):
            yield
    except WarehouseBusy as busy:
        raise busy_retry(settings) from busy
