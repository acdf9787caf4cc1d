"""Hostile module directories (issue 24 items 2-5 and 8): checked before trust, FIFOs, StrictModes,
escaped output, UTF-8 at the boundary.

The module here has a constructor that writes a marker file: a test that expects a module to be
refused checks that the marker is absent, i.e. that none of the module's code ran. Every module is
really built (modbuild.py) and every run is the real core-only runtime.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from modbuild import build_module

DECLS = """\
extern fn rt_mark_add(a: i64, b: i64) -> i64
extern fn rt_mark_text(bad: i64) -> text
extern fn rt_mark_texts(bad: i64) -> [text]
"""
SOURCE = """\
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void mark(void)
{
    const char *path = getenv("SFFI_TEST_CTOR_MARK");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f) {
        fputs("constructor ran\\n", f);
        fclose(f);
    }
}
int64_t rt_mark_add(int64_t a, int64_t b) { return a + b; }
/* "h\\xc3": a string cut inside a two-byte character, as a careless Rust slice does */
const char *rt_mark_text(int64_t bad) { return bad ? "h\\xc3" : "h\\xc3\\xa9"; }
sffi_text_slice rt_mark_texts(int64_t bad)
{
    static const char *items[] = {"ok", "h\\xc3\\xa9", "\\xff"};
    sffi_text_slice s = {items, bad ? 3 : 2};
    return s;
}
"""
GOOD = "extern fn rt_mark_add(a: i64, b: i64) -> i64\nprint rt_mark_add(2, 3)\n"
TIMEOUT_S = 20


def simple(runtime: Path, *args, marker: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("SIMPLE_FFI_PATH", "LD_DEBUG")}
    return subprocess.run([str(runtime), *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT_S,
                          env={**base, "SFFI_TEST_CTOR_MARK": str(marker), **(env or {})})


@pytest.fixture
def work(tmp_path) -> Path:
    return tmp_path / "work"


@pytest.fixture
def marker(tmp_path) -> Path:
    return tmp_path / "constructor-ran"


def build(out_dir: Path, work: Path, **kw) -> Path:
    return build_module(out_dir, "mark", DECLS, SOURCE, work=work, **kw)


def script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.spl"
    path.write_text(text)
    return path


# ---- item 2: everything the file proves is checked before dlopen ----

def test_a_good_module_runs_its_constructor(simple_runtime, tmp_path, work, marker):
    """The control for every test below: the marker does appear when the module is loaded."""
    mods = tmp_path / "mods"
    build(mods, work)
    proc = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, GOOD), marker=marker)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "5\n", "")
    assert marker.read_text() == "constructor ran\n"


@pytest.mark.parametrize("declarations", [
    "extern fn rt_mark_add(a: i64, b: f64) -> i64\n",
    "extern fn rt_mark_add(a: i64) -> i64\n",
    # the first declaration matches: the module is still not loaded for it
    "extern fn rt_mark_add(a: i64, b: i64) -> i64\nextern fn rt_mark_text(bad: text) -> text\n",
], ids=["parameter-type", "parameter-count", "second-extern"])
def test_signature_mismatch_is_refused_before_any_module_code_runs(simple_runtime, tmp_path, work, marker,
                                                                    declarations):
    mods = tmp_path / "mods"
    module = build(mods, work)
    path = script(tmp_path, declarations + "print 1\n")
    proc = simple(simple_runtime, "--ffi-path", mods, path, marker=marker)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert f"does not match FFI module {module}\n" in proc.stderr
    assert "  fix the declaration, or rebuild the module with: scons runtime --modules=mark\n" in proc.stderr
    assert not marker.exists(), "the module's constructor ran"


def test_other_abi_version_is_refused_before_any_module_code_runs(simple_runtime, tmp_path, work, marker):
    mods = tmp_path / "mods"
    build(mods, work, abi_version=1)
    proc = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, GOOD), marker=marker)
    assert proc.returncode == 2 and "field abi_version: the module has 1" in proc.stderr
    assert not marker.exists()


def test_library_other_than_the_file_name_is_refused_before_any_module_code_runs(simple_runtime, tmp_path,
                                                                                 work, marker):
    mods = tmp_path / "mods"
    build(mods, work).rename(mods / "libsffi_other.so")
    proc = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, GOOD), marker=marker)
    assert proc.returncode == 2
    assert "field library: the module has 'mark', its file name says 'other'" in proc.stderr
    assert not marker.exists()


def patch(path: Path, old: bytes, new: bytes) -> None:
    """Replace the one occurrence of ``old`` in the file by ``new`` of the same length."""
    data = path.read_bytes()
    assert len(old) == len(new) and data.count(old) == 1, (old, data.count(old))
    path.write_bytes(data.replace(old, new))


def test_descriptor_that_differs_from_the_section_is_refused(simple_runtime, tmp_path, work, marker):
    """The section says f64 where the compiled descriptor says i64: the declaration matches the
    section, so the module is loaded (its constructor runs: only the section can be read before),
    then its descriptor is compared with its section and it is refused before its first call."""
    mods = tmp_path / "mods"
    module = build(mods, work)
    patch(module, b"entry rt_mark_add (i64, i64) -> i64", b"entry rt_mark_add (i64, i64) -> f64")
    path = script(tmp_path, "extern fn rt_mark_add(a: i64, b: i64) -> f64\nprint rt_mark_add(2, 3)\n")
    proc = simple(simple_runtime, "--ffi-path", mods, path, marker=marker)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        f"{path}:1:1: extern function rt_mark_add: FFI module {module} refused\n"
        "  its descriptor's entry 1 (rt_mark_add (i64, i64) -> i64) differs from its .sffi_module section "
        "(rt_mark_add (i64, i64) -> f64)\n"
        "  rebuild it with: scons runtime --modules=mark\n")


def test_unreadable_signature_in_the_section_makes_the_module_unreadable(simple_runtime, tmp_path, work, marker):
    mods = tmp_path / "mods"
    module = build(mods, work)
    patch(module, b"entry rt_mark_add (i64, i64) -> i64", b"entry rt_mark_add (i64, i64) -> q64")
    proc = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, GOOD), marker=marker)
    # the extern is then provided by nothing: the script loads and its first call fails (issue 22)
    assert proc.returncode == 1
    assert (f"note: FFI module {module} could not be read: .sffi_module line 8: the signature of rt_mark_add, "
            "'(i64, i64) -> q64', is not one this runtime reads\n") in proc.stderr
    assert not marker.exists()


def test_unsorted_section_makes_the_module_unreadable(simple_runtime, tmp_path, work, marker):
    """The descriptor is compared with the section entry by entry and searched by bsearch: the
    section must be sorted by name, as sffi writes it."""
    mods = tmp_path / "mods"
    module = build(mods, work)
    patch(module, b"entry rt_mark_add (i64, i64) -> i64", b"entry rt_mark_zzz (i64, i64) -> i64")
    proc = simple(simple_runtime, "--ffi-path", mods, "--externs", marker=marker)
    assert (f"{module}  unreadable: its .sffi_module section's entries are not sorted by name "
            "(rt_mark_zzz before rt_mark_text)\n") in proc.stdout
    assert not marker.exists()


# ---- item 3: only regular files; nothing blocks ----

@pytest.mark.parametrize("args", [["--externs"], ["--externs", "--json"], ["--version"], ["SCRIPT"]])
def test_fifo_on_the_module_path_does_not_hang(simple_runtime, tmp_path, work, marker, args):
    mods = tmp_path / "mods"
    build(mods, work)
    os.mkfifo(mods / "libsffi_fifo.so", 0o644)
    path = script(tmp_path, GOOD)
    proc = simple(simple_runtime, "--ffi-path", mods, *[path if a == "SCRIPT" else a for a in args], marker=marker)
    assert proc.returncode == 0, proc.stderr
    if args == ["--externs"]:
        assert f"{mods}/libsffi_fifo.so  unreadable: not a regular file (a FIFO): only regular files are FFI modules\n" \
            in proc.stdout
    if args == ["SCRIPT"]:
        assert proc.stdout == "5\n"


def test_fifo_in_an_untrusted_directory_is_not_opened(simple_runtime, tmp_path, work, marker):
    mods = tmp_path / "mods"
    mods.mkdir()
    os.mkfifo(mods / "libsffi_fifo.so", 0o644)
    mods.chmod(0o777)
    proc = simple(simple_runtime, "--ffi-path", mods, "--externs", marker=marker)
    assert proc.returncode == 0
    assert f"{mods}/libsffi_fifo.so  refused (not read): its directory {mods} is writable by others" in proc.stdout


def test_directory_and_device_named_like_modules_are_not_candidates(simple_runtime, tmp_path, marker):
    mods = tmp_path / "mods"
    (mods / "libsffi_dir.so").mkdir(parents=True)
    (mods / "libsffi_null.so").symlink_to("/dev/null")
    proc = simple(simple_runtime, "--ffi-path", mods, "--externs", marker=marker)
    assert proc.returncode == 0
    assert "libsffi_dir.so  unreadable: not a regular file (a directory)" in proc.stdout
    # /dev/null is refused by trust where it is writable by others (then not even opened), else it is
    # opened without blocking and refused as a device (its mode differs between machines)
    line = next(line for line in proc.stdout.splitlines() if "libsffi_null.so" in line)
    assert line.endswith("unreadable: not a regular file (a character device): only regular files are FFI modules") \
        or "refused (not read): its file (the target of a symbolic link) /dev/null is writable by" in line, line


# ---- item 4: StrictModes over the real path and every directory up to / ----

def refused_because(proc: subprocess.CompletedProcess, module: Path, why: str) -> None:
    """The extern is unknown (the script loads; the first call fails: issue 22), and the note names
    the module and the problem."""
    assert (proc.returncode, proc.stdout) == (1, ""), proc.stderr
    assert ":2:7: error: unknown extern function rt_mark_add: " in proc.stderr, proc.stderr
    assert f"note: FFI module {module} was not read: {why}" in proc.stderr, proc.stderr


def test_symlink_to_a_module_in_a_world_writable_directory_is_refused(simple_runtime, tmp_path, work, marker):
    elsewhere = tmp_path / "open"
    target = build(elsewhere, work)
    elsewhere.chmod(0o777)
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "libsffi_mark.so").symlink_to(target)
    proc = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, GOOD), marker=marker)
    refused_because(proc, mods / "libsffi_mark.so",
                    f"its directory {elsewhere} is writable by others (permissions 0777 are too open)")
    assert not marker.exists()


def test_symlink_to_a_world_writable_module_is_refused(simple_runtime, tmp_path, work, marker):
    target = build(tmp_path / "real", work)
    target.chmod(0o666)
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "libsffi_mark.so").symlink_to(target)
    proc = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, GOOD), marker=marker)
    refused_because(proc, mods / "libsffi_mark.so",
                    f"its file (the target of a symbolic link) {target} is writable by others")


def test_symlink_to_a_module_in_a_trusted_directory_loads(simple_runtime, tmp_path, work, marker):
    target = build(tmp_path / "real", work)
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "libsffi_mark.so").symlink_to(target)
    proc = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, GOOD), marker=marker)
    assert (proc.returncode, proc.stdout) == (0, "5\n"), proc.stderr


@pytest.mark.parametrize("mode, who", [(0o777, "others"), (0o775, "its group")])
def test_module_directory_inside_a_writable_parent_is_refused(simple_runtime, tmp_path, work, marker, mode, who):
    parent = tmp_path / "shared"
    mods = parent / "mods"
    build(mods, work)
    parent.chmod(mode)
    proc = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, GOOD), marker=marker)
    refused_because(proc, mods / "libsffi_mark.so",
                    f"its parent directory {parent} is writable by {who} (permissions {mode:04o} are too open); "
                    f"an FFI module is loaded only where nobody else can write: chmod go-w {parent}")
    assert not marker.exists()


def test_sticky_root_owned_parent_is_allowed_but_not_as_the_module_directory(simple_runtime, tmp_path, work,
                                                                           marker):
    parent = tmp_path / "sticky"
    mods = parent / "mods"
    build(mods, work)
    parent.chmod(0o1777)
    if parent.stat().st_uid != 0:
        os.chown(parent, 0, -1) if os.geteuid() == 0 else None
    if parent.stat().st_uid == 0:  # root-owned and sticky, like /tmp: allowed above the module's directory
        proc = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, GOOD), marker=marker)
        assert (proc.returncode, proc.stdout) == (0, "5\n"), proc.stderr
    # as the directory holding the module it is refused: anyone could add a module there
    (mods / "libsffi_mark.so").rename(parent / "libsffi_mark.so")
    proc = simple(simple_runtime, "--ffi-path", parent, script(tmp_path, GOOD), marker=marker)
    refused_because(proc, parent / "libsffi_mark.so", f"its directory {parent} is writable by others")


ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: files owned by another uid")
OTHER_UID = 12345


@ROOT_ONLY
@pytest.mark.parametrize("victim", ["file", "directory", "parent directory"])
def test_file_or_directory_of_another_user_is_refused(simple_runtime, tmp_path, work, marker, victim):
    parent = tmp_path / "owner"
    mods = parent / "mods"
    module = build(mods, work)
    owned = {"file": module, "directory": mods, "parent directory": parent}[victim]
    os.chown(owned, OTHER_UID, -1)
    proc = simple(simple_runtime, "--ffi-path", mods, script(tmp_path, GOOD), marker=marker)
    refused_because(proc, module, f"its {victim} {owned} belongs to uid {OTHER_UID}, neither you (uid 0) nor root")
    assert not marker.exists()


# ---- item 5: nothing from a file reaches the terminal raw ----

ESC = "\x1b"


def test_control_characters_from_the_section_are_escaped(simple_runtime, tmp_path, work, marker):
    mods = tmp_path / "mods"
    module = build(mods, work)
    patch(module, b"rebuild scons runtime --modules=mark", b"rebuild \x1b]0;pw\x07\x1b[time --modules=mark")
    path = script(tmp_path, "extern fn rt_mark_add(a: i64) -> i64\n")
    proc = simple(simple_runtime, "--ffi-path", mods, path, marker=marker)
    assert proc.returncode == 2
    assert ESC not in proc.stderr and "\x07" not in proc.stderr
    assert "rebuild the module with: \\x1b]0;pw\\x07\\x1b[time --modules=mark\n" in proc.stderr


def test_control_characters_in_file_names_are_escaped(simple_runtime, tmp_path, work, marker):
    mods = tmp_path / "mods"
    module = build(mods, work)
    module.rename(mods / "libsffi_\x1b[31mred\x9b.so".encode("utf-8", "surrogateescape").decode("utf-8"))
    for args in (["--externs"], ["--version"], [script(tmp_path, GOOD)]):
        proc = simple(simple_runtime, "--ffi-path", mods, *args, marker=marker)
        out = proc.stdout + proc.stderr
        assert ESC not in out and "\x9b" not in out, out
        assert "libsffi_\\x1b[31mred\\xc2\\x9b.so" in out, out


# ---- item 8: text from an extern is checked as UTF-8 ----

@pytest.mark.parametrize("call, message", [
    ("rt_mark_text(1)", "rt_mark_text returned text that is not valid UTF-8 (byte 1 of 2 is 0xc3)"),
    ("rt_mark_texts(1)", "rt_mark_texts returned text that is not valid UTF-8 (byte 0 of 1 is 0xff)"),
])
def test_invalid_utf8_from_an_extern_is_a_script_error(simple_runtime, tmp_path, work, marker, call, message):
    mods = tmp_path / "mods"
    build(mods, work)
    good = call.replace("(1)", "(0)")
    path = script(tmp_path, DECLS + f"print {good}\nprint {call}\n")
    proc = subprocess.run([str(simple_runtime), "--ffi-path", str(mods), str(path)], capture_output=True,
                          timeout=TIMEOUT_S)
    assert proc.returncode == 1
    assert proc.stdout.decode() in ('hé\n', '[ok, hé]\n')  # text inside an array prints unquoted
    assert proc.stderr.decode().startswith(f"{path}:5:7: error: {message}\n")
