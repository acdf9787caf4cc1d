"""The sqlite library through a real `--with=sqlite` runtime: results, errors, no data lost.

Expected values come from Python's own sqlite3 module running the same SQL. Both
vocabularies are exercised, each with its contract (docs/sqlite.md): this library's
first names (exec, step, column_i64) stop the script on a failure; Simple's sqlite
Tier-2 names (execute, query, query_next, column_int, ...) return it as a value
(1/0 statuses, 0 handles, rt_sqlite_error_message holding SQLite's message).
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


def test_sql_null_text_is_empty_and_its_type_null(simple, tmp_path):
    proc = run(simple, tmp_path, """
    val db = rt_sqlite_open(":memory:")
    val q = rt_sqlite_prepare(db, "SELECT NULL, 'x', ''")
    rt_sqlite_step(q)
    for i in 0..3:
        print "[{rt_sqlite_column_text(q, i)}] {rt_sqlite_column_type(q, i)} {rt_sqlite_column_int(q, i)}"
    """)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines() == ["[] null 0", "[x] text 0", "[] text 0"]


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
    ('val db = rt_sqlite_open_memory()\nval q = rt_sqlite_query(db, "SELECT NULL")\nrt_sqlite_query_next(q)\n'
     'print rt_sqlite_column_f64(q, 0)\n', "rt_sqlite_column_f64 failed: column 0 ('NULL') is NULL"),
    ('val db = rt_sqlite_open_memory()\nval q = rt_sqlite_query(db, "SELECT ?")\nrt_sqlite_bind_i64(q, 2, 1)\n',
     "rt_sqlite_bind_i64 failed: parameter index 2 out of range 1..1"),
])
def test_strict_names_stop_the_script_with_the_line(simple, tmp_path, body, message):
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
    # Each insert: three binds, query_next running the INSERT, reset: 1 each.
    expected = ["status 1", "status 1"] + ["insert 5"] * len(rows) + ["status 1", "rowid 4", "status 1", "status 1",
                                                                      "columns 4 AVG(price)"]
    for name, count, total, avg in ref.execute(
            "SELECT name, COUNT(*), SUM(qty), AVG(price) FROM parts GROUP BY name ORDER BY name"):
        kind = "null" if name is None else "text"
        expected.append(f"{kind} {name or ''} {count} {total} {display_float(float(avg))}")
    ref.execute("UPDATE parts SET qty = qty + 1")
    deleted = ref.execute("DELETE FROM parts WHERE qty > 10").rowcount
    expected += ["after the end 0 0", "status 1", f"changed {deleted}",
                 "message ", "status 1"]
    assert proc.stdout.splitlines() == expected
    assert sqlite3.connect(db_path).execute("SELECT COUNT(*), SUM(qty) FROM parts").fetchone() == \
        ref.execute("SELECT COUNT(*), SUM(qty) FROM parts").fetchone()


def _python_failure(setup: list[str], sql: str) -> str:
    """SQLite's message for ``sql`` after ``setup``, through Python's sqlite3 (autocommit mode)."""
    ref = sqlite3.connect(":memory:", isolation_level=None)
    for line in setup:
        ref.execute(line)
    with pytest.raises(sqlite3.Error) as failure:
        ref.execute(sql)
    return str(failure.value)


FAILURES = [
    ([], "SELEC 1"),
    ([], "SELECT * FROM nowhere"),
    (["CREATE TABLE t (v TEXT UNIQUE)", "INSERT INTO t VALUES ('a')"], "INSERT INTO t VALUES ('a')"),
    (["CREATE TABLE t (v TEXT NOT NULL)"], "INSERT INTO t VALUES (NULL)"),
    (["CREATE TABLE t (n INTEGER CHECK (n > 0))"], "INSERT INTO t VALUES (-1)"),
    (["CREATE TABLE t (id INTEGER PRIMARY KEY)"], "INSERT INTO t VALUES ('x')"),
    ([], "COMMIT"),
    (["BEGIN"], "BEGIN"),
    ([], "SELECT abs(-9223372036854775807 - 1)"),
]


@pytest.mark.parametrize("setup, sql", FAILURES, ids=[sql for _, sql in FAILURES])
def test_failures_are_values_with_sqlites_message(simple, tmp_path, setup, sql):
    """execute, query + query_next, and prepare + query_next each return the failure value (0) and
    leave SQLite's own message (as Python's sqlite3 reports it) in rt_sqlite_error_message; the next
    call that runs SQL clears it; the script goes on."""
    expected = _python_failure(setup, sql)
    lines = ["val db = rt_sqlite_open_memory()"]
    lines += [f'rt_sqlite_execute(db, "{line}")' for line in setup]
    lines += [f'print "execute {{rt_sqlite_execute(db, "{sql}")}} {{rt_sqlite_error_message(db)}}"',
              f'val q = rt_sqlite_query(db, "{sql}")',
              'print "query {q == 0} {rt_sqlite_query_next(q)} {rt_sqlite_error_message(db)}"',
              'rt_sqlite_query_done(q)',
              'print "cleared [{rt_sqlite_execute(db, "SELECT 1")}{rt_sqlite_error_message(db)}]"',
              'print "close {rt_sqlite_close(db)}"']
    proc = run(simple, tmp_path, "\n".join(lines) + "\n")
    assert (proc.returncode, proc.stderr) == (0, "")
    out = proc.stdout.splitlines()
    assert out[0] == f"execute 0 {expected}"
    # A compile-time failure makes query return 0 (and query_next of 0 is 0 again, with the message
    # of an invalid handle left alone); a run-time failure comes from query_next.
    assert out[1] in (f"query true 0 {expected}", f"query false 0 {expected}"), out[1]
    assert out[2:] == ["cleared [1]", "close 1"]


def test_simple_sqlite_insert_flow_and_query_next_on_statements(simple, tmp_path):
    """Simple's wrapper sqlite_insert: prepare an INSERT, bind text, `query_next(stmt) == 1` means it ran,
    then last_insert_rowid; the same INSERT again fails as a value (a UNIQUE column)."""
    db_path = tmp_path / "people.db"
    proc = run(simple, tmp_path, f"""
    fn insert(db, name, mail):
        val stmt = rt_sqlite_prepare(db, "INSERT INTO people (name, mail) VALUES (?, ?)")
        if stmt == 0:
            return 0
        rt_sqlite_bind_text(stmt, 1, name)
        rt_sqlite_bind_text(stmt, 2, mail)
        val result = rt_sqlite_query_next(stmt)
        rt_sqlite_finalize(stmt)
        if result == 1:
            return rt_sqlite_last_insert_rowid(db)
        return 0
    val db = rt_sqlite_open("{db_path}")
    print rt_sqlite_execute_batch(db, "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, mail TEXT UNIQUE); CREATE INDEX by_name ON people (name)")
    print insert(db, "Alice", "alice@example.com")
    print insert(db, "Bob", "bob@example.com")
    print insert(db, "Eve", "alice@example.com")
    print rt_sqlite_error_message(db)
    print rt_sqlite_close(db)
    """)
    assert (proc.returncode, proc.stderr) == (0, "")
    ref = sqlite3.connect(":memory:")
    ref.executescript("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, mail TEXT UNIQUE)")
    ref.execute("INSERT INTO people (name, mail) VALUES ('Alice', 'alice@example.com')")
    ref.execute("INSERT INTO people (name, mail) VALUES ('Bob', 'bob@example.com')")
    expected_message = _python_failure(
        ["CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, mail TEXT UNIQUE)",
         "INSERT INTO people (name, mail) VALUES ('Alice', 'alice@example.com')"],
        "INSERT INTO people (name, mail) VALUES ('Eve', 'alice@example.com')")
    assert proc.stdout.splitlines() == ["1", "1", "2", "0", expected_message, "1"]
    assert sqlite3.connect(db_path).execute("SELECT id, name FROM people ORDER BY id").fetchall() == \
        ref.execute("SELECT id, name FROM people ORDER BY id").fetchall()


STALE = """
val db = rt_sqlite_open_memory()
rt_sqlite_execute(db, "CREATE TABLE t (x)")
val q = rt_sqlite_query(db, "SELECT 1")
val done = rt_sqlite_prepare(db, "SELECT 2")
rt_sqlite_finalize(done)
val closed = rt_sqlite_open_memory()
rt_sqlite_close(closed)
"""


@pytest.mark.parametrize("conn", ["closed", "0", "-1", "12345", "4611686018427387904", "q"])
def test_invalid_connections_give_the_failure_values(simple, tmp_path, conn):
    calls = [f"rt_sqlite_close({conn})", f'rt_sqlite_execute({conn}, "SELECT 1")',
             f'rt_sqlite_execute_batch({conn}, "SELECT 1")', f"rt_sqlite_begin({conn})",
             f"rt_sqlite_commit({conn})", f"rt_sqlite_rollback({conn})", f'rt_sqlite_query({conn}, "SELECT 1")',
             f'rt_sqlite_prepare({conn}, "SELECT 1")', f"rt_sqlite_changes({conn})",
             f"rt_sqlite_last_insert_rowid({conn})"]
    body = STALE + "".join(f'print "{{{c}}}"\n' for c in calls) + f'print "{{rt_sqlite_error_message({conn})}}"\n'
    proc = run(simple, tmp_path, body)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines() == ["0"] * len(calls) + ["invalid connection"]


@pytest.mark.parametrize("stmt", ["done", "0", "-1", "12345", "db", "closed"])
def test_invalid_statements_give_the_failure_values(simple, tmp_path, stmt):
    calls = [f"rt_sqlite_query_next({stmt})", f"rt_sqlite_reset({stmt})", f"rt_sqlite_bind_int({stmt}, 1, 1)",
             f"rt_sqlite_bind_float({stmt}, 1, 1.5)", f'rt_sqlite_bind_text({stmt}, 1, "x")',
             f"rt_sqlite_bind_null({stmt}, 1)", f"rt_sqlite_column_count({stmt})",
             f"rt_sqlite_column_int({stmt}, 0)", f"[{{rt_sqlite_column_text({stmt}, 0)}}]",
             f"[{{rt_sqlite_column_name({stmt}, 0)}}]", f"rt_sqlite_column_type({stmt}, 0)"]
    body = STALE + "".join(f'print "{{{c}}}"\n' if not c.startswith("[") else f'print "{c}"\n' for c in calls)
    body += f"rt_sqlite_finalize({stmt})\nrt_sqlite_query_done({stmt})\n"
    body += 'print "db still works: {rt_sqlite_execute(db, \"INSERT INTO t VALUES (1)\")} [{rt_sqlite_error_message(db)}]"\n'
    proc = run(simple, tmp_path, body)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines() == ["0"] * 8 + ["[]", "[]", "null", "db still works: 1 []"]


def test_handles_are_never_reused(simple, tmp_path):
    """Open and close 300 connections and statements: every handle is new, and every old one stays
    invalid (0, "invalid connection"), never naming a later object."""
    proc = run(simple, tmp_path, """
    var handles = []
    for i in 0..300:
        val db = rt_sqlite_open_memory()
        val q = rt_sqlite_query(db, "SELECT 1")
        handles.push(db)
        handles.push(q)
        rt_sqlite_query_done(q)
        rt_sqlite_close(db)
    val live = rt_sqlite_open_memory()
    rt_sqlite_execute(live, "CREATE TABLE t (x)")
    var bad = 0
    for h in handles:
        bad += rt_sqlite_execute(h, "INSERT INTO t VALUES (1)") + rt_sqlite_query_next(h) + rt_sqlite_close(h)
        if rt_sqlite_error_message(h) != "invalid connection":
            bad += 1
    print "{len(handles)} {bad}"
    val count = rt_sqlite_query(live, "SELECT COUNT(*) FROM t")
    rt_sqlite_query_next(count)
    print rt_sqlite_column_int(count, 0)
    for h in handles:
        if h == live or h == count:
            bad += 1
    print bad
    """)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines() == ["600 0", "0", "0"]


def test_example_stops_with_the_reason_when_a_step_fails(simple, tmp_path):
    """examples/sqlite/inventory.spl checks Simple's statuses: a database it cannot open (0), and a
    file holding an `items` table it cannot drop (a view: SQLite refuses DROP TABLE on it)."""
    example = ROOT / "examples" / "sqlite" / "inventory.spl"
    proc = subprocess.run([str(simple), str(example), str(tmp_path / "no-such-dir" / "x.db")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "inventory: cannot open the database" in proc.stderr
    db_path = tmp_path / "view.db"
    sqlite3.connect(db_path).execute("CREATE VIEW items AS SELECT 1 AS x").connection.close()
    ref = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.Error) as failure:
        ref.execute("DROP TABLE IF EXISTS items")
    proc = subprocess.run([str(simple), str(example), str(db_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert f"inventory: DROP TABLE failed: {failure.value}" in proc.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_example_runs_clean_under_valgrind(simple, tmp_path):
    example = ROOT / "examples" / "sqlite" / "inventory.spl"
    proc = subprocess.run(["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                           "--error-exitcode=99", "-q", str(simple), str(example), str(tmp_path / "inv.db")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "units in stock now: 421" in proc.stdout
