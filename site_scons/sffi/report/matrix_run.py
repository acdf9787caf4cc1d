"""Running one matrix selection's runtime: its smoke scripts and its measurements.

* :func:`run_smokes` runs the smoke scripts of a matrix file (docs/matrix.md)
  with a runtime and records each result;
* :func:`measure_runtime` measures its binary size and digest, externs and start-up time.

Both are called by the SCons tool ``sffi_matrix`` as build actions; their
results are the input of the report (sffi.report.matrix).
"""

from __future__ import annotations

import hashlib
import itertools
import json
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


def run_smokes(program: str | Path, smokes: list[Smoke], root: str | Path, out_dir: str | Path) -> list[dict]:
    """Run each smoke with ``program`` (cwd: the project root) and say how it went.

    Args:
        program: the runtime.
        smokes: what to run, in order.
        root: the project root (scripts and expected files are relative to it).
        out_dir: each smoke gets a fresh ``out_dir/<name>/`` for ``{out}``.

    Returns:
        One dict per smoke: ``name``, ``script``, ``args`` (as run), ``expected``,
        ``returncode`` (None when it timed out), ``passed`` (bool), ``detail``
        (why, one line), ``seconds`` (wall clock) and ``output_tail`` (the last
        lines of stdout then stderr). A failing script is a result, not an error.
    """
    return [_run_smoke(Path(program), smoke, Path(root), Path(out_dir) / smoke.name) for smoke in smokes]


def _run_smoke(program: Path, smoke: Smoke, root: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    args = [a.replace(OUT_PLACEHOLDER, str(out)) for a in smoke.args]
    record = {"name": smoke.name, "script": smoke.script, "args": args, "expected": smoke.expected}
    start = time.perf_counter()
    try:
        proc = subprocess.run([str(program), smoke.script, *args], cwd=root, capture_output=True,
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


def measure_runtime(program: str | Path, table_json: str | Path, runs: int = STARTUP_RUNS) -> dict:
    """Size, externs and start-up time of one runtime.

    Args:
        program: the runtime.
        table_json: its ``sffi_table.json``.
        runs: timed runs of ``simple -e 'print 1'`` (after one untimed warm-up).

    Returns:
        ``binary_size`` (bytes), ``sha256`` (hex digest of the file: equal for two
        reproducible builds, docs/reliability.md), ``externs`` (entries of the table),
        ``startup_ms`` (median wall clock of the timed runs, milliseconds),
        ``startup_samples_ms``, and ``probe`` (``"ok"`` or why ``-e`` failed).
    """
    probe, samples = "ok", []
    for i in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.run([str(program), "-e", STARTUP_CODE], capture_output=True, text=True,
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
            "startup_ms": round(statistics.median(samples), 3) if samples else None,
            "startup_samples_ms": samples}
