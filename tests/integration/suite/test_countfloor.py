"""tests/countfloor.py: under CI=true an area that collects or runs fewer tests than its floor fails.

Most checks run the real plugins (cipolicy.py, countfloor.py, copied with the allow list)
over a planted suite in a temporary directory: two areas of a few tests each and their
floor, then a subprocess pytest narrowed the ways a CI set-up could narrow it (``-k``,
``-m``, ``--deselect``, ``PYTEST_ADDOPTS``, a removed test, an imperative xfail).
One check runs a real area of this suite with one test deselected.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cipolicy
import countfloor
from buildhelp import ROOT

ALPHA = '''
import pytest

def test_one():
    pass

def test_two():
    pass

@pytest.mark.slow
def test_three():
    pass

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False

def test_gpu():
    pytest.skip("needs a CUDA device (none here)")
'''
BETA = '''
def test_four():
    pass
'''
FLOOR = {"alpha": {"collected": 5, "ran": 4, "skipped_allowed": 1},
         "beta": {"collected": 1, "ran": 1, "skipped_allowed": 0}}


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A planted repository: tests/{alpha,beta} with the real plugins and FLOOR as its floor."""
    tests = tmp_path / "tests"
    for area, body in (("alpha", ALPHA), ("beta", BETA)):
        (tests / area).mkdir(parents=True)
        (tests / area / f"test_{area}.py").write_text(body)
    for name in ("cipolicy.py", "countfloor.py", "skips-allowed.toml"):
        shutil.copy(ROOT / "tests" / name, tests / name)
    shutil.copy(ROOT / "tests" / "conftest.py", tests / "conftest.py")
    shutil.copy(ROOT / "tests" / "buildhelp.py", tests / "buildhelp.py")
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
                                             'markers = ["slow: slow"]\n')
    (tests / "expected-counts.toml").write_text(countfloor.render(FLOOR))
    return tmp_path


def pytest_in(repo: Path, *args: str, ci: bool = True, **env: str) -> subprocess.CompletedProcess:
    """``python -m pytest ARGS`` in ``repo`` (its tests/ on sys.path), $CI set or unset."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ("CI", "PYTEST_ADDOPTS", *cipolicy.UPDATE_MODES, *cipolicy.OVERRIDES)}
    environ.update(env, PYTHONPATH=str(repo / "tests"), **({"CI": "true"} if ci else {}))
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-ra", *args], cwd=repo,
                          env=environ, capture_output=True, text=True, timeout=300)


def floor_failures(proc: subprocess.CompletedProcess) -> list[str]:
    """The areas whose ``[count-floor]`` test failed, from the short summary."""
    return re.findall(r"^FAILED tests/([\w/]+)::\[count-floor\]", proc.stdout, re.M)


def test_the_whole_planted_suite_meets_its_floor(suite):
    proc = pytest_in(suite)
    assert proc.returncode == 0, proc.stdout
    assert "count floor (CI=true): held to tests/expected-counts.toml for tests/alpha, tests/beta" in proc.stdout
    assert "6 passed, 1 skipped, 1 xfailed" in proc.stdout  # 4 tests + 2 floor checks


@pytest.mark.parametrize("narrowing", [["-k", "not two"], ["-m", "not slow"],
                                       ["--deselect", "tests/alpha/test_alpha.py::test_one"]])
def test_deselection_fails_naming_the_area(suite, narrowing):
    proc = pytest_in(suite, *narrowing)
    assert proc.returncode == 1, proc.stdout
    assert floor_failures(proc) == ["alpha"]
    assert ("tests/alpha ran 3 tests (+1 skipped for an allowed reason), its floor is 4 (+1) "
            "(tests/expected-counts.toml).") in proc.stdout
    assert "1 deselected (-k, -m, --deselect or PYTEST_ADDOPTS)." in proc.stdout


def test_deselection_through_pytest_addopts_fails(suite):
    proc = pytest_in(suite, PYTEST_ADDOPTS="--deselect tests/beta/test_beta.py::test_four")
    assert proc.returncode == 1 and floor_failures(proc) == ["beta"], proc.stdout


def test_running_one_area_directory_holds_it_to_its_floor(suite):
    whole = pytest_in(suite, "tests/beta")
    assert whole.returncode == 0 and "held to tests/expected-counts.toml for tests/beta\n" in whole.stdout
    proc = pytest_in(suite, "tests/alpha", "-k", "not one")
    assert proc.returncode == 1 and floor_failures(proc) == ["alpha"], proc.stdout
    assert "Did not run: tests/alpha/test_alpha.py::test_one." in proc.stdout


def test_a_removed_test_fails_the_collected_floor(suite):
    path = suite / "tests" / "beta" / "test_beta.py"
    path.write_text(BETA + "\ndef test_five():\n    pass\n")
    assert pytest_in(suite, "tests/beta").returncode == 0  # more than the floor is fine
    path.write_text("")
    proc = pytest_in(suite)
    assert floor_failures(proc) == ["beta"], proc.stdout
    assert "tests/beta collected 0 tests, its floor is 1 and ran 0 tests" in proc.stdout


def test_a_new_area_without_a_floor_fails(suite):
    (suite / "tests" / "gamma").mkdir()
    (suite / "tests" / "gamma" / "test_gamma.py").write_text(BETA)
    proc = pytest_in(suite)
    assert floor_failures(proc) == ["gamma"], proc.stdout
    assert "tests/gamma has no floor in tests/expected-counts.toml" in proc.stdout


def test_an_imperative_xfail_fails_under_ci(suite):
    (suite / "tests" / "beta" / "test_beta.py").write_text(
        "import pytest\n\ndef test_four():\n    pytest.xfail('not today')\n    assert 1 == 2\n")
    proc = pytest_in(suite, "tests/beta")
    assert proc.returncode == 1
    assert re.search(r"^FAILED tests/beta/test_beta.py::test_four - .*called pytest.xfail\(\) under CI=true "
                     r"\(not today\)", proc.stdout, re.M), proc.stdout
    assert pytest_in(suite, "tests/beta", ci=False).returncode == 0  # outside CI: an xfail as before


def test_a_file_or_node_id_selects_an_area_in_part_and_says_so(suite):
    proc = pytest_in(suite, "tests/alpha/test_alpha.py::test_one")
    assert proc.returncode == 0, proc.stdout
    assert "count floor: not applied to areas selected in part: tests/alpha" in proc.stdout
    assert "[count-floor]" not in proc.stdout


def test_outside_ci_nothing_is_held(suite):
    proc = pytest_in(suite, "-k", "not two", ci=False)
    assert proc.returncode == 0 and "count floor" not in proc.stdout, proc.stdout


@pytest.mark.parametrize("plugin", cipolicy.GUARDS)
def test_turning_a_guard_off_is_refused_under_ci(suite, plugin):
    proc = pytest_in(suite, "-p", f"no:{plugin}")
    assert proc.returncode == 4
    assert f"-p no:{plugin} turns off a check of the suite (tests/{plugin}.py): it is refused under CI=true" \
        in proc.stderr


def test_recording_writes_the_floor_from_a_whole_passing_run(suite):
    counts = suite / "tests" / "expected-counts.toml"
    counts.write_text("")
    proc = pytest_in(suite, "--record-counts", ci=False)
    assert proc.returncode == 0, proc.stdout
    assert "count floor: wrote tests/expected-counts.toml (2 areas, 6 tests)" in proc.stdout
    assert counts.read_text() == countfloor.render(FLOOR)
    assert countfloor.load(counts) == FLOOR


@pytest.mark.parametrize("args, env, why", [
    (["-k", "not two"], {}, "1 deselected (-k, -m, --deselect or PYTEST_ADDOPTS)"),
    (["tests/alpha"], {}, "not every area was selected whole (missing: tests/beta): run the whole suite"),
    ([], {"PYTEST_ADDOPTS": "-m slow"}, "5 deselected"),
])
def test_recording_refuses_a_narrowed_run(suite, args, env, why):
    counts = suite / "tests" / "expected-counts.toml"
    before = counts.read_text()
    proc = pytest_in(suite, "--record-counts", *args, ci=False, **env)
    assert proc.returncode == 1, proc.stdout
    assert "count floor: tests/expected-counts.toml NOT rewritten:" in proc.stdout and why in proc.stdout
    assert counts.read_text() == before


def test_recording_refuses_a_failure_or_a_skip_off_the_allow_list(suite):
    (suite / "tests" / "beta" / "test_beta.py").write_text(
        "import pytest\n\ndef test_four():\n    pytest.skip('abidiff is not installed')\n")
    proc = pytest_in(suite, "--record-counts", ci=False)
    assert proc.returncode == 1
    assert "tests/beta/test_beta.py::test_four skipped: abidiff is not installed" in proc.stdout, proc.stdout


def test_recording_refuses_an_imperative_xfail(suite):
    (suite / "tests" / "beta" / "test_beta.py").write_text(
        "import pytest\n\ndef test_four():\n    pytest.xfail('later')\n")
    proc = pytest_in(suite, "--record-counts", ci=False)
    assert proc.returncode == 1
    assert "tests/beta/test_beta.py::test_four called pytest.xfail(): later" in proc.stdout, proc.stdout


def test_recording_is_refused_under_ci(suite):
    proc = pytest_in(suite, "--record-counts")
    assert proc.returncode == 4 and "--record-counts rewrites the test count floor" in proc.stderr


def test_update_counts_refuses_arguments_and_ci():
    script = ROOT / "scripts" / "update-counts"
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.run([script, "-k", "x"], capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and "takes no arguments" in proc.stderr
    proc = subprocess.run([script], capture_output=True, text=True, env={**env, "CI": "true"})
    assert proc.returncode == 2 and "refused under CI=true" in proc.stderr


@pytest.mark.parametrize("text, message", [
    ("[x]\ncollected = 1\n", "[x] needs non-negative integers collected, ran, skipped_allowed"),
    ("[x\n", "cannot read the test count floor"),
])
def test_a_bad_floor_file_is_a_usage_error_naming_it(tmp_path, text, message):
    path = tmp_path / "counts.toml"
    path.write_text(text)
    with pytest.raises(pytest.UsageError, match=re.escape(f"{path}: ") + ".*" + re.escape(message)):
        countfloor.load(path)


def test_the_floor_file_covers_every_area_of_this_suite():
    floor = countfloor.load()
    assert set(floor) == set(countfloor.all_areas())
    assert countfloor.COUNTS.read_text() == countfloor.render(floor)  # written by the tool, not by hand


def test_a_real_area_with_one_test_deselected_fails_under_ci(tmp_path):
    """This suite's tests/integration/ci (seconds: actionlint and zizmor over the workflows), one test deselected."""
    one = "tests/integration/ci/test_workflows.py::test_a_job_builds_and_runs_the_hostkit_examples"
    proc = pytest_in(ROOT, "tests/integration/ci", "--deselect", one)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert floor_failures(proc) == ["integration/ci"]
    floor = countfloor.load()["integration/ci"]
    assert (f"tests/integration/ci ran {floor['ran'] - 1} tests (+0 skipped for an allowed reason), its floor is "
            f"{floor['ran']} (+0)") in proc.stdout
