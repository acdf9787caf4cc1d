"""`scons runtime --with=...` end to end, in a temporary copy of the project.

Each test runs real SCons builds and real scripts. The copy shares nothing
with the working tree's build/, so the incremental-build assertions see
exactly what SCons did.
"""

import ast
import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from buildhelp import ROOT, runtime_path, scons

IGNORE = shutil.ignore_patterns("build", ".venv", ".git", "__pycache__", ".pytest_cache", "target", "Cargo.lock")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("project") / "sffi"
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    return dest


def build(project, *args, check=True):
    return scons(["runtime", "-j2", *args], cwd=project, check=check)


def compiled(output: str) -> list[str]:
    """The targets SCons compiled, linked or generated (its progress lines)."""
    return re.findall(r"^\s+(?:CC|CXX|AR|LINK|CARGO|TABLE|PROTO|GEN)\s+(\S+)", output, re.M)


def run(binary, *args, **kw):
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=60, **kw)


@contextlib.contextmanager
def edited(path: Path, edit):
    """``path`` rewritten as ``edit(original text)`` inside the block, restored after it."""
    original = path.read_text()
    try:
        path.write_text(edit(original))
        yield original
    finally:
        path.write_text(original)


def without_declaration(name: str):
    """An edit for :func:`edited` that drops the ``extern fn <name>(`` line."""
    return lambda text: "".join(line for line in text.splitlines(keepends=True)
                                if not line.startswith(f"extern fn {name}("))


def test_core_only_runtime_builds_and_runs(project):
    out = build(project, "--with=none").stdout
    assert "runtime: build/release/sel/core/simple" in out
    proc = run(project / "build/bin/simple", "-e", 'print "sum {1 + 2}"')
    assert (proc.returncode, proc.stdout) == (0, "sum 3\n")
    externs = run(project / "build/bin/simple", "--externs").stdout
    assert "rt_file_read_text" in externs and "rt_sqlite_open" not in externs


def test_second_build_is_up_to_date(project):
    build(project, "--with=none")
    out = build(project, "--with=none").stdout
    assert "`runtime' is up to date." in out
    assert compiled(out) == []


def test_sqlite_runtime_runs_the_example(project, tmp_path):
    out = build(project, "--with=sqlite").stdout
    # the runtime's own objects are shared with the core-only build: none recompiled
    assert not [t for t in compiled(out) if "/runtime/" in t]
    assert "runtime: build/release/sel/core+sqlite/simple" in out
    binary = runtime_path("sqlite", root=project)
    example, db_path = project / "examples/sqlite/inventory.spl", tmp_path / "inventory.db"
    proc = run(binary, str(example), str(db_path))
    assert proc.returncode == 0, proc.stderr
    data = inventory_data(example.read_text())
    sqlite_version = subprocess.run(["pkg-config", "--modversion", "sqlite3"], capture_output=True,
                                    text=True, check=True).stdout.strip()
    assert proc.stdout.splitlines() == inventory_report(data, sqlite_version, db_path)
    # the file is a real database: Python's sqlite3 reads the restocked quantities back
    rows = sqlite3.connect(db_path).execute("SELECT sku, qty FROM items ORDER BY id").fetchall()
    assert rows == [(item["sku"], restocked(item["qty"], data)) for item in data["items"]]
    version = run(binary, "--version").stdout
    assert "sqlite" in version


def inventory_data(source: str) -> dict:
    """The stock list and thresholds written in examples/sqlite/inventory.spl (its list literals)."""
    def literal(name):
        return ast.literal_eval(re.search(rf"^\s*val {name} = (.+)$", source, re.M).group(1))
    columns = ("sku", "name", "category", "qty", "price")
    lists = [literal(n) for n in ("skus", "names", "categories", "quantities", "prices")]
    return {"items": [dict(zip(columns, row)) for row in zip(*lists)],
            "low": literal("LOW_STOCK"), "restock": literal("RESTOCK_BY")}


def restocked(qty: int, data: dict) -> int:
    return qty + data["restock"] if qty <= data["low"] else qty


def cents(x: Decimal) -> str:
    """``x`` to 2 decimals, halves away from zero: SQLite's printf('%.2f') on the decimal value
    (it adds a 3e-16 relative nudge so that 8.075, stored as 8.07499..., prints 8.08)."""
    return str(x.quantize(Decimal("0.01"), ROUND_HALF_UP))


def inventory_report(data: dict, sqlite_version: str, db_path: Path) -> list[str]:
    """The lines inventory.spl must print for a new database, recomputed here from its data."""
    items, rule = data["items"], "-" * 44
    by_category: dict[str, list[dict]] = {}
    for item in items:
        by_category.setdefault(item["category"], []).append(item)
    price = {i["sku"]: Decimal(str(i["price"])) for i in items}  # the literals as written
    value = {c: sum(i["qty"] * price[i["sku"]] for i in its) for c, its in by_category.items()}
    lines = [f"SQLite {sqlite_version}, database {db_path} (new)",
             f"loaded {len(items)} items in one transaction (last rowid {len(items)})", "",
             "%-10s %5s %6s %10s %9s" % ("category", "items", "units", "value", "avg price"), rule]
    for cat in sorted(by_category, key=value.get, reverse=True):
        its = by_category[cat]
        average = sum(price[i["sku"]] for i in its) / len(its)
        lines.append("%-10s %5d %6d %10s %9s" % (cat, len(its), sum(i["qty"] for i in its), cents(value[cat]),
                                                cents(average)))
    units = sum(i["qty"] for i in items)
    lines += [rule, "%-10s %5d %6d %10s" % ("total", len(items), units, cents(sum(value.values()))), "",
              f"low stock (at most {data['low']} left):"]
    low = sorted((i for i in items if i["qty"] <= data["low"]), key=lambda i: (i["qty"], i["sku"]))
    lines += [f"  {i['sku']}  {i['name']}: {i['qty']} left" for i in low]
    assert low, "the example's data has no low item: its restock path would go untested"
    return lines + [f"restocked {len(low)} items by {data['restock']} units each",
                    f"units in stock now: {sum(restocked(i['qty'], data) for i in items)}"]


def test_switching_selection_links_without_compiling_libraries(project):
    build(project, "--with=none")
    build(project, "--with=sqlite")
    out = build(project, "--with=none").stdout
    assert compiled(out) == []  # both runtimes exist: only build/bin/simple is replaced
    assert "INSTALL" in out


def test_edited_declaration_regenerates_table_and_relinks_only(project):
    build(project, "--with=sqlite")
    # Drop one declaration: the table shrinks, the crate itself is untouched.
    with edited(project / "ffi_libs/sqlite/sqlite.spl", without_declaration("rt_sqlite_reset")):
        out = build(project, "--with=sqlite").stdout
        targets = compiled(out)
        assert any(t.endswith("sffi_table.c") for t in targets)
        assert any(t.endswith("core+sqlite/simple") for t in targets)
        assert not [t for t in targets if "/libs/" in t or "/runtime/" in t or "umbrella" in t], targets
        assert "'rt_sqlite_reset' is exported by library 'sqlite'" in out  # now undeclared: a warning
        binary = runtime_path("sqlite", root=project)
        assert "rt_sqlite_reset" not in run(binary, "--externs").stdout


def test_report_target_writes_every_format(project):
    with edited(project / "ffi_libs/sqlite/sqlite.spl", without_declaration("rt_sqlite_reset")):
        out = scons(["report", "--with=sqlite"], cwd=project).stdout
        from sffi import decls, manifest
        declared = sum(len(decls.parse_files(manifest.load(project / "ffi_libs" / lib).declarations)[0])
                       for lib in ("core", "sqlite"))
        assert f"REPORT  build/release/sel/core+sqlite/report.{{txt,md,json,html}}: {declared} ok" in out
        sel = project / "build/release/sel/core+sqlite"
        doc = json.loads((sel / "report.json").read_text())
        assert doc["format"] == "sffi-report/1" and doc["status"] == 4
        undeclared = [e for e in doc["externs"] if e["status"] != "ok"]
        assert [(e["name"], e["status"], e["in_table"]) for e in undeclared] == [("rt_sqlite_reset", "undeclared", False)]
        for ext in ("txt", "md", "html"):
            assert "rt_sqlite_reset" in (sel / f"report.{ext}").read_text()
        assert "`report' is up to date." in scons(["report", "--with=sqlite"], cwd=project).stdout


def test_comment_only_edit_relinks_nothing(project):
    build(project, "--with=sqlite")
    with edited(project / "ffi_libs/core/core.spl", lambda text: "# moves every declaration one line down\n" + text):
        targets = compiled(build(project, "--with=sqlite").stdout)
        # the table is regenerated and recompiled (its comments cite lines), but
        # its object is identical, so nothing is relinked and no library rebuilt
        assert [t for t in targets if not t.endswith(("sffi_table.c", "sffi_table.o", ".h"))] == []


def test_declared_but_missing_extern_fails_with_its_location(project):
    spl = project / "ffi_libs/sqlite/sqlite.spl"
    with edited(spl, lambda text: text + "extern fn rt_sqlite_vacuum_all(db: i64) -> i64\n"):
        line = len(spl.read_text().splitlines())
        proc = build(project, "--with=sqlite", check=False)
        assert proc.returncode != 0
        text = proc.stdout + proc.stderr
        assert f"ffi_libs/sqlite/sqlite.spl:{line}:1: error: extern 'rt_sqlite_vacuum_all' is declared" in text
        assert "LINK" not in proc.stdout


def test_sffi_check_reports_signatures_verified_by_the_build(project):
    build(project, "--with=sqlite")
    for lib in ("core", "sqlite"):
        proc = subprocess.run([sys.executable, "-m", "sffi", "check", f"ffi_libs/{lib}"], cwd=project,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert "signatures: verified" in proc.stdout
        assert " MISSING" not in proc.stdout and "unchecked" not in proc.stdout


@pytest.mark.parametrize("spl, old, new", [
    ("ffi_libs/core/core.spl", "rt_file_exists(path: text) -> bool", "rt_file_exists(path: text) -> i64"),
    ("ffi_libs/sqlite/sqlite.spl", "rt_sqlite_changes(db: i64) -> i64", "rt_sqlite_changes(db: i64) -> f64"),
])
def test_signature_mismatch_fails_the_build(project, spl, old, new):
    with edited(project / spl, lambda text: text.replace(old, new)) as original:
        assert old in original
        proc = build(project, "--with=sqlite", check=False)
        assert proc.returncode != 0
        name = old.split("(")[0]
        assert name in proc.stdout + proc.stderr
        assert "LINK" not in proc.stdout


def test_unknown_library_lists_the_known_ones(project):
    proc = build(project, "--with=sqlite,postgres", check=False)
    assert proc.returncode == 2
    assert "unknown library 'postgres'" in proc.stderr
    assert "known libraries: core, opencv, sqlite, torch" in proc.stderr


def test_missing_dependency_fails_before_compiling(project):
    lib = project / "ffi_libs/needy"
    (lib / "src").mkdir(parents=True)
    (lib / "needy.spl").write_text("extern fn rt_needy_x() -> i64\n")
    (lib / "src/needy.c").write_text("#include <stdint.h>\nint64_t rt_needy_x(void) { return 1; }\n")
    (lib / "sffi.toml").write_text(
        'name = "needy"\nprefix = "rt_needy_"\nkind = "c"\ndeclarations = ["needy.spl"]\n'
        'sources = ["src/*.c"]\n[[dependency]]\npkg-config = "sffi-no-such-package"\n'
        'install = "apt-get install libno-such-dev"\n')
    try:
        proc = build(project, "--with=needy", check=False)
        assert proc.returncode == 2
        assert "missing dependency 'sffi-no-such-package'" in proc.stderr
        assert "apt-get install libno-such-dev" in proc.stderr
        assert compiled(proc.stdout) == []
    finally:
        shutil.rmtree(lib)


def test_symbol_defined_by_two_libraries_fails_the_build(project):
    lib = project / "ffi_libs/dup"
    (lib / "src").mkdir(parents=True)
    (lib / "dup.spl").write_text("extern fn rt_dup_one() -> i64\n")
    # rt_env_get is core's: a static link would fail or silently pick one
    (lib / "src/dup.c").write_text("#include <stdint.h>\nint64_t rt_dup_one(void) { return 1; }\n"
                                   "const char *rt_env_get(const char *n) { return n; }\n")
    (lib / "sffi.toml").write_text('name = "dup"\nprefix = "rt_dup_"\nkind = "c"\ndeclarations = ["dup.spl"]\n'
                                   'sources = ["src/*.c"]\n')
    try:
        proc = build(project, "--with=dup", check=False)
        assert proc.returncode != 0
        text = proc.stdout + proc.stderr
        assert "symbol 'rt_env_get' is defined by more than one library: library 'core'" in text
        assert "library 'dup'" in text and "LINK" not in proc.stdout
    finally:
        shutil.rmtree(lib)


EXPLAIN = {**os.environ, "SFFI_EXPLAIN_UPTODATE": "1"}


def recorded(project, *args) -> subprocess.CompletedProcess:
    """Build, wait until no source is younger than the record's margin, and walk the whole graph
    once more: that no-op writes the up-to-date record (sffi.plan.uptodate); returns its run."""
    build(project, "--with=none", *args)
    time.sleep(2.2)
    proc = build(project, "--with=none", "--full-check", *args)
    assert "sffi: up-to-date record: recorded" in scons(["runtime", "-j2", "--with=none", "--full-check", *args],
                                                        cwd=project, env=EXPLAIN).stderr
    return proc


def test_unchanged_build_answers_from_its_record_as_the_graph_walk_would(project):
    walked = recorded(project)
    fast = scons(["runtime", "-j2", "--with=none"], cwd=project, env=EXPLAIN)
    assert "stamps match" in fast.stderr
    assert fast.stdout == walked.stdout and "`runtime' is up to date." in fast.stdout
    start = (project / "build/.scons-start").stat().st_mtime_ns  # written by every graph walk
    build(project, "--with=none")
    assert (project / "build/.scons-start").stat().st_mtime_ns == start


def _touch(path: Path) -> None:
    path.write_bytes(path.read_bytes())  # same bytes, a new time


@pytest.mark.parametrize("change, why", [
    (lambda p: _touch(p / "runtime/include/sffi_abi.h"), "runtime/include/sffi_abi.h changed"),
    (lambda p: (p / "runtime/src/zz_new.h").write_text("/* new */\n"), "runtime/src changed"),
    (lambda p: _touch(p / "site_scons/sffi/plan/kinds.py"), "site_scons/sffi/plan/kinds.py changed"),
    (lambda p: (p / "build/bin/simple").unlink(), "build/bin/simple changed"),
], ids=["header-touched", "file-added-beside-sources", "toolkit-code", "output-removed"])
def test_any_change_to_what_the_build_read_walks_the_graph(project, change, why):
    recorded(project)
    change(project)
    try:
        proc = scons(["runtime", "-j2", "--with=none"], cwd=project, env=EXPLAIN)
        assert why in proc.stderr
        assert ("INSTALL" in proc.stdout) == why.startswith("build/bin/simple")  # rebuilt only when it must be
        assert (project / "build/bin/simple").exists()
    finally:
        (project / "runtime/src/zz_new.h").unlink(missing_ok=True)


def test_another_command_line_or_environment_has_no_record(project):
    recorded(project)
    for args, env in ((["-j1"], EXPLAIN), ([], {**EXPLAIN, "SFFI_SOME_SETTING": "1"})):
        proc = scons(["runtime", "--with=none", *args], cwd=project, env=env)
        assert "no record for this command line and environment" in proc.stderr
    dry = scons(["runtime", "-j2", "--with=none", "-n"], cwd=project, env=EXPLAIN)
    assert "up-to-date record" not in dry.stderr  # -n (and any option not known safe) always walks the graph


def test_help_documents_every_option(project):
    out = scons(["-h"], cwd=project).stdout
    for option in ("--with=LIBS", "--mode=", "--sanitize=", "--verbose", "runtime", "ffi", "report"):
        assert option in out


def test_clean_removes_the_build(project):
    build(project, "--with=none")
    scons(["-c", "--with=none"], cwd=project)
    assert not (project / "build/bin/simple").exists()
    assert not (project / "build/release").exists()
