"""Start `dagster dev` for `make dev` so that Ctrl-C and SIGTERM stop it, also when started in the background.

Why not call `dagster dev` straight from make: a shell starts background jobs with SIGINT ignored, and
dagster dev maps SIGTERM to whatever SIGINT does, so such a `make dev &` ignored both and lingered with
its webserver, daemon and code server. Here both signals are reset to their defaults and this process
is replaced by dagster dev (same pid, so make's SIGTERM reaches it), which then shuts its children down.

Usage: ``python -m orchestration.dev [dagster dev options]`` (`make dev PORT=3000`).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

CODE_LOCATION = "orchestration.definitions"


def main(argv: list[str]) -> None:
    """Reset SIGINT and SIGTERM, then exec `dagster dev -m orchestration.definitions <argv>`."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    dagster = str(Path(sys.executable).with_name("dagster"))
    os.execv(dagster, [dagster, "dev", "-m", CODE_LOCATION, *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
