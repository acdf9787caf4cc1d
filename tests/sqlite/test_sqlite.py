"""The sqlite library through a real `--with=sqlite` runtime: results, errors, no data lost.

Expected values come from Python's own sqlite3 module running the same SQL. Both
vocabularies are exercised: this library's first names (exec, step, column_i64)
and Simple's sqlite Tier-2 names (execute, query, query_next, column_int, ...).
"""

import shutil
import sqlite3
import subprocess
import textwrap

import pytest

from buildhelp import ROOT, install_with_module

# Every script starts with the library's own declarations (both vocabularies).
DECLS = (ROOT / "ffi_libs" / "sqlite" / "sqlite.spl").read_text(encoding="utf-8")


def display_float(x: float) -> str:
    """A float as Simple prints it (Rust's f64 Display): 2.0 -> "2", 2.5 -> "2.5"."""
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)


@pytest.fixture(scope="module", params=["linked", "module"])
def simple(build_runtime, request, tmp_path_factory):
    """The sqlite runtime both ways (docs/modules.md): sqlite linked in, and a core-only
    runtime installed beside the sqlite module, in its default module directory."""
    if request.param == "linked":
        return build_runtime("sqlite")
    core = build_runtime("none", modules="sqlite")
    return install_with_module(core, "sqlite", tmp_path_factory.mktemp("sqlite-module"))


def run(simple, tmp_path, body, *args):
    script = tmp_path / "t.spl"
    script.write_text(DECLS + textwrap.dedent(body))
    return subprocess.run([str(simple), str(script), *map(str, args)], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)


def test_version_matches_the_linked_library(simple, tmp_path):
    proc = run(simple, tmp_path, 'print rt_sqlite_version()\n')
    assert proc.returncode == 0
    assert proc.stdout.strip() == subprocess.run(["pkg-config", "--modversion", "sqlite3"],
                                                 capture_output=True, text=True).stdout.strip()


def test_bound_inserts_and_aggregates_match_python_sqlite3(simple, tmp_path):
    rows = [("bolt", 3, 0.25), ("nut", 10, 0.1), ("bolt", 4, 0.3), ("gear", 1, 12.5)]
    db_path = tmp_path / "parts.db"
    lines = [f'val db = rt_sqlite_open("{db_path}")',
             'rt_sqlite_exec(db, "CREATE TABLE parts (name TEXT NOT NULL, qty INTEGER, price REAL)")',
             'rt_sqlite_exec(db, "BEGIN")',
             'val ins = rt_sqlite_prepare(db, "INSERT INTO parts VALUES (?, ?, ?)")']
    for name, qty, price in rows:
        lines += [f'rt_sqlite_bind_text(ins, 1, "{name}")', f"rt_sqlite_bind_i64(ins, 2, {qty})",
                  f"rt_sqlite_bind_f64(ins, 3, {price})", "rt_sqlite_step(ins)"]
    lines += ["rt_sqlite_finalize(ins)", 'rt_sqlite_exec(db, "COMMIT")',
              'print "rowid {rt_sqlite_last_insert_rowid(db)}"',
              'val q = rt_sqlite_prepare(db, "SELECT name, COUNT(*), SUM(qty), AVG(price) FROM parts '
              'GROUP BY name ORDER BY name")',
              'print "columns {rt_sqlite_column_count(q)}"',
              "while rt_sqlite_step(q):",
              '    print "{rt_sqlite_column_text(q, 0)} {rt_sqlite_column_i64(q, 1)} '
              '{rt_sqlite_column_i64(q, 2)} {rt_sqlite_column_f64(q, 3)}"',
              "rt_sqlite_finalize(q)",
              "rt_sqlite_exec(db, \"UPDATE parts SET qty = qty + 1 WHERE name = 'bolt'\")",
              'print "changed {rt_sqlite_changes(db)}"', "rt_sqlite_close(db)"]
    body = "\n".join(lines) + "\n"
    proc = run(simple, tmp_path, body)
    assert proc.returncode == 0, proc.stderr
    ref = sqlite3.connect(":memory:")
    ref.execute("CREATE TABLE parts (name TEXT NOT NULL, qty INTEGER, price REAL)")
    ref.executemany("INSERT INTO parts VALUES (?, ?, ?)", rows)
    expected = ["rowid 4", "columns 4"]
    for name, count, total, avg in ref.execute(
            "SELECT name, COUNT(*), SUM(qty), AVG(price) FROM parts GROUP BY name ORDER BY name"):
        expected.append(f"{name} {count} {total} {display_float(float(avg))}")
    expected.append("changed 2")
    assert proc.stdout.splitlines() == expected
    # the file is a real database that Python's sqlite3 reads back
    assert sqlite3.connect(db_path).execute("SELECT SUM(qty) FROM parts").fetchone() == (20,)


def test_sql_null_text_is_nil(simple, tmp_path):
    proc = run(simple, tmp_path, """
    val db = rt_sqlite_open(":memory:")
    val q = rt_sqlite_prepare(db, "SELECT NULL, 'x'")
    rt_sqlite_step(q)
    print rt_sqlite_column_text(q, 0)
    print rt_sqlite_column_text(q, 1)
    """)
    assert (proc.returncode, proc.stdout) == (0, "nil\nx\n")


@pytest.mark.parametrize("body, message", [
    ('val db = rt_sqlite_open(":memory:")\nrt_sqlite_exec(db, "SELEC 1")\n',
     'rt_sqlite_exec failed: near "SELEC": syntax error'),
    ('val db = rt_sqlite_open(":memory:")\nrt_sqlite_close(db)\nrt_sqlite_exec(db, "SELECT 1")\n',
     "rt_sqlite_exec failed:"),
    ('rt_sqlite_exec(12345, "SELECT 1")\n', "rt_sqlite_exec failed:"),
    ('val db = rt_sqlite_open(":memory:")\nval q = rt_sqlite_prepare(db, "SELECT 1")\nrt_sqlite_step(q)\n'
     'print rt_sqlite_column_i64(q, 7)\n', "rt_sqlite_column_i64 failed:"),
    ('val db = rt_sqlite_open(":memory:")\nval q = rt_sqlite_prepare(db, "SELECT 1")\nrt_sqlite_finalize(q)\n'
     'rt_sqlite_step(q)\n', "rt_sqlite_step failed:"),
    ('val db = rt_sqlite_open(":memory:")\nval q = rt_sqlite_prepare(db, "SELECT 1")\nrt_sqlite_exec(q, "SELECT 1")\n',
     "rt_sqlite_exec failed:"),
    ('val db = rt_sqlite_open_memory()\nrt_sqlite_commit(db)\n',
     "rt_sqlite_commit failed: cannot commit - no transaction is active"),
    ('val db = rt_sqlite_open_memory()\nrt_sqlite_execute(db, "CREATE TABLE t(x); DROP TABLE t")\n',
     "rt_sqlite_execute failed: the text holds more than one SQL statement"),
    ('val db = rt_sqlite_open_memory()\nval q = rt_sqlite_query(db, "SELECT NULL")\nrt_sqlite_query_next(q)\n'
     'print rt_sqlite_column_int(q, 0)\n', "rt_sqlite_column_int failed: column 0 ('NULL') is NULL"),
    ('val db = rt_sqlite_open_memory()\nrt_sqlite_close(db)\nprint rt_sqlite_error_message(db)\n',
     "rt_sqlite_error_message failed: database handle"),
])
def test_errors_are_script_errors_with_the_line(simple, tmp_path, body, message):
    proc = run(simple, tmp_path, body)
    assert proc.returncode == 1
    assert message in proc.stderr
    last_line = len((DECLS + body).splitlines())
    assert f"t.spl:{last_line}:" in proc.stderr
    assert "rt_sqlite_exec failed: rt_sqlite_exec" not in proc.stderr  # the extern is named once


def test_constraint_violation_loses_no_committed_data(simple, tmp_path):
    db_path = tmp_path / "keep.db"
    ref = sqlite3.connect(db_path)
    ref.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
    ref.execute("INSERT INTO t (v) VALUES ('a'), ('b')")
    ref.commit()
    ref.close()
    proc = run(simple, tmp_path, f"""
    val db = rt_sqlite_open("{db_path}")
    rt_sqlite_exec(db, "INSERT INTO t (v) VALUES ('b')")
    """)
    assert proc.returncode == 1
    assert "UNIQUE constraint failed: t.v" in proc.stderr
    assert sqlite3.connect(db_path).execute("SELECT v FROM t ORDER BY id").fetchall() == [("a",), ("b",)]


def test_simple_names_match_python_sqlite3(simple, tmp_path):
    rows = [("bolt", 3, 0.25), ("nut", 10, 0.1), (None, 4, 0.3), ("gear", 1, 12.5)]
    db_path = tmp_path / "simple.db"
    lines = [f'val db = rt_sqlite_open("{db_path}")',
             'val made = rt_sqlite_execute(db, "CREATE TABLE parts (name TEXT, qty INTEGER, price REAL)")',
             'print "status {made}"',
             'print "status {rt_sqlite_begin(db)}"',
             'val ins = rt_sqlite_prepare(db, "INSERT INTO parts VALUES (?, ?, ?)")', "var s = 0"]
    for name, qty, price in rows:
        bind = f'rt_sqlite_bind_text(ins, 1, "{name}")' if name else "rt_sqlite_bind_null(ins, 1)"
        lines += [f"s = {bind}", f"s += rt_sqlite_bind_int(ins, 2, {qty})",
                  f"s += rt_sqlite_bind_float(ins, 3, {price})", "s += rt_sqlite_query_next(ins)",
                  "s += rt_sqlite_reset(ins)", 'print "insert {s}"']
    lines += ["rt_sqlite_finalize(ins)", 'print "status {rt_sqlite_commit(db)}"',
              'print "rowid {rt_sqlite_last_insert_rowid(db)}"',
              'print "status {rt_sqlite_begin(db)}"',
              'rt_sqlite_execute(db, "DELETE FROM parts")',
              'print "status {rt_sqlite_rollback(db)}"',
              'val q = rt_sqlite_query(db, "SELECT name, COUNT(*), SUM(qty), AVG(price) FROM parts '
              'GROUP BY name ORDER BY name")',
              'print "columns {rt_sqlite_column_count(q)} {rt_sqlite_column_name(q, 3)}"',
              "while rt_sqlite_query_next(q) == 1:",
              '    print "{rt_sqlite_column_type(q, 0)} {rt_sqlite_column_text(q, 0)} {rt_sqlite_column_int(q, 1)} '
              '{rt_sqlite_column_int(q, 2)} {rt_sqlite_column_float(q, 3)}"',
              'print "after the end {rt_sqlite_query_next(q)} {rt_sqlite_query_next(q)}"',
              "rt_sqlite_query_done(q)",
              'val batch = rt_sqlite_execute_batch(db, "UPDATE parts SET qty = qty + 1; DELETE FROM parts WHERE qty > 10")',
              'print "status {batch}"',
              'print "changed {rt_sqlite_changes(db)}"',
              'print "message {rt_sqlite_error_message(db)}"',
              'print "status {rt_sqlite_close(db)}"']
    proc = run(simple, tmp_path, "\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    ref = sqlite3.connect(":memory:")
    ref.execute("CREATE TABLE parts (name TEXT, qty INTEGER, price REAL)")
    ref.executemany("INSERT INTO parts VALUES (?, ?, ?)", rows)
    expected = ["status 0", "status 0"] + ["insert 0"] * len(rows) + ["status 0", "rowid 4", "status 0", "status 0",
                                                                      "columns 4 AVG(price)"]
    for name, count, total, avg in ref.execute(
            "SELECT name, COUNT(*), SUM(qty), AVG(price) FROM parts GROUP BY name ORDER BY name"):
        kind = "null" if name is None else "text"
        expected.append(f"{kind} {'nil' if name is None else name} {count} {total} {display_float(float(avg))}")
    ref.execute("UPDATE parts SET qty = qty + 1")
    deleted = ref.execute("DELETE FROM parts WHERE qty > 10").rowcount
    expected += ["after the end 0 0", "status 0", f"changed {deleted}",
                 "message not an error", "status 0"]
    assert proc.stdout.splitlines() == expected
    assert sqlite3.connect(db_path).execute("SELECT COUNT(*), SUM(qty) FROM parts").fetchone() == \
        ref.execute("SELECT COUNT(*), SUM(qty) FROM parts").fetchone()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_example_runs_clean_under_valgrind(simple, tmp_path):
    example = ROOT / "examples" / "sqlite" / "inventory.spl"
    proc = subprocess.run(["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                           "--error-exitcode=99", "-q", str(simple), str(example), str(tmp_path / "inv.db")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "units in stock now: 421" in proc.stdout
