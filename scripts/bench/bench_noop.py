#!/usr/bin/env python3
"""Time an up-to-date ``scons runtime --with=LIBS`` against a bare one-target SConstruct.

Usage:
    python scripts/bench/bench_noop.py [--with=sqlite] [--runs N] [--project DIR]

Both are whole processes (``python -m SCons -Q ...``, the interpreter running
this script), timed by wall clock. First each is built once (untimed), then
they run alternately ``--runs`` times (default 7), so the two share the
machine's load of the same minute; the script prints each median, the
ratio project / bare and every run. The bare SConstruct lives in a
temporary directory: ``Program('hello', 'hello.c')``, with SCons's defaults.
``--project`` measures another checkout (e.g. the tree before a change); its
build must already be complete for ``--with``, or the first run builds it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import load_line  # noqa: E402


def timed(cmd: list[str], cwd: Path) -> float:
    """Wall seconds of one run of ``cmd``; a failing run stops the benchmark with its output."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd} ({proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return seconds


def bare_project(directory: Path) -> Path:
    """A one-target SConstruct (a C program) in ``directory``."""
    (directory / "SConstruct").write_text("Program('hello', 'hello.c')\n")
    (directory / "hello.c").write_text("int main(void) { return 0; }\n")
    return directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with", dest="with_libs", default="sqlite", help="the selection (default sqlite)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (default 7)")
    parser.add_argument("--project", type=Path, default=ROOT, help="the sffi checkout to time (default: this one)")
    args = parser.parse_args(argv)
    scons = [sys.executable, "-m", "SCons", "-Q"]
    project_cmd = scons + ["runtime", f"--with={args.with_libs}"]
    before = load_line("before")
    with tempfile.TemporaryDirectory(prefix="sffi-bench-noop-") as tmp:
        bare = bare_project(Path(tmp))
        timed(scons, bare)
        timed(project_cmd, args.project)
        runs = {"project": [], "bare": []}
        for _ in range(args.runs):
            runs["project"].append(timed(project_cmd, args.project))
            runs["bare"].append(timed(scons, bare))
    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"command: {' '.join(project_cmd[2:])} in {args.project}, up to date")
    print(f"{before}; {load_line('after')}")
    print(f"median of {args.runs}: project {med['project']:.3f} s, bare 1-target SConstruct {med['bare']:.3f} s, "
          f"ratio {med['project'] / med['bare']:.2f}x")
    for k, v in runs.items():
        print(f"  {k:<8} " + " ".join(f"{s:.3f}" for s in v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
