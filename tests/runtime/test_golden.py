"""Golden tests of the reference runtime (format: tests/runtime/README.md).

Each ``golden/NAME.spl`` runs in a fresh directory as ``simple NAME.spl
[ARGS]``; its stdout, stderr and exit status must equal ``NAME.out``,
``NAME.err`` and ``NAME.status`` (a missing file means empty output, status 0).

The runtime under test is ``$SIMPLE_RUNTIME`` when set, else the core-only
build from the ``simple_runtime`` fixture (tests/conftest.py). The same
scripts run again under valgrind and on the ASan/UBSan/LSan build, where any
memory error or leak fails the test.

``SIMPLE_GOLDEN_UPDATE=1 pytest tests/runtime/test_golden.py -k 'not valgrind and not asan'``
rewrites the expected files from the current runtime; review the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from goldenlib import SANITIZER_ENV, VALGRIND_ARGS, check, run_script

GOLDEN = Path(__file__).resolve().parent / "golden"
SCRIPTS = sorted(GOLDEN.glob("*.spl"))
VALGRIND = shutil.which("valgrind")


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_golden(runtime: Path, script: Path, tmp_path: Path) -> None:
    check(run_script(runtime, script, tmp_path / "work"), script, update=True)


@pytest.mark.skipif(VALGRIND is None, reason="valgrind is not installed")
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_golden_valgrind(runtime: Path, script: Path, tmp_path: Path) -> None:
    """No invalid access and no definite or indirect leak, on success and error paths alike."""
    check(run_script(runtime, script, tmp_path / "work", [VALGRIND, *VALGRIND_ARGS]), script)


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_golden_asan(runtime_asan: Path, script: Path, tmp_path: Path) -> None:
    """The same scripts on the -fsanitize=address,undefined build (LeakSanitizer on)."""
    check(run_script(runtime_asan, script, tmp_path / "work", extra_env=SANITIZER_ENV), script)
