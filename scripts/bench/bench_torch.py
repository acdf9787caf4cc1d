#!/usr/bin/env python3
"""Cost of the torch library in the Simple runtime.

Usage:
    python scripts/bench/bench_torch.py TORCH_RUNTIME CORE_RUNTIME [--runs N] [--matmuls N] [--size N]

TORCH_RUNTIME is a runtime built with ``scons runtime --with=torch``,
CORE_RUNTIME one built with ``--with=none`` (both are printed by the build).

(a) start-up: wall time of ``RUNTIME script`` for a script that is only
    ``print 1``, ``--runs`` times each (default 20, after one untimed run), for
    both runtimes. The difference is what linking libtorch costs every script
    (the dynamic loader maps libtorch_cpu.so and runs its static constructors),
    whether or not the script uses torch.
(b) a SIZExSIZE float32 matmul (default 512), ``--matmuls`` times (default 200):
    called from a Simple script (``rt_torch_torchtensor_matmul`` + ``_free``
    per call, timed in the script with ``rt_time_now_monotonic_ms``, and also
    as the wall-time difference between the script with N calls and with none)
    against the same call from Python (``a @ b`` with the torch package in this
    interpreter). Both use libtorch's default intra-op thread count.

Prints a table; the numbers are best and median over the runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import load_line  # noqa: E402

MATMUL_SCRIPT = """\
extern fn rt_time_now_monotonic_ms() -> i64
extern fn rt_torch_manual_seed(seed: i64)
extern fn rt_torch_tensor_randn(dims: [i64]) -> i64
extern fn rt_torch_torchtensor_matmul(handle: i64, other: i64) -> i64
extern fn rt_torch_torchtensor_free(handle: i64)

rt_torch_manual_seed(0)
val a = rt_torch_tensor_randn([{size}, {size}])
val b = rt_torch_tensor_randn([{size}, {size}])
# one untimed call: thread pool start-up, first allocation
rt_torch_torchtensor_free(rt_torch_torchtensor_matmul(a, b))
val start = rt_time_now_monotonic_ms()
for i in 0..{count}:
    val c = rt_torch_torchtensor_matmul(a, b)
    rt_torch_torchtensor_free(c)
val elapsed = rt_time_now_monotonic_ms() - start
print "elapsed_ms {{elapsed}}"
"""


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def timed_runs(cmd: list[str], runs: int) -> list[float]:
    wall(cmd)  # warm-up: files in the page cache
    return [wall(cmd) for _ in range(runs)]


def summary(times: list[float], scale: float = 1e3) -> tuple[float, float]:
    return min(times) * scale, statistics.median(times) * scale


def script_matmul(runtime: str, tmp: Path, size: int, count: int, runs: int) -> tuple[list[float], list[float]]:
    """(in-script ms per call, wall-clock s per call from N-call minus 0-call scripts), one per run."""
    full, empty = tmp / "matmul.spl", tmp / "matmul0.spl"
    full.write_text(MATMUL_SCRIPT.format(size=size, count=count))
    empty.write_text(MATMUL_SCRIPT.format(size=size, count=0))
    in_script, by_difference = [], []
    subprocess.run([runtime, str(full)], capture_output=True, check=True)  # warm-up
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run([runtime, str(full)], capture_output=True, text=True, check=True)
        t_full = time.perf_counter() - t0
        t_empty = wall([runtime, str(empty)])
        ms = float(proc.stdout.split("elapsed_ms", 1)[1].split()[0])
        in_script.append(ms / 1e3 / count)
        by_difference.append((t_full - t_empty) / count)
    return in_script, by_difference


def python_matmul(size: int, count: int, runs: int) -> tuple[list[float], str, int]:
    import torch

    torch.manual_seed(0)
    a, b = torch.randn(size, size), torch.randn(size, size)
    c = a @ b  # warm-up
    per_call = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(count):
            c = a @ b
            del c
        per_call.append((time.perf_counter() - t0) / count)
    return per_call, torch.__version__, torch.get_num_threads()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("torch_runtime", help="runtime built with --with=torch")
    parser.add_argument("core_runtime", help="runtime built with --with=none")
    parser.add_argument("--runs", type=int, default=20, help="start-up runs per runtime (default 20)")
    parser.add_argument("--matmuls", type=int, default=200, help="matmul calls per timed run (default 200)")
    parser.add_argument("--matmul-runs", type=int, default=5, help="timed matmul runs (default 5)")
    parser.add_argument("--size", type=int, default=512, help="matrix size (default 512)")
    args = parser.parse_args(argv)
    for path in (args.torch_runtime, args.core_runtime):
        if not os.access(path, os.X_OK):
            sys.exit(f"not an executable: {path}")

    with tempfile.TemporaryDirectory(prefix="bench_torch_") as tmp_name:
        tmp = Path(tmp_name)
        hello = tmp / "print1.spl"
        hello.write_text("print 1\n")
        core = timed_runs([args.core_runtime, str(hello)], args.runs)
        with_torch = timed_runs([args.torch_runtime, str(hello)], args.runs)
        in_script, by_difference = script_matmul(args.torch_runtime, tmp, args.size, args.matmuls, args.matmul_runs)
    in_python, version, threads = python_matmul(args.size, args.matmuls, args.matmul_runs)

    rows = [
        ("start-up, core-only runtime, `print 1` (ms)", *summary(core)),
        ("start-up, runtime with torch, `print 1` (ms)", *summary(with_torch)),
        ("  cost of linking libtorch (ms, best and median difference)",
         min(with_torch) * 1e3 - min(core) * 1e3, (statistics.median(with_torch) - statistics.median(core)) * 1e3),
        (f"{args.size}x{args.size} matmul from a script, timed in the script (ms/call)", *summary(in_script)),
        (f"{args.size}x{args.size} matmul from a script, wall-clock difference (ms/call)", *summary(by_difference)),
        (f"{args.size}x{args.size} matmul from Python torch {version} (ms/call)", *summary(in_python)),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"torch threads: {threads}; start-up runs: {args.runs}; matmul: {args.matmuls} calls x {args.matmul_runs} runs")
    print(load_line())
    print(f"{'measurement':<{width}}  {'best':>9}  {'median':>9}")
    for name, best, median in rows:
        print(f"{name:<{width}}  {best:9.3f}  {median:9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
