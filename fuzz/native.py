"""Build the runtime's libFuzzer targets with clang (ASan + UBSan) under build/fuzz/.

The runtime objects (runtime/src/*.c but main.c) are compiled once with
``-DSPL_FUZZ_BUDGET`` (the interpreter's work budget, runtime/src/interp.h) and
linked with fuzzlib (fuzz/runtime/fuzzlib: side-effect-free externs), the extern
table ``sffi table`` generates for it, and the target's harness:
fuzz/runtime/fuzz_runtime.c compiled once per stage for the script targets,
fuzz_values.c (``runtime_deep``) and fuzz_moddir.c (``runtime_moddir``) for the
value walks and the module directory (issue 24). Nothing is rebuilt when no
input is newer than its output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: SFFI_FUZZ_TRACE_CMP=0 (``scripts/fuzz --no-trace-cmp``) builds without libFuzzer's comparison
#: tracing, under its own directory: runtime_deep spends 60% of its time in those hooks (its
#: walks compare values level by level) and runs 2.5x as many inputs a second without them.
TRACE_CMP = os.environ.get("SFFI_FUZZ_TRACE_CMP", "1") != "0"
OUT = ROOT / "build" / "fuzz" / ("native" if TRACE_CMP else "native-no-trace-cmp")
COVERAGE = [] if TRACE_CMP else ["-fno-sanitize-coverage=trace-cmp"]
HARNESS = ROOT / "fuzz" / "runtime" / "fuzz_runtime.c"
FUZZLIB = ROOT / "fuzz" / "runtime" / "fuzzlib"
STAGES = {"runtime_lex": 1, "runtime_parse": 2, "runtime_resolve": 3, "runtime_interp": 4,
          "runtime_modules": 5,
          "runtime_deep": 0, "runtime_moddir": 0}
#: the harness of each target that is not a stage of HARNESS
HARNESSES = {"runtime_deep": ROOT / "fuzz" / "runtime" / "fuzz_values.c",
             "runtime_moddir": ROOT / "fuzz" / "runtime" / "fuzz_moddir.c"}
#: the targets whose input is a script (the others take bytes: their own seeds, no dictionary)
SCRIPT_TARGETS = [t for t in STAGES if t not in HARNESSES]
SANITIZE = "-fsanitize=address,undefined"
CFLAGS = ["-std=c11", "-O1", "-g", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined",
          "-DSPL_FUZZ_BUDGET", f"-I{ROOT / 'runtime' / 'include'}", f"-I{ROOT / 'runtime' / 'src'}"]


class BuildError(Exception):
    """clang is missing or a compile or link step failed; the message says which and why."""


def clang() -> str:
    """The clang driver on PATH (Debian's ``clang``), or BuildError naming the install command."""
    found = shutil.which("clang")
    if not found:
        raise BuildError("clang is not installed (apt-get install clang); it builds the runtime fuzz targets")
    return found


def _stale(out: Path, inputs: list[Path]) -> bool:
    return not out.exists() or any(p.stat().st_mtime > out.stat().st_mtime for p in inputs)


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"{' '.join(cmd)}\n{proc.stdout}{proc.stderr}")


def _table() -> Path:
    out = OUT / "sffi_table.c"
    inputs = list(FUZZLIB.glob("*")) + list((ROOT / "site_scons" / "sffi").glob("table.py"))
    if _stale(out, inputs):
        OUT.mkdir(parents=True, exist_ok=True)
        _run([sys.executable, "-m", "sffi", "table", str(FUZZLIB), "--c", str(out),
              "--ffi-root", str(ROOT / "ffi_libs")])
    return out


def _objects(cc: str) -> list[Path]:
    headers = list((ROOT / "runtime" / "src").glob("*.h")) + list((ROOT / "runtime" / "include").glob("*.h"))
    sources = [p for p in sorted((ROOT / "runtime" / "src").glob("*.c")) if p.name != "main.c"]
    sources += sorted((FUZZLIB / "src").glob("*.c")) + [_table()]
    objs = []
    for src in sources:
        obj = OUT / "obj" / (src.stem + ".o")
        obj.parent.mkdir(parents=True, exist_ok=True)
        if _stale(obj, [src, *headers]):
            _run([cc, *CFLAGS, SANITIZE, "-fsanitize=fuzzer-no-link", *COVERAGE, "-c", str(src), "-o", str(obj)])
        objs.append(obj)
    return objs


def build(targets: list[str] | None = None) -> dict[str, Path]:
    """Build the runtime fuzz targets; returns {target name: executable}.

    Args:
        targets: names from :data:`STAGES` (default: all of them).
    Raises:
        BuildError: clang missing, or a compile/link failure (with its output).
    """
    cc = clang()
    objs = _objects(cc)
    built = {}
    for name in targets or list(STAGES):
        exe = OUT / name
        harness = HARNESSES.get(name, HARNESS)
        if _stale(exe, [harness, *HARNESS.parent.glob("*.h"), *objs]):  # the harnesses' shared plantbug.h
            _run([cc, *CFLAGS, SANITIZE, "-fsanitize=fuzzer", *COVERAGE, f"-DFUZZ_STAGE={STAGES[name]}",
                  str(harness), *map(str, objs), "-lm", "-lpthread", "-o", str(exe)])
        built[name] = exe
    return built


if __name__ == "__main__":
    for target, path in build(sys.argv[1:] or None).items():
        print(f"{target}: {path.relative_to(ROOT)}")
