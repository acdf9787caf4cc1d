"""The matrix report (sffi.report.matrix) from a plan and its results, no builds; and the
matrix workflow's plan step (`python -m sffi.report.matrix --github-matrix`)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from sffi.errors import EXIT_ERROR, EXIT_OK, EXIT_REVIEW
from sffi.manifest import discover
from sffi.plan import matrix_plan
from sffi.report import matrix, matrix_file, render

ROOT = Path(__file__).resolve().parents[3]
WORKFLOW = ROOT / ".github" / "workflows" / "matrix.yml"


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
