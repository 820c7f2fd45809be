"""What every benchmark here needs: run a command as a child process, time it, read its peak memory.

Each case runs in its own process so that its peak RSS is its own (RUSAGE_CHILDREN would report
the largest child so far) and so that start-up costs a user pays are included.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Measured:
    """Wall time, peak resident memory and standard output of one finished child process."""

    wall_s: float
    peak_rss_mib: float
    stdout: str


def run_measured(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Run command to completion; raise with its output if it fails."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=cwd)
    pipe = child.stdout  # always set: stdout=PIPE
    stdout = pipe.read() if pipe else ""
    if pipe:
        pipe.close()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    exit_code = os.waitstatus_to_exitcode(status)
    child.returncode = exit_code  # reaped by wait4 above; tell Popen so it does not wait again
    if exit_code != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {exit_code}:\n{stdout[-4000:]}")
    return Measured(round(wall, 2), round(usage.ru_maxrss / 1024, 1), stdout)  # Linux reports KiB


def machine_info() -> dict[str, Any]:
    """Describe where the figures come from, so they can be compared across machines."""
    import duckdb
    import numpy
    import pyarrow

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line]
        cpu = models[0] if models else cpu
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": numpy.__version__,
        "pyarrow": pyarrow.__version__,
        "duckdb": duckdb.__version__,
    }


def run_sizes(
    name: str,
    description: str,
    sizes: Sequence[int],
    measure: Callable[[int], dict[str, Any]],
    to_markdown: Callable[[dict[str, Any], list[dict[str, Any]]], str],
) -> None:
    """Measure every size (--sizes overrides the default), then write results/<name>.{json,md}."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(sizes))
    cases = []
    for size in parser.parse_args().sizes:
        cases.append(measure(size))
        print(json.dumps(cases[-1]), flush=True)
    machine = machine_info()
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps({"machine": machine, "cases": cases}, indent=2) + "\n")
    (RESULTS_DIR / f"{name}.md").write_text(to_markdown(machine, cases))
