"""Smoke runs and start-up probes of the matrix (sffi.report.matrix_run), no builds.

Smokes and start-up probes run a stand-in for the runtime: a shell script that
prints its script argument, so pass, failure, expected output and timeouts are
all real processes.
"""

import hashlib
import json
import stat
from pathlib import Path

import pytest

from sffi.report import matrix_file, matrix_run




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
