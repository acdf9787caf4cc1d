"""The module descriptor's section format and `sffi inspect` on real module files (docs/modules.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from modbuild import DEMO_C, DEMO_DECLS, build_module
from sffi import module_table
from sffi.errors import SffiError

FACTS = module_table.ModuleFacts(2, "demo", "0.1.0", "sha256:" + "0" * 64, "test",
                                 "scons runtime --modules=demo",
                                 (("rt_demo_add", "(i64, i64) -> i64"), ("rt_demo_pair", "(i64) -> (i64, text)")))


def sffi(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sffi", *map(str, args)], capture_output=True, text=True)


def test_section_text_round_trips():
    text = module_table.section_text(FACTS)
    assert text.splitlines()[:3] == ["sffi-module 1", "abi_version 2", "library demo"]
    assert text.endswith("entry rt_demo_pair (i64) -> (i64, text)\n")
    assert module_table.parse_section(text + "\0") == FACTS


@pytest.mark.parametrize("text, message", [
    ("", "m: section .sffi_module is empty"),
    ("sffi-module 9\n", "m: section .sffi_module does not start with 'sffi-module 1' (found 'sffi-module 9')"),
    ("sffi-module 1\nabi_version 2\ncolour blue\n", "m: section .sffi_module line 3: unexpected 'colour blue'"),
    ("sffi-module 1\nabi_version 2\nlibrary x\n", "m: section .sffi_module lacks sffi_version, digest, build_id, rebuild"),
])
def test_malformed_sections_are_named(text, message):
    with pytest.raises(SffiError) as info:
        module_table.parse_section(text, "m")
    assert str(info.value) == message


def test_digest_follows_declarations_not_their_place(tmp_path):
    from sffi import decls, table
    a, b = tmp_path / "a.spl", tmp_path / "b.spl"
    a.write_text("extern fn f(x: i64) -> i64\nextern fn g()\n")
    b.write_text("\n\nextern fn g()\nextern fn f(x: i64) -> i64\n")
    digest = lambda p: module_table.declarations_digest(table.LibraryDecls("l", decls.parse_files([p])[0]))
    assert digest(a) == digest(b)
    b.write_text("extern fn g()\nextern fn f(y: i64) -> i64\n")
    assert digest(a) != digest(b)


def test_digest_is_sha256_of_the_sorted_canonical_lines(tmp_path):
    """Computed by hand, not by the function under test: the declarations in canonical form, sorted
    by name, one per line, hashed with coreutils:
    ``printf 'extern fn f(x: i64) -> i64\\nextern fn g()\\n' | sha256sum``."""
    from sffi import decls, table
    path = tmp_path / "l.spl"
    path.write_text("extern fn g()\n\n   extern fn f(x: i64)   ->   i64\n")  # unsorted, odd spacing
    digest = module_table.declarations_digest(table.LibraryDecls("l", decls.parse_files([path])[0]))
    assert digest == "sha256:ad30af177b26c626019b0593e255b185f6cb0af2a70b23fd994ca09098ad5927"


def test_inspect_reads_a_built_module(tmp_path):
    module = build_module(tmp_path / "mods", "demo", DEMO_DECLS, DEMO_C, work=tmp_path / "w")
    proc = sffi("inspect", "--json", module)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)["modules"][0]
    assert (doc["path"], doc["library"], doc["abi_version"], doc["build_id"]) == (str(module), "demo", 2, "test")
    assert doc["entries"][0] == {"name": "rt_demo_add", "signature": "(i64, i64) -> i64"}
    assert len(doc["entries"]) == 5 and len(doc["gnu_build_id"]) == 40
    text = sffi("inspect", module).stdout.splitlines()
    assert text[0] == f"{module}: FFI module of library 'demo'"
    assert text[1] == "  abi_version:  2"


@pytest.mark.parametrize("content, reason", [
    (b"not elf", "not a readable ELF file"),
    (None, "no .sffi_module section: not an FFI module built by sffi"),
])
def test_inspect_refuses_what_is_not_a_module(tmp_path, content, reason):
    path = tmp_path / "libsffi_x.so"
    if content is None:
        (tmp_path / "x.c").write_text("int x(void) { return 1; }\n")
        subprocess.run(["cc", "-shared", "-fPIC", tmp_path / "x.c", "-o", path], check=True)
    else:
        path.write_bytes(content)
    proc = sffi("inspect", path)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.startswith(f"sffi: {path}: {reason}")


def test_symbols_names_the_module_it_scans(tmp_path):
    module = build_module(tmp_path / "mods", "demo", DEMO_DECLS, DEMO_C, work=tmp_path / "w")
    text = sffi("symbols", module).stdout.splitlines()
    at = text.index(f"{module}: FFI module of library 'demo'")
    assert any(line.split()[-1:] == ["sffi_module_descriptor"] for line in text[:at])  # the symbols come first
    fields = dict(line.split(":", 1) for line in text[at + 1:at + 7])
    assert {k.strip(): v.strip() for k, v in fields.items()} == {
        "abi_version": "2", "sffi_version": module_table.facts(_demo()).sffi_version,
        "digest": module_table.declarations_digest(_demo()), "build_id": "test",
        "gnu_build_id": module_table.read_module(module)[1], "rebuild": "scons runtime --modules=demo"}
    assert any(line.split() == ["rt_demo_add", "(i64,", "i64)", "->", "i64"] for line in text[at:])
    doc = json.loads(sffi("symbols", "--json", module).stdout)
    assert doc["files"][0]["module"]["library"] == "demo"
    assert doc["files"][0]["module"]["digest"] == module_table.declarations_digest(_demo())
    assert len(doc["files"][0]["module"]["entries"]) == 5


def test_symbols_of_a_plain_shared_object_shows_no_descriptor(tmp_path):
    (tmp_path / "x.c").write_text("int x(void) { return 1; }\n")
    subprocess.run(["cc", "-shared", "-fPIC", tmp_path / "x.c", "-o", tmp_path / "libx.so"], check=True)
    proc = sffi("symbols", tmp_path / "libx.so")
    assert proc.returncode == 0 and "FFI module" not in proc.stdout
    assert "module" not in json.loads(sffi("symbols", "--json", tmp_path / "libx.so").stdout)["files"][0]


def _demo():
    from sffi import decls, table
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        spl = Path(tmp) / "demo.spl"
        spl.write_text(DEMO_DECLS)
        return table.LibraryDecls("demo", decls.parse_files([spl])[0])


def test_symbols_looks_for_the_module_section_by_its_name():
    # sffi symbols names the section itself (importing sffi.module_table costs start-up).
    from sffi import module_table
    from sffi.commands import symbols

    assert symbols.MODULE_SECTION == module_table.SECTION


def test_inspect_escapes_control_characters_from_the_file(tmp_path):
    """Issue 24 item 5: a section's text cannot put terminal escape sequences on the screen."""
    module = build_module(tmp_path / "mods", "demo", DEMO_DECLS, DEMO_C, work=tmp_path / "w")
    data = module.read_bytes()
    old, new = b"rebuild scons runtime --modules=demo", b"rebuild \x1b]0;pw\x07\x1b[time --modules=demo"
    assert data.count(old) == 1 and len(old) == len(new)
    module.write_bytes(data.replace(old, new))
    proc = sffi("inspect", module)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "  rebuild:      \\x1b]0;pw\\x07\\x1b[time --modules=demo\n" in proc.stdout
    doc = json.loads(sffi("inspect", "--json", module).stdout)  # JSON escapes them itself
    assert doc["modules"][0]["rebuild"] == new.decode()[8:]


def test_printable_escapes_controls_and_kept_bytes():
    from sffi.commands.output import printable
    assert printable("plain text, é") == "plain text, é"
    assert printable("a\x1b[31mb\x9bc\x7f\n\t") == "a\\x1b[31mb\\x9bc\\x7f\\x0a\t"  # a tab starts no sequence
    assert printable(b"x\xffy".decode("utf-8", "surrogateescape")) == "x\\xffy"
