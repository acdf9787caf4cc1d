"""Every SFFI ABI type through the runtime's marshalling, with a hand-written table.

The core library has no i32 or array parameters, so this module compiles the
runtime's sources with ``abi/abitest_table.c`` (test externs in the shape the
generator writes) into a throwaway runtime, plainly and with
``-fsanitize=address,undefined``, and runs ``abi/*.spl`` as golden scripts
(same format as golden/, see README.md) on both, and under valgrind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from goldenlib import SANITIZER_ENV, VALGRIND_ARGS, check, run_script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCRIPTS = sorted((HERE / "abi").glob("*.spl"))
CC = os.environ.get("CC", "cc")
VALGRIND = shutil.which("valgrind")


def _build(out: Path, extra: list[str]) -> Path:
    sources = sorted((ROOT / "runtime" / "src").glob("*.c")) + sorted((ROOT / "ffi_libs" / "core" / "src").glob("*.c"))
    cmd = [CC, "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-Werror", "-g", *extra,
           f"-I{ROOT / 'runtime' / 'include'}", *map(str, sources), str(HERE / "abi" / "abitest_table.c"),
           "-o", str(out), "-lm", "-pthread"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"building the ABI test runtime failed:\n{' '.join(cmd)}\n{proc.stderr[-6000:]}")
    return out


@pytest.fixture(scope="session")
def abi_runtime(tmp_path_factory) -> Path:
    if shutil.which(CC) is None:
        pytest.skip(f"no C compiler ({CC})")
    return _build(tmp_path_factory.mktemp("abi") / "simple", ["-O2"])


@pytest.fixture(scope="session")
def abi_runtime_asan(tmp_path_factory) -> Path:
    if shutil.which(CC) is None:
        pytest.skip(f"no C compiler ({CC})")
    return _build(tmp_path_factory.mktemp("abi-asan") / "simple",
                  ["-O1", "-fsanitize=address,undefined", "-fno-omit-frame-pointer"])


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_abi(abi_runtime: Path, script: Path, tmp_path: Path) -> None:
    check(run_script(abi_runtime, script, tmp_path / "work"), script, update=True)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_abi_asan(abi_runtime_asan: Path, script: Path, tmp_path: Path) -> None:
    check(run_script(abi_runtime_asan, script, tmp_path / "work", extra_env=SANITIZER_ENV), script)


@pytest.mark.skipif(VALGRIND is None, reason="valgrind is not installed")
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_abi_valgrind(abi_runtime: Path, script: Path, tmp_path: Path) -> None:
    check(run_script(abi_runtime, script, tmp_path / "work", [VALGRIND, *VALGRIND_ARGS]), script)
