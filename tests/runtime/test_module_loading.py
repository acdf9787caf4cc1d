"""Loadable FFI modules in the runtime: search path, lazy loading, the checks, trust (docs/modules.md).

Every module here is a small C library built into a real ``libsffi_<lib>.so``
with the generated module table (modbuild.py); the runtime is the core-only
one, so every extern below comes from a module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from modbuild import DEMO_C, DEMO_DECLS, build_module, build_shared

SCRIPT = DEMO_DECLS + """\
print rt_demo_add(2, 3)
print rt_demo_half(3.0)
print rt_demo_greet("world")
print rt_demo_pair(21)
"""
EXPECTED = '5\n1.5\nhello, world\n(42, pair)\n'  # text inside a tuple prints unquoted (Simple's display)


def simple(runtime: Path, *args, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the runtime with SIMPLE_FFI_PATH unset unless ``env`` sets it."""
    base = {k: v for k, v in os.environ.items() if k not in ("SIMPLE_FFI_PATH", "LD_DEBUG")}
    return subprocess.run([str(runtime), *map(str, args)], capture_output=True, text=True, timeout=60,
                          env={**base, **(env or {})}, cwd=cwd)


@pytest.fixture
def mods(tmp_path) -> Path:
    """A module directory holding the demo module."""
    build_module(tmp_path / "mods", "demo", DEMO_DECLS, DEMO_C, work=tmp_path / "work")
    return tmp_path / "mods"


def script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.spl"
    path.write_text(text)
    return path


def test_module_externs_run_like_compiled_in_ones(simple_runtime, mods, tmp_path):
    proc = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, SCRIPT))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, EXPECTED, "")


def test_simple_ffi_path_is_searched(simple_runtime, mods, tmp_path):
    proc = simple(simple_runtime, script(tmp_path, SCRIPT), env={"SIMPLE_FFI_PATH": f"/nonexistent:{mods}"})
    assert (proc.returncode, proc.stdout) == (0, EXPECTED)


def test_default_directory_beside_the_binary(simple_runtime, mods, tmp_path):
    (tmp_path / "inst" / "bin").mkdir(parents=True)
    shutil.copy2(simple_runtime, tmp_path / "inst" / "bin" / "simple")
    shutil.copytree(mods, tmp_path / "inst" / "lib" / "sffi")
    proc = simple(tmp_path / "inst" / "bin" / "simple", script(tmp_path, SCRIPT))
    assert (proc.returncode, proc.stdout) == (0, EXPECTED)


def test_current_directory_is_not_searched_unless_named(simple_runtime, mods, tmp_path):
    path = script(tmp_path, SCRIPT)
    proc = simple(simple_runtime, path, cwd=mods, env={"SIMPLE_FFI_PATH": "::"})
    # the script loads; the first call of an extern no library provides fails (issue 22)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:6:7: error: unknown extern function rt_demo_add: ")
    assert simple(simple_runtime, path, cwd=mods, env={"SIMPLE_FFI_PATH": "."}).stdout == EXPECTED


def test_sffi_set_error_reaches_the_runtime(simple_runtime, mods, tmp_path):
    path = script(tmp_path, DEMO_DECLS + 'print rt_demo_fail("boom")\n')
    proc = simple(simple_runtime, "--ffi-path", mods, path)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:6:7: error: rt_demo_fail failed: boom\n")


def test_other_abi_version_is_refused_by_field(simple_runtime, tmp_path):
    module = build_module(tmp_path / "mods", "demo", DEMO_DECLS, DEMO_C, work=tmp_path / "w", abi_version=1)
    path = script(tmp_path, SCRIPT)
    proc = simple(simple_runtime, "--ffi-path", tmp_path / "mods", path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        f"{path}:1:1: extern function rt_demo_add: FFI module {module} refused\n"
        "  field abi_version: the module has 1, this runtime supports 2\n"
        "  rebuild it with: scons runtime --modules=demo\n"
        f"{path}:2:1: extern function rt_demo_half: FFI module {module} cannot be used (see above)\n"
        f"{path}:3:1: extern function rt_demo_greet: FFI module {module} cannot be used (see above)\n"
        f"{path}:4:1: extern function rt_demo_pair: FFI module {module} cannot be used (see above)\n"
        f"{path}:5:1: extern function rt_demo_fail: FFI module {module} cannot be used (see above)\n")


def test_entry_signature_mismatch_names_each_field(simple_runtime, tmp_path):
    decls = "extern fn rt_demo_add(a: i64, b: f64) -> f64\n"
    source = "double rt_demo_add(int64_t a, double b) { return (double)a + b; }\n"
    module = build_module(tmp_path / "mods", "demo", decls, source, work=tmp_path / "w")
    path = script(tmp_path, "extern fn rt_demo_add(a: i64, b: i64) -> i64\nprint rt_demo_add(1, 2)\n")
    proc = simple(simple_runtime, "--ffi-path", tmp_path / "mods", path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        f"{path}:1:1: extern function rt_demo_add does not match FFI module {module}\n"
        "  field parameter 2 (b): declared i64, the module has f64\n"
        "  field result: declared i64, the module has f64\n"
        "  declared here:    (i64, i64) -> i64\n"
        "  module provides:  (i64, f64) -> f64  (library 'demo', build test)\n"
        "  fix the declaration, or rebuild the module with: scons runtime --modules=demo\n")


def test_parameter_count_mismatch(simple_runtime, mods, tmp_path):
    path = script(tmp_path, "extern fn rt_demo_half(x: f64, y: f64) -> f64\nprint 1\n")
    proc = simple(simple_runtime, "--ffi-path", mods, path)
    assert proc.returncode == 2
    assert "  field parameters: declared 2, the module has 1\n" in proc.stderr


DEP_C = "long dep_value(void) { return 41; }\n"
USES_DEP_DECLS = "extern fn rt_uses_value() -> i64\n"
USES_DEP_C = "long dep_value(void);\nint64_t rt_uses_value(void) { return dep_value() + 1; }\n"


def test_missing_dependency_is_a_clean_error(simple_runtime, tmp_path):
    dep = build_shared(tmp_path / "deps" / "libdep.so", DEP_C, tmp_path)
    module = build_module(tmp_path / "mods", "uses", USES_DEP_DECLS, USES_DEP_C, work=tmp_path / "w",
                          link=(f"-L{dep.parent}", "-ldep"))
    path = script(tmp_path, USES_DEP_DECLS + "print rt_uses_value()\n")
    proc = simple(simple_runtime, "--ffi-path", tmp_path / "mods", path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (f"{path}:1:1: extern function rt_uses_value: cannot load FFI module {module}: "
                           "libdep.so: cannot open shared object file: No such file or directory\n")


def test_a_symbol_the_dependency_lost_fails_at_load_not_at_the_call(simple_runtime, tmp_path):
    dep = build_shared(tmp_path / "deps" / "libdep.so", DEP_C, tmp_path)
    module = build_module(tmp_path / "mods", "uses", USES_DEP_DECLS, USES_DEP_C, work=tmp_path / "w",
                          link=(f"-L{dep.parent}", "-ldep", f"-Wl,-rpath,{dep.parent}"))
    build_shared(dep, "long other_value(void) { return 1; }\n", tmp_path)  # dep_value is gone
    path = script(tmp_path, USES_DEP_DECLS + 'print "before"\nprint rt_uses_value()\n')
    proc = simple(simple_runtime, "--ffi-path", tmp_path / "mods", path)
    assert (proc.returncode, proc.stdout) == (2, "")  # refused before the script ran
    assert proc.stderr == (f"{path}:1:1: extern function rt_uses_value: cannot load FFI module {module}: "
                           f"{module}: undefined symbol: dep_value\n")


@pytest.mark.parametrize("damage, reason", [
    (lambda p: p.write_bytes(p.read_bytes()[:4096]), "truncated: the file has 4096 bytes, its section headers end at byte"),
    (lambda p: p.write_text("INPUT(libc.so)\n"), "not an ELF file (it does not start with \\x7fELF)"),
])
def test_truncated_or_non_elf_module_is_a_clean_error(simple_runtime, mods, tmp_path, damage, reason):
    module = mods / "libsffi_demo.so"
    damage(module)
    path = script(tmp_path, SCRIPT)
    proc = simple(simple_runtime, "--ffi-path", mods, path)
    assert (proc.returncode, proc.stdout) == (1, "")
    lines = proc.stderr.splitlines()
    assert f"{path}:6:7: error: unknown extern function rt_demo_add: no FFI library known to this runtime provides it" \
        " (see: simple --externs)" in lines
    notes = [line for line in lines if line.startswith("note:")]
    assert len(notes) == 1 and notes[0].startswith(f"note: FFI module {module} could not be read: {reason}")


@pytest.mark.parametrize("target", ["file", "directory"])
def test_module_writable_by_others_is_not_read(simple_runtime, mods, tmp_path, target):
    """Trust comes first (issue 24): an untrusted module is not even opened, so its externs are
    unknown, and the note says which module was passed over and why (more in test_module_hostile.py)."""
    module = mods / "libsffi_demo.so"
    victim = module if target == "file" else mods
    victim.chmod(0o666 if target == "file" else 0o777)
    path = script(tmp_path, SCRIPT)
    proc = simple(simple_runtime, "--ffi-path", mods, path)
    # the script loads; the first call of an extern no library provides fails (issue 22)
    assert (proc.returncode, proc.stdout) == (1, "")
    mode = "0666" if target == "file" else "0777"
    lines = proc.stderr.splitlines()
    assert f"{path}:6:7: error: unknown extern function rt_demo_add: no FFI library known to this runtime provides it" \
        " (see: simple --externs)" in lines
    assert [line for line in lines if line.startswith("note:")] == [
        f"note: FFI module {module} was not read: "
        f"its {target} {victim} is writable by others (permissions {mode} are too open); "
        f"an FFI module is loaded only where nobody else can write: chmod go-w {victim}"]


def test_two_modules_with_one_extern_is_an_error_naming_both(simple_runtime, mods, tmp_path):
    other = build_module(tmp_path / "mods", "demo2", "extern fn rt_demo_add(a: i64, b: i64) -> i64\n",
                         "int64_t rt_demo_add(int64_t a, int64_t b) { return a - b; }\n", work=tmp_path / "w")
    path = script(tmp_path, "extern fn rt_demo_add(a: i64, b: i64) -> i64\nprint rt_demo_add(2, 1)\n")
    proc = simple(simple_runtime, "--ffi-path", mods, path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (f"{path}:1:1: extern function rt_demo_add is provided by two FFI modules:\n"
                           f"  {mods / 'libsffi_demo.so'} (library 'demo')\n  {other} (library 'demo2')\n"
                           "  remove one of them from the search path (see: simple --externs)\n")


def test_same_library_earlier_on_the_path_shadows_a_later_one(simple_runtime, mods, tmp_path):
    build_module(tmp_path / "late", "demo", "extern fn rt_demo_add(a: i64, b: i64) -> i64\n",
                 "int64_t rt_demo_add(int64_t a, int64_t b) { return a - b; }\n", work=tmp_path / "w")
    path = script(tmp_path, "extern fn rt_demo_add(a: i64, b: i64) -> i64\nprint rt_demo_add(2, 1)\n")
    proc = simple(simple_runtime, "--ffi-path", mods, "--ffi-path", tmp_path / "late", path)
    assert (proc.returncode, proc.stdout) == (0, "3\n")


def loaded_objects(proc: subprocess.CompletedProcess) -> str:
    """The ``file=`` lines of LD_DEBUG=files output: every object the loader opened."""
    return "\n".join(line for line in proc.stderr.splitlines() if "file=" in line)


def test_modules_load_only_when_a_script_declares_their_externs(simple_runtime, mods, tmp_path):
    dep = build_shared(tmp_path / "deps" / "libdep.so", DEP_C, tmp_path)
    build_module(mods, "uses", USES_DEP_DECLS, USES_DEP_C, work=tmp_path / "w",
                 link=(f"-L{dep.parent}", "-ldep", f"-Wl,-rpath,{dep.parent}"))
    env = {"LD_DEBUG": "files"}
    nothing = simple(simple_runtime, "--ffi-path", mods, "-e", "print 1", env=env)
    assert nothing.stdout == "1\n" and "libsffi_" not in loaded_objects(nothing)
    demo = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, SCRIPT), env=env)
    assert demo.stdout == EXPECTED
    assert "libsffi_demo.so" in loaded_objects(demo)
    assert "libsffi_uses.so" not in loaded_objects(demo) and "libdep.so" not in loaded_objects(demo)
    uses = simple(simple_runtime, "--ffi-path", mods, "-e", USES_DEP_DECLS + "print rt_uses_value()", env=env)
    assert uses.stdout == "42\n" and "libdep.so" in loaded_objects(uses)


def test_externs_and_version_list_modules(simple_runtime, mods):
    proc = simple(simple_runtime, "--ffi-path", mods, "--externs")
    assert proc.returncode == 0
    tail = proc.stdout.split("\n\n", 1)[1]
    assert tail == ("FFI modules (loaded when a script declares one of their externs):\n"
                    f"{mods}/libsffi_demo.so  library demo, ABI version 2, 5 externs\n"
                    "  rt_demo_add  (i64, i64) -> i64\n  rt_demo_fail  (text) -> i64\n"
                    "  rt_demo_greet  (text) -> text\n  rt_demo_half  (f64) -> f64\n"
                    "  rt_demo_pair  (i64) -> (i64, text)\n")
    doc = json.loads(simple(simple_runtime, "--ffi-path", mods, "--externs", "--json").stdout)
    assert [(m["path"], m["library"], len(m["externs"])) for m in doc["modules"]] == \
        [(f"{mods}/libsffi_demo.so", "demo", 5)]
    version = simple(simple_runtime, "--ffi-path", mods, "--version").stdout.splitlines()
    assert version[3] == f"FFI modules: demo ({mods}/libsffi_demo.so)"


def test_ffi_path_needs_a_directory(simple_runtime):
    proc = simple(simple_runtime, "--ffi-path")
    assert (proc.returncode, proc.stderr) == (2, "simple: --ffi-path needs a directory\n")


MAIN_C = """\
#include <sys/syscall.h>
#include <unistd.h>
long syscall(long number, ...); /* not declared under -std=c11 */
static int64_t on_main(void) { return syscall(SYS_gettid) == getpid(); }
static int64_t ctor_main;
__attribute__((constructor)) static void record(void) { ctor_main = on_main(); }
int64_t rt_where_ctor_main(void) { return ctor_main; }
int64_t rt_where_call_main(void) { return on_main(); }
"""
MAIN_DECLS = "extern fn rt_where_ctor_main() -> i64\nextern fn rt_where_call_main() -> i64\n"


def test_a_module_is_loaded_on_the_main_thread(simple_runtime, tmp_path):
    """Its constructors run on the main thread, as a linked library's do (their allocations land in
    glibc's main arena, docs/modules.md "Binding"); its externs are called on the script's thread."""
    build_module(tmp_path / "mods", "where", MAIN_DECLS, MAIN_C, work=tmp_path / "work")
    path = script(tmp_path, MAIN_DECLS + "print rt_where_ctor_main()\nprint rt_where_call_main()\n")
    proc = simple(simple_runtime, "--ffi-path", tmp_path / "mods", path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "1\n0\n", "")


def test_simple_ffi_timing_reports_the_index_and_each_load(simple_runtime, mods, tmp_path):
    proc = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, SCRIPT), env={"SIMPLE_FFI_TIMING": "1"})
    assert (proc.returncode, proc.stdout) == (0, EXPECTED)
    index, load = proc.stderr.splitlines()
    assert re.fullmatch(r"sffi-timing index dirs=\d+ modules=1 ms=\d+\.\d{3}", index), index
    m = re.fullmatch(r"sffi-timing load library=demo ok=1 ms=(\d+\.\d{3}) dlopen_ms=(\d+\.\d{3}) path=(.*)", load)
    assert m and 0 < float(m[2]) <= float(m[1]) and m[3] == f"{mods}/libsffi_demo.so", load
    # off by default, and a failed load is timed too
    assert simple(simple_runtime, "--ffi-path", mods, script(tmp_path, SCRIPT)).stderr == ""
    dep = build_shared(tmp_path / "deps" / "libdep.so", DEP_C, tmp_path)
    build_module(mods, "uses", USES_DEP_DECLS, USES_DEP_C, work=tmp_path / "w",
                 link=(f"-L{dep.parent}", "-ldep", f"-Wl,-rpath,{dep.parent}"))
    dep.unlink()  # dlopen fails
    path = script(tmp_path, USES_DEP_DECLS + "print rt_uses_value()\n")
    proc = simple(simple_runtime, "--ffi-path", mods, path, env={"SIMPLE_FFI_TIMING": "1"})
    assert proc.returncode == 2 and re.search(r"^sffi-timing load library=uses ok=0 ", proc.stderr, re.M)


TUPLE_ARRAY_DECLS = "extern fn rt_pairs_env(n: i64) -> [(text, text)]\nextern fn rt_pairs_maybe(n: i64) -> [(i64, f32?)]?\n"
TUPLE_ARRAY_C = """\
#include <stddef.h>
static const sffi_tuple_text_text env[2] = {{"HOME", "/home/x"}, {"LANG", "C"}};
sffi_tuple_text_text_slice rt_pairs_env(int64_t n) { return (sffi_tuple_text_text_slice){env, n > 2 ? 2 : n}; }
static const sffi_tuple_i64_opt_f32 rows[2] = {{1, {0.5f, true}}, {2, {0, false}}};
sffi_tuple_i64_opt_f32_slice rt_pairs_maybe(int64_t n) { return (sffi_tuple_i64_opt_f32_slice){n < 0 ? NULL : rows, n < 0 ? -1 : 2}; }
"""


def test_a_module_with_arrays_of_tuples_loads_and_runs(simple_runtime, tmp_path):
    build_module(tmp_path / "mods", "pairs", TUPLE_ARRAY_DECLS, TUPLE_ARRAY_C, work=tmp_path / "w")
    path = script(tmp_path, TUPLE_ARRAY_DECLS + "print rt_pairs_env(2)\nprint rt_pairs_maybe(1)\n"
                            "print rt_pairs_maybe(-1)\n")
    proc = simple(simple_runtime, "--ffi-path", tmp_path / "mods", path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == '[(HOME, /home/x), (LANG, C)]\n[(1, 0.5), (2, nil)]\nnil\n'


def test_an_array_of_tuples_of_other_elements_names_the_result_field(simple_runtime, tmp_path):
    module = build_module(tmp_path / "mods", "pairs", TUPLE_ARRAY_DECLS, TUPLE_ARRAY_C, work=tmp_path / "w")
    path = script(tmp_path, "extern fn rt_pairs_env(n: i64) -> [(text, i64)]\nprint 1\n")
    proc = simple(simple_runtime, "--ffi-path", tmp_path / "mods", path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.startswith(
        f"{path}:1:1: extern function rt_pairs_env does not match FFI module {module}\n"
        "  field result: declared [(text, i64)], the module has [(text, text)]\n"
        "  declared here:    (i64) -> [(text, i64)]\n"
        "  module provides:  (i64) -> [(text, text)]  (library 'pairs', build test)\n")


def test_module_entries_bind_declarations_that_differ_only_in_optionality(simple_runtime, tmp_path):
    build_module(tmp_path / "mods", "pairs", TUPLE_ARRAY_DECLS, TUPLE_ARRAY_C, work=tmp_path / "w")
    path = script(tmp_path, "extern fn rt_pairs_env(n: i64) -> [(text?, text)]?\n"
                            "extern fn rt_pairs_maybe(n: i64) -> [(i64, f32)]\n"
                            "print rt_pairs_env(1)\nprint rt_pairs_maybe(0)\n")
    proc = simple(simple_runtime, "--ffi-path", tmp_path / "mods", path)
    assert (proc.returncode, proc.stdout) == (1, '[(HOME, /home/x)]\n')
    assert proc.stderr.startswith(
        f"{path}:4:7: error: rt_pairs_maybe returned nil in tuple element 1 of array element 1, which its "
        f"declaration at {path}:2:1 does not allow (declared (i64) -> [(i64, f32)], the table has "
        "(i64) -> [(i64, f32?)]?; add '?' to the declaration to accept nil)\n")
