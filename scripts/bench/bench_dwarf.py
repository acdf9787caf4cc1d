#!/usr/bin/env python3
"""Time sffi.dwarf.read_prototypes on real objects with debug info.

Usage:
    python scripts/bench/bench_dwarf.py [--repeat N] [--opt=-O0|--opt=-O2] [PATH ...]

Without paths it compiles ``ffi_libs/opencv/src/core.cpp`` (OpenCV 4 and
libstdc++ headers: a C++ object full of template instances) with
``c++ -std=c++17 -g <opt> $(pkg-config --cflags opencv4) -I runtime/include -c``
into a temporary directory. For each file it prints the best of ``--repeat``
runs (default 5, after one untimed warm-up) of ``read_prototypes(path, names)``
with the ``rt_*`` functions it exports, of ``read_prototypes(path)`` (every
external function), and, for comparison, of visiting every DIE with
pyelftools' ``iter_DIEs`` over the same (relocated) sections.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tabulate import tabulate

from sffi import dwarf
from sffi.dwarf.elf import elf_files
from sffi.symbols import exports, scan

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import load_line  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def compile_opencv(out_dir: Path, opt: str) -> Path:
    """core.cpp of the opencv library compiled with -g into ``out_dir``."""
    cflags = subprocess.run(["pkg-config", "--cflags", "opencv4"], capture_output=True, text=True,
                            check=True).stdout
    obj = out_dir / "core.o"
    subprocess.run(["c++", "-std=c++17", "-g", opt, *shlex.split(cflags), f"-I{ROOT / 'runtime/include'}",
                    "-c", str(ROOT / "ffi_libs/opencv/src/core.cpp"), "-o", str(obj)], check=True)
    return obj


def best(fn, repeat: int) -> float:
    """The best wall time of ``repeat`` calls of ``fn`` after one warm-up call, in seconds."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def every_die(path: Path) -> int:
    """Visit every DIE of every unit (the naive walk read_prototypes avoids)."""
    for elf in elf_files(str(path)):  # one ELF file: it stays open in the loop
        info = elf.dwarf_info()
        return sum(1 for cu in info.iter_CUs() for _ in cu.iter_DIEs())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="objects/archives/shared objects (default: opencv core.cpp)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (default 5)")
    parser.add_argument("--opt", default="-O0", help="optimisation flag for the default object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(p) for p in args.paths] or [compile_opencv(Path(tmp), args.opt)]
        rows = []
        for path in paths:
            names = [s.name for s in exports(scan(path)) if s.name.startswith("rt_")]
            found = dwarf.read_prototypes(path, names)
            row = [str(path), path.stat().st_size, f"{len(found)}/{len(names)}",
                   f"{best(lambda: dwarf.read_prototypes(path, names), args.repeat):.3f}",
                   f"{best(lambda: dwarf.read_prototypes(path), args.repeat):.3f}"]
            single = path.read_bytes()[:4] == b"\x7fELF"
            row.append(f"{best(lambda: every_die(path), 2):.3f}" if single else "-")
            rows.append(row)
        print(load_line())
        print(tabulate(rows, headers=["file", "bytes", "rt_* found", "names (s)", "all (s)",
                                      "every DIE (s)"], disable_numparse=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
