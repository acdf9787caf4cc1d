"""pytest plugin: what CI (``CI=true``) enforces so that a passing run means what it says.

**No silent skips.** Under CI a skip is a failure unless its reason is allowed.

A test that skips because torch, valgrind or a system library is missing looks
like a pass in a summary line; under CI it must not. The allowed reasons are
``tests/skips-allowed.toml`` (``[[allowed]]`` tables with ``reason``, a regular
expression matched against the whole skip reason, and ``why``), documented in
README.md, "Tests". Loaded by tests/conftest.py (``pytest_plugins``).

- A test skipped in setup or call (``skipif``, ``pytest.skip``, an
  ``importorskip`` inside a test) is reported as failed, its message naming the
  reason and the allow list.
- A module or class skipped at collection (``pytest.skip(allow_module_level=True)``,
  a module-level ``importorskip``) is replaced by one item,
  ``<file>::[skipped-at-collection]``, that fails with the same message, so the
  rest of the run goes on.
- An ``xfail`` marker is declared where a reader sees it and is left alone; an
  imperative ``pytest.xfail()`` stops a test half-way on a branch no one sees, so
  under CI it is reported as failed.
- Outside CI nothing changes.

**No update modes, no overrides.** A variable that makes tests record their
expectations instead of checking them (``SIMPLE_GOLDEN_UPDATE=1``), or that swaps
the runtime under test for a prebuilt binary (``SIMPLE_RUNTIME``,
``SIMPLE_RUNTIME_ASAN``, ``SFFI_TORCH_RUNTIME``: CI must test what this checkout
builds), stops the run before it starts (a usage error, exit status 4). So does a
``-p no:NAME`` that turns off this plugin or tests/countfloor.py (the floor of
test counts, tests/expected-counts.toml).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ALLOW_LIST = Path(__file__).with_name("skips-allowed.toml")
CI_VALUES = ("true", "1", "yes")
# Variables that turn checks into recordings: NAME -> what it does.
UPDATE_MODES = {
    "SIMPLE_GOLDEN_UPDATE": "rewrites the golden expected files before comparing them "
                            "(tests/goldenlib.py), so every golden test would pass",
}
# Variables that replace what the suite builds with a binary from elsewhere: NAME -> what it does.
OVERRIDES = {
    "SIMPLE_RUNTIME": "replaces the core runtime that the golden, CLI, lexer and limits tests build "
                      "(tests/runtime) with a prebuilt binary",
    "SIMPLE_RUNTIME_ASAN": "replaces the ASan + UBSan runtime of test_golden_asan (tests/runtime) with a "
                           "prebuilt binary",
    "SFFI_TORCH_RUNTIME": "replaces the torch runtimes of tests/ffi_libs/torch with one prebuilt binary, so the "
                          "compile-in and module runs would test the same file",
}
# Plugins of the suite that -p no:NAME must not turn off under CI.
GUARDS = ("cipolicy", "countfloor")


@dataclass(frozen=True)
class Allowed:
    """One allow-list entry: ``reason`` (regex, whole-reason match) and ``why`` (prose)."""

    reason: re.Pattern
    why: str


def under_ci(environ=os.environ) -> bool:
    """True when ``$CI`` is ``true``/``1``/``yes`` (GitHub Actions and most CI services set ``CI=true``)."""
    return environ.get("CI", "").strip().lower() in CI_VALUES


def load_allow_list(path: Path = ALLOW_LIST) -> list[Allowed]:
    """The entries of ``path``.

    Raises pytest.UsageError (naming the file and the entry) when the file is
    missing, is not TOML, or an entry lacks a string ``reason``/``why`` or has a
    reason that is not a valid regular expression.
    """
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise pytest.UsageError(f"{path}: cannot read the skip allow list: {exc}") from exc
    entries = []
    for i, entry in enumerate(doc.get("allowed", [])):
        if not (isinstance(entry.get("reason"), str) and isinstance(entry.get("why"), str)):
            raise pytest.UsageError(f"{path}: [[allowed]] entry {i + 1} needs string keys 'reason' and 'why'")
        try:
            entries.append(Allowed(re.compile(entry["reason"]), entry["why"]))
        except re.error as exc:
            raise pytest.UsageError(f"{path}: [[allowed]] entry {i + 1}: bad regular expression: {exc}") from exc
    return entries


def skip_reason(longrepr) -> str:
    """The reason of a skip report (``longrepr`` is ``(path, line, "Skipped: REASON")``)."""
    text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return text.removeprefix("Skipped: ")


def allowed(reason: str, entries: list[Allowed]) -> bool:
    """True when some entry's pattern matches the whole ``reason``."""
    return any(e.reason.fullmatch(reason) for e in entries)


def refusal(what: str, reason: str) -> str:
    """The failure message for a skip that CI does not allow."""
    return (f"{what} was skipped under CI=true, and the reason is not on the allow list "
            f"({ALLOW_LIST.relative_to(ALLOW_LIST.parent.parent)}): {reason}\n"
            f"Install what it needs (scripts/bootstrap --with=all) or fix the test; "
            f"the allowed reasons and why are in README.md, \"Tests\".")


class CollectionSkipped(pytest.Item):
    """Stands for a module or class that skipped at collection; fails with the refusal."""

    def __init__(self, *, message: str, **kwargs):
        super().__init__(**kwargs)
        self.message = message

    def runtest(self) -> None:
        raise pytest.fail.Exception(self.message, pytrace=False)

    def reportinfo(self):
        return self.path, None, self.name


class SkipPolicy:
    """The hooks, active only under CI."""

    def __init__(self, entries: list[Allowed]):
        self.entries = entries

    def pytest_report_header(self) -> str:
        reasons = ", ".join(repr(e.reason.pattern) for e in self.entries) or "none"
        return f"skip policy (CI=true): a skip fails unless its reason matches {reasons}"

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if call.excinfo is not None and call.excinfo.errisinstance(pytest.xfail.Exception):
            report.outcome = "failed"
            report.longrepr = (f"{item.nodeid} called pytest.xfail() under CI=true "
                               f"({call.excinfo.value.msg or 'no reason'}): an imperative xfail stops the test "
                               f"where it is called and hides the rest. Use an @pytest.mark.xfail marker "
                               f"(strict) or make the test pass.")
            if hasattr(report, "wasxfail"):
                del report.wasxfail
        elif report.skipped and not hasattr(report, "wasxfail"):
            reason = skip_reason(report.longrepr)
            if not allowed(reason, self.entries):
                report.outcome = "failed"
                report.longrepr = refusal(item.nodeid, reason)
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector):
        report = yield
        if report.skipped:
            reason = skip_reason(report.longrepr)
            if not allowed(reason, self.entries):
                name = "[skipped-at-collection]"
                item = CollectionSkipped.from_parent(
                    collector.parent or collector, name=name, nodeid=f"{collector.nodeid}::{name}",
                    path=collector.path, message=refusal(collector.nodeid, reason))
                report = pytest.CollectReport(collector.nodeid, "passed", None, [item])
        return report


def refuse_update_modes(environ=os.environ) -> None:
    """Raises pytest.UsageError naming each update-mode variable set (to anything but empty or 0)."""
    for name, what in UPDATE_MODES.items():
        if environ.get(name, "0") not in ("", "0"):
            raise pytest.UsageError(f"{name}={environ[name]} {what}: it is refused under CI=true")


def refuse_overrides(environ=os.environ) -> None:
    """Raises pytest.UsageError naming each override variable set (to anything but empty)."""
    for name, what in OVERRIDES.items():
        if environ.get(name, ""):
            raise pytest.UsageError(f"{name}={environ[name]} {what}: it is refused under CI=true "
                                    f"(unset it; outside CI it is allowed, tests/runtime/README.md)")


def refuse_blocked_guards(pluginmanager) -> None:
    """Raises pytest.UsageError when ``-p no:NAME`` blocked one of :data:`GUARDS`."""
    blocked = [name for name in GUARDS if pluginmanager.is_blocked(name)]
    if blocked:
        raise pytest.UsageError(f"-p no:{blocked[0]} turns off a check of the suite (tests/{blocked[0]}.py): "
                                f"it is refused under CI=true")


def pytest_configure(config) -> None:
    if under_ci():
        refuse_update_modes()
        refuse_overrides()
        config.pluginmanager.register(SkipPolicy(load_allow_list()), "cipolicy-ci")
