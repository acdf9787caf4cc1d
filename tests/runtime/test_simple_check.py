"""`simple --check` over every example and every golden script (issue 22).

--check loads a script and its modules (parse, `use`, extern binding, names) and runs nothing.
On the core-only runtime:

- an example under ``examples/<dir>/`` loads; the only externs it may lack are those of the FFI
  libraries of its directory (``EXAMPLE_LIBS``), each listed with that library (status 2 if any);
- a golden script that cannot load (``.status`` 2) gets from --check exactly the error of its run;
  any other golden script checks clean (status 0, one "ok" line), except those whose point is an
  extern no library provides, which --check lists (status 2).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from goldenlib import expected
from test_golden import GOLDEN, SCRIPTS  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").rglob("*.spl"))
# The FFI libraries an example directory may use besides core.
EXAMPLE_LIBS = {"core": set(), "sqlite": {"sqlite"}, "torch": {"torch"}, "opencv": {"opencv"},
                "all": {"sqlite", "torch", "opencv"}, "simple-style": {"sqlite"}}
OK_LINE = re.compile(r"^(?P<name>\S+): ok \(\d+ modules? besides the script, \d+ extern declarations? bound\)\n$")
UNKNOWN = re.compile(r"^(?P<file>\S+):\d+:\d+: unknown extern function (?P<name>\w+)$")
PROVIDED = re.compile(r"^provided by FFI library '(?P<lib>\w+)'")


def check(runtime: Path, script: str, cwd: Path) -> subprocess.CompletedProcess:
    # an empty FFI module path: no module built elsewhere provides an extern here
    return subprocess.run([str(runtime), "--ffi-path", str(cwd / ".none"), "--check", script], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def unbound_libraries(stderr: str) -> dict[str, str]:
    """extern -> the library --check says provides it (None: no library known)."""
    lines = stderr.splitlines()
    found = {}
    for i, line in enumerate(lines):
        m = UNKNOWN.match(line)
        if m:
            hint = PROVIDED.match(lines[i + 1]) if i + 1 < len(lines) else None
            found[m["name"]] = hint["lib"] if hint else None
    return found


def test_every_example_directory_has_its_libraries_named():
    assert {p.relative_to(ROOT / "examples").parts[0] for p in EXAMPLES} <= set(EXAMPLE_LIBS)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT / "examples")))
def test_check_example(runtime, script: Path, tmp_path: Path) -> None:
    proc = check(runtime, str(script), tmp_path)
    allowed = EXAMPLE_LIBS[script.relative_to(ROOT / "examples").parts[0]]
    missing = unbound_libraries(proc.stderr)
    assert set(missing.values()) <= allowed, proc.stderr
    if missing:
        assert proc.returncode == 2 and proc.stdout == "", proc.stderr
        assert proc.stderr.splitlines()[-1].startswith(f"simple --check: no FFI library of this runtime provides "
                                                       f"{len(missing)} extern")
    else:
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert OK_LINE.match(proc.stdout)["name"] == str(script)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_check_golden(runtime, script: Path, tmp_path: Path) -> None:
    shutil.copy(script, tmp_path / script.name)
    proc = check(runtime, script.name, tmp_path)
    _, err, status = expected(script)
    if status == 2 and "unknown extern function" not in err:
        assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", err)
    elif script.stem.startswith("err_unknown_extern"):
        assert proc.returncode == 2 and unbound_libraries(proc.stderr), proc.stderr
    else:
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert OK_LINE.match(proc.stdout)["name"] == script.name
