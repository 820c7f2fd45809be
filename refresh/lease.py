"""One writer per warehouse home: the lock a refresh holds from landing its delivery to publishing its build.

The lock is an flock on a file in the home's state folder, so it is released when the holding process
dies (a killed refresh never leaves it stuck), and the holder writes who it is into the file, so a
waiting refresh can say whom it waits for.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from warehouse_home.layout import WarehouseLayout

LOCK_FILE = "refresh.lock"
LOCK_POLL_SECONDS = 0.2
"""How often a waiting refresh tries the writer lock again (flock has no wait with a time limit)."""


class WarehouseBusy(RuntimeError):
    """Another refresh holds the warehouse lock: a transient failure, worth retrying."""


@dataclass
class WriterLease:
    """A held writer lock of one home, and who holds it (written into the lock file for the next one to read).

    Why a lease object and not only a `with` block: a refresh must own the warehouse from landing
    its delivery to publishing the build of it (a lock released between the steps let another
    delivery be landed and built, and then published under the first refresh's name), so the
    orchestration keeps one lease for a whole run. The lock is released when the process dies, so a
    killed refresh never leaves it stuck.
    """

    layout: WarehouseLayout
    owner: str
    handle: TextIO

    def release(self) -> None:
        """Give the warehouse back (idempotent)."""
        if not self.handle.closed:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


def lock_holder(layout: WarehouseLayout) -> str:
    """Describe who holds (or last held) the writer lock, from what its holder wrote into the lock file."""
    path = layout.state_dir / LOCK_FILE
    text = path.read_text().strip() if path.exists() else ""
    return text or "an unknown writer"


def acquire_lease(
    layout: WarehouseLayout,
    owner: str,
    *,
    wait_seconds: float = 0.0,
    on_busy: Callable[[str], None] | None = None,
) -> WriterLease:
    """Take the home's writer lock for owner, waiting up to wait_seconds while another writer holds it.

    on_busy is called once, with the holder's description, when the lock is found taken. Raises
    WarehouseBusy (naming the holder) when it is still taken after wait_seconds.
    """
    layout.state_dir.mkdir(parents=True, exist_ok=True)
    handle = (layout.state_dir / LOCK_FILE).open("a+")
    deadline = time.monotonic() + wait_seconds
    notified = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError as error:
            holder = lock_holder(layout)
            if on_busy is not None and not notified:
                on_busy(holder)
                notified = True
            if time.monotonic() >= deadline:
                handle.close()
                raise WarehouseBusy(f"{holder} holds {layout.state_dir / LOCK_FILE}") from error
            time.sleep(LOCK_POLL_SECONDS)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{owner} (pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC)\n")
    handle.flush()
    return WriterLease(layout, owner, handle)


@contextmanager
def warehouse_lock(
    layout: WarehouseLayout, owner: str = "a refresh", wait_seconds: float = 0.0
) -> Iterator[WriterLease]:
    """Hold the home's writer lock for the body; raise WarehouseBusy if another writer keeps it (see acquire_lease)."""
    lease = acquire_lease(layout, owner, wait_seconds=wait_seconds)
    try:
        yield lease
    finally:
        lease.release()
