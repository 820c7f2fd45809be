"""One writer per warehouse home, owned by one refresh from landing its delivery to publishing its build.

Why a lease per run and not a lock per step: a lock released between the steps let a second refresh
land and build another delivery while the first one waited to publish, which then published the
second delivery's build under its own name. So the landing step takes the home's writer lease for
its run (waiting while another refresh holds it) and the run keeps it through dbt build and
publish; it is given back when the run ends, however it ends (the resource's teardown), or when
the process dies. Dagster's run queue (tag retention/writer, limit 1 in orchestration/dagster.yaml)
keeps Dagster runs apart before they start; the lease also covers refreshes started outside Dagster
(`make run` while `make dev` is running). The publish then checks the build file's own record of
which run landed it (publishing.versions.BuildNotOwned), so even a lost lease cannot publish
another delivery.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from orchestration.project import orchestration_settings
from orchestration.settings import OrchestrationSettings
from refresh.lease import WarehouseBusy, WriterLease, acquire_lease
from warehouse_home.layout import WarehouseLayout

WRITER_TAG = "retention/writer"


def busy_retry(settings: OrchestrationSettings) -> dg.RetryRequested:
    """Build the retry request for a writer still busy after the wait."""
    return dg.RetryRequested(max_retries=settings.busy_retries, seconds_to_wait=settings.busy_retry_seconds)


class WarehouseWriter(dg.ConfigurableResource):
    """The run's hold on the warehouse home: taken by the landing step, kept until the run ends.

    With the in-process executor (the refresh job's) a resource is set up once per run and torn
    down when the run ends, also when a step fails, so the lease lives exactly as long as the run.
    """

    home: str
    """The warehouse home the lease is for (RETENTION_HOME)."""

    _lease: WriterLease | None = PrivateAttr(default=None)

    @property
    def layout(self) -> WarehouseLayout:
        """The home's folders; the lock file is in its state folder."""
        return WarehouseLayout(Path(self.home))

    def claim(self, context: dg.AssetExecutionContext) -> None:
        """Take the writer lease for this run, waiting while another refresh holds it; retry after the wait."""
        if self._lease is not None and self._lease.owner == _owner(context):
            return

        settings = orchestration_settings()

        def log_wait(holder: str) -> None:
            context.log.info(
                f"writer: the warehouse is busy ({holder}); waiting up to {settings.writer_wait_seconds:.0f} s"
            )

        try:
            self._lease = acquire_lease(
                self.layout, _owner(context), wait_seconds=settings.writer_wait_seconds, on_busy=log_wait
            )
        except WarehouseBusy as busy:
            raise busy_retry(settings) from busy
        context.log.info(f"writer: this run holds the warehouse {self.home} until it ends")

    @contextmanager
    def held(self, context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> Iterator[None]:
        """Run the body under this run's lease, or, in a run that landed nothing (a subset), a lease for the body."""
        if self._lease is not None and self._lease.owner == _owner(context):
            yield
            return
        settings = orchestration_settings()
        try:
            lease = acquire_lease(self.layout, _owner(context), wait_seconds=settings.writer_wait_seconds)
        except WarehouseBusy as busy:
            raise busy_retry(settings) from busy
        try:
            yield
        finally:
            lease.release()

    def release(self) -> None:
        """Give the warehouse back (after the publish; the teardown does it for a run that stops earlier)."""
        if self._lease is not None:
            self._lease.release()
            self._lease = None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """Release the lease when the run ends, whatever step it ended in."""
        self.release()


def _owner(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> str:
    """Name the lease's holder by the run, as the lock file and a waiting refresh show it."""
    return f"run {context.run.run_id}"
