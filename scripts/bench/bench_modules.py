#!/usr/bin/env python3
"""What loadable FFI modules cost (docs/modules.md, "Figures").

Three comparisons, each printed as best / median and the ratio side by side:

1. start-up, ``print 1``: the core-only runtime with the torch module on its
   search path (SIMPLE_FFI_PATH) against the same runtime without it
   (whole-process wall time; the module is never read, let alone loaded);
2. start-up, a script that uses torch (a 2x2 tensor, its sum): the core-only
   runtime loading the torch module against the runtime with torch linked in
   (whole-process wall time);
3. trivial extern calls: a 10M-iteration loop calling ``rt_bench_nop() -> i64``
   compiled into a runtime, against the same library as a module loaded by an
   otherwise identical runtime (both built here with the same flags; the loop
   is timed inside the script with rt_time_now_monotonic_ms; the two runtimes
   take turns).

Figures 1-2 need ``scons runtime --with=torch`` and ``scons runtime --with=none
--modules=torch`` first; without them only figure 3 is measured.

Start-up runs of the two sides of a figure are taken in turns, so that other
load on the machine weighs on both alike; the load average is printed before
and after.

    scripts/bench/bench_modules.py [--runs 40] [-n 10000000] [--repeat 5]
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "site_scons"))

from sffi import decls, module_table, table  # noqa: E402
from sffi.plan import layout  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import load_line  # noqa: E402

LAYOUT = layout.Layout("release")
CORE = ROOT / LAYOUT.sel_dir("core") / layout.RUNTIME
TORCH_LINKED = ROOT / LAYOUT.sel_dir("core+torch") / layout.RUNTIME
TORCH_MODULE_DIR = ROOT / LAYOUT.module_dir("torch")

TORCH_SCRIPT = """\
extern fn rt_torch_tensor_ones(dims: [i64]) -> i64
extern fn rt_torch_torchtensor_sum(handle: i64) -> f64
extern fn rt_torch_torchtensor_free(handle: i64)
val t = rt_torch_tensor_ones([2, 2])
print rt_torch_torchtensor_sum(t)
rt_torch_torchtensor_free(t)
"""
BENCH_DECLS = "extern fn rt_bench_nop() -> i64\n"
BENCH_C = "#include <stdint.h>\nint64_t rt_bench_nop(void) { return 1; }\n"
LOOP = BENCH_DECLS + """\
extern fn rt_time_now_monotonic_ms() -> i64
extern fn rt_args() -> [text]
val n = int(rt_args()[0])
var x = 0
val t0 = rt_time_now_monotonic_ms()
for i in 0..n:
    x = rt_bench_nop()
print rt_time_now_monotonic_ms() - t0
"""


def wall(cmd: list[str], env: dict) -> float:
    """Seconds one run of ``cmd`` took, start to exit; exits on failure."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed


def bench_env(ffi_path: str | None) -> dict:
    """The environment without SIMPLE_FFI_PATH, or with it set to ``ffi_path``."""
    env = {k: v for k, v in os.environ.items() if k != "SIMPLE_FFI_PATH"}
    if ffi_path:
        env["SIMPLE_FFI_PATH"] = ffi_path
    return env


def interleaved(subject: list[str], base: list[str], runs: int, subject_path: str | None = None,
                base_path: str | None = None) -> tuple[list[float], list[float]]:
    """Wall seconds of ``runs`` runs of each command, taken in turns (subject, base, base,
    subject, ...) after one warm-up of each, so that load on the machine weighs on both alike."""
    envs = (bench_env(subject_path), bench_env(base_path))
    cmds = (subject, base)
    for cmd, env in zip(cmds, envs):
        wall(cmd, env)  # warm-up: files in the page cache
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(runs):
        for k in ((0, 1) if i % 2 == 0 else (1, 0)):
            times[k].append(wall(cmds[k], envs[k]))
    return times


def cc(*args) -> None:
    subprocess.run([os.environ.get("CC", "cc"), *map(str, args)], check=True)


def build_call_pair(out: Path) -> tuple[Path, Path, Path]:
    """(runtime with bench compiled in, core-only runtime, module directory), built with one set of flags."""
    core_lib, _ = decls.parse_files([ROOT / "ffi_libs" / "core" / "core.spl"])
    bench_spl = out / "bench.spl"
    bench_spl.write_text(BENCH_DECLS)
    (out / "bench.c").write_text(BENCH_C)
    core = table.LibraryDecls("core", core_lib)
    bench = table.LibraryDecls("bench", decls.parse_files([bench_spl])[0])
    (out / "with.c").write_text(table.generate_c([bench, core], []))
    (out / "without.c").write_text(table.generate_c([core], [bench]))
    (out / "module.c").write_text(module_table.generate_c(bench, module_table.facts(bench, "bench")))
    (out / "exports.map").write_text("{ global: sffi_module_descriptor; local: *; };\n")
    flags = ["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-O2", f"-I{ROOT / 'runtime' / 'include'}"]
    sources = sorted((ROOT / "runtime" / "src").glob("*.c")) + sorted((ROOT / "ffi_libs" / "core" / "src").glob("*.c"))
    cc(*flags, *sources, out / "with.c", out / "bench.c", "-o", out / "with", "-lm", "-pthread")
    cc(*flags, *sources, out / "without.c", "-o", out / "without", "-lm", "-pthread")
    (out / "mods").mkdir()
    cc(*flags, "-fPIC", "-shared", out / "module.c", out / "bench.c", f"-Wl,--version-script={out / 'exports.map'}", "-Wl,-z,now",
       "-o", out / "mods" / "libsffi_bench.so")
    return out / "with", out / "without", out / "mods"


def loop_s(runtime: Path, script: Path, n: int, ffi_path: str | None = None) -> float:
    """Seconds the script's loop took, as it timed itself."""
    proc = subprocess.run([str(runtime), str(script), str(n)], capture_output=True, text=True, env=bench_env(ffi_path))
    if proc.returncode != 0:
        sys.exit(f"bench: {runtime} {script} failed:\n{proc.stderr}")
    return float(proc.stdout.strip()) / 1e3


def loop_pair(module_rt: Path, linked_rt: Path, mods: Path, script: Path, n: int,
              repeat: int) -> tuple[list[float], list[float]]:
    """The loop ``repeat`` times on each runtime, in turns (module first, then linked first, ...)."""
    module, linked = [], []
    for i in range(repeat):
        order = ((module, module_rt, mods), (linked, linked_rt, None))
        for times, rt, path in (order if i % 2 == 0 else order[::-1]):
            times.append(loop_s(rt, script, n, str(path) if path else None))
    return module, linked


def row(name: str, subject: list[float], base: list[float], unit: float = 1e3) -> str:
    b, m = min(subject), statistics.median(subject)
    bb, bm = min(base), statistics.median(base)
    return (f"| {name} | {b * unit:.2f} / {m * unit:.2f} | {bb * unit:.2f} / {bm * unit:.2f} "
            f"| {b / bb:.3f}x / {m / bm:.3f}x |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=40, help="start-up runs per side and figure (after one warm-up), "
                                                        "the two sides taken in turns")
    p.add_argument("-n", type=int, default=10_000_000, help="extern calls per loop")
    p.add_argument("--repeat", type=int, default=5, help="loop runs per runtime")
    args = p.parse_args(argv)
    print(load_line("before"))
    print("| measurement (ms, best / median) | subject | baseline | ratio |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        have_torch = CORE.exists() and TORCH_LINKED.exists() and (TORCH_MODULE_DIR / "libsffi_torch.so").exists()
        if have_torch:
            (tmp / "p.spl").write_text("print 1\n")
            (tmp / "t.spl").write_text(TORCH_SCRIPT)
            print(row("`print 1`: core + torch module on the path vs core-only",
                      *interleaved([str(CORE), str(tmp / "p.spl")], [str(CORE), str(tmp / "p.spl")], args.runs,
                                   str(TORCH_MODULE_DIR))))
            print(row("torch script: core + torch module vs torch linked in",
                      *interleaved([str(CORE), str(tmp / "t.spl")], [str(TORCH_LINKED), str(tmp / "t.spl")],
                                   args.runs, str(TORCH_MODULE_DIR))))
        else:
            print("| (torch figures skipped: build the torch runtime and module first, see --help) | | | |")
        with_bench, without, mods = build_call_pair(tmp)
        (tmp / "loop.spl").write_text(LOOP)
        module, linked = loop_pair(without, with_bench, mods, tmp / "loop.spl", args.n, args.repeat)
        print(row(f"{args.n:,} extern calls: module binding vs compiled-in", module, linked))
        print(f"\ncalls/s, best: module {args.n / min(module):,.0f}, compiled-in {args.n / min(linked):,.0f}")
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
