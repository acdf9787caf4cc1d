"""Running one matrix selection's runtime: its smoke scripts and its measurements.

* :func:`run_smokes` runs the smoke scripts of a matrix file (docs/matrix.md)
  with a runtime and records each result;
* :func:`measure_runtime` measures its binary size and digest, externs and start-up time;
* :func:`measure_modules` measures how long each module of a module selection
  takes to load (docs/matrix.md, "Module selections").

Both are called by the SCons tool ``sffi_matrix`` as build actions; their
results are the input of the report (sffi.report.matrix).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from sffi.report.matrix_file import Smoke

#: Substituted in a smoke's ``args`` by that smoke's own output directory.
OUT_PLACEHOLDER = "{out}"
#: ``simple -e`` runs timed for the start-up column (after one untimed warm-up run).
STARTUP_RUNS = 5
STARTUP_CODE = "print 1"
TAIL_LINES = 20
#: the runtime's own timing lines with SIMPLE_FFI_TIMING=1 (docs/modules.md, "Timing")
_TIMING_RE = re.compile(r"^sffi-timing (index|load) (.*)$")


def ffi_path_args(modules) -> list[str]:
    """``--ffi-path DIR`` for the directory of each module file, in order, each directory once."""
    dirs = dict.fromkeys(str(Path(m).parent) for m in modules)
    return [arg for d in dirs for arg in ("--ffi-path", d)]


def run_smokes(program: str | Path, smokes: list[Smoke], root: str | Path, out_dir: str | Path,
               modules=()) -> list[dict]:
    """Run each smoke with ``program`` (cwd: the project root) and say how it went.

    Args:
        program: the runtime.
        smokes: what to run, in order.
        root: the project root (scripts and expected files are relative to it).
        out_dir: each smoke gets a fresh ``out_dir/<name>/`` for ``{out}``.
        modules: module files whose directories the runtime searches (``--ffi-path``
            before the script; a module selection's, else none).

    Returns:
        One dict per smoke: ``name``, ``script``, ``args`` (as run), ``expected``,
        ``returncode`` (None when it timed out), ``passed`` (bool), ``detail``
        (why, one line), ``seconds`` (wall clock) and ``output_tail`` (the last
        lines of stdout then stderr). A failing script is a result, not an error.
    """
    pre = ffi_path_args(modules)
    return [_run_smoke(Path(program), smoke, Path(root), Path(out_dir) / smoke.name, pre) for smoke in smokes]


def _run_smoke(program: Path, smoke: Smoke, root: Path, out: Path, pre: list[str]) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    args = [a.replace(OUT_PLACEHOLDER, str(out)) for a in smoke.args]
    record = {"name": smoke.name, "script": smoke.script, "args": args, "expected": smoke.expected}
    if pre:
        record["runtime_args"] = pre
    start = time.perf_counter()
    try:
        proc = subprocess.run([str(program), *pre, smoke.script, *args], cwd=root, capture_output=True,
                              text=True, errors="replace", timeout=smoke.timeout_s)
    except subprocess.TimeoutExpired as exc:
        output = _text(exc.stdout) + _text(exc.stderr)
        return {**record, "returncode": None, "passed": False, "seconds": round(time.perf_counter() - start, 3),
                "detail": f"timed out after {smoke.timeout_s:g} s", "output_tail": _tail(output)}
    detail = _verdict(proc, smoke, root)
    return {**record, "returncode": proc.returncode, "passed": detail == "ok",
            "seconds": round(time.perf_counter() - start, 3), "detail": detail,
            "output_tail": _tail(proc.stdout + proc.stderr)}


def _text(data) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data or ""


def _verdict(proc: subprocess.CompletedProcess, smoke: Smoke, root: Path) -> str:
    """``"ok"``, or why the run failed (one line)."""
    if proc.returncode != 0:
        first = next((line for line in proc.stderr.splitlines() if line.strip()), "")
        return f"exit status {proc.returncode}" + (f": {first.strip()}" if first else "")
    if smoke.expected is None:
        return "ok"
    want = (root / smoke.expected).read_text(encoding="utf-8").splitlines()
    got = proc.stdout.splitlines()
    for line, (w, g) in enumerate(itertools.zip_longest(want, got), start=1):
        if w != g:
            show = lambda text: "the end of the output" if text is None else repr(text)  # noqa: E731
            return f"stdout differs from {smoke.expected} at line {line}: expected {show(w)}, got {show(g)}"
    return "ok"


def _tail(output: str) -> str:
    return "\n".join(output.splitlines()[-TAIL_LINES:])


def measure_runtime(program: str | Path, table_json: str | Path, runs: int = STARTUP_RUNS, modules=()) -> dict:
    """Size, externs and start-up time of one runtime.

    Args:
        program: the runtime.
        table_json: its ``sffi_table.json``.
        runs: timed runs of ``simple -e 'print 1'`` (after one untimed warm-up).
        modules: module files on its search path (``--ffi-path``; ``print 1`` loads none).

    Returns:
        ``binary_size`` (bytes), ``sha256`` (hex digest of the file: equal for two
        reproducible builds, docs/reliability.md), ``externs`` (entries of the table),
        ``startup_ms`` (median wall clock of the timed runs, milliseconds),
        ``startup_samples_ms``, and ``probe`` (``"ok"`` or why ``-e`` failed).
    """
    probe, samples = "ok", []
    for i in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.run([str(program), *ffi_path_args(modules), "-e", STARTUP_CODE], capture_output=True, text=True,
                              errors="replace", timeout=60)
        elapsed_ms = (time.perf_counter() - start) * 1000
        if proc.returncode != 0 or proc.stdout != "1\n":
            probe = f"`simple -e '{STARTUP_CODE}'` exited {proc.returncode} printing {proc.stdout[:80]!r}: " \
                    f"{proc.stderr.strip()[:200]}"
            break
        if i:
            samples.append(round(elapsed_ms, 3))
    entries = json.loads(Path(table_json).read_text(encoding="utf-8"))["entries"]
    return {"binary_size": Path(program).stat().st_size, "externs": len(entries), "probe": probe,
            "sha256": hashlib.sha256(Path(program).read_bytes()).hexdigest(),
            "startup_ms": _median_ms(samples),
            "startup_samples_ms": samples}


def measure_modules(program: str | Path, probes: list[dict], out_dir: str | Path, runs: int = STARTUP_RUNS) -> list[dict]:
    """How long each module takes to load, as the runtime times itself.

    For each probe a script of two lines, the probe's ``declaration`` (one extern
    of the module) and ``print 1``, is run ``runs`` times (after one untimed
    warm-up) with every probe's module on the search path and ``SIMPLE_FFI_TIMING=1``:
    the runtime then prints, on stderr, how long reading the search path's
    sections took (``index``) and how long checking, ``dlopen``-ing and attaching
    the module took (``load``; docs/modules.md, "Timing").

    Args:
        program: the runtime (without the modules' libraries linked in).
        probes: ``{"library", "module", "declaration"}`` per module (sffi.plan.matrix_plan.module_probes).
        out_dir: where the probe scripts are written.
        runs: timed runs per module.

    Returns:
        Per probe: ``library``, ``module``, ``extern`` (the declaration), ``load_ms``
        (median of index + load, milliseconds: what the first extern of the module
        costs), ``dlopen_ms`` and ``index_ms`` (medians), ``script_ms`` (median wall
        clock of the whole run), ``samples_ms`` (index + load per run) and ``probe``
        (``"ok"`` or why a run failed).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pre = ffi_path_args([p["module"] for p in probes])
    env = {**os.environ, "SIMPLE_FFI_TIMING": "1"}
    return [_measure_module(program, p, out / f"load_{p['library']}.spl", pre, env, runs) for p in probes]


def _measure_module(program, probe: dict, script: Path, pre: list[str], env: dict, runs: int) -> dict:
    script.write_text(f"{probe['declaration']}\n{STARTUP_CODE}\n", encoding="utf-8")
    record = {"library": probe["library"], "module": probe["module"], "extern": probe["declaration"]}
    loads, dlopens, indexes, walls, problem = [], [], [], [], "ok"
    for i in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.run([str(program), *pre, str(script)], capture_output=True, text=True,
                              errors="replace", timeout=120, env=env)
        wall = (time.perf_counter() - start) * 1000
        timing = _timing(proc.stderr, probe["library"])
        if proc.returncode != 0 or proc.stdout != "1\n" or timing is None:
            problem = f"exited {proc.returncode}: {proc.stderr.strip()[:300] or 'no sffi-timing line for it'}"
            break
        if i:
            indexes.append(timing[0])
            loads.append(timing[0] + timing[1])
            dlopens.append(timing[2])
            walls.append(wall)
    return {**record, "load_ms": _median_ms(loads), "dlopen_ms": _median_ms(dlopens),
            "index_ms": _median_ms(indexes), "script_ms": _median_ms(walls), "samples_ms": [round(x, 3) for x in loads], "probe": problem}


def _median_ms(samples: list[float]) -> float | None:
    """The median of ``samples`` (milliseconds) to 3 decimals, or None without one."""
    return round(statistics.median(samples), 3) if samples else None


def _timing(stderr: str, library: str) -> tuple[float, float, float] | None:
    """(index ms, load ms, dlopen ms) from the runtime's sffi-timing lines, or None without a load of ``library``."""
    index, load = 0.0, None
    for line in stderr.splitlines():
        m = _TIMING_RE.match(line)
        if not m:
            continue
        fields = dict(kv.split("=", 1) for kv in m.group(2).split(" ") if "=" in kv)
        if m.group(1) == "index":
            index = float(fields["ms"])
        elif fields.get("library") == library and fields.get("ok") == "1":
            load = (float(fields["ms"]), float(fields["dlopen_ms"]))
    return None if load is None else (index, load[0], load[1])
