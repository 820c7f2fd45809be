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
from dataclasses import dataclass, field
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
    roles: dict[str, RoleUsage] = field(default_factory=dict)
    """CPU seconds and peak RSS per kind of process (sampled: see _TreeSampler)."""


@dataclass
class RoleUsage:
    """CPU seconds and peak resident memory of the processes of one role (e.g. the dbt CLI)."""

    cpu_s: float = 0.0
    peak_rss_mib: float = 0.0


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _role(cmdline: list[str]) -> str:
    """Name a process by what it runs: the module of ``python -m module``, else its script or program."""
    if "-m" in cmdline[:-1]:
        return cmdline[cmdline.index("-m") + 1]
    program = Path(cmdline[0]).name if cmdline else "?"
    if program.startswith("python") and len(cmdline) > 1 and not cmdline[1].startswith("-"):
        return Path(cmdline[1]).name
    return program


@dataclass
class _Process:
    """What /proc says about one live process."""

    ppid: int
    rss_kib: int
    cpu_s: float
    role: str


def _processes() -> dict[int, _Process]:
    """Read every live process from /proc (processes that vanish meanwhile are skipped)."""
    seen: dict[int, _Process] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        ticks = stat.rsplit(")", 1)[1].split()  # utime and stime are fields 14 and 15 of stat
        seen[int(entry.name)] = _Process(
            ppid=int(fields.get("PPid", "0").strip()),
            rss_kib=int(fields.get("VmRSS", "0 kB").split()[0]),
            cpu_s=(int(ticks[11]) + int(ticks[12])) / CLOCK_TICKS,
            role=_role(cmdline),
        )
    return seen


def _tree(root: int, processes: dict[int, _Process]) -> dict[int, _Process]:
    """Return the root and all its descendants."""
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, process in processes.items() if process.ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return {pid: processes[pid] for pid in tree if pid in processes}


class _TreeSampler(threading.Thread):
    """Sample the process tree until told to stop (a measurement, not synchronisation).

    Keeps the largest summed RSS of the tree, and per role the largest summed RSS of its processes and
    the last CPU time seen of each of them (a process that exits between samples loses at most one
    interval of CPU time in the per-role figures; the total comes from wait4 and loses nothing).
    """

    def __init__(self, root: int, interval_s: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.root, self.interval_s, self.peak_kib = root, interval_s, 0
        self.cpu_by_pid: dict[int, tuple[str, float]] = {}
        self.roles: dict[str, RoleUsage] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            tree = _tree(self.root, _processes())
            self.peak_kib = max(self.peak_kib, sum(process.rss_kib for process in tree.values()))
            rss_by_role: dict[str, int] = {}
            for pid, process in tree.items():
                # An exiting process loses its command line before its CPU time: keep the role first seen.
                role = self.cpu_by_pid[pid][0] if pid in self.cpu_by_pid else process.role
                self.cpu_by_pid[pid] = (role, process.cpu_s)
                rss_by_role[role] = rss_by_role.get(role, 0) + process.rss_kib
            for role, rss_kib in rss_by_role.items():
                usage = self.roles.setdefault(role, RoleUsage())
                usage.peak_rss_mib = max(usage.peak_rss_mib, round(rss_kib / 1024, 1))
            self.done.wait(self.interval_s)

    def by_role(self) -> dict[str, RoleUsage]:
        """CPU seconds and peak RSS per role, largest CPU first."""
        for usage in self.roles.values():
            usage.cpu_s = 0.0
        for role, cpu_s in self.cpu_by_pid.values():
            self.roles[role].cpu_s = round(self.roles[role].cpu_s + cpu_s, 1)
        return dict(sorted(self.roles.items(), key=lambda item: -item[1].cpu_s))


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
        roles=sampler.by_role(),
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


def commit(repo: Path) -> str:
    """Name the commit measured, and say so when the working tree had local changes."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=repo)
    dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=repo)
    return head.stdout.strip() + (" (with local changes)" if dirty.stdout.strip() else "")


def run_sizes(
    name: str,
    description: str,
    sizes: Sequence[int],
    measure: Callable[[int], dict[str, Any]],
    to_markdown: Callable[[dict[str, Any], list[dict[str, Any]]], str],
) -> None:
    """Measure every size (--sizes overrides the default), then write results/<name>.{json,md}.

    With --merge the sizes measured replace theirs in the existing results and the other sizes are kept
    (each case names its commit and date): a 10M-customer run takes most of an hour.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(sizes))
    parser.add_argument("--merge", action="store_true", help="keep the other sizes of the existing results")
    args = parser.parse_args()
    cases = []
    for size in args.sizes:
        started = datetime.now(UTC).isoformat(timespec="seconds")
        cases.append({**measure(size), "commit": commit(RESULTS_DIR.parent.parent), "measured_at": started})
        print(json.dumps(cases[-1]), flush=True)
    machine = machine_info()
    RESULTS_DIR.mkdir(exist_ok=True)
    results = RESULTS_DIR / f"{name}.json"
    if args.merge and results.exists():
        measured = {case["customers"] for case in cases}
        kept = [case for case in json.loads(results.read_text())["cases"] if case["customers"] not in measured]
        cases = sorted(kept + cases, key=lambda case: case["customers"])
    results.write_text(json.dumps({"machine": machine, "cases": cases}, indent=2) + "\n")
    (RESULTS_DIR / f"{name}.md").write_text(to_markdown(machine, cases))
