#!/usr/bin/env python3
"""Extern call speed of the reference runtime (docs/benchmarks.md).

Runs scripts/bench/extern_calls.spl: N iterations (default ten million) of a
loop whose body calls the core extern rt_time_now_monotonic_ms() through the
generated table, the same loop calling a user fn, and the same loop with no
call, each REPEAT times; the best run of each counts. Prints, as a Markdown
table, calls per second, the cost per iteration and above the empty loop, and
the extern/fn ratio. With a C compiler it also times clock_gettime
(CLOCK_MONOTONIC) in a native loop, the work the extern itself does.

    scripts/bench/bench_extern_calls.py [--runtime build/bin/simple] [-n 10000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
KERNEL = HERE / "extern_calls.spl"
sys.path.insert(0, str(ROOT / "site_scons"))

from sffi.plan import layout  # noqa: E402  (where builds put the runtime)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import load_line  # noqa: E402

NATIVE_CLOCK = r"""
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
    long n = atol(argv[1]); struct timespec a, b, t; long long sink = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) { clock_gettime(CLOCK_MONOTONIC, &t); sink += t.tv_nsec; }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%f %lld\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e6, sink & 1);
    return 0;
}
"""


def default_runtime() -> Path:
    installed = ROOT / layout.installed_runtime()
    for candidate in (installed, ROOT / layout.Layout("release").sel_dir("core") / layout.RUNTIME):
        if candidate.exists():
            return candidate
    return installed


def run_kernel(runtime: Path, mode: str, n: int) -> float:
    """Milliseconds of one run of the loop `mode`."""
    proc = subprocess.run([str(runtime), str(KERNEL), mode, str(n)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"bench: {runtime} failed on mode {mode}:\n{proc.stderr}")
    return float(proc.stdout.strip())


def native_clock_ms(n: int, repeat: int) -> float | None:
    """Best milliseconds of n native clock_gettime calls, or None without a C compiler."""
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = Path(tmp) / "clock.c", Path(tmp) / "clock"
        src.write_text(NATIVE_CLOCK)
        if subprocess.run([cc, "-O2", str(src), "-o", str(exe)], capture_output=True).returncode != 0:
            return None
        return min(float(subprocess.run([str(exe), str(n)], capture_output=True, text=True).stdout.split()[0])
                   for _ in range(repeat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", type=Path, default=default_runtime(), help="the simple binary")
    parser.add_argument("-n", type=int, default=10_000_000, help="iterations per loop (default 10000000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per loop; the best counts (default 5)")
    args = parser.parse_args()
    if not args.runtime.exists():
        sys.exit(f"bench: no runtime at {args.runtime}; build one with: scons runtime")

    n = args.n
    best = {mode: min(run_kernel(args.runtime, mode, n) for _ in range(args.repeat))
            for mode in ("empty", "extern", "fn")}
    native = native_clock_ms(n, args.repeat)

    def per_call_ns(ms: float) -> float:
        return ms * 1e6 / n

    print(f"runtime: {args.runtime}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, {platform.platform()}")
    print(load_line())
    print(f"loop: {n} iterations, best of {args.repeat} runs each\n")
    print("| loop body | total ms | calls/s | ns per iteration | ns above empty loop |")
    print("|---|---:|---:|---:|---:|")
    rows = [("empty loop (`x = i`)", best["empty"]),
            ("extern `rt_time_now_monotonic_ms()`", best["extern"]),
            ("user fn `user_now()` (returns 0)", best["fn"])]
    for label, ms in rows:
        rate = n / (ms / 1000) if ms else float("inf")
        print(f"| {label} | {ms:.0f} | {rate:,.0f} | {per_call_ns(ms):.1f} | "
              f"{per_call_ns(ms - best['empty']):.1f} |")
    if native is not None:
        print(f"| native C `clock_gettime` (no interpreter) | {native:.0f} | {n / (native / 1000):,.0f} | "
              f"{per_call_ns(native):.1f} | - |")
    ratio = best["extern"] / best["fn"] if best["fn"] else float("nan")
    print(f"\nextern loop / user fn loop time: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
