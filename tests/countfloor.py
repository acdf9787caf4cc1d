"""pytest plugin: the floor of how many tests each area collects and runs (``tests/expected-counts.toml``).

An *area* is the directory of a test file, cut to at most two levels under ``tests/``
(``tests/runtime``, ``tests/fuzz``, ``tests/sffi`` for the files directly in it, ``tests/sffi/plan``,
``tests/ffi_libs/torch``, ``tests/integration/sweep``, ...; the scheme is tests/README.md's). Two
levels, because the scheme groups one level by what is tested (the sffi package, the FFI libraries,
whole builds): a floor per package or library still names what lost tests.

The floor file records, per area, how many tests it ``collected`` (before any deselection),
how many ``ran`` (a call phase that was not a skip: passed, failed, xfailed or xpassed by an
``xfail`` *marker*) and how many were ``skipped_allowed`` (skipped for a reason on
``tests/skips-allowed.toml``, i.e. the CUDA-dependent tests: on a machine without a GPU the
tests that need one skip, on a machine with one their converses skip).

**Under CI** (``CI=true``), for every area whose directory the run selects whole (no
arguments, ``tests``, ``tests/<area>``, or a directory above areas such as ``tests/sffi`` for every
area under it), one more test, ``tests/<area>::[count-floor]``, runs after all the others and
fails, naming the area, when

- the area collected fewer tests than its ``collected`` floor (a test file or parameter
  removed, a directory ``--ignore``\\ d, a collection error), or
- fewer tests ran (or skipped for an allowed reason) than ``ran + skipped_allowed``: ``-k``,
  ``-m``, ``--deselect`` (also from ``PYTEST_ADDOPTS``), ``-x`` stopping early, an imperative
  ``pytest.xfail()``; the message lists the tests that did not run, or
- the area has no floor at all (a new area: record it).

Areas selected in part (a file or a node id inside them) are not held to the floor, and the
run's header says so: narrowing on the command line is visible there, unlike ``-k`` or an
environment variable. The sum ``ran + skipped_allowed`` is compared, not ``ran`` alone, so
that one file serves machines with and without a GPU (which tests skip differs, the sum does
not); the allowed reasons themselves are reviewed in ``tests/skips-allowed.toml``.

**Recording** the floor is a deliberate act, refused under CI: ``scripts/update-counts``
(``pytest --record-counts``) runs the whole suite and rewrites the file only when every area
was selected whole, nothing was deselected, every test passed and no test skipped for a
reason off the allow list. Loaded by tests/conftest.py (``pytest_plugins``).
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

import cipolicy

TESTS = Path(__file__).resolve().parent
COUNTS = TESTS / "expected-counts.toml"
FLOOR_ITEM = "[count-floor]"
KEYS = ("collected", "ran", "skipped_allowed")
HEADER = """\
# The floor of the test suite: how many tests each area (a directory under tests/, at most two
# levels deep: runtime, sffi/plan, ffi_libs/torch; tests/countfloor.py) collected
# and ran in a full run. Under CI=true a run that collects or runs fewer fails and names the
# area (tests/countfloor.py; README.md, "Tests"). Written by scripts/update-counts: rewrite it
# on purpose, in the commit that adds or removes tests, never by hand. On a merge conflict,
# take either side and run scripts/update-counts again.
#
#   collected        tests collected, before any deselection
#   ran              tests whose call phase ran (passed, failed, xfail-marked)
#   skipped_allowed  tests skipped for a reason on tests/skips-allowed.toml (CUDA present or not);
#                    a run is held to ran + skipped_allowed
"""


@dataclasses.dataclass
class Tally:
    """What one area did in this run."""

    collected: int = 0
    ran: int = 0
    skipped_allowed: int = 0
    deselected: int = 0
    not_run: list[str] = dataclasses.field(default_factory=list)  # node ids collected but never run

    def row(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in KEYS}


AREA_DEPTH = 2  # an area is at most this many directories below tests/


def area_of(path: Path) -> str | None:
    """The area of a test file: its directory under tests/, cut to ``AREA_DEPTH`` levels, as a
    POSIX path (``tests/sffi/plan/test_plan.py`` -> ``"sffi/plan"``, ``tests/runtime/test_golden.py``
    -> ``"runtime"``); None outside tests/ or directly in it."""
    try:
        parts = Path(path).resolve().relative_to(TESTS).parts
    except ValueError:
        return None
    return "/".join(parts[:-1][:AREA_DEPTH]) or None


def all_areas() -> list[str]:
    """Every area that holds a test file (``test_*.py``), sorted."""
    return sorted({area_of(p) for p in TESTS.glob("*/**/test_*.py")})


def selection(args: list[str], invocation_dir: Path) -> tuple[set[str], set[str]]:
    """The areas a run's arguments select whole and those it selects in part.

    ``args`` are pytest's (``config.args``: paths, possibly with ``::node`` suffixes),
    relative to ``invocation_dir``. A path at or above tests/ selects every area; a directory
    ``tests/<area>``, or one above areas (``tests/sffi``), every area at or under it whole
    (``tests/sffi`` holds its own files' area ``sffi`` and ``sffi/plan``, ...); a file, a
    directory inside an area, or a node id, that area in part.
    """
    whole, part = set(), set()
    areas = all_areas()
    for arg in args:
        text, _, node = arg.partition("::")
        path = (invocation_dir / text).resolve()
        if path == TESTS or TESTS.is_relative_to(path):
            if node:
                continue
            whole.update(areas)
            continue
        try:
            rel = path.relative_to(TESTS).as_posix()
        except ValueError:
            continue
        under = [a for a in areas if a == rel or a.startswith(rel + "/")]
        if path.is_dir() and not node and under:
            whole.update(under)
        elif (area := area_of(path / "_" if path.is_dir() else path)) is not None:  # "_": a file in that directory
            part.add(area)
    return whole, part - whole


def load(path: Path = COUNTS) -> dict[str, dict[str, int]]:
    """The floor: area -> {"collected", "ran", "skipped_allowed"}.

    Raises pytest.UsageError naming the file (and the area) when it is missing, not TOML,
    or an area's table lacks one of those keys as a non-negative integer.
    """
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise pytest.UsageError(f"{path}: cannot read the test count floor: {exc} "
                                f"(scripts/update-counts writes it)") from exc
    for area, row in doc.items():
        if not (isinstance(row, dict) and all(isinstance(row.get(k), int) and row[k] >= 0 for k in KEYS)):
            raise pytest.UsageError(f"{path}: [{area}] needs non-negative integers {', '.join(KEYS)}")
    return doc


def render(rows: dict[str, dict[str, int]]) -> str:
    """The floor file's text for ``rows`` (area -> counts), areas sorted."""
    body = "".join(f"\n[{_key(area)}]\n" + "".join(f"{k} = {rows[area][k]}\n" for k in KEYS) for area in sorted(rows))
    return HEADER + body


def _key(area: str) -> str:
    """``area`` as a TOML table name: bare when it can be (``runtime``), quoted otherwise (``"sffi/plan"``)."""
    return area if area.replace("_", "").replace("-", "").isalnum() else f'"{area}"'


def shortfall(area: str, tally: Tally, floor: dict[str, int] | None) -> str | None:
    """Why ``tally`` is below ``floor`` (one message naming the area and the fix), or None."""
    where = f"tests/{area}"
    fix = ("Run the missing tests (no -k, -m, --deselect, PYTEST_ADDOPTS narrowing), or, when tests were "
           "removed on purpose, rewrite the floor with scripts/update-counts in the same commit.")
    if floor is None:
        return (f"{where} has no floor in {COUNTS.relative_to(TESTS.parent)}: a new area is recorded with "
                f"scripts/update-counts in the commit that adds it.")
    problems = []
    if tally.collected < floor["collected"]:
        problems.append(f"collected {tally.collected} tests, its floor is {floor['collected']}")
    done, want = tally.ran + tally.skipped_allowed, floor["ran"] + floor["skipped_allowed"]
    if done < want:
        problems.append(f"ran {tally.ran} tests (+{tally.skipped_allowed} skipped for an allowed reason), "
                        f"its floor is {floor['ran']} (+{floor['skipped_allowed']})")
    if not problems:
        return None
    lines = [f"{where} {' and '.join(problems)} ({COUNTS.relative_to(TESTS.parent)})."]
    if tally.deselected:
        lines.append(f"{tally.deselected} deselected (-k, -m, --deselect or PYTEST_ADDOPTS).")
    if tally.not_run:
        shown = tally.not_run[:10]
        more = f" and {len(tally.not_run) - len(shown)} more" if len(tally.not_run) > len(shown) else ""
        lines.append("Did not run: " + ", ".join(shown) + more + ".")
    lines.append(fix)
    return "\n".join(lines)


class FloorItem(pytest.Item):
    """``tests/<area>::[count-floor]``: runs last and fails when the area fell below its floor."""

    def __init__(self, *, area: str, floor, **kwargs):
        super().__init__(**kwargs)
        self.area = area
        self.floor = floor

    def runtest(self) -> None:
        plugin = self.config.pluginmanager.get_plugin("countfloor-tally")
        message = shortfall(self.area, plugin.tally(self.area), self.floor)
        if message:
            raise pytest.fail.Exception(message, pytrace=False)

    def reportinfo(self):
        return self.path, None, f"tests/{self.area}::{FLOOR_ITEM}"


class Counter:
    """Counts per area; under CI appends the floor items, with ``--record-counts`` writes the file."""

    def __init__(self, config, floor: dict | None, record: bool):
        self.config = config
        self.floor = floor
        self.record = record
        self.allow = cipolicy.load_allow_list()
        self.tallies: dict[str, Tally] = defaultdict(Tally)
        self.items: dict[str, str] = {}  # nodeid -> area, of counted items
        self.ran: set[str] = set()
        self.refused: list[str] = []  # why a recording cannot be trusted
        self.imperative_xfail: set[str] = set()
        self.outcome: list[tuple[str, bool]] = []  # (line, red) for the terminal summary
        self.whole, self.part = selection(config.args, config.invocation_params.dir)

    def tally(self, area: str) -> Tally:
        t = self.tallies[area]
        t.not_run = sorted(n for n, a in self.items.items() if a == area and n not in self.ran)
        return t

    def pytest_report_header(self) -> list[str]:
        if self.record:
            return [f"count floor: recording {COUNTS.relative_to(TESTS.parent)} (--record-counts)"]
        lines = [f"count floor (CI=true): held to {COUNTS.relative_to(TESTS.parent)} for "
                 + (", ".join(f"tests/{a}" for a in sorted(self.whole)) or "no area selected whole")]
        if self.part:
            lines.append("count floor: not applied to areas selected in part: "
                         + ", ".join(f"tests/{a}" for a in sorted(self.part)))
        return lines

    def pytest_itemcollected(self, item) -> None:
        area = area_of(item.path)
        if area is not None and not isinstance(item, FloorItem):
            self.items[item.nodeid] = area
            self.tallies[area].collected += 1

    def pytest_deselected(self, items) -> None:
        for item in items:
            if item.nodeid in self.items:
                self.tallies[self.items[item.nodeid]].deselected += 1

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session, config, items) -> None:
        if self.record or self.floor is None:
            return
        for area in sorted(self.whole):
            items.append(FloorItem.from_parent(session, name=f"tests/{area}::{FLOOR_ITEM}",
                                               nodeid=f"tests/{area}::{FLOOR_ITEM}", path=TESTS / area,
                                               area=area, floor=self.floor.get(area)))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        # An xfail marker's failing test raised its own exception; pytest.xfail() raises XFailed.
        if call.excinfo is not None and call.excinfo.errisinstance(pytest.xfail.Exception):
            self.imperative_xfail.add(item.nodeid)
        return (yield)

    def pytest_runtest_logreport(self, report) -> None:
        area = self.items.get(report.nodeid)
        if area is None:
            return
        if report.skipped and report.nodeid in self.imperative_xfail:  # stopped where it called pytest.xfail()
            self.refused.append(f"{report.nodeid} called pytest.xfail(): {report.wasxfail}")
        elif report.when == "call" and not (report.skipped and not hasattr(report, "wasxfail")):
            self.tallies[area].ran += 1
            self.ran.add(report.nodeid)
        elif report.skipped and not hasattr(report, "wasxfail"):
            reason = cipolicy.skip_reason(report.longrepr)
            if cipolicy.allowed(reason, self.allow):
                self.tallies[area].skipped_allowed += 1
                self.ran.add(report.nodeid)
            else:
                self.refused.append(f"{report.nodeid} skipped: {reason}")

    def pytest_sessionfinish(self, session, exitstatus) -> None:
        if not self.record:
            return
        problems = list(self.refused)
        missing = set(all_areas()) - self.whole
        if missing:
            problems.insert(0, "not every area was selected whole (missing: "
                               + ", ".join(f"tests/{a}" for a in sorted(missing)) + "): run the whole suite")
        deselected = sum(t.deselected for t in self.tallies.values())
        if deselected:
            problems.insert(0, f"{deselected} deselected (-k, -m, --deselect or PYTEST_ADDOPTS)")
        if exitstatus != 0:
            problems.insert(0, f"the run did not pass (exit status {int(exitstatus)})")
        name = COUNTS.relative_to(TESTS.parent)
        if problems:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            self.outcome = [(f"count floor: {name} NOT rewritten:", True)]
            self.outcome += [(f"  {p}", True) for p in problems[:20]]
            if len(problems) > 20:
                self.outcome.append((f"  and {len(problems) - 20} more", True))
            return
        rows = {a: self.tally(a).row() for a in sorted(self.tallies)}
        COUNTS.write_text(render(rows), encoding="utf-8")
        total = sum(r["collected"] for r in rows.values())
        self.outcome = [(f"count floor: wrote {name} ({len(rows)} areas, {total} tests)", False)]

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for line, red in self.outcome:
            terminalreporter.write_line(line, red=red, green=not red)


def pytest_addoption(parser) -> None:
    parser.addoption("--record-counts", action="store_true", default=False,
                     help="rewrite tests/expected-counts.toml from this run (the whole suite, every test "
                          "passing); refused under CI=true. scripts/update-counts runs it.")


@pytest.hookimpl(trylast=True)
def pytest_configure(config) -> None:
    record = config.getoption("--record-counts")
    if cipolicy.under_ci():
        if record:
            raise pytest.UsageError("--record-counts rewrites the test count floor (tests/expected-counts.toml): "
                                    "it is refused under CI=true")
        config.pluginmanager.register(Counter(config, load(), record=False), "countfloor-tally")
    elif record:
        config.pluginmanager.register(Counter(config, None, record=True), "countfloor-tally")
