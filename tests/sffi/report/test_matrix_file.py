"""The matrix file (matrix.toml): validation messages, smoke runs and the matrix report, no builds.

Smokes and start-up probes run a stand-in for the runtime: a shell script that
prints its script argument, so pass, failure, expected output and timeouts are
all real processes.
"""

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sffi.errors import EXIT_ERROR, EXIT_OK, EXIT_REVIEW, SffiError
from sffi.manifest import discover
from sffi.plan import matrix_plan
from sffi.report import matrix, matrix_file, matrix_run, render

ROOT = Path(__file__).resolve().parents[3]
KNOWN = ["core", "opencv", "sqlite", "torch"]
WORKFLOW = ROOT / ".github" / "workflows" / "matrix.yml"


def load(tmp_path, body, files=("a.spl", "a.expected")):
    for rel in files:
        (tmp_path / rel).write_text("")
    path = tmp_path / "m.toml"
    path.write_text(body)
    return matrix_file.load(path, KNOWN, tmp_path)


def error(tmp_path, body) -> str:
    with pytest.raises(SffiError) as info:
        load(tmp_path, body)
    text = str(info.value)
    assert text.startswith(str((tmp_path / "m.toml").resolve())), text  # names the file
    return text


SEL = '[[selection]]\nwith = "sqlite"\n'


def test_the_projects_matrix_has_none_each_library_alone_and_all():
    m = matrix_file.load(ROOT / "matrix.toml", list(discover(ROOT / "ffi_libs")), ROOT)
    libs = [s.libraries for s in m.selections]
    known = list(discover(ROOT / "ffi_libs"))
    assert ("core",) in libs and tuple(sorted(known)) in libs
    for lib in known:
        assert tuple(sorted({"core", lib})) in libs, f"matrix.toml has no selection of {lib} alone"
    # every runtime runs a core smoke, every library has one of its own
    assert [s for s in m.smokes if not s.needs]
    for lib in set(known) - {"core"}:
        assert [s for s in m.smokes if s.needs == (lib,)], f"no smoke for {lib}"


def test_valid_file(tmp_path):
    m = load(tmp_path, '[[selection]]\nwith = "none"\n[[selection]]\nname = "two"\nwith = "torch, sqlite"\n'
                       '[library.torch]\noptional = true\n[library.sqlite]\noptional = false\n'
                       '[[smoke]]\nscript = "a.spl"\nneeds = []\n'
                       '[[smoke]]\nname = "b"\nscript = "a.spl"\nargs = ["{out}/x"]\nneeds = ["torch"]\n'
                       'expected = "a.expected"\ntimeout = 5\n')
    assert [(s.name, s.libraries) for s in m.selections] == [("core", ("core",)),
                                                            ("two", ("core", "sqlite", "torch"))]
    assert m.optional == {"torch"}
    assert [s.name for s in m.smokes_for(["core"])] == ["a"]
    assert [s.name for s in m.smokes_for(["core", "sqlite", "torch"])] == ["a", "b"]
    assert m.smokes[1] == matrix_file.Smoke("b", "a.spl", ("{out}/x",), ("torch",), "a.expected", 5.0)
    assert [s.name for s in m.only("two")] == ["two"]
    assert len(m.only("")) == 2
    assert matrix.github_matrix(m) == {"include": [{"name": "core", "with": "none", "bootstrap": "none"},
                                                   {"name": "two", "with": "torch, sqlite",
                                                    "bootstrap": "sqlite,torch"}]}


def test_module_selections(tmp_path):
    m = load(tmp_path, '[[selection]]\nwith = "none"\n[[selection]]\nwith = "none"\nmodules = "all"\n'
                       '[[selection]]\nname = "sq+mods"\nwith = "sqlite"\nmodules = "torch"\n'
                       '[[smoke]]\nscript = "a.spl"\nneeds = ["torch"]\n')
    assert [(s.name, s.libraries, s.modules) for s in m.selections] == [
        ("core", ("core",), ()), ("core+modules=opencv+sqlite+torch", ("core",), ("opencv", "sqlite", "torch")),
        ("sq+mods", ("core", "sqlite"), ("torch",))]
    assert m.selections[2].usable == ("core", "sqlite", "torch")
    assert [s.name for s in m.smokes_for(m.selections[2].usable)] == ["a"]
    assert m.smokes_for(m.selections[2].libraries) == []
    assert m.selections[1].variant_name == "core"  # the runtime of selection 'core', shared
    assert [e["bootstrap"] for e in matrix.github_matrix(m)["include"]] == ["none", "opencv,sqlite,torch",
                                                                             "sqlite,torch"]
    assert [s.name for s in m.only("core+modules=opencv+sqlite+torch")] == ["core+modules=opencv+sqlite+torch"]


@pytest.mark.parametrize("body, message", [
    ('[[selection]]\nwith = "sqlite"\nmodules = "sqlite"\n',
     "key 'selection[0].modules': sqlite also given to --with; a library is either linked in or a module"),
    ('[[selection]]\nwith = "none"\nmodules = "pg"\n', "key 'selection[0].modules': unknown library 'pg'; "
                                                       "libraries that can be modules: opencv, sqlite, torch"),
    ('[[selection]]\nwith = "none"\nmodules = "core"\n', "key 'selection[0].modules': unknown library 'core'"),
    ('[[selection]]\nwith = "none"\nmodules = 3\n', "key 'selection[0].modules': expected a non-empty string"),
    ('[[selection]]\nwith = "none"\nmodules = "torch,sqlite"\n[[selection]]\nname = "b"\nwith = "none"\n'
     'modules = "sqlite, torch"\n', "key 'selection[1].with': selects the same libraries "
                                   "(core+modules=sqlite+torch) as selection 'core+modules=sqlite+torch'"),
])
def test_module_selection_errors(tmp_path, body, message):
    assert message in error(tmp_path, body)


@pytest.mark.parametrize("body, message", [
    ("", "key 'selection': expected at least one [[selection]] table"),
    ("selection = 3\n", "key 'selection': expected an array of tables ([[selection]]), got 3"),
    ("colour = 1\n" + SEL, "unknown key 'colour' (known keys: selection, library, smoke)"),
    ("[[selection]]\nname = \"x\"\n", "key 'selection[0].with': expected a string (the key is missing)"),
    ("[[selection]]\nwith = \"\"\n", "key 'selection[0].with': expected a non-empty string"),
    ("[[selection]]\nwith = \"postgres\"\n", "key 'selection[0].with': unknown library 'postgres'; "
                                            "known libraries: core, opencv, sqlite, torch"),
    (SEL + "flavour = 2\n", "unknown key 'selection[0].flavour' (known keys: name, with, modules)"),
    ("[[selection]]\nname = \"a b\"\nwith = \"none\"\n", "key 'selection[0].name': expected a name of letters"),
    (SEL + "[[selection]]\nname = \"core+sqlite\"\nwith = \"none\"\n",
     "key 'selection[1].name': selection name 'core+sqlite' is used twice"),
    (SEL + "[[selection]]\nname = \"again\"\nwith = \"sqlite,core\"\n",
     "key 'selection[1].with': selects the same libraries (core+sqlite) as selection 'core+sqlite'"),
    (SEL + "[library.postgres]\noptional = true\n", "key 'library.postgres': unknown library 'postgres'"),
    (SEL + "[library.torch]\noptional = \"yes\"\n", "key 'library.torch.optional': expected true or false"),
    (SEL + "[library.torch]\nrequired = true\n", "unknown key 'library.torch.required' (known keys: optional)"),
    (SEL + "[library.core]\noptional = true\n", "key 'library.core.optional': expected false"),
    (SEL + "[[smoke]]\nneeds = []\n", "key 'smoke[0].script': expected a string (the key is missing)"),
    (SEL + "[[smoke]]\nscript = \"nope.spl\"\nneeds = []\n",
     "key 'smoke[0].script': expected a file path relative to the project root"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\n", "key 'smoke[0].needs': expected a list of the libraries"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = \"sqlite\"\n", "key 'smoke[0].needs': expected a list of strings"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = [\"pg\"]\n", "key 'smoke[0].needs': unknown library 'pg'"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = []\nargs = [1]\n", "key 'smoke[0].args': expected a list of strings"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = []\nexpected = \"no.txt\"\n",
     "key 'smoke[0].expected': expected a file path relative to the project root"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = []\ntimeout = 0\n", "key 'smoke[0].timeout': expected a number"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = []\nverbose = true\n", "unknown key 'smoke[0].verbose'"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = []\n[[smoke]]\nscript = \"a.spl\"\nneeds = [\"sqlite\"]\n",
     "key 'smoke[1].name': smoke name 'a' is used twice; give one of them another 'name'"),
    ("[[selection]\n", "invalid TOML"),
])
def test_validation_errors_name_file_and_key(tmp_path, body, message):
    assert message in error(tmp_path, body)


def test_missing_file_says_how_to_name_another(tmp_path):
    with pytest.raises(SffiError, match=r"no matrix file: .*nope.toml does not exist \(scons matrix --matrix=FILE"):
        matrix_file.load(tmp_path / "nope.toml", KNOWN, tmp_path)


def test_only_unknown_name_lists_the_selections(tmp_path):
    m = load(tmp_path, SEL)
    with pytest.raises(SffiError, match=r"--matrix-only: no selection 'x' in .*m.toml; its selections: core\+sqlite"):
        m.only("core+sqlite,x")


# ---------------------------------------------------------------------------- running


@pytest.fixture
def fake_runtime(tmp_path) -> Path:
    """A stand-in `simple`: `-e CODE` prints 1; `SCRIPT ARGS` prints the script's text, then its
    arguments, and exits with the number on the script's first line."""
    program = tmp_path / "simple"
    program.write_text('#!/bin/sh\nif [ "$1" = -e ]; then echo 1; exit 0; fi\n'
                       'cat "$1"; shift; for a in "$@"; do echo "arg $a"; touch "$a"; done\n'
                       'echo "to stderr" >&2\nexit "$(head -n1 "$0.status" 2>/dev/null || echo 0)"\n')
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


def smoke(tmp_path, text="hello\n", **kw) -> matrix_file.Smoke:
    (tmp_path / "s.spl").write_text(text)
    return matrix_file.Smoke(name=kw.pop("name", "s"), script="s.spl", **kw)


def test_smoke_passes_and_out_is_its_own_directory(tmp_path, fake_runtime):
    [r] = matrix_run.run_smokes(fake_runtime, [smoke(tmp_path, args=("{out}/db",))], tmp_path, tmp_path / "o")
    assert (r["passed"], r["returncode"], r["detail"]) == (True, 0, "ok")
    assert r["args"] == [str(tmp_path / "o" / "s" / "db")] and (tmp_path / "o/s/db").exists()
    assert r["output_tail"] == f"hello\narg {tmp_path}/o/s/db\nto stderr"
    assert r["seconds"] >= 0


def test_smoke_fails_on_exit_status(tmp_path, fake_runtime):
    Path(str(fake_runtime) + ".status").write_text("3\n")
    [r] = matrix_run.run_smokes(fake_runtime, [smoke(tmp_path)], tmp_path, tmp_path / "o")
    assert (r["passed"], r["returncode"], r["detail"]) == (False, 3, "exit status 3: to stderr")


def test_smoke_compares_stdout_with_expected(tmp_path, fake_runtime):
    (tmp_path / "good.txt").write_text("hello\nworld\n")
    (tmp_path / "bad.txt").write_text("hello\nthere\n")
    (tmp_path / "long.txt").write_text("hello\nworld\nmore\n")
    runs = matrix_run.run_smokes(fake_runtime, [smoke(tmp_path, "hello\nworld\n", name=n, expected=f"{n}.txt")
                                            for n in ("good", "bad", "long")], tmp_path, tmp_path / "o")
    assert [r["passed"] for r in runs] == [True, False, False]
    assert runs[1]["detail"] == "stdout differs from bad.txt at line 2: expected 'there', got 'world'"
    assert runs[2]["detail"] == "stdout differs from long.txt at line 3: expected 'more', got the end of the output"


def test_smoke_times_out(tmp_path):
    program = tmp_path / "slow"
    program.write_text("#!/bin/sh\necho started\nexec sleep 5\n")
    program.chmod(0o755)
    [r] = matrix_run.run_smokes(program, [smoke(tmp_path, timeout_s=0.5)], tmp_path, tmp_path / "o")
    assert (r["passed"], r["returncode"], r["detail"]) == (False, None, "timed out after 0.5 s")


def test_measure_reads_size_externs_and_start_up(tmp_path, fake_runtime):
    table = tmp_path / "sffi_table.json"
    table.write_text(json.dumps({"entries": [{"name": "a"}, {"name": "b"}]}))
    m = matrix_run.measure_runtime(fake_runtime, table, runs=3)
    assert (m["binary_size"], m["externs"], m["probe"]) == (fake_runtime.stat().st_size, 2, "ok")
    assert m["sha256"] == hashlib.sha256(fake_runtime.read_bytes()).hexdigest()
    assert len(m["startup_samples_ms"]) == 3 and m["startup_ms"] > 0


def test_measure_reports_a_runtime_that_cannot_run_code(tmp_path):
    program = tmp_path / "broken"
    program.write_text("#!/bin/sh\necho oops >&2\nexit 1\n")
    program.chmod(0o755)
    table = tmp_path / "t.json"
    table.write_text('{"entries": []}')
    m = matrix_run.measure_runtime(program, table)
    assert m["startup_ms"] is None and "exited 1" in m["probe"] and "oops" in m["probe"]


def test_smokes_of_a_module_selection_search_the_modules_directories(tmp_path, fake_runtime):
    mods = [tmp_path / "m" / "a" / "libsffi_a.so", tmp_path / "m" / "b" / "libsffi_b.so"]
    [r] = matrix_run.run_smokes(fake_runtime, [smoke(tmp_path)], tmp_path, tmp_path / "o", mods)
    ffi = ["--ffi-path", str(mods[0].parent), "--ffi-path", str(mods[1].parent)]
    assert r["runtime_args"] == ffi
    # the stand-in echoes its arguments after the first: the directories come before the script
    echoed = [line.removeprefix("arg ") for line in r["output_tail"].splitlines() if line.startswith("arg ")]
    assert echoed == [str(mods[0].parent), "--ffi-path", str(mods[1].parent), "s.spl"]


def timing_runtime(tmp_path, load_line: str) -> Path:
    """A stand-in `simple` that prints `1` and the runtime's SIMPLE_FFI_TIMING lines on stderr."""
    program = tmp_path / "timed"
    program.write_text('#!/bin/sh\n[ "$SIMPLE_FFI_TIMING" = 1 ] || exit 9\necho 1\n'
                       'echo "sffi-timing index dirs=2 modules=2 ms=0.250" >&2\n'
                       f'echo "{load_line}" >&2\n')
    program.chmod(0o755)
    return program


def test_module_load_time_is_read_from_the_runtimes_timing_lines(tmp_path):
    program = timing_runtime(tmp_path, "sffi-timing load library=a ok=1 ms=2.000 dlopen_ms=1.500 path=/x y/z.so")
    probe = {"library": "a", "module": str(tmp_path / "m" / "libsffi_a.so"), "declaration": "extern fn rt_a_x()"}
    [m] = matrix_run.measure_modules(program, [probe], tmp_path / "p", runs=3)
    assert (m["library"], m["probe"], m["extern"]) == ("a", "ok", "extern fn rt_a_x()")
    assert (m["load_ms"], m["dlopen_ms"], m["index_ms"]) == (2.25, 1.5, 0.25)
    assert m["samples_ms"] == [2.25] * 3 and m["script_ms"] > 0
    assert (tmp_path / "p" / "load_a.spl").read_text() == "extern fn rt_a_x()\nprint 1\n"


def test_a_module_that_does_not_load_fails_its_probe(tmp_path):
    program = timing_runtime(tmp_path, "sffi-timing load library=a ok=0 ms=0.1 dlopen_ms=0.1 path=/x")
    probe = {"library": "a", "module": "/x/libsffi_a.so", "declaration": "extern fn rt_a_x()"}
    [m] = matrix_run.measure_modules(program, [probe], tmp_path / "p", runs=2)
    assert m["load_ms"] is None and m["probe"].startswith("exited 0: sffi-timing index")


# ---------------------------------------------------------------------------- the report


def entry(tmp_path, name, missing=()):
    sel = matrix_file.Selection(name, name, ("core", name))
    return matrix_plan.plan_entry(sel, str(tmp_path / f"sel-{name}"), list(missing))


def results(e, run, passed=True, probe="ok"):
    Path(e["directory"]).mkdir(parents=True, exist_ok=True)
    s = {"name": "s", "script": "s.spl", "args": [], "passed": passed, "seconds": 0.1,
         "detail": "ok" if passed else "exit status 1"}
    Path(e["smoke_file"]).write_text(json.dumps({"run": run, "smokes": [s]}))
    Path(e["measure_file"]).write_text(json.dumps({"run": run, "externs": 3, "binary_size": 100,
                                                   "startup_ms": 1.5, "probe": probe}))


INFO = {"matrix_file": "matrix.toml", "variant": "release"}


def test_report_statuses_and_exit_bits(tmp_path):
    good, bad = entry(tmp_path, "good"), entry(tmp_path, "bad")
    opt = entry(tmp_path, "opt", [{"library": "opt", "reason": "no libopt", "optional": True}])
    results(good, "r1")
    results(bad, "r1", passed=False)
    rows = [matrix.outcome(e, "r1") for e in (good, bad, opt)]
    assert [r["status"] for r in rows] == ["passed", "failed", "skipped"]
    assert rows[0]["built"] and (rows[0]["externs"], rows[0]["binary_size"], rows[0]["startup_ms"]) == (3, 100, 1.5)
    assert rows[1]["reason"] == "smoke s: exit status 1"
    assert rows[2]["reason"] == "opt: no libopt" and not rows[2]["built"]
    report = matrix.matrix_report(rows, INFO)
    assert report.kind == "sffi-matrix" and report.status == EXIT_ERROR
    assert report.summary == {"passed": 1, "failed": 1, "not-built": 0, "skipped": 1}
    assert [row[-1] for row in report.tables[0].rows] == ["passed", "failed", "skipped"]
    assert report.tables[0].rows[0][:7] == ["good", "core,good", "yes", "1/1 passed", "3", "100", "1.5"]
    assert report.tables[2].rows == [["opt", "optional", "opt", "no libopt"]]
    assert matrix.matrix_report(rows[:1], INFO).status == EXIT_OK
    assert matrix.matrix_report([rows[0], rows[2]], INFO).status == EXIT_REVIEW


def test_required_library_missing_is_not_built(tmp_path):
    e = entry(tmp_path, "x", [{"library": "x", "reason": "missing dependency 'libx'", "optional": False}])
    row = matrix.outcome(e, "r1")
    assert (row["status"], row["reason"]) == ("not-built", "x: missing dependency 'libx'")
    assert matrix.matrix_report([row], INFO).status == EXIT_ERROR


def test_results_of_another_run_are_not_used(tmp_path):
    e = entry(tmp_path, "good")
    results(e, "old-run")
    row = matrix.outcome(e, "this-run", failure="build failed at x.o: Error 1")
    assert (row["status"], row["built"], row["reason"]) == ("failed", False, "build failed at x.o: Error 1")
    assert "not run" in matrix.outcome(e, "this-run")["reason"]


def test_probe_failure_fails_the_selection(tmp_path):
    e = entry(tmp_path, "good")
    results(e, "r", probe="`simple -e 'print 1'` exited 1")
    assert matrix.outcome(e, "r")["reason"].startswith("start-up probe failed")


def module_entry(tmp_path, loads: list[dict]) -> dict:
    sel = matrix_file.Selection("none+modules=sqlite", "none", ("core",), ("sqlite",))
    e = matrix_plan.plan_entry(sel, str(tmp_path / "sel-core"), [], str(tmp_path / "sel-core" / "modules=sqlite"))
    Path(e["results"]).mkdir(parents=True)
    results(e, "r")
    measured = json.loads(Path(e["measure_file"]).read_text())
    Path(e["measure_file"]).write_text(json.dumps({**measured, "module_loads": loads}))
    return e


LOAD = {"library": "sqlite", "module": "m/libsffi_sqlite.so", "extern": "extern fn rt_sqlite_x()",
        "load_ms": 0.5, "dlopen_ms": 0.4, "index_ms": 0.1, "script_ms": 1.5, "samples_ms": [0.5], "probe": "ok"}


def test_module_selection_rows_and_their_load_table(tmp_path):
    e = module_entry(tmp_path, [LOAD])
    assert e["smoke_file"] == str(tmp_path / "sel-core" / "modules=sqlite" / "smoke.json")
    row = matrix.outcome(e, "r")
    assert (row["status"], row["modules"], row["module_loads"]) == ("passed", ["sqlite"], [LOAD])
    assert (row["directory"], row["results"]) == (str(tmp_path / "sel-core"), str(tmp_path / "sel-core/modules=sqlite"))
    report = matrix.matrix_report([row], INFO)
    [table] = [t for t in report.tables if t.title == "module load times"]
    assert table.rows == [["none+modules=sqlite", "sqlite", "m/libsffi_sqlite.so", "0.50", "0.40", "1.50", "passed"]]
    plain = matrix.matrix_report([matrix.outcome(entry(tmp_path, "sqlite"), "x")], INFO)
    assert "module load times" not in [t.title for t in plain.tables]  # only when a selection has modules


def test_a_failed_module_load_fails_the_selection(tmp_path):
    e = module_entry(tmp_path, [{**LOAD, "load_ms": None, "probe": "exited 2: cannot load FFI module"}])
    row = matrix.outcome(e, "r")
    assert (row["status"], row["reason"]) == ("failed", "module sqlite load probe failed: exited 2: "
                                                        "cannot load FFI module")


def test_build_failures_are_attributed_to_their_selections():
    plan = [{"name": n, "directory": f"build/release/sel/{d}", "libraries": libs}
            for n, d, libs in (("none", "core", ["core"]), ("sqlite", "core+sqlite", ["core", "sqlite"]),
                               ("torch", "core+torch", ["core", "torch"]))]
    reasons = matrix.failure_reasons(plan, [("build/release/libs/torch/obj/a.o", "Error 1\n"),
                                            ("build/release/rust/sqlite/libsffi_rust.a", "cargo failed")],
                                     "build/release")
    assert reasons == {"sqlite": "build failed at build/release/rust/sqlite/libsffi_rust.a: cargo failed",
                       "torch": "build failed at build/release/libs/torch/obj/a.o: Error 1"}
    assert set(matrix.failure_reasons(plan, [("build/release/runtime/src/main.o", "E")], "build/release")) \
        == {"none", "sqlite", "torch"}


def test_reports_are_written_in_every_format(tmp_path):
    e = entry(tmp_path, "good")
    results(e, "r")
    paths = render.write_all(matrix.matrix_report([matrix.outcome(e, "r")], INFO), tmp_path / "out")
    assert [p.name for p in paths] == ["report.txt", "report.md", "report.json", "report.html"]
    doc = json.loads(paths[2].read_text())
    assert doc["format"] == "sffi-matrix/1" and doc["selections"][0]["name"] == "good"
    for p in paths:
        assert "good" in p.read_text()


# ---------------------------------------------------------------------------- CI


def test_workflow_plan_step_prints_the_matrix_files_selections(tmp_path):
    """Run the `run:` line of the workflow's plan step as GitHub would, from the project root."""
    [line] = [ln for ln in WORKFLOW.read_text().splitlines() if "--github-matrix" in ln]
    command = re.sub(r"^\s*run:\s*", "", line)
    output = tmp_path / "github_output"
    env = {**os.environ, "GITHUB_OUTPUT": str(output), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=ROOT, env=env, check=True)
    key, _, value = output.read_text().strip().partition("=")
    assert key == "matrix"
    expected = matrix_file.load(ROOT / "matrix.toml", list(discover(ROOT / "ffi_libs")), ROOT)
    include = json.loads(value)["include"]
    assert [(i["name"], i["with"]) for i in include] == [(s.name, s.with_) for s in expected.selections]
    # a module selection bootstraps its modules' libraries too
    assert {i["name"]: i["bootstrap"] for i in include}["none+modules=all"] == "opencv,sqlite,torch"
    # the build job runs scons with the same names, bootstrapped with what each needs
    assert '--matrix-only="$SELECTION"' in WORKFLOW.read_text()
    assert "WITH: ${{ matrix.bootstrap }}" in WORKFLOW.read_text()


def test_github_matrix_error_is_one_line(tmp_path):
    bad = tmp_path / "m.toml"
    bad.write_text("[[selection]]\nwith = \"pg\"\n")
    proc = subprocess.run([sys.executable, "-m", "sffi.report.matrix", "--github-matrix", str(bad)], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("matrix: ") and "key 'selection[0].with': unknown library 'pg'" in proc.stderr
    assert "Traceback" not in proc.stderr
