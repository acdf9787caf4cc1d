"""What reading the SConstruct of a runtime build loads and runs (issue 25, item 7): not the
host kit's generators, not the matrix's builders; and a second run asks no detection program
again. Speed itself is measured by scripts/bench/bench_noop.py, not here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from buildhelp import ROOT
from sffi.plan import layout

IGNORE = shutil.ignore_patterns(layout.BUILD_ROOT, ".venv", ".git", "__pycache__", ".pytest_cache", "target",
                                "Cargo.lock")

pytestmark = pytest.mark.slow


def _imports(cwd: Path, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "SCons", "-Q", "-n", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stderr


def test_a_runtime_build_loads_no_host_kit_and_no_matrix_builders():
    loaded = _imports(ROOT, "runtime", "--with=none")
    assert "sffi.hostkit" not in loaded and "sffi_matrix" not in loaded
    assert "sffi.hostkit" in _imports(ROOT, "hostkit", "--with=none")  # asked for, it is planned


def test_detection_programs_run_once_then_their_answers_are_kept(tmp_path):
    """A pkg-config dependency (sqlite3) through a pkg-config that logs each run: the first
    build runs it, the second finds every answer in build/.detect-cache.json."""
    real = shutil.which("pkg-config")
    if real is None:
        pytest.skip("pkg-config is not installed")
    copy = tmp_path / "sffi"
    shutil.copytree(ROOT, copy, ignore=IGNORE)
    wrapper, log = tmp_path / "bin" / "pkg-config", tmp_path / "pkg-config.log"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    env = {**os.environ, "PATH": f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}"}
    header = layout.Layout("release").prototypes("core")  # cheap; the run still detects sqlite's dependency

    def build() -> int:
        proc = subprocess.run([sys.executable, "-m", "SCons", "-Q", "--with=sqlite", header], cwd=copy, env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        return len(log.read_text().splitlines()) if log.exists() else 0

    first = build()
    assert first >= 2 and "sqlite3" in log.read_text()
    assert all(k.startswith("pkg-config") for k in json.loads((copy / layout.DETECT_CACHE).read_text()))
    assert build() == first  # nothing asked again
    (copy / layout.DETECT_CACHE).unlink()
    assert build() > first  # without the cache, asked again
