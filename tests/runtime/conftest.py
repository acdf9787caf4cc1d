"""The runtime under test, for every test file here, and the golden update mode's summary
(SIMPLE_GOLDEN_UPDATE=1, tests/goldenlib.py prints what it changed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import goldenlib


@pytest.fixture(scope="session")
def runtime(request) -> Path:
    """The runtime binary: $SIMPLE_RUNTIME (refused under CI, tests/cipolicy.py), or the core-only SCons build."""
    path = os.environ.get("SIMPLE_RUNTIME")
    return Path(path).resolve() if path else request.getfixturevalue("simple_runtime")


@pytest.fixture(scope="session")
def runtime_asan(request) -> Path:
    """The ASan/UBSan build: $SIMPLE_RUNTIME_ASAN (refused under CI), or the fixture's debug build."""
    path = os.environ.get("SIMPLE_RUNTIME_ASAN")
    return Path(path).resolve() if path else request.getfixturevalue("simple_runtime_asan")


def pytest_terminal_summary(terminalreporter) -> None:
    if not goldenlib.UPDATE:
        return
    terminalreporter.section("golden update")
    if not goldenlib.CHANGES:
        terminalreporter.write_line("no expected file changed")
    for change in goldenlib.CHANGES:
        terminalreporter.write(change)
    if goldenlib.CHANGES:
        terminalreporter.write_line(f"{len(goldenlib.CHANGES)} expected file(s) changed: review the diff before committing")
