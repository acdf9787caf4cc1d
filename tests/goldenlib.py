"""Helpers shared by the golden tests (tests/runtime: test_golden.py, test_marshal.py, ...; tests/ffi_libs/core); format in README.md."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
from pathlib import Path

VALGRIND_ERROR = 99
SANITIZER_ERROR = 98
VALGRIND_ARGS = ["-q", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                 f"--error-exitcode={VALGRIND_ERROR}"]
SANITIZER_ENV = {"ASAN_OPTIONS": f"detect_leaks=1:exitcode={SANITIZER_ERROR}",
                 "LSAN_OPTIONS": f"exitcode={SANITIZER_ERROR}",
                 "UBSAN_OPTIONS": f"halt_on_error=1:print_stacktrace=1:exitcode={SANITIZER_ERROR}"}
CHANGES: list[str] = []  # what an update run changed, printed at the end (tests/runtime/conftest.py)

# Update mode: record what the runtime prints instead of comparing. Refused under
# CI=true (tests/cipolicy.py), where it would make every golden test pass.
UPDATE = os.environ.get("SIMPLE_GOLDEN_UPDATE") == "1"


def _read(path: Path, default: str = "") -> str:
    return path.read_text(encoding="utf-8") if path.exists() else default


def expected(script: Path) -> tuple[str, str, int]:
    """(stdout, stderr, status) that `script` must produce."""
    status = _read(script.with_suffix(".status"), "0").strip()
    return _read(script.with_suffix(".out")), _read(script.with_suffix(".err")), int(status)


def run_script(binary: Path, script: Path, workdir: Path, wrapper: list[str] = (),
               extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs `script` (copied into `workdir`) the way every golden test does."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(script, workdir / script.name)
    args = _read(script.with_suffix(".args")).splitlines()
    env = dict(os.environ, SIMPLE_GOLDEN_VAR="golden", **(extra_env or {}))
    env.pop("SIMPLE_GOLDEN_UNSET", None)
    return subprocess.run([*wrapper, str(binary), script.name, *args], cwd=workdir, env=env,
                          capture_output=True, timeout=300)


def _write_expected(script: Path, out: str, err: str, status: int) -> None:
    """Records the expected files, noting in CHANGES each one created, rewritten or removed (with its diff)."""
    for suffix, text in ((".out", out), (".err", err), (".status", f"{status}\n" if status else "")):
        path = script.with_suffix(suffix)
        old = _read(path, None)
        if text == (old or ""):
            continue
        if text:
            path.write_text(text, encoding="utf-8")
        else:
            path.unlink()
        _note_change(path, old, text)


def _note_change(path: Path, old: str | None, new: str) -> None:
    verb = "created" if old is None else "removed" if not new else "rewrote"
    diff = difflib.unified_diff((old or "").splitlines(keepends=True), new.splitlines(keepends=True),
                                f"a/{path.name}", f"b/{path.name}")
    lines = [line if line.endswith("\n") else line + "\n" for line in diff]
    shown = "".join(lines[:40]) + (f"... ({len(lines) - 40} more diff lines)\n" if len(lines) > 40 else "")
    CHANGES.append(f"{verb} {path}\n{shown}")


def check(proc: subprocess.CompletedProcess, script: Path, update: bool = False) -> None:
    """Asserts that `proc` produced what `script` expects (or records it when updating)."""
    got = (proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"), proc.returncode)
    if update and UPDATE:
        _write_expected(script, *got)
    out, err, status = expected(script)
    assert got[2] == status, got[1][-4000:]
    assert got[0] == out
    assert got[1] == err
