"""The `simple` command line: --version, --externs [--json], -e, arguments, usage errors."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from buildhelp import ROOT
from sffi import decls

# The core library's table is its declarations (ffi_libs/core/core.spl, ~120 externs):
# name -> canonical signature, as sffi.decls reads them.
CORE_EXTERNS = {name: str(d.signature) for name, d in
                decls.parse_files([ROOT / "ffi_libs" / "core" / "core.spl"])[0].items()}


def simple(runtime: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(runtime), *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_version(runtime):
    proc = simple(runtime, "--version")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("simple ")
    assert lines[1] == "SFFI ABI version 2"
    assert lines[2] == "FFI libraries: core"


def test_externs_table(runtime):
    proc = simple(runtime, "--externs")
    assert proc.returncode == 0
    header, *rows = proc.stdout.splitlines()
    assert header.split() == ["NAME", "LIBRARY", "SIGNATURE"]
    table = {row.split()[0]: (row.split()[1], row.split(None, 2)[2]) for row in rows}
    assert table == {name: ("core", sig) for name, sig in CORE_EXTERNS.items()}
    # aligned: every row's library column starts where the header's does
    col = header.index("LIBRARY")
    assert all(row[col:].startswith("core") for row in rows)


def test_externs_json(runtime):
    proc = simple(runtime, "--externs", "--json")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["abi_version"] == 2
    assert doc["libraries"] == ["core"]
    assert {e["name"]: e["signature"] for e in doc["externs"]} == CORE_EXTERNS
    assert [e["name"] for e in doc["externs"]] == sorted(CORE_EXTERNS)


def test_eval_with_arguments(runtime):
    code = 'extern fn rt_args() -> [text]\nprint "{len(rt_args())}: {rt_args()}"'
    proc = simple(runtime, "-e", code, "a", "b c")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '2: [a, b c]\n', "")


def test_script_arguments_and_fn_main(runtime, tmp_path):
    (tmp_path / "s.spl").write_text('extern fn rt_args() -> [text]\nfn main():\n    print rt_args()\n')
    proc = simple(runtime, "s.spl", "--not-an-option", "-e", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, '[--not-an-option, -e]\n')


def test_eval_syntax_error_names_e(runtime):
    proc = simple(runtime, "-e", "print )")
    assert proc.returncode == 2
    assert proc.stderr.startswith("-e:1:7: expected an expression, found ')'\n")


USAGE = ("usage: simple [--lib DIR]... [--ffi-path DIR]... FILE.spl [ARGS...]\n"
         "       simple -e CODE [ARGS...]\n"
         "       simple --check FILE.spl\n"
         "       simple --externs [--json]\n"
         "       simple --version\n")


@pytest.mark.parametrize("args, message", [
    ([], ""),
    (["--bogus"], "simple: unknown option --bogus\n"),
    (["--externs", "--yaml"], "simple: unexpected argument --yaml after --externs\n"),
    (["--externs", "--json", "x"], "simple: unexpected argument x after --externs\n"),
    (["--version", "--json"], "simple: unexpected argument --json after --version\n"),
])
def test_usage_errors_name_the_problem_and_print_the_usage(runtime, args, message):
    proc = simple(runtime, *args)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", message + USAGE)


def test_eval_without_code(runtime):
    proc = simple(runtime, "-e")
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", "simple: -e needs the code to run\n")


def test_missing_script(runtime, tmp_path):
    proc = simple(runtime, "nope.spl", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "simple: cannot open nope.spl: No such file or directory\n"


def test_invalid_utf8(runtime, tmp_path):
    (tmp_path / "bad.spl").write_bytes(b'print "ok"\nprint "\xff"\n')
    proc = simple(runtime, "bad.spl", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("bad.spl:2:8: the file is not valid UTF-8")


def test_help(runtime):
    proc = simple(runtime, "--help")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.startswith(USAGE + "\n")
    statuses = proc.stdout.split("exit status:\n", 1)[1]
    assert re.findall(r"^  (\S+) ", statuses, re.M) == ["0", "N", "1", "2", "70"]
    assert "70     out of memory" in statuses
