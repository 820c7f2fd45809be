"""The README's refresh (`python -m orchestration`) with a barrier, for the two-writer tests.

``python -m tests.paused_refresh POINT CLI_ARGS...``. POINT is where the refresh stops or speaks up:

- ``before_build``: its delivery is landed; its dbt build step has started but not yet entered its
  writer section (where a lock per step would be taken);
- ``before_publish``: its dbt build (with the tests) passed; its publish step has started but not yet
  entered its writer section;
- ``waiting``: does not stop; says so when it finds the warehouse held by another refresh.

Stopping between two steps' writer sections is where a refresh that locked the warehouse per step held
nothing, so another delivery could be landed and built. Protocol (no timers): at POINT the process
writes ``BARRIER <POINT>`` on its real stdout (fd 1, which the CLI does not redirect) and, for a stop,
reads one line from stdin before it goes on. Only these entries are wrapped; the refresh is otherwise
the real one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

STOPS = ("before_build", "before_publish")
WAITING = "waiting"


def announce(point: str) -> None:
    """Tell the test the refresh has reached point."""
    os.write(1, f"BARRIER {point}\n".encode())


def stop(point: str) -> None:
    """Announce point and wait until the test sends a line."""
    announce(point)
    sys.stdin.readline()


def step_point(context: Any) -> str | None:
    """Name the stop a step's writer section begins at: the dbt build's or the publish's, else None."""
    from orchestration.serving import SERVING_KEY

    keys = context.assets_def.keys
    if SERVING_KEY in keys:
        return "before_publish"
    if any(key.path[0] == "marts" for key in keys):
        return "before_build"
    return None


def install(point: str) -> None:
    """Wrap what point needs: a step's entry into its writer section, or the lease's busy callback."""
    from orchestration import writer

    if point in STOPS:
        held = writer.WarehouseWriter.held

        def paused(self: Any, context: Any) -> Any:
            if step_point(context) == point:
                stop(point)
            return held(self, context)

        writer.WarehouseWriter.held = paused
    elif point == WAITING:
        acquire = writer.acquire_lease

        def announcing(*args: Any, on_busy: Callable[[str], None] | None = None, **kwargs: Any) -> Any:
            def busy(holder: str) -> None:
                announce(WAITING)
                if on_busy is not None:
                    on_busy(holder)

            return acquire(*args, on_busy=busy, **kwargs)

        writer.acquire_lease = announcing
    else:
        raise SystemExit(f"unknown barrier point {point!r}; expected one of {(*STOPS, WAITING)}")


def main(argv: list[str]) -> int:
    """Install the barrier, then run the refresh CLI with the remaining arguments."""
    install(argv[0])
    from orchestration.__main__ import main as refresh

    return refresh(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
