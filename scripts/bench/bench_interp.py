#!/usr/bin/env python3
"""Interpreter benchmarks: the same programs on Simple, Lua 5.4 and CPython, side by side.

Usage:
    python scripts/bench/bench_interp.py [--simple PATH] [--baseline PATH] [--runs N] [NAME ...]

Programs (scripts/bench/interp/NAME.{spl,lua,py}, each the same algorithm):

| name | what |
|---|---|
| loop | a 10,000,000-iteration counting ``while`` loop |
| fib | ``fib(27)``, recursive, untyped |
| fib_typed | ``fib(27)`` with ``n: i64`` and ``-> i64`` checked on every call (Simple only; compared with fib's Lua and Python) |
| array | push 1,000,000 ints into an array, then sum it |
| methods | 1,000,000 method calls reading and writing fields of class instances |

Each is a whole process (start-up included), timed by the operating system's
accounting of the child's CPU seconds (user + system: steadier than wall time
on a shared machine) and by wall clock. The commands run in turn, ``--runs``
times each (default 5) after one warm-up, so they share the machine's load of
the same minute. Printed: each command's median CPU and wall seconds, and the
ratios of Simple to each other. ``--baseline PATH`` adds another ``simple``
(e.g. main's runtime) as a column, to show that a change made nothing slower
(fib_typed runs fib there; methods has no baseline, classes being newer).
``lua5.4`` and ``python3.11`` are looked up in PATH (scripts/bootstrap installs
lua5.4); a missing one is left out and said so. Every run's output is compared
with the first command's: a program printing something else stops the run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "scripts" / "bench" / "interp"
NAMES = ["loop", "fib", "fib_typed", "array", "methods"]
# programs a runtime from before classes (issue 22) cannot run: no baseline column
BASELINE_SKIPS = {"methods"}


def run_once(cmd: list[str]) -> tuple[float, float, str]:
    """(cpu seconds, wall seconds, stdout) of one run; a failure stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, proc.stdout


def commands(name: str, simple: Path, baseline: Path | None) -> dict[str, list[str]]:
    """The command of each interpreter for program `name` (fib_typed: Lua and Python run fib)."""
    plain = "fib" if name == "fib_typed" else name
    cmds = {"simple": [str(simple), str(PROGRAMS / f"{name}.spl")]}
    if baseline and name not in BASELINE_SKIPS:
        cmds["baseline"] = [str(baseline), str(PROGRAMS / f"{plain}.spl")]
    for tool, ext in (("lua5.4", "lua"), ("python3.11", "py")):
        if shutil.which(tool):
            cmds[tool] = [tool, str(PROGRAMS / f"{plain}.{ext}")]
    return cmds


def bench(name: str, cmds: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median (cpu, wall) of each command, run in turn."""
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
    expected = None
    for i in range(runs + 1):
        for key, cmd in cmds.items():
            cpu, wall, out = run_once(cmd)
            if expected is None:
                expected = out
            elif out != expected:
                sys.exit(f"{name}: {key} printed {out!r}, {next(iter(cmds))} printed {expected!r}")
            if i:
                times[key].append((cpu, wall))
    return {k: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v)) for k, v in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simple", type=Path, default=ROOT / "build" / "bin" / "simple", help="the runtime to time")
    parser.add_argument("--baseline", type=Path, help="another runtime to compare (e.g. main's)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command (default 5)")
    parser.add_argument("names", nargs="*", default=NAMES, help=f"programs (default all: {' '.join(NAMES)})")
    args = parser.parse_args(argv)
    for tool in ("lua5.4", "python3.11"):
        if not shutil.which(tool):
            print(f"note: {tool} not found in PATH: left out", file=sys.stderr)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; "
          f"medians of {args.runs} runs; cpu = user + system seconds")
    for name in args.names:
        medians = bench(name, commands(name, args.simple, args.baseline), args.runs)
        cells = "  ".join(f"{k} cpu {c:.3f} wall {w:.3f}" for k, (c, w) in medians.items())
        ours = medians["simple"][0]
        ratios = "  ".join(f"simple/{k} {ours / c:.2f}" for k, (c, _) in medians.items() if k != "simple" and c > 0)
        print(f"{name:10} {cells}\n{'':10} {ratios}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
