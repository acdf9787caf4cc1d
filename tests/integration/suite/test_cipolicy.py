"""tests/cipolicy.py: under CI=true a broken set-up fails the run instead of turning into skips.

The broken set-ups are real: the suite's own torch and valgrind tests run in a
subprocess pytest with the torch package made unimportable (a ``-p`` plugin
that puts None in ``sys.modules["torch"]``) and valgrind off PATH. Their skips
happen before any fixture builds a runtime, so these runs take seconds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cipolicy
from buildhelp import ROOT

GOLDEN = sorted(p.stem for p in (ROOT / "tests" / "runtime" / "golden").glob("*.spl"))
GOLDEN_SCRIPTS = len(GOLDEN)
BROKEN_TARGETS = ["tests/ffi_libs/torch/test_torch.py", "tests/runtime/test_golden.py::test_golden_valgrind"]


def pytest_run(args: list[str], cwd: Path, tmp_path: Path, ci: bool, **env: str) -> subprocess.CompletedProcess:
    """``python -m pytest ARGS`` in ``cwd`` with $CI set or unset; ``env`` adds variables."""
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", *cipolicy.UPDATE_MODES)}
    environ.update(env, **({"CI": "true"} if ci else {}))
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-ra", *args], cwd=cwd,
                          env=environ, capture_output=True, text=True, timeout=300)


def summary(proc: subprocess.CompletedProcess) -> dict[str, int]:
    """pytest's final counts, e.g. {"failed": 1, "errors": 50}."""
    last = proc.stdout.strip().splitlines()[-1]
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", last)}
    return {("errors" if k == "error" else k): v for k, v in counts.items()}


@pytest.fixture
def broken_setup(tmp_path: Path) -> dict[str, str]:
    """Environment variables for a set-up without the torch package and without valgrind."""
    (tmp_path / "hide_torch.py").write_text('import sys\nsys.modules["torch"] = None  # import torch fails\n')
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    return {"PYTHONPATH": str(tmp_path), "PATH": str(empty_bin)}


def test_broken_setup_fails_under_ci_naming_what_skipped_and_why(tmp_path, broken_setup):
    proc = pytest_run(["-p", "hide_torch", *BROKEN_TARGETS], ROOT, tmp_path, ci=True, **broken_setup)
    assert proc.returncode == 1, proc.stdout[-4000:]
    out = proc.stdout
    assert "skip policy (CI=true): a skip fails unless its reason matches 'needs a CUDA device.*'" in out
    assert ("FAILED tests/ffi_libs/torch/test_torch.py::[skipped-at-collection] - Failed: tests/ffi_libs/torch/test_torch.py was "
            "skipped under CI=true, and the reason is not on the allow list (tests/skips-allowed.toml): "
            "libtorch not available:") in out
    for script in (GOLDEN[0], GOLDEN[-1]):
        assert (f"ERROR tests/runtime/test_golden.py::test_golden_valgrind[{script}] - "
                f"tests/runtime/test_golden.py::test_golden_valgrind[{script}] was skipped under CI=true, and the "
                f"reason is not on the allow list (tests/skips-allowed.toml): valgrind is not installed") in out
    assert summary(proc) == {"failed": 1, "errors": GOLDEN_SCRIPTS}


def test_the_same_setup_outside_ci_only_skips(tmp_path, broken_setup):
    """The control: without CI=true the same broken set-up "passes" with skips, as it did before."""
    proc = pytest_run(["-p", "hide_torch", *BROKEN_TARGETS], ROOT, tmp_path, ci=False, **broken_setup)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "skip policy" not in proc.stdout
    assert re.search(r"^SKIPPED \[1\] tests/ffi_libs/torch/test_torch.py:\d+: libtorch not available:", proc.stdout, re.M)
    assert summary(proc) == {"skipped": GOLDEN_SCRIPTS + 1}


TINY_SUITE = '''
import pytest

def test_passes():
    pass

def test_without_cuda():
    pytest.skip("needs a CUDA device (torch.cuda.is_available() is False)")

@pytest.mark.skipif(True, reason="needs a CUDA device, none was found")
def test_skipif_cuda():
    pass

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False

def test_missing_tool():
    pytest.skip("abidiff is not installed")

@pytest.mark.parametrize("case", [])
def test_empty_parameter_set(case):
    pass
'''


def test_allowed_reasons_and_xfail_pass_others_fail(tmp_path):
    (tmp_path / "test_tiny.py").write_text(TINY_SUITE)
    (tmp_path / "test_gpu_module.py").write_text(
        'import pytest\npytest.skip("needs a CUDA device", allow_module_level=True)\n')
    (tmp_path / "test_missing_module.py").write_text(
        'import pytest\npytest.importorskip("sffi_no_such_module")\ndef test_x():\n    pass\n')
    args = ["-p", "cipolicy", "--rootdir", str(tmp_path), str(tmp_path)]
    proc = pytest_run(args, tmp_path, tmp_path, ci=True, PYTHONPATH=str(ROOT / "tests"))
    assert proc.returncode == 1, proc.stdout
    # a skip in setup (skipif, an empty parameter set) fails as an error, in the call as a failure
    assert summary(proc) == {"failed": 2, "errors": 1, "passed": 1, "skipped": 3, "xfailed": 1}
    failed = sorted(re.findall(r"^(?:FAILED|ERROR) (\S+)", proc.stdout, re.M))
    assert failed == ["test_missing_module.py::[skipped-at-collection]", "test_tiny.py::test_empty_parameter_set[NOTSET]",
                      "test_tiny.py::test_missing_tool"]
    assert "reason is not on the allow list (tests/skips-allowed.toml): abidiff is not installed" in proc.stdout
    assert "could not import 'sffi_no_such_module'" in proc.stdout
    assert "got empty parameter set" in proc.stdout


def test_ci_values():
    assert [cipolicy.under_ci({"CI": v}) for v in ("true", "TRUE", "1", "yes")] == [True] * 4
    assert [cipolicy.under_ci(env) for env in ({}, {"CI": ""}, {"CI": "false"}, {"CI": "0"})] == [False] * 4


def test_golden_update_mode_is_refused_under_ci(tmp_path):
    proc = pytest_run(["tests/runtime/test_golden.py", "--collect-only", "-q"], ROOT, tmp_path, ci=True,
                      SIMPLE_GOLDEN_UPDATE="1")
    assert proc.returncode == 4  # usage error: nothing ran, nothing was rewritten
    assert ("ERROR: SIMPLE_GOLDEN_UPDATE=1 rewrites the golden expected files before comparing them "
            "(tests/goldenlib.py), so every golden test would pass: it is refused under CI=true") in proc.stderr


@pytest.mark.parametrize("text, error", [
    ("[[allowed]]\nreason = 'x'\n", "entry 1 needs string keys 'reason' and 'why'"),
    ("[[allowed]]\nreason = '('\nwhy = 'w'\n", "entry 1: bad regular expression"),
    ("[[allowed\n", "cannot read the skip allow list"),
])
def test_bad_allow_list_is_a_usage_error_naming_the_file(tmp_path, text, error):
    path = tmp_path / "allowed.toml"
    path.write_text(text)
    with pytest.raises(pytest.UsageError, match=re.escape(f"{path}: ") + ".*" + re.escape(error)):
        cipolicy.load_allow_list(path)


def test_the_allow_list_is_short_and_documented_in_the_readme():
    entries = cipolicy.load_allow_list()
    assert 0 < len(entries) <= 5
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tests_section = readme.split("## Tests", 1)[1].split("\n## ", 1)[0]
    for entry in entries:
        assert entry.why.strip()
        assert f"`{entry.reason.pattern}`" in tests_section, f"README.md, Tests: {entry.reason.pattern!r} is not documented"


@pytest.mark.parametrize("name", sorted(cipolicy.OVERRIDES))
def test_runtime_overrides_are_refused_under_ci(tmp_path, name):
    """Planted: a prebuilt binary in place of what the checkout builds (the linked and module torch
    runs would test one file); refused before anything runs, allowed outside CI."""
    args = ["tests/runtime/test_golden.py", "--collect-only", "-q"]
    proc = pytest_run(args, ROOT, tmp_path, ci=True, **{name: "/bin/true"})
    assert proc.returncode == 4, proc.stdout[-2000:]
    assert f"ERROR: {name}=/bin/true {cipolicy.OVERRIDES[name]}: it is refused under CI=true" in proc.stderr
    assert pytest_run(args, ROOT, tmp_path, ci=False, **{name: "/bin/true"}).returncode == 0
