"""Run sffi's fuzz targets for a bounded time each and collect their figures.

Targets (docs/reliability.md):

* native, libFuzzer + ASan + UBSan (fuzz/native.py builds them): ``runtime_lex``,
  ``runtime_parse``, ``runtime_resolve``, ``runtime_interp``, ``runtime_modules`` (scripts),
  ``runtime_deep`` (value walks) and ``runtime_moddir`` (a module directory);
* Python, atheris (fuzz/py/targets.py): ``decls``, ``manifest``, ``matrix``,
  ``suppressions``, ``symbols_elf``, ``symbols_ar``, ``dwarf``.

Each run reads the committed seeds (fuzz/runtime/seeds, fuzz/py/seeds/TARGET) and
the generated binary seeds (compiled from fuzz/py/seeds_src/seed.c into
build/fuzz/seeds/), grows its corpus in the directory it is given, and writes a
crash, timeout or out-of-memory input under ``artifacts`` (libFuzzer's
``-artifact_prefix``). scripts/fuzz runs a long campaign; tests/fuzz runs every
target for a few seconds.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from fuzz import native

ROOT = native.ROOT
NATIVE = list(native.STAGES)
PYTHON = ["decls", "manifest", "matrix", "suppressions", "symbols_elf", "symbols_ar", "dwarf"]
TARGETS = NATIVE + PYTHON
GENERATED_SEEDS = ROOT / "build" / "fuzz" / "seeds"
#: max_len per target (bytes), for throughput: libFuzzer mutates short inputs fastest,
#: and these hold real files (the seeds). Not a guard: inputs of any size are
#: handled (tests/runtime/test_limits.py runs 500,000-operator scripts).
#: runtime_deep's input is a stack program over at most 16 values: 256 bytes build
#: every shape it can hold, and longer programs only run slower.
MAX_LEN = {**{t: 4096 for t in NATIVE}, "runtime_deep": 256, "decls": 8192, "manifest": 4096, "matrix": 4096,
           "suppressions": 4096, "symbols_elf": 65536, "symbols_ar": 65536, "dwarf": 65536}

_DONE_RE = re.compile(r"#(\d+)\s+DONE\s+cov: (\d+) ft: (\d+) corp: (\d+)/")
_STAT_RE = re.compile(r"stat::(\w+):\s+(\d+)")
_ARTIFACT_RE = re.compile(r"Test unit written to (\S+)")


@dataclasses.dataclass
class Result:
    """The figures of one run: executions, coverage (libFuzzer's ``cov``: edges or,
    for atheris, Python branches; ``ft``: features), corpus size, the artifacts
    written (crashes, timeouts, out-of-memory inputs) and where the log is."""

    target: str
    seconds: int
    execs: int = 0
    cov: int = 0
    ft: int = 0
    corpus: int = 0
    peak_rss_mb: int = 0
    artifacts: list[str] = dataclasses.field(default_factory=list)
    status: int = 0
    log: str = ""

    @property
    def ok(self) -> bool:
        """No artifact and a clean exit."""
        return self.status == 0 and not self.artifacts


def _compile_seeds(out: Path) -> None:
    """Object, shared object, archive (regular and thin) and debug object of seed.c."""
    src = ROOT / "fuzz" / "py" / "seeds_src" / "seed.c"
    for d in ("symbols_elf", "symbols_ar", "dwarf"):
        (out / d).mkdir(parents=True, exist_ok=True)
    work = out / "work"
    work.mkdir(exist_ok=True)
    cc = os.environ.get("CC", "cc")
    steps = [
        [cc, "-c", "-O1", "-fPIC", str(src), "-o", str(out / "symbols_elf" / "seed.o")],
        [cc, "-shared", "-O1", "-fPIC", "-s", str(src), "-o", str(out / "symbols_elf" / "libseed.so")],
        [cc, "-c", "-O0", "-g", "-fPIC", str(src), "-o", str(out / "dwarf" / "seed_g.o")],
        [cc, "-c", "-O1", "-DNDEBUG", "-fPIC", str(src), "-o", str(work / "b.o")],
        ["ar", "rcD", str(out / "symbols_ar" / "libseed.a"), str(out / "symbols_elf" / "seed.o"), str(work / "b.o")],
        ["ar", "rcDT", str(out / "symbols_ar" / "libthin.a"), str(work / "b.o")],
    ]
    for cmd in steps:
        subprocess.run(cmd, check=True, capture_output=True)


def seed_dirs(target: str) -> list[Path]:
    """The seed directories of ``target`` (binary seeds are compiled on first use)."""
    if target in native.HARNESSES:
        return [ROOT / "fuzz" / "runtime" / f"seeds_{target.removeprefix('runtime_')}"]
    if target in NATIVE:
        return [ROOT / "fuzz" / "runtime" / "seeds"]
    if target in ("symbols_elf", "symbols_ar", "dwarf"):
        if not (GENERATED_SEEDS / target).is_dir():
            _compile_seeds(GENERATED_SEEDS)
        return [GENERATED_SEEDS / target]
    return [ROOT / "fuzz" / "py" / "seeds" / target]


def command(target: str, seconds: int, corpus: Path, artifacts: Path, max_len: int | None = None) -> list[str]:
    """The command line that fuzzes ``target`` for ``seconds`` (libFuzzer flags)."""
    flags = [f"-max_total_time={seconds}", f"-max_len={max_len or MAX_LEN[target]}", "-timeout=30",
             "-rss_limit_mb=2048", "-print_final_stats=1", f"-artifact_prefix={artifacts}/",
             "-close_fd_mask=3" if target in NATIVE else "-close_fd_mask=1"]
    dirs = [str(corpus), *map(str, seed_dirs(target))]
    if target in NATIVE:
        exe = native.build([target])[target]
        if target in native.SCRIPT_TARGETS:
            flags.append(f"-dict={ROOT / 'fuzz' / 'runtime' / 'simple.dict'}")
        return [str(exe), *flags, *dirs]
    return [sys.executable, "-m", "fuzz.py.run_atheris", target, *flags, "-atheris_runs=0", *dirs]


def parse_log(result: Result, text: str) -> None:
    """Fill ``result`` from a libFuzzer log (the DONE line, stat:: lines, artifacts)."""
    for m in _DONE_RE.finditer(text):
        result.execs, result.cov, result.ft, result.corpus = map(int, m.groups())
    stats = dict(_STAT_RE.findall(text))
    result.execs = int(stats.get("number_of_executed_units", result.execs))
    result.peak_rss_mb = int(stats.get("peak_rss_mb", 0))
    result.artifacts = _ARTIFACT_RE.findall(text)
    if not result.cov:  # a crash ends the run before DONE: take the last status line
        last = re.findall(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/", text)
        if last:
            result.cov, result.ft, result.corpus = map(int, last[-1][1:])


def run(target: str, seconds: int, work: Path, env: dict | None = None) -> Result:
    """Fuzz ``target`` for ``seconds``; corpus in ``work/corpus/TARGET``, log and
    artifacts in ``work/logs`` and ``work/artifacts/TARGET``."""
    work = work.resolve()  # the fuzzer runs in it
    corpus, artifacts = work / "corpus" / target, work / "artifacts" / target
    for d in (corpus, artifacts, work / "logs"):
        d.mkdir(parents=True, exist_ok=True)
    log = work / "logs" / f"{target}.log"
    cmd = command(target, seconds, corpus, artifacts)
    run_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "site_scons")]),
               "ASAN_OPTIONS": "detect_leaks=1:allocator_may_return_null=0", **(env or {})}
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=work, env=run_env)
        try:  # generous: start-up (atheris instruments its modules) is slow on a loaded machine
            status = proc.wait(timeout=2 * seconds + 300)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            out.write(f"\nscripts/fuzz: {target} did not stop after {2 * seconds + 300} s; killed\n")
            status = -9
    result = Result(target, seconds, status=status, log=str(log))
    parse_log(result, log.read_text(errors="replace"))
    return result


def clean(work: Path) -> None:
    """Remove a work directory made by :func:`run`."""
    shutil.rmtree(work, ignore_errors=True)
