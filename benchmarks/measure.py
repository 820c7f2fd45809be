"""What every benchmark here needs: run a command as a child process, time it, read its cost.

Each case runs in its own process so that its figures are its own and start-up costs a user pays
are included. CPU seconds (user + sys) come from wait4's rusage, which includes every descendant
the child waited for (dbt under the CLI); the peak RSS of all processes together is sampled from
/proc while the command runs (rusage only knows the largest single process). On a shared, noisy
machine quote CPU seconds and ratios, not wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Measured:
    """Wall time, CPU time, peak resident memory and standard output of one finished child process."""

    wall_s: float
    peak_rss_mib: float
    stdout: str
    cpu_s: float = 0.0
    """User + sys seconds of the process and every descendant it waited for."""
    tree_peak_rss_mib: float = 0.0
    """Largest sum of the resident memory of the process and all its descendants at one moment."""


def _tree_rss_kib(root: int) -> int:
    """Sum VmRSS over root and its descendants, from /proc (processes that vanish meanwhile are skipped)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields.get("PPid", "0").strip())
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree)


class _TreeSampler(threading.Thread):
    """Sample the process tree's summed RSS until told to stop (a measurement, not synchronisation)."""

    def __init__(self, root: int, interval_s: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.root, self.interval_s, self.peak_kib = root, interval_s, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak_kib = max(self.peak_kib, _tree_rss_kib(self.root))
            self.done.wait(self.interval_s)


def run_measured(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Run command to completion; raise with its output if it fails."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=cwd)
    sampler = _TreeSampler(child.pid)
    sampler.start()
    pipe = child.stdout  # always set: stdout=PIPE
    stdout = pipe.read() if pipe else ""
    if pipe:
        pipe.close()
    sampler.done.set()
    sampler.join()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    exit_code = os.waitstatus_to_exitcode(status)
    child.returncode = exit_code  # reaped by wait4 above; tell Popen so it does not wait again
    if exit_code != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {exit_code}:\n{stdout[-4000:]}")
    return Measured(  # Linux reports KiB
        round(wall, 2),
        round(usage.ru_maxrss / 1024, 1),
        stdout,
        cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
        tree_peak_rss_mib=round(max(sampler.peak_kib, usage.ru_maxrss) / 1024, 1),
    )


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
