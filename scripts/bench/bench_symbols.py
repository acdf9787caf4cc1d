#!/usr/bin/env python3
"""Time ``sffi symbols`` and ``sffi diff`` against binutils, whole processes, side by side.

Usage:
    python scripts/bench/bench_symbols.py [--repeat N] [--sffi CMD] [--only NAME] [--diff-against FILE] [PATH ...]

Without paths it measures libtorch_cpu.so (from the torch wheel in this
Python's site-packages, when installed), the system libstdc++.so.6 and
libsqlite3.so.0, and a Rust rlib (the toolchain's libstd-*.rlib, when rustup's
toolchain is installed). For each file:

| work | sffi | binutils |
|---|---|---|
| symbols | ``sffi symbols PATH`` | ``nm -D --defined-only PATH`` (``nm --defined-only`` for an archive) |
| symbols --json | ``sffi symbols --json PATH`` | the same nm |
| diff (.so only) | ``sffi diff PATH COPY`` | ``diff <(nm -D PATH) <(nm -D COPY)`` in bash |

COPY is a byte copy of PATH in a temporary directory (two files, as two builds
would be), or ``--diff-against FILE`` (another build of PATH). Every command runs
``--repeat`` times (default 5) after one untimed
warm-up run (files in the page cache), alternating sffi and binutils, output to
/dev/null. Wall time and CPU time (user + system, ``os.wait4``: on a shared,
busy machine the steadier of the two) are medians, peak memory the largest ``ru_maxrss`` of
the process (``os.wait4``; for the bash pipeline, of the largest process it
waited for; this script imports nothing large, so that the children it forks
do not start with a large resident size). Ratios are sffi / binutils. Start-up is included: the sffi
command is ``.venv/bin/sffi`` (or ``--sffi``), a fresh Python each run, with its
modules' byte code cached (``PYTHONDONTWRITEBYTECODE`` is dropped from the children's
environment), as in an installed sffi.
"""

from __future__ import annotations

import argparse
import glob
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import load_line  # noqa: E402


def default_paths() -> list[str]:
    """libtorch_cpu.so, libstdc++, libsqlite3 and a Rust rlib, those present here."""
    patterns = [os.path.join(sys.prefix, "lib", "python3*", "site-packages", "torch", "lib",
                             "libtorch_cpu.so"),
                "/usr/lib/*/libstdc++.so.6", "/usr/lib/*/libsqlite3.so.0",
                os.path.expanduser("~/.rustup/toolchains/*/lib/rustlib/*/lib/libstd-*.rlib")]
    found = []
    for pattern in patterns:
        hits = sorted(glob.glob(pattern))
        if hits:
            found.append(hits[0])
    return found


#: The children's environment: this one without PYTHONDONTWRITEBYTECODE, so that the warm-up
#: run leaves the byte code of sffi's modules in __pycache__ as an installed sffi has it
#: (compiling them again on every run costs ~0.05 s of CPU, measured).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(argv: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds (user + system), peak RSS in MiB) of one run of ``argv``,
    output discarded.

    Raises:
        RuntimeError: the command failed (exit status above 15: sffi diff's 0/4/12 are fine).
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=CHILD_ENV)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode not in (0, 1, 4, 12) or (proc.returncode == 1 and err):
        raise RuntimeError(f"{shlex.join(argv)} failed ({proc.returncode}): {err.strip()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def compare(ours: list[str], theirs: list[str], repeat: int) -> dict:
    """Median wall time and peak memory of both commands, alternating runs after a warm-up."""
    measure(ours), measure(theirs)
    runs = {"ours": [], "theirs": []}
    for _ in range(repeat):
        runs["ours"].append(measure(ours))
        runs["theirs"].append(measure(theirs))
    out = {}
    for who, samples in runs.items():
        out[who] = (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
                    max(s[2] for s in samples))
    return out


def works(path: str, sffi: list[str], tmp: str,
          against: str | None = None) -> list[tuple[str, list[str], list[str]]]:
    """(label, sffi argv, binutils argv) for one input; ``against``: the diff's NEW instead of a byte copy."""
    archive = open(path, "rb").read(8) in (b"!<arch>\n", b"!<thin>\n")
    nm = ["nm", "--defined-only", path] if archive else ["nm", "-D", "--defined-only", path]
    jobs = [("symbols", [*sffi, "symbols", path], nm),
            ("symbols --json", [*sffi, "symbols", "--json", path], nm)]
    if not archive:
        copy = against or os.path.join(tmp, "copy-" + os.path.basename(path))
        if against is None:
            shutil.copyfile(path, copy)
        pipeline = f"diff <(nm -D {shlex.quote(path)}) <(nm -D {shlex.quote(copy)})"
        jobs.append(("diff", [*sffi, "diff", path, copy], ["bash", "-c", pipeline + "; true"]))
    return jobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="inputs (default: libtorch_cpu.so, libstdc++, "
                        "libsqlite3, libstd rlib)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument("--sffi", default=os.path.join(os.path.dirname(sys.executable), "sffi"),
                        help="the sffi command to time (default: the sffi next to this Python)")
    parser.add_argument("--only", choices=("symbols", "symbols --json", "diff"),
                        help="time only this work")
    parser.add_argument("--diff-against", metavar="FILE",
                        help="diff each PATH with FILE (another build) instead of a byte copy")
    args = parser.parse_args(argv)
    paths = args.paths or default_paths()
    if not paths:
        print("no inputs to time (give paths)", file=sys.stderr)
        return 1
    header = ["file", "symbols", "work", "sffi s", "binutils s", "time ratio", "sffi CPU s",
              "binutils CPU s", "CPU ratio", "sffi MiB", "binutils MiB", "memory ratio"]
    print(load_line())
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i < 3 else "---:" for i in range(len(header))) + "|")
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            count = _count(path)
            for label, ours, theirs in works(path, shlex.split(args.sffi), tmp, args.diff_against):
                if args.only and label != args.only:
                    continue
                r = compare(ours, theirs, args.repeat)
                (ts, cs, ms), (tb, cb, mb) = r["ours"], r["theirs"]
                print(f"| {os.path.basename(path)} | {count:,} | {label} | {ts:.3f} | {tb:.3f} | "
                      f"{ts / tb:.2f}x | {cs:.3f} | {cb:.3f} | {cs / max(cb, 0.001):.2f}x | "
                      f"{ms:.0f} | {mb:.0f} | {ms / mb:.2f}x |", flush=True)
    print(f"\n(median of {args.repeat} runs after a warm-up, alternating; CPU: user + system "
          "time of the process and what it waited for; peak RSS; sffi / binutils ratios; "
          "symbols: how many sffi symbols lists)")
    return 0


def _count(path: str) -> int:
    """How many symbols ``sffi symbols`` lists for ``path`` (exports).

    Counted in a child process: this one must stay small, because a child
    forked from it starts with its resident size (``ru_maxrss`` would count it).
    """
    code = ("import sys; from sffi.symbols import exports, scan; "
            "print(len(exports(scan(sys.argv[1]))))")
    return int(subprocess.run([sys.executable, "-c", code, path], check=True, capture_output=True,
                              text=True).stdout)


if __name__ == "__main__":
    sys.exit(main())
