#!/usr/bin/env python3
"""Time sffi's two shared-object readers, pyelftools and LIEF, on real libraries.

Usage:
    python scripts/bench/bench_symbols.py [--repeat N] [SO_PATH ...]

Without paths it times libtorch_cpu.so (from the torch wheel in the venv, if
installed) and Debian's libsqlite3.so. For each file and reader it runs
``sffi.symbols.scan(path, backend=...)`` ``--repeat`` times (default 3) after
one untimed warm-up run (file in the page cache, modules imported, LIEF's
import cost excluded) and prints the best and median wall time in seconds and
the rate in symbols per second (``.dynsym`` entries returned / best time). It
also checks that both readers returned identical symbol lists.
"""

from __future__ import annotations

import argparse
import glob
import os
import statistics
import sys
import time

from tabulate import tabulate

from sffi.symbols import LIEF_MIN_DYNSYM, scan
from sffi.symbols.elf import dynsym_count


def default_paths() -> list[str]:
    """libtorch_cpu.so from an installed torch wheel and the system libsqlite3.so, where present."""
    found = []
    for pattern in (os.path.join(sys.prefix, "lib", "python3*", "site-packages", "torch", "lib",
                                 "libtorch_cpu.so"),
                    "/usr/lib/*/libsqlite3.so", "/usr/lib/libsqlite3.so", "/usr/lib64/libsqlite3.so"):
        hits = sorted(glob.glob(pattern))
        if hits:
            found.append(hits[0])
    return found


def time_backend(path: str, backend: str, repeat: int) -> tuple[list[float], list]:
    """Wall times of ``repeat`` scans after a warm-up, and the last result."""
    result = scan(path, backend=backend)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = scan(path, backend=backend)
        times.append(time.perf_counter() - t0)
    return times, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="shared objects (default: libtorch_cpu.so, libsqlite3.so)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per reader (default 3)")
    args = parser.parse_args(argv)
    paths = args.paths or default_paths()
    if not paths:
        print("no shared objects to time (give paths)", file=sys.stderr)
        return 1
    rows = []
    for path in paths:
        entries = dynsym_count(path)
        results = {}
        for backend in ("pyelftools", "lief"):
            times, results[backend] = time_backend(path, backend, args.repeat)
            best = min(times)
            rows.append([os.path.basename(path), f"{os.path.getsize(path) / 2**20:.1f}", entries,
                         backend, len(results[backend]), f"{best:.3f}",
                         f"{statistics.median(times):.3f}", f"{len(results[backend]) / best:,.0f}"])
        same = results["pyelftools"] == results["lief"]
        rows[-1].append("identical" if same else "DIFFERENT")
        rows[-2].append("")
        if not same:
            print(f"warning: the readers disagree on {path}", file=sys.stderr)
    print(tabulate(rows, headers=["file", "MiB", ".dynsym", "reader", "symbols", "best s",
                                  "median s", "symbols/s", "results"], disable_numparse=True))
    print(f"\n(repeat={args.repeat} after one warm-up; 'auto' uses LIEF from "
          f"{LIEF_MIN_DYNSYM} .dynsym entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
