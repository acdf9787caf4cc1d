#!/usr/bin/env python3
"""tests/README.md: the scheme of tests/, and which test files exercise each module of
``site_scons/sffi``, each unit of ``runtime/src`` and each library of ``ffi_libs/`` (issue 25,
"Tests"), read from the tests themselves.

Usage:
    python scripts/testmap.py            # print tests/README.md as it should read
    python scripts/testmap.py --write    # rewrite it

The scheme mirrors the source tree (:data:`SCHEME`): a module ``sffi/<pkg>/<mod>.py`` has its
tests in ``tests/sffi/<pkg>/test_<mod>.py`` where one file per module is natural (its *home*).
Beside the home, a test file *tests* a module when it imports it (anywhere in the file, also
through ``from sffi.x import y``) or names it in a string it runs (``python -m sffi ...`` runs
``sffi.cli``). A runtime unit (``runtime/src/<unit>.c`` and its header) is tested by
``tests/runtime/test_<unit>.py`` and by any test file that names ``runtime/src/<unit>.c`` (a
test file of tests/runtime: ``<unit>.c``); every unit is
also run by the golden scripts of tests/runtime. A library ``ffi_libs/<lib>`` is tested by
``tests/ffi_libs/<lib>/`` and by any test file that names ``ffi_libs/<lib>`` or builds it
(``--with=<lib>``, ``--modules=<lib>``, ``build_runtime("<lib>")``). A module or unit no test
file reaches is listed as such: the map shows where tests are missing, it does not claim
coverage. A test file outside the scheme's directories is listed under "Outside the scheme".
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import archgraph  # noqa: E402  (the module list and import resolution of site_scons/)

ROOT = archgraph.ROOT
TESTS = ROOT / "tests"
README = TESTS / "README.md"
FFI_LIBS = ROOT / "ffi_libs"

#: The directories of tests/ (a test file anywhere else is outside the scheme) and what each holds.
SCHEME: tuple[tuple[str, str], ...] = (
    ("sffi/", "the `sffi` package, mirroring `site_scons/sffi/`: `tests/sffi/<pkg>/test_<module>.py` "
              "for `site_scons/sffi/<pkg>/<module>.py` (`tests/sffi/test_<module>.py` for a top-level "
              "module), one file per module where that is natural, else one per package "
              "(`tests/sffi/dwarf/test_dwarf.py`); no SCons build of a runtime, except where a test "
              "needs a real built library (`sffi report` on the sqlite build)"),
    ("runtime/", "the C runtime of `runtime/`: golden scripts (`golden/`, `abi/`, `modules/`; format "
                 "in `tests/runtime/README.md`), the `simple` command line (`test_simple_cli.py`; "
                 "`sffi`'s is `tests/sffi/test_cli.py`), run-time module loading "
                 "(`test_module_loading.py`), hostile sizes, `test_<unit>.py` for a unit of `runtime/src`"),
    ("ffi_libs/<lib>/", "one library of `ffi_libs/` through a real runtime (`core`, `sqlite`, `torch`, "
                        "`opencv`); `tests/ffi_libs/` itself holds what spans every library: Simple's "
                        "contracts (`test_contracts.py`, `contracts/`) and each crate's `cargo test`"),
    ("fuzz/", "mirrors `fuzz/`: every fuzz target runs a few seconds (the campaign is `scripts/fuzz`)"),
    ("integration/", "whole builds of copies of the project (`scons runtime`, `scons matrix`, modules, "
                     "reproducibility, the hardened runtime) and, one directory each: `hosts/` the host "
                     "kit's example hosts, `package/` the wheel building outside projects, `ci/` the "
                     "workflows, `suite/` the suite's own policy (skips, count floor, early returns), "
                     "`sweep/` the misuse sweep of every extern over real runtimes"),
)
HELPERS = ("Helpers that test files import sit beside them, or at `tests/` when files of several "
           "directories share them (`buildhelp.py`, `cbuild.py`, `elfgen.py`, `elforacle.py`, "
           "`goldenlib.py`, `modbuild.py`, `abiruntime.py`, `hashseed.py`; pytest puts `tests/` on "
           "`sys.path` through `tests/conftest.py`). Test file names are unique across the tree "
           "(pytest's default import mode needs it).")


def test_files(tests: Path = TESTS) -> list[Path]:
    """Every Python file under tests/ (test modules and their helpers), sorted."""
    return sorted(p for p in tests.rglob("*.py") if "__pycache__" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(TESTS).as_posix()


def imported_by(path: Path, known: dict) -> set[str]:
    """The site_scons modules a test file imports (resolved as archgraph resolves them)."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, str(path))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found = {archgraph._resolve(a.name, known) for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found = {archgraph._from_import(node.module, a.name, known) for a in node.names}
        else:
            continue
        out |= {m for m in found if m}
    if '"sffi"' in text or "'-m', 'sffi'" in text:
        out.add("sffi.cli")  # runs the sffi command: python -m sffi ...
    return out


def home_of(module: str) -> str:
    """The test file the scheme gives a module (relative to tests/): ``sffi.plan.kinds`` ->
    ``sffi/plan/test_kinds.py``; a package ``sffi.plan`` -> ``sffi/plan/test_plan.py``."""
    parts = module.split(".")
    path = archgraph.python_modules().get(module)
    if path is not None and path.name == "__init__.py":
        return "/".join(parts) + f"/test_{parts[-1]}.py"
    return "/".join(parts[:-1]) + f"/test_{parts[-1].lstrip('_')}.py"


def module_tests() -> dict[str, tuple[str | None, list[str]]]:
    """module -> (its home test file when it exists, the other test files that import it)."""
    known = archgraph.python_modules()
    importers: dict[str, set[str]] = {m: set() for m in known}
    for path in test_files():
        for module in imported_by(path, known):
            importers[module].add(_rel(path))
    out = {}
    for module in known:
        home = home_of(module)
        home = home if (TESTS / home).is_file() else None
        out[module] = (home, sorted(importers[module] - {home}))
    return out


def runtime_tests() -> dict[str, list[str]]:
    """unit of runtime/src (a .c and its .h) -> the test files that name it or are named after it."""
    texts = {_rel(p): p.read_text(encoding="utf-8") for p in test_files() if p.name.startswith("test_")}
    out = {}
    for unit in sorted(archgraph.c_graph()):
        # A path (runtime/src/x.c, or "src" / "x.c" in pathlib) anywhere; a bare x.c only in
        # tests/runtime (elsewhere it is as likely a planted file of the same name).
        path = re.compile(rf'runtime/src/{re.escape(unit)}\.[ch]\b|"src" / "{re.escape(unit)}\.[ch]"')
        bare = re.compile(rf"(?<![\w/.-]){re.escape(unit)}\.[ch]\b")
        out[unit] = sorted(f for f, t in texts.items()
                           if f == f"runtime/test_{unit}.py" or path.search(t)
                           or (f.startswith("runtime/") and bare.search(t)))
    return out


def library_tests() -> dict[str, tuple[list[str], list[str]]]:
    """library of ffi_libs/ -> (its test files under tests/ffi_libs/<lib>/, other test files that
    name ``ffi_libs/<lib>`` or build it)."""
    out = {}
    for lib in sorted(p.name for p in FFI_LIBS.iterdir() if (p / "sffi.toml").is_file()):
        home = sorted(_rel(p) for p in (TESTS / "ffi_libs" / lib).glob("test_*.py"))
        names = re.compile(rf"ffi_libs/{lib}\b|--(?:with|modules)=(?:[\w,]*,)?{lib}\b|build_runtime\(\"{lib}\"")
        others = sorted(_rel(p) for p in test_files() if p.name.startswith("test_") and _rel(p) not in home
                        and names.search(p.read_text(encoding="utf-8")))
        out[lib] = (home, others)
    return out


def outside_scheme() -> list[str]:
    """Test files (``test_*.py``) under no directory of :data:`SCHEME`."""
    roots = tuple(d.split("<")[0] for d, _ in SCHEME)
    return [_rel(p) for p in test_files() if p.name.startswith("test_") and not _rel(p).startswith(roots)]


def _files(files: list[str]) -> str:
    return ", ".join(f"`{f}`" for f in files)


def render() -> str:
    """tests/README.md as the tests say it should read."""
    lines = ["# Tests: the scheme, and what tests what", "",
             "<!-- Generated by scripts/testmap.py from the tests themselves; run "
             "`python scripts/testmap.py --write` after adding, moving or renaming a test file. -->", "",
             "The suite runs with `scripts/test` (CI: `.ci/run`); one directory with "
             "`.venv/bin/python -m pytest tests/<dir> -q -x`. Each area (a test file's directory, at "
             "most two levels under `tests/`: `sffi/plan`, `ffi_libs/torch`, `integration/sweep`) has a "
             "floor of collected and run tests in `tests/expected-counts.toml` (`tests/countfloor.py`).", "",
             "## The scheme", "",
             "`tests/` mirrors the source tree: a test lives where the code it tests lives.", "",
             "| directory | holds |", "|---|---|"]
    lines += [f"| `tests/{d}` | {what} |" for d, what in SCHEME]
    lines += ["", HELPERS, ""]
    stray = outside_scheme()
    if stray:
        lines += ["**Outside the scheme** (move them): " + _files(stray), ""]

    mapping = module_tests()
    lines += ["## Each module of `site_scons/sffi` and its tests", "",
              "*Home*: the module's own test file by the scheme (`tests/sffi/<pkg>/test_<module>.py`), "
              "where there is one. *Also imported by*: other test files that import the module.", "",
              "| module | layer | home | also imported by |", "|---|---|---|---|"]
    for module in sorted(mapping):
        home, others = mapping[module]
        lines.append(f"| `{module}` | {archgraph.LAYERS[archgraph.layer_of(module)][0]} | "
                     f"{_files([home]) if home else '—'} | {_files(others) or '—'} |")
    untested = [m for m, (home, others) in sorted(mapping.items()) if not home and not others]
    lines += ["", f"{len(untested)} of {len(mapping)} modules have no home test file and are imported by "
              "no test file (some are exercised through builds or the command line only).", ""]

    units = runtime_tests()
    lines += ["## Each unit of `runtime/src` and its tests", "",
              "Every unit runs under the golden scripts of `tests/runtime/` (`test_golden.py`, "
              "`test_use_modules.py`, `test_marshal.py` on `abi/`). Listed here: `tests/runtime/test_<unit>.py` "
              "and the test files that name the unit's file (`runtime/src/<unit>.c`; in `tests/runtime/` "
              "also `<unit>.c`).", "",
              "| unit | test files that name it |", "|---|---|"]
    lines += [f"| `{u}` | {_files(files) or '—'} |" for u, files in units.items()]
    lines += ["", f"{sum(1 for f in units.values() if not f)} of {len(units)} units are named by no test "
              "file (they are run by the golden scripts only).", ""]

    lines += ["## Each library of `ffi_libs/` and its tests", "",
              "| library | its tests (`tests/ffi_libs/<lib>/`) | other test files that build or name it |",
              "|---|---|---|"]
    for lib, (home, others) in library_tests().items():
        lines.append(f"| `{lib}` | {_files(home) or '—'} | {_files(others) or '—'} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite tests/README.md")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        README.write_text(text, encoding="utf-8")
        print(f"wrote {README.relative_to(ROOT)}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
