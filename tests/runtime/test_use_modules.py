"""Module tests of the reference runtime: `use`, `export`, resolution, load once, cycles, clashes.

Each directory ``modules/CASE/`` is a small program: ``main.spl`` and the modules it uses. It is
copied into a fresh directory and run there as ``simple [FLAGS] main.spl``, then checked as
``simple [FLAGS] --check main.spl``:

| file | content | when missing |
|---|---|---|
| ``main.out`` / ``main.err`` / ``main.status`` | what the run prints and its status | empty / ``0`` |
| ``check.out`` / ``check.err`` / ``check.status`` | the same for ``--check`` | empty / ``0`` |
| ``main.flags`` | options before the script (``--lib DIR``), one per line | none |
| ``main.env`` | ``NAME=VALUE`` lines added to the environment (SIMPLE_LIB) | SIMPLE_LIB unset |

Like the golden scripts (tests/runtime/README.md), every case runs again under valgrind and on the
ASan/UBSan build, where a memory error or a leak fails it. Update mode records the expected files:
``SIMPLE_GOLDEN_UPDATE=1 SIMPLE_RUNTIME=build/bin/simple pytest tests/runtime/test_use_modules.py -k 'not valgrind and not asan'``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from goldenlib import SANITIZER_ENV, VALGRIND_ARGS, check

MODULES = Path(__file__).resolve().parent / "modules"
CASES = sorted(p for p in MODULES.iterdir() if (p / "main.spl").exists())
VALGRIND = shutil.which("valgrind")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def run_case(binary: Path, case: Path, workdir: Path, check_only: bool = False, wrapper: list[str] = (),
             extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs (or, with `check_only`, checks) `case`'s main.spl in a copy of the case under `workdir`."""
    shutil.copytree(case, workdir)
    env = {k: v for k, v in os.environ.items() if k not in ("SIMPLE_LIB", "SIMPLE_FFI_PATH")}
    env.update(extra_env or {})
    for line in _lines(case / "main.env"):
        name, _, value = line.partition("=")
        env[name] = value
    args = [*_lines(case / "main.flags"), *(["--check"] if check_only else []), "main.spl"]
    # the FFI module path names a directory that is not there (it provides nothing), so no module
    # built elsewhere binds an extern here
    return subprocess.run([*wrapper, str(binary), "--ffi-path", ".no-ffi-modules", *args], cwd=workdir, env=env,
                          capture_output=True, timeout=300)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_module_run(runtime: Path, case: Path, tmp_path: Path) -> None:
    check(run_case(runtime, case, tmp_path / "work"), case / "main.spl", update=True)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_module_check(runtime: Path, case: Path, tmp_path: Path) -> None:
    """simple --check: the same load, nothing runs; every extern no library provides is listed."""
    check(run_case(runtime, case, tmp_path / "work", check_only=True), case / "check.spl", update=True)


@pytest.mark.skipif(VALGRIND is None, reason="valgrind is not installed")
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_module_valgrind(runtime: Path, case: Path, tmp_path: Path) -> None:
    """No invalid access and no definite or indirect leak, on success and error paths alike."""
    check(run_case(runtime, case, tmp_path / "work", wrapper=[VALGRIND, *VALGRIND_ARGS]), case / "main.spl")


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_module_asan(runtime_asan: Path, case: Path, tmp_path: Path) -> None:
    """The same programs on the -fsanitize=address,undefined build (LeakSanitizer on)."""
    check(run_case(runtime_asan, case, tmp_path / "work", extra_env=SANITIZER_ENV), case / "main.spl")
