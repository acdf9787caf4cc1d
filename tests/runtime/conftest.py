"""Golden update mode (SIMPLE_GOLDEN_UPDATE=1, tests/runtime/goldenlib.py) prints what it changed."""

from __future__ import annotations

import goldenlib


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
