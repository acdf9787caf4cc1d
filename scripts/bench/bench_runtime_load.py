#!/usr/bin/env python3
"""How the reference runtime's load time grows with a script's size (docs/benchmarks.md).

For each shape below it generates scripts of N, 2N and 4N elements, runs
``simple SCRIPT`` on each ``--repeat`` times (default 3) and keeps the best
wall-clock time, measured around the subprocess. Linear loading shows as a
time ratio near 2 from one size to the next; quadratic as near 4.

| shape | element |
|---|---|
| globals | a top-level ``var vI = I`` line |
| functions | an ``fn fI(x): return x + I`` definition, a few of them called |
| locals | a ``var vI = I`` line inside ``fn main()`` |
| chain | one ``+`` of ``print 1 + 1 + ...`` |
| text-chain | one ``+`` of ``print "ab" + "ab" + ...`` |
| modules-wide | a module of 5 functions, used by the script (``use mI.{fI_0}``) |
| modules-star | a module that uses ``shared.*`` (50 names) and is used by the script |

A shape makes one script, or (the modules shapes) a directory of files whose
``main.spl`` runs.

    scripts/bench/bench_runtime_load.py [--runtime build/bin/simple] [--scale 1.0] [--repeat 3]

``--scale`` multiplies every N (0.1 for a quick look). A run that fails or
takes longer than ``--timeout`` seconds (default 120) is reported as such.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "site_scons"))

from sffi.plan import layout  # noqa: E402  (where builds put the runtime)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import load_line  # noqa: E402


def globals_script(n: int) -> str:
    return "".join(f"var v{i} = {i}\n" for i in range(n)) + f"print v{n - 1}\n"


def functions_script(n: int) -> str:
    defs = "".join(f"fn f{i}(x):\n    return x + {i}\n" for i in range(n))
    return defs + "".join(f"print f{i}(1)\n" for i in range(0, n, max(1, n // 10)))


def locals_script(n: int) -> str:
    return "fn main():\n" + "".join(f"    var v{i} = {i}\n" for i in range(n)) + f"    print v{n - 1}\n"


def chain_script(n: int) -> str:
    return "print " + " + ".join(["1"] * (n + 1)) + "\n"


def text_chain_script(n: int) -> str:
    return "print " + " + ".join(['"ab"'] * (n + 1)) + "\n"


def modules_wide(n: int) -> dict[str, str]:
    files = {f"m{i}.spl": "".join(f"fn f{i}_{k}(x: i64) -> i64:\n    x + {k}\n" for k in range(5)) for i in range(n)}
    files["main.spl"] = "".join(f"use m{i}.{{f{i}_0}}\n" for i in range(n)) + f"print f{n - 1}_0(1)\n"
    return files


def modules_star(n: int) -> dict[str, str]:
    files = {"shared.spl": "".join(f"fn s{k}(x: i64) -> i64:\n    x * {k}\n" for k in range(50))}
    for i in range(n):
        files[f"m{i}.spl"] = f"use shared.*\nfn g{i}(x: i64) -> i64:\n    s7(x) + {i}\n"
    files["main.spl"] = "".join(f"use m{i}.{{g{i}}}\n" for i in range(n)) + f"print g{n - 1}(1)\n"
    return files


SHAPES = {
    "globals": (globals_script, 50_000),
    "functions": (functions_script, 25_000),
    "locals": (locals_script, 50_000),
    "chain": (chain_script, 100_000),
    "text-chain": (text_chain_script, 100_000),
    "modules-wide": (modules_wide, 1_000),
    "modules-star": (modules_star, 1_000),
}


def write_shape(tmp: Path, name: str, size: int, made: str | dict[str, str]) -> Path:
    """Writes what a shape made; the path of the script to run."""
    if isinstance(made, str):
        script = tmp / f"{name}-{size}.spl"
        script.write_text(made, encoding="utf-8")
        return script
    folder = tmp / f"{name}-{size}"
    folder.mkdir()
    for rel, text in made.items():
        (folder / rel).write_text(text, encoding="utf-8")
    return folder / "main.spl"


def best_seconds(runtime: Path, script: Path, repeat: int, timeout: float) -> float | str:
    """Best wall-clock seconds of `repeat` runs, or why there is none."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            proc = subprocess.run([str(runtime), script.name], cwd=script.parent, capture_output=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"> {timeout:.0f} s"
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            return f"exit {proc.returncode}"
        best = min(best, elapsed)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", type=Path, default=ROOT / layout.installed_runtime(), help="the simple binary")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every size (default 1.0)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per script; the best counts (default 3)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a run counts as too slow")
    args = parser.parse_args()
    if not args.runtime.exists():
        sys.exit(f"bench: no runtime at {args.runtime}; build one with: scons runtime")
    args.runtime = args.runtime.resolve()  # each script runs in its own directory
    print(f"runtime: {args.runtime}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, {platform.platform()}")
    print(load_line())
    print(f"best of {args.repeat} runs, wall clock around the process\n")
    print("| shape | N | time N | time 2N | time 4N | 2N/N | 4N/2N |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (make, base) in SHAPES.items():
            n = max(1, int(base * args.scale))
            times = []
            for size in (n, 2 * n, 4 * n):
                script = write_shape(Path(tmp), name, size, make(size))
                times.append(best_seconds(args.runtime, script, args.repeat, args.timeout))
            cells = [f"{t:.3f} s" if isinstance(t, float) else t for t in times]
            ratios = [f"{b / a:.1f}" if isinstance(a, float) and isinstance(b, float) and a > 0 else "-"
                      for a, b in zip(times, times[1:])]
            print(f"| {name} | {n:,} | {' | '.join(cells)} | {' | '.join(ratios)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
