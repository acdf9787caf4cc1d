"""The symbol scanner on real artifacts: C compiled here, a Rust staticlib, system libraries.

Every expectation is either what the test compiled or what binutils (``nm``,
``readelf -sW``) says about the same file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import types
import warnings
from pathlib import Path

import pytest

import cipolicy

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cbuild  # noqa: E402

from sffi.commands import symbols as symbols_cmd  # noqa: E402
from sffi.errors import ScanError, SffiError  # noqa: E402
from sffi.symbols import Symbol, exports, scan, scan_file, undefined  # noqa: E402
from sffi.symbols import archive as archive_mod  # noqa: E402
from sffi.symbols.demangle import RUST_V0, demangle  # noqa: E402

pytestmark = pytest.mark.skipif(cbuild.CC is None or cbuild.AR is None, reason="needs cc and ar")

LIBDIR = Path("/usr/lib/x86_64-linux-gnu")

DEMO_C = r"""
#include <stdio.h>
int rt_demo_counter = 42;
double rt_demo_table[16] = {1.0};
long rt_demo_zeroed[3];
__thread long rt_demo_tls = 1;
static int local_helper(int x) { return x * 2; }
__attribute__((weak)) int rt_demo_weak(void) { return 1; }
__attribute__((visibility("hidden"))) int rt_demo_hidden(int a) { return a + local_helper(a); }
__attribute__((visibility("internal"))) int rt_demo_internal(int a) { return a; }
__attribute__((visibility("protected"))) int rt_demo_protected(void) { return 3; }
int rt_demo_add(int a, int b) { printf("%d\n", a); return a + b + rt_demo_hidden(a); }
extern int needed_elsewhere(int);
__attribute__((weak)) extern int maybe_there(void);
int rt_demo_calls(void) { return needed_elsewhere(1) + (maybe_there ? maybe_there() : 0); }
static int impl_a(void) { return 1; }
static void *resolve_pick(void) { return (void *)impl_a; }
int rt_demo_pick(void) __attribute__((ifunc("resolve_pick")));
"""

COMMON_C = "int rt_common_thing;\nint rt_common_other(void) { return rt_common_thing; }\n"

SYMVER_C = r"""
int rt_compat_old(void) { return 1; }
int rt_compat_new(void) { return 2; }
__asm__(".symver rt_compat_old, rt_compat@VERS_1.0");
__asm__(".symver rt_compat_new, rt_compat@@VERS_2.0");
int rt_v_old(void) { return 10; }
int rt_v_new(void) { return 20 + rt_compat_new(); }
int rt_not_listed(void) { return 0; }
"""

VERSION_SCRIPT = """
VERS_1.0 { global: rt_v_old; rt_compat; local: *; };
VERS_2.0 { global: rt_v_new; rt_compat; } VERS_1.0;
"""

LONG1 = "a_member_with_a_very_long_name.o"
LONG2 = "another_rather_long_member_name.o"

DEMO_EXPORTS = {"rt_demo_counter", "rt_demo_table", "rt_demo_zeroed", "rt_demo_tls",
                "rt_demo_weak", "rt_demo_protected", "rt_demo_add", "rt_demo_calls", "rt_demo_pick"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> types.SimpleNamespace:
    """Compile the fixtures once: objects, GNU/BSD/thin archives, shared objects."""
    d = tmp_path_factory.mktemp("symbols")
    ns = types.SimpleNamespace(dir=d)
    ns.demo_o = cbuild.compile_c(cbuild.write(d / "demo.c", DEMO_C), d / "demo.o", "-fPIC")
    ns.common_o = cbuild.compile_c(cbuild.write(d / "common.c", COMMON_C), d / "common.o", "-fcommon")
    ns.symver_o = cbuild.compile_c(cbuild.write(d / "symver.c", SYMVER_C), d / "symver.o", "-fPIC")
    ns.long1 = shutil.copy(ns.demo_o, d / LONG1)
    ns.long2 = shutil.copy(ns.common_o, d / LONG2)
    ns.gnu_a = cbuild.ar_rcs(d / "libgnu.a", Path(ns.long1), Path(ns.long2), ns.symver_o)
    ns.thin_a = cbuild.ar_rcs(d / "libthin.a", Path(ns.long1), ns.symver_o, thin=True)
    ns.bsd_a = cbuild.write_bsd_archive(d / "libbsd.a", [
        (LONG1, ns.demo_o.read_bytes()), ("common.o", ns.common_o.read_bytes()),
        ("symver.o", ns.symver_o.read_bytes())])
    ns.demo_so = cbuild.shared(d / "libdemo.so", d / "demo.c")
    ns.versioned_so = cbuild.shared(d / "libvers.so", d / "symver.c",
                                    version_script=cbuild.write(d / "vers.map", VERSION_SCRIPT))
    return ns


def names(symbols) -> set[str]:
    return {s.name for s in symbols}


def by_name(symbols) -> dict[str, Symbol]:
    return {s.name: s for s in symbols}


# ------------------------------------------------------------------ objects


def test_object_exports_and_fields(built):
    syms = scan(built.demo_o)
    assert names(exports(syms)) == DEMO_EXPORTS
    s = by_name(syms)
    assert (s["rt_demo_counter"].type, s["rt_demo_counter"].size) == ("object", 4)
    assert (s["rt_demo_table"].type, s["rt_demo_table"].size) == ("object", 128)
    assert (s["rt_demo_zeroed"].type, s["rt_demo_zeroed"].size) == ("object", 24)
    assert (s["rt_demo_tls"].type, s["rt_demo_tls"].size) == ("tls", 8)
    assert s["rt_demo_add"].type == "func" and s["rt_demo_add"].size > 0
    assert s["rt_demo_pick"].type == "ifunc"
    assert (s["rt_demo_weak"].binding, s["rt_demo_weak"].defined) == ("weak", True)
    assert s["rt_demo_protected"].visibility == "protected"
    # hidden/internal: listed with their visibility, not exported
    assert (s["rt_demo_hidden"].visibility, s["rt_demo_hidden"].binding) == ("hidden", "global")
    assert s["rt_demo_internal"].visibility == "internal"
    assert s["local_helper"].binding == "local" and s["local_helper"].type == "func"
    assert all(x.member is None and x.version is None for x in syms)
    # no section or file symbols, no null entry
    assert "demo.c" not in names(syms) and "" not in names(syms)
    assert all(x.type not in ("section", "file") for x in syms)


def test_object_undefined(built):
    und = by_name(undefined(scan(built.demo_o)))
    assert {"needed_elsewhere", "maybe_there", "printf"} <= set(und)
    assert und["maybe_there"].binding == "weak"
    assert und["needed_elsewhere"].binding == "global"
    assert not any(s.defined for s in und.values())


def test_common_symbol(built):
    s = by_name(scan(built.common_o))["rt_common_thing"]
    assert (s.type, s.size, s.defined) == ("common", 4, True)
    assert s.is_export


def test_object_symver_names_are_split(built):
    s = [x for x in scan(built.symver_o) if x.name == "rt_compat"]
    assert {(x.version, x.version_hidden) for x in s} == {("VERS_1.0", True), ("VERS_2.0", False)}
    assert {x.versioned_name for x in s} == {"rt_compat@VERS_1.0", "rt_compat@@VERS_2.0"}


def test_scan_is_sorted_and_stable(built):
    syms = scan(built.gnu_a)
    assert syms == sorted(syms, key=lambda s: (s.member or "", s.name))
    assert syms == scan(built.gnu_a)


def test_matches_readelf_on_object(built):
    assert_matches_readelf(built.demo_o, scan(built.demo_o))


# ------------------------------------------------------------------ archives


def test_gnu_archive_long_names(built):
    raw = [n for _, n in cbuild.member_offsets(built.gnu_a)]
    assert b"//              " in raw, "the GNU long-name table is used"
    result = scan_file(built.gnu_a)
    assert result.kind == "archive"
    assert result.members == (LONG1, LONG2, "symver.o")
    assert result.members == tuple(cbuild.run([cbuild.AR, "t", str(built.gnu_a)]).split())
    ex = exports(result.symbols)
    assert {s.name for s in ex if s.member == LONG1} == DEMO_EXPORTS
    assert {s.name for s in ex if s.member == LONG2} == {"rt_common_thing", "rt_common_other"}
    demo_alone = scan(built.demo_o)
    in_archive = [s for s in result.symbols if s.member == LONG1]
    assert [dataclass_without_member(s) for s in in_archive] == \
        [dataclass_without_member(s) for s in demo_alone]


def dataclass_without_member(s: Symbol) -> tuple:
    return (s.name, s.type, s.binding, s.visibility, s.size, s.defined, s.version)


def test_bsd_archive_matches_gnu(built):
    bsd = scan_file(built.bsd_a)
    assert bsd.members == (LONG1, "common.o", "symver.o")
    gnu = scan_file(built.gnu_a)
    rename = {LONG2: "common.o"}
    assert [dataclass_without_member(s) + (s.member,) for s in bsd.symbols] == \
        sorted([dataclass_without_member(s) + (rename.get(s.member, s.member),) for s in gnu.symbols],
               key=lambda t: (t[-1], t[0]))


def test_bsd_archive_without_symdef_and_odd_sizes(built, tmp_path):
    data = built.demo_o.read_bytes() + b"x"  # odd size: padding byte follows
    path = cbuild.write_bsd_archive(tmp_path / "odd.a", [("odd.o", data), ("b.o", data)],
                                    symdef=False)
    # a trailing byte after an ELF object does not disturb it
    assert scan_file(path).members == ("odd.o", "b.o")


def test_thin_archive(built):
    result = scan_file(built.thin_a)
    assert result.members == (LONG1, "symver.o")
    assert {s.name for s in exports(result.symbols) if s.member == LONG1} == DEMO_EXPORTS


def test_thin_archive_member_name_with_nul_is_a_scan_error(tmp_path):
    """A fuzzer's find: a NUL in a thin archive member's name reached open() (ValueError)."""
    header = b"b\0.o/".ljust(16) + b"0".ljust(12) + b"0".ljust(6) * 2 + b"644".ljust(8) + b"4".ljust(10) + b"`\n"
    (tmp_path / "nul.a").write_bytes(b"!<thin>\n" + header)
    with pytest.raises(ScanError, match="holds a NUL byte: corrupt archive"):
        scan_file(tmp_path / "nul.a")


def test_archive_skips_non_elf_members(built, tmp_path):
    path = cbuild.write_gnu_archive(tmp_path / "mixed.a", [
        ("lib.rmeta", b"rust\0\0\0\x08metadata"), ("demo.o", built.demo_o.read_bytes()),
        ("README", b"hello\n")])
    result = scan_file(path)
    assert result.members == ("demo.o",)
    assert names(exports(result.symbols)) == DEMO_EXPORTS


def test_empty_archive(tmp_path):
    (tmp_path / "empty.a").write_bytes(b"!<arch>\n")
    result = scan_file(tmp_path / "empty.a")
    assert (result.kind, result.symbols, result.members) == ("archive", [], ())


def test_archive_members_api(built):
    members = list(archive_mod.iter_members(built.bsd_a))
    assert [m.name for m in members] == [LONG1, "common.o", "symver.o"]
    assert members[0].data == built.demo_o.read_bytes()


# ------------------------------------------------------------------ shared objects


def test_shared_object_exports(built):
    result = scan_file(built.demo_so)
    assert result.kind == "shared"
    s = by_name(result.symbols)
    # hidden/internal symbols are not in .dynsym at all
    assert "rt_demo_hidden" not in s and "local_helper" not in s
    assert DEMO_EXPORTS <= names(exports(result.symbols))
    assert s["printf"].version == "GLIBC_2.2.5" and not s["printf"].defined
    assert s["printf"].versioned_name == "printf@GLIBC_2.2.5"
    assert (s["rt_demo_table"].type, s["rt_demo_table"].size) == ("object", 128)
    assert s["rt_demo_tls"].type == "tls"
    assert s["rt_demo_weak"].binding == "weak"
    assert "needed_elsewhere" in names(undefined(result.symbols))


def test_shared_object_version_script(built):
    syms = scan(built.versioned_so)
    ex = exports(syms)
    assert names(ex) == {"rt_v_old", "rt_v_new", "rt_compat", "VERS_1.0", "VERS_2.0"}
    s = {x.versioned_name: x for x in ex}
    assert s["rt_v_old@@VERS_1.0"].version == "VERS_1.0"
    assert s["rt_v_new@@VERS_2.0"].type == "func"
    assert s["rt_compat@VERS_1.0"].version_hidden
    assert not s["rt_compat@@VERS_2.0"].version_hidden
    assert "rt_not_listed" not in names(syms)  # local: * in the version script
    assert_matches_nm_dynamic(built.versioned_so, syms)


def test_lief_reader_is_identical(built):
    """LIEF reads shared objects itself (objects go through pyelftools): the same symbols as the
    pyelftools reader, and against binutils' nm -D (independent of both), the same exports."""
    system = present([LIBDIR / "libstdc++.so.6", LIBDIR / "libc.so.6"], "libc6 and libstdc++6")
    for path in (built.demo_so, built.versioned_so, *system):
        lief_syms = scan(path, backend="lief")
        assert lief_syms == scan(path, backend="pyelftools"), path
        assert_matches_nm_dynamic(path, lief_syms)


def test_lief_backend_reads_objects_with_pyelftools(built):
    assert scan(built.demo_o, backend="lief") == scan(built.demo_o)
    with pytest.raises(ValueError):
        scan(built.demo_o, backend="nm")


# ------------------------------------------------------------------ real libraries vs binutils


def nm_symbols(path: Path, *extra: str) -> list[tuple[str, str]]:
    """(letter, name) per line of ``nm --defined-only`` (members' names dropped)."""
    out = cbuild.run(["nm", "--defined-only", *extra, str(path)])
    found = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            found.append((parts[1], parts[2]))
    return found


def nm_exported(path: Path, *extra: str) -> set[str]:
    """Globally visible names per nm: uppercase letters, plus i (ifunc) and u (unique)."""
    return {n for letter, n in nm_symbols(path, *extra) if letter.isupper() or letter in "iu"}


def is_nm_text(s: Symbol) -> bool:
    """What nm shows as T (a strong function) or i (an ifunc, whatever its binding)."""
    return (s.type == "func" and s.binding == "global") or s.type == "ifunc"


def assert_matches_nm_dynamic(path: Path, syms: list[Symbol]) -> None:
    """Exported names with versions equal ``nm -D --defined-only`` (name@@V / name@V)."""
    nm = nm_exported(path, "-D")
    ours = {s.versioned_name for s in exports(syms)}
    assert ours == nm
    nm_funcs = {n for letter, n in nm_symbols(path, "-D") if letter in "Ti"}
    assert {s.versioned_name for s in exports(syms) if is_nm_text(s)} == nm_funcs


@pytest.mark.parametrize("lib", ["libsqlite3.so", "libz.so", "libc.so.6", "libstdc++.so.6"])
def test_system_shared_library_matches_nm(lib):
    path = LIBDIR / lib
    if not path.exists():
        pytest.skip(f"{path} is not installed")
    syms = scan(path)
    assert_matches_nm_dynamic(path, syms)
    if lib == "libc.so.6":
        s = {x.versioned_name: x for x in exports(syms)}
        assert s["memcpy@@GLIBC_2.14"].type == "ifunc"
        assert s["memcpy@GLIBC_2.2.5"].version_hidden


@pytest.mark.parametrize("lib", ["libsqlite3.a", "libz.a"])
def test_system_static_library_matches_nm(lib):
    path = LIBDIR / lib
    if not path.exists():
        pytest.skip(f"{path} is not installed")
    syms = scan(path)
    hidden = {s.name for s in syms if s.defined and s.visibility in ("hidden", "internal")}
    # nm does not show visibility: compare with hidden ones taken out of its list
    assert names(exports(syms)) == nm_exported(path) - hidden
    nm_funcs = {n for letter, n in nm_symbols(path) if letter in "Ti"} - hidden
    assert {s.name for s in exports(syms) if is_nm_text(s)} == nm_funcs
    if lib == "libsqlite3.a":
        assert {"sqlite3_open_v2", "sqlite3_exec", "sqlite3_close"} <= names(exports(syms))
        assert_matches_readelf(path, syms)


# ------------------------------------------------------------------ readelf comparison

_READELF_TYPES = {"NOTYPE": "notype", "OBJECT": "object", "FUNC": "func", "TLS": "tls",
                  "IFUNC": "ifunc", "COMMON": "common"}


def readelf_symbols(path: Path) -> list[tuple]:
    """(member, name, type, bind, vis, size, defined) from ``readelf -sW`` (.symtab only)."""
    out = cbuild.run(["readelf", "-sW", str(path)])
    member, table, rows = None, None, []
    for line in out.splitlines():
        m = re.match(r"^File: .*\((.*)\)$", line)
        if m:
            member = m.group(1)
            continue
        m = re.match(r"^Symbol table '(.*?)'", line)
        if m:
            table = m.group(1)
            continue
        parts = line.split()
        if table != ".symtab" or len(parts) < 7 or not parts[0].rstrip(":").isdigit():
            continue
        num, _value, size, typ, bind, vis, ndx = parts[:7]
        name = parts[7] if len(parts) > 7 else ""
        if num == "0:" or typ in ("SECTION", "FILE"):
            continue
        rows.append((member, name, "common" if ndx == "COM" else _READELF_TYPES.get(typ, typ),
                     bind.lower(), vis.lower(), int(size, 0), ndx != "UND"))
    return rows


def assert_matches_readelf(path: Path, syms: list[Symbol]) -> None:
    ours = sorted((s.member, s.versioned_name if s.version else s.name, s.type, s.binding,
                   s.visibility, s.size, s.defined) for s in syms)
    assert ours == sorted(readelf_symbols(path))


# ------------------------------------------------------------------ Rust

RUST_LIB = r"""
#[no_mangle]
pub extern "C" fn rt_demo_add(a: i64, b: i64) -> i64 { a.wrapping_add(b) }

#[no_mangle]
pub static RT_DEMO_ANSWER: i64 = 42;

#[inline(never)]
pub fn generic_sum<T: Into<i64> + Copy>(xs: &[T]) -> i64 { xs.iter().map(|&x| x.into()).sum() }

#[no_mangle]
pub extern "C" fn rt_demo_sum(p: *const i32, n: usize) -> i64 {
    let xs = unsafe { std::slice::from_raw_parts(p, n) };
    generic_sum(xs)
}
"""


@pytest.fixture(scope="module")
def rust_crate(tmp_path_factory):
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("cargo is not installed: the Rust staticlib test needs it")
    d = tmp_path_factory.mktemp("rust")
    cbuild.write(d / "Cargo.toml", '[package]\nname = "rt_demo"\nversion = "0.1.0"\n'
                 'edition = "2021"\n\n[lib]\npath = "lib.rs"\ncrate-type = ["staticlib", "rlib"]\n')
    cbuild.write(d / "lib.rs", RUST_LIB)
    env = dict(os.environ, CARGO_TARGET_DIR=str(d / "target"))
    cbuild.run([cargo, "build", "--offline", "--quiet"], cwd=d, env=env)
    return types.SimpleNamespace(staticlib=d / "target/debug/librt_demo.a",
                                 rlib=d / "target/debug/librt_demo.rlib", dir=d)


def test_rust_staticlib(rust_crate):
    result = scan_file(rust_crate.staticlib)
    ex = by_name(exports(result.symbols))
    assert ex["rt_demo_add"].type == "func" and ex["rt_demo_add"].member.endswith(".o")
    assert (ex["RT_DEMO_ANSWER"].type, ex["RT_DEMO_ANSWER"].size) == ("object", 8)
    assert "rt_demo_sum" in ex
    # the whole archive agrees with readelf (GNU nm lists almost nothing in rustc archives)
    assert_matches_readelf(rust_crate.staticlib, result.symbols)


def test_rust_rlib_metadata_member(rust_crate):
    """rustc's lib.rmeta: raw metadata in old rustc (skipped as non-ELF), an ELF
    wrapper without symbols in current rustc (read, contributes nothing)."""
    members = {m.name: m.data for m in archive_mod.iter_members(rust_crate.rlib)}
    assert "lib.rmeta" in members
    result = scan_file(rust_crate.rlib)
    assert ("lib.rmeta" in result.members) == members["lib.rmeta"].startswith(b"\x7fELF")
    assert not [s for s in result.symbols if s.member == "lib.rmeta"]
    assert "rt_demo_add" in names(exports(result.symbols))
    assert_matches_readelf(rust_crate.rlib, result.symbols)


def test_rust_demangle_legacy(rust_crate):
    syms = [s for s in scan(rust_crate.rlib) if "generic_sum" in s.name]
    assert syms and syms[0].name.startswith("_ZN")
    assert "rt_demo::generic_sum" in syms[0].demangled


@pytest.mark.skipif(not RUST_V0, reason="Rust v0 (_R) names stay mangled without pyderust")
def test_rust_demangle_v0(rust_crate):
    rustc = shutil.which("rustc")
    out = rust_crate.dir / "v0.o"
    cbuild.run([rustc, "--crate-type=lib", "--crate-name=v0demo", "--emit=obj", "-o", str(out),
                "-C", "symbol-mangling-version=v0", str(rust_crate.dir / "lib.rs")])
    syms = [s for s in scan(out) if s.name.startswith("_R") and "generic_sum" in s.demangled]
    assert syms, [s.name for s in scan(out)]
    assert syms[0].demangled.startswith("v0demo::generic_sum::<i32>")


# ------------------------------------------------------------------ demangling


def test_demangle_cpp(tmp_path):
    src = cbuild.write(tmp_path / "x.cpp", "namespace rt { int add(int a, long b) { return a + b; } }\n"
                       'extern "C" int rt_c_add(int a) { return rt::add(a, 1); }\n')
    obj = tmp_path / "x.o"
    cbuild.run(["c++", "-c", str(src), "-o", str(obj)])
    s = by_name(exports(scan(obj)))
    assert s["_ZN2rt3addEil"].demangled == "rt::add(int, long)"
    assert s["rt_c_add"].demangled == "rt_c_add"
    assert demangle("_Z3fooi.cold") == "foo(int) [clone .cold]"
    assert demangle("_Znot_really") == "_Znot_really"
    assert demangle("printf") == "printf"


# ------------------------------------------------------------------ errors


def scan_error(path) -> str:
    with pytest.raises(ScanError) as info:
        scan(path)
    assert isinstance(info.value, SffiError)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_error_missing_file(tmp_path):
    assert scan_error(tmp_path / "nope.a") == f"{tmp_path / 'nope.a'}: no such file"


def test_error_directory(tmp_path):
    assert "is a directory" in scan_error(tmp_path)


def test_error_empty_file(tmp_path):
    (tmp_path / "empty.o").write_bytes(b"")
    assert scan_error(tmp_path / "empty.o") == f"{tmp_path / 'empty.o'}: empty file, not an object, archive or shared object"


def test_error_text_file(tmp_path):
    (tmp_path / "notes.so").write_text("INPUT(-lfoo)\n")  # a GNU ld script, as libc.so is
    assert scan_error(tmp_path / "notes.so").endswith("notes.so: not an ELF object, archive or shared object: a text file")


def test_error_unknown_binary(tmp_path):
    (tmp_path / "blob.o").write_bytes(b"\x00\x01\x02\x03garbage")
    assert "unknown format (starts with bytes 00 01 02 03)" in scan_error(tmp_path / "blob.o")


def test_error_macho(tmp_path):
    # a minimal 64-bit Mach-O header: magic, x86_64, MH_OBJECT, no load commands
    header = bytes.fromhex("cffaedfe07000001030000000100000000000000000000000000000000000000")
    (tmp_path / "mac.o").write_bytes(header)
    assert "not supported: Mach-O" in scan_error(tmp_path / "mac.o")


def test_error_truncated_elf_header(built, tmp_path):
    (tmp_path / "t.o").write_bytes(built.demo_o.read_bytes()[:30])
    assert scan_error(tmp_path / "t.o").endswith("t.o: truncated ELF header: 30 bytes, an ELF64 header has 64")


def test_error_truncated_elf_body(built, tmp_path):
    data = built.demo_so.read_bytes()
    (tmp_path / "t.so").write_bytes(data[: len(data) // 2])
    msg = scan_error(tmp_path / "t.so")
    assert "t.so: truncated ELF file: section header table" in msg


def test_error_symbol_table_past_end(built, tmp_path):
    """A section header that claims more bytes than the file has: an error, never a short table."""
    from elftools.elf.elffile import ELFFile
    data = bytearray(built.demo_o.read_bytes())
    with open(built.demo_o, "rb") as f:
        elf = ELFFile(f)
        index = next(i for i, sec in enumerate(elf.iter_sections()) if sec.name == ".symtab")
        size_field = elf["e_shoff"] + index * elf["e_shentsize"] + 32  # Elf64_Shdr.sh_size
    data[size_field:size_field + 8] = (24 * 100000).to_bytes(8, "little")
    (tmp_path / "cut.o").write_bytes(bytes(data))
    assert "truncated ELF file: section .symtab spans bytes" in scan_error(tmp_path / "cut.o")


def test_error_bad_elf_class(built, tmp_path):
    data = bytearray(built.demo_o.read_bytes())
    data[4] = 7
    (tmp_path / "c.o").write_bytes(bytes(data))
    assert "bad class byte 7" in scan_error(tmp_path / "c.o")


def test_error_corrupt_member_names_member(built, tmp_path):
    good = built.demo_o.read_bytes()
    path = cbuild.write_gnu_archive(tmp_path / "libbad.a", [("ok.o", good), ("cut.o", good[:100])])
    msg = scan_error(path)
    assert msg.startswith(f"{path}(cut.o): ")
    assert "truncated ELF file" in msg


def test_error_garbage_in_archive(built, tmp_path):
    path = tmp_path / "libgarbage.a"
    shutil.copy(built.gnu_a, path)
    data = bytearray(path.read_bytes())
    offset = cbuild.member_offsets(path)[-1][0]  # the last member's header
    data[offset:offset + 60] = b"this is not an ar member header at all, just junk text here."
    path.write_bytes(bytes(data))
    msg = scan_error(path)
    assert f"corrupt archive member header at byte {offset}" in msg
    assert "file header magic doesn't match" in msg


def test_error_archive_bad_sizes_and_names(built, tmp_path):
    good = built.demo_o.read_bytes()
    neg = cbuild._ar_header(b"neg.o/", 0).replace(b"0         `", b"-10       `")
    path = cbuild.write_gnu_archive(tmp_path / "neg.a", [("neg.o", good)], raw_headers={0: neg})
    assert "negative size -10" in scan_error(path)
    badname = cbuild._ar_header(b"/abc", len(good))
    path = cbuild.write_gnu_archive(tmp_path / "badname.a", [("x", good)], raw_headers={0: badname})
    assert "corrupt archive member header at byte 8" in scan_error(path)
    path = cbuild.write_gnu_archive(tmp_path / "trunc.a", [("a.o", good)])
    path.write_bytes(path.read_bytes()[:-200])
    assert "ends at byte" in scan_error(path) and "truncated archive" in scan_error(path)


def test_error_macho_archive(tmp_path):
    header = bytes.fromhex("cffaedfe07000001030000000100000000000000000000000000000000000000")
    path = cbuild.write_bsd_archive(tmp_path / "libmac.a", [("a.o", header)])
    assert "not supported: archive of Mach-O objects" in scan_error(path)


# ------------------------------------------------------------------ command line


def cli(*argv: str, **flags) -> types.SimpleNamespace:
    args = types.SimpleNamespace(paths=list(argv), json=False, undefined=False, all=False,
                                 demangle=False)
    vars(args).update(flags)
    return args


def test_cli_table(built, capsys):
    assert symbols_cmd.run(cli(str(built.versioned_so))) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["type", "bind", "vis", "size", "member", "version", "name"]
    rows = {tuple(line.split()) for line in out[2:]}  # the member column is empty: 6 or 7 words
    compat = {r for r in rows if r[-1] == "rt_compat"}
    assert {(r[:3], r[4:-1]) for r in compat} == {
        (("func", "global", "default"), ("VERS_1.0", "(hidden)")),
        (("func", "global", "default"), ("VERS_2.0",))}
    assert any(r[-1] == "rt_v_old" and r[-2] == "VERS_1.0" for r in rows)
    # the name is the last column, not padded: no line ends with spaces
    assert not any(line.endswith(" ") for line in out)


def test_cli_json(built, capsys):
    assert symbols_cmd.run(cli(str(built.gnu_a), str(built.demo_so), json=True)) == 0
    text = capsys.readouterr().out
    doc = json.loads(text)
    assert text == json.dumps(doc, indent=2, sort_keys=True) + "\n"
    assert doc["format"] == "sffi-symbols/1" and doc["selection"] == "exports"
    assert [(f["path"], f["kind"]) for f in doc["files"]] == [(str(built.gnu_a), "archive"),
                                                              (str(built.demo_so), "shared")]
    first = doc["files"][0]["symbols"]
    assert set(first[0]) == {"name", "type", "binding", "visibility", "size", "defined", "member",
                             "version", "version_hidden"}
    assert {s["name"] for s in first if s["member"] == LONG1} == DEMO_EXPORTS


def test_cli_undefined_all_demangle(built, capsys, tmp_path):
    assert symbols_cmd.run(cli(str(built.demo_o), undefined=True, json=True)) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {s["name"] for s in doc["files"][0]["symbols"]} == {
        "needed_elsewhere", "maybe_there", "printf", "_GLOBAL_OFFSET_TABLE_"}  # -fPIC
    assert symbols_cmd.run(cli(str(built.demo_o), all=True)) == 0
    out = capsys.readouterr().out
    assert "rt_demo_hidden" in out and "local_helper" in out
    src = cbuild.write(tmp_path / "y.cpp", "int twice(int a) { return 2 * a; }\n")
    cbuild.run(["c++", "-c", str(src), "-o", str(tmp_path / "y.o")])
    assert symbols_cmd.run(cli(str(tmp_path / "y.o"), demangle=True, json=True)) == 0
    sym = json.loads(capsys.readouterr().out)["files"][0]["symbols"][0]
    assert (sym["name"], sym["demangled"]) == ("_Z5twicei", "twice(int)")


def test_cli_error_one_line(tmp_path, capsys):
    (tmp_path / "t.txt").write_text("hello\n")
    assert symbols_cmd.run(cli(str(tmp_path / "t.txt"), json=True)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"sffi: {tmp_path / 't.txt'}: not an ELF object, archive or shared object: a text file\n"


@pytest.mark.parametrize("content", [b"", b"\x7fELF\x02\x01\x01", b"!<arch>\nfoo.o/  garbage"])
def test_cli_process_no_traceback(tmp_path, content):
    """The real command line, in a process: one line on stderr, status 1, no traceback."""
    path = tmp_path / "bad.o"
    path.write_bytes(content)
    proc = subprocess.run([sys.executable, "-c", "import sys; from sffi.cli import main; "
                           "sys.exit(main(sys.argv[1:]))", "symbols", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"sffi: {path}: ")


def test_cli_main_registers_symbols(built, capsys):
    from sffi.cli import main
    assert main(["symbols", "--json", "--all", str(built.bsd_a)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["selection"] == "all" and doc["files"][0]["kind"] == "archive"
    assert {s["member"] for s in doc["files"][0]["symbols"]} == {LONG1, "common.o", "symver.o"}
    with pytest.raises(SystemExit) as info:
        main(["symbols", "--all", "--undefined", str(built.bsd_a)])
    assert info.value.code == 3  # bad usage (sffi.errors.EXIT_USAGE)


@pytest.mark.parametrize("backend", ["pyelftools", "lief"])
def test_damaged_inputs_only_raise_scan_error(built, tmp_path, backend):
    """Deterministic damage (flipped bytes, cuts, zeroed runs) of every fixture kind:
    the scan either succeeds or raises ScanError with a one-line message."""
    import random
    rng = random.Random(20240601)
    sources = [built.demo_o, built.versioned_so, built.gnu_a, built.bsd_a]
    path = tmp_path / "damaged"
    for _ in range(150):
        data = bytearray(rng.choice(sources).read_bytes())
        how = rng.randrange(3)
        if how == 0:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif how == 1:
            data = data[:rng.randrange(1, len(data))]
        else:
            i = rng.randrange(len(data))
            data[i:i + 200] = bytes(len(data[i:i + 200]))
        path.write_bytes(bytes(data))
        try:
            scan(path, backend=backend)
        except ScanError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(str(path))


# ------------------------------------------------------------------ C decoder vs pyelftools

# No libc: compiles with `cc -m32` without the 32-bit C library (gcc-multilib) installed.
BARE_C = r"""
int rt_bare_counter = 3;
__thread int rt_bare_tls = 1;
__attribute__((weak)) int rt_bare_weak(void) { return 1; }
__attribute__((visibility("hidden"))) int rt_bare_hidden(int a) { return a; }
__attribute__((visibility("protected"))) int rt_bare_protected(void) { return 2; }
int rt_bare_add(int a, int b) { return a + b + rt_bare_hidden(a); }
extern int rt_bare_needed(int);
__attribute__((weak)) extern int rt_bare_maybe(void);
int rt_bare_calls(void) { return rt_bare_needed(2) + (rt_bare_maybe ? rt_bare_maybe() : 0); }
static int impl_a(void) { return 1; }
static void *resolve_pick(void) { return (void *)impl_a; }
int rt_bare_pick(void) __attribute__((ifunc("resolve_pick")));
"""
BARE_MAP = ("V1 { global: rt_bare_add; rt_bare_counter; local: *; };\n"
            "V2 { global: rt_bare_calls; rt_bare_weak; rt_bare_pick; rt_bare_tls; "
            "rt_bare_protected; } V1;\n")


@pytest.fixture(scope="module")
def odd_elves(built, tmp_path_factory) -> dict[str, Path]:
    """32-bit objects and shared objects (``cc -m32``, when the compiler can), and big-endian
    ones crafted from this machine's: cbuild.to_big_endian byte-swaps every ELF structure read."""
    d = tmp_path_factory.mktemp("odd")
    src, vmap = cbuild.write(d / "bare.c", BARE_C), cbuild.write(d / "bare.map", BARE_MAP)
    found = {}
    probe = subprocess.run([cbuild.CC, "-m32", "-fPIC", "-c", str(src), "-o", str(d / "bare32.o")],
                           capture_output=True)
    if probe.returncode == 0:
        found["bare32.o"] = d / "bare32.o"
        cbuild.run([cbuild.CC, "-m32", "-shared", "-nostdlib", "-fPIC", str(src), "-o",
                    str(d / "bare32.so"), f"-Wl,--version-script={vmap}"])
        found["bare32.so"] = d / "bare32.so"
    for name, path in (("demo.o", built.demo_o), ("libvers.so", built.versioned_so),
                       ("libdemo.so", built.demo_so)):
        found[f"be-{name}"] = d / f"be-{name}"
        found[f"be-{name}"].write_bytes(cbuild.to_big_endian(path.read_bytes()))
    return found


def present(paths: list[Path], install: str) -> list[Path]:
    """Those of ``paths`` that exist. Under CI (tests/cipolicy.py) a missing one fails the test,
    naming it and ``install`` (what provides it): a comparison over fewer inputs would still pass.
    Outside CI it is left out with a warning."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing and cipolicy.under_ci():
        pytest.fail(f"missing under CI=true: {', '.join(missing)} (install {install})", pytrace=False)
    if missing:
        warnings.warn(f"left out of the comparison, not installed: {', '.join(missing)} (install {install})")
    return [p for p in paths if p.exists()]


SYSTEM_LIBS = [LIBDIR / n for n in ("libsqlite3.so", "libz.so", "libc.so.6", "libstdc++.so.6",
                                    "libsqlite3.a", "libz.a")]


def agreement_inputs(built) -> list[Path]:
    """Every object, archive and shared object the tests of this file read."""
    system = present(SYSTEM_LIBS, "libsqlite3-dev and zlib1g-dev: scripts/bootstrap --with=all")
    return [built.demo_o, built.common_o, built.symver_o, built.gnu_a, built.thin_a, built.bsd_a,
            built.demo_so, built.versioned_so, *system]


def assert_c_decoder_agrees(path: Path) -> list[Symbol]:
    ours = scan(path)
    assert ours == scan(path, backend="pyelftools"), path
    return ours


def test_c_decoder_agrees_with_pyelftools(built, odd_elves, rust_crate):
    """Symbol for symbol, every field, on every input the tests use; and the inputs hold
    every kind of entry the decoder distinguishes, so the comparison covers each."""
    seen = []
    for path in [*agreement_inputs(built), rust_crate.staticlib, rust_crate.rlib]:
        seen += assert_c_decoder_agrees(path)
    for path in odd_elves.values():
        seen += assert_c_decoder_agrees(path)
    kinds = {"versioned": any(s.version for s in seen), "hidden version": any(s.version_hidden for s in seen),
             "weak": any(s.binding == "weak" for s in seen),
             "hidden": any(s.visibility == "hidden" for s in seen),
             "internal": any(s.visibility == "internal" for s in seen),
             "protected": any(s.visibility == "protected" for s in seen),
             "ifunc": any(s.type == "ifunc" for s in seen), "tls": any(s.type == "tls" for s in seen),
             "common": any(s.type == "common" for s in seen), "undefined": any(not s.defined for s in seen),
             "local": any(s.binding == "local" for s in seen),
             "unique": any(s.binding == "unique" for s in seen)}
    assert all(kinds.values()), kinds


def test_c_decoder_on_32_bit_and_big_endian(odd_elves, built):
    if "bare32.so" not in odd_elves:
        pytest.skip("cc -m32 does not work here: no 32-bit fixtures")
    result = scan_file(odd_elves["bare32.so"])
    s = {x.versioned_name: x for x in result.symbols}
    assert result.kind == "shared"
    assert s["rt_bare_add@@V1"].type == "func" and s["rt_bare_tls@@V2"].type == "tls"
    assert s["rt_bare_pick@@V2"].type == "ifunc" and s["rt_bare_weak@@V2"].binding == "weak"
    assert not s["rt_bare_needed"].defined and s["rt_bare_counter@@V1"].size == 4
    assert_matches_nm_dynamic(odd_elves["bare32.so"], result.symbols)
    assert_matches_readelf(odd_elves["bare32.o"], scan(odd_elves["bare32.o"]))
    # the big-endian copies read exactly as the originals
    for name, original in (("demo.o", built.demo_o), ("libvers.so", built.versioned_so)):
        assert scan(odd_elves[f"be-{name}"]) == scan(original)


def test_table_writer_matches_tabulate():
    """The direct table writer prints what tabulate does, also for cells it treats specially."""
    from tabulate import tabulate

    from sffi.commands.output import write_columns
    import io

    cases = [[["a", "bbb", ""], ["ccc", "d", ""]], [["x y", "1", "v"], ["z", "22", ""]],
             [[" lead", "1", ""], ["é", "2", "w"]], [["tab\there", "3", ""], ["", "", ""]]]
    for rows in cases:
        out = io.StringIO()
        write_columns(["name", "n", "version"], [list(c) for c in zip(*rows)], out)
        expected = tabulate(rows, headers=["name", "n", "version"], tablefmt="simple",
                            disable_numparse=True) + "\n"
        assert out.getvalue() == expected, rows


@pytest.mark.parametrize("extra", [[], ["--all"], ["--undefined"], ["--demangle"], ["--all", "--demangle"]])
def test_streamed_output_equals_reference(built, capsys, extra):
    """`sffi symbols` (rows, streamed) prints exactly what tabulate and json.dumps print for
    the Symbol objects."""
    from sffi.cli import main
    from sffi.commands.output import print_table

    paths = [str(p) for p in (built.gnu_a, built.versioned_so, LIBDIR / "libstdc++.so.6") if Path(p).exists()]
    args = cli(*paths, **{o.lstrip("-"): True for o in extra})
    assert main(["symbols", "--json", *extra, *paths]) == 0
    doc = {"format": "sffi-symbols/1", "selection": symbols_cmd.selection_name(args), "files": [
        {"path": p, "kind": scan_file(p).kind,
         "symbols": [symbols_cmd.symbol_json(s, args.demangle) for s in symbols_cmd.select(scan(p), args)]}
        for p in paths]}
    assert capsys.readouterr().out == json.dumps(doc, indent=2, sort_keys=True) + "\n"
    assert main(["symbols", *extra, paths[-1]]) == 0
    chosen = symbols_cmd.select(scan(paths[-1]), args)
    print_table(symbols_cmd.COLUMNS, [[s.type, s.binding, s.visibility, str(s.size), s.member or "",
                                       "" if s.version is None else s.version + (" (hidden)" if s.version_hidden else ""),
                                       s.demangled if args.demangle else s.name]
                                      for s in chosen])
    text = capsys.readouterr().out
    half = len(text) // 2
    assert text[:half] == text[half:]


# ------------------------------------------------------------------ hostile files (issue 17)


def run_sffi(*argv: str, memory_mib: int = 2048, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real command line in a process, with its address space limited (a runaway
    allocation ends as a MemoryError, not a machine out of memory) and a time limit."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory_mib << 20, memory_mib << 20))

    return subprocess.run([sys.executable, "-c", "import sys; from sffi.cli import main; "
                           "sys.exit(main(sys.argv[1:]))", *argv], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit)


def assert_one_line_error(proc: subprocess.CompletedProcess, path: Path, words: str) -> None:
    assert proc.returncode == 1, proc
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"sffi: {path}: "), proc.stderr
    assert words in proc.stderr


@pytest.mark.parametrize("section, fixture", [(".gnu.version_r", "demo_so"),
                                              (".gnu.version_d", "versioned_so")])
def test_version_count_beyond_the_section_is_an_error(built, tmp_path, section, fixture):
    """sh_info = 0xffffffff in a version section: pyelftools' walk trusts it and never ends."""
    good = getattr(built, fixture)
    data = bytearray(good.read_bytes())
    at, _sh = cbuild.section_header(bytes(data), section)
    data[at + 44:at + 48] = (0xFFFFFFFF).to_bytes(4, "little")  # Elf64_Shdr.sh_info
    bad = tmp_path / "badver.so"
    bad.write_bytes(bytes(data))
    assert_one_line_error(run_sffi("symbols", str(bad)), bad, "claims 4294967295 entries")
    assert_one_line_error(run_sffi("diff", str(bad), str(good)), bad,
                          "claims 4294967295 entries")
    for backend in ("pyelftools", "lief"):
        with pytest.raises(ScanError, match="claims 4294967295 entries"):
            scan(bad, backend=backend)


def test_string_table_without_nul_is_an_error(tmp_path):
    """A 20,000-symbol .so whose .dynstr has no NUL byte: each name used to run on to the end
    of the file (7.7 GB, then a MemoryError traceback)."""
    asm = "".join(f".globl rt_many_{i}\n.type rt_many_{i},@function\nrt_many_{i}:\nret\n"
                  for i in range(20000))
    src = cbuild.write(tmp_path / "many.s", ".text\n" + asm)
    so = tmp_path / "libmany.so"
    cbuild.run([cbuild.CC, "-shared", "-nostdlib", str(src), "-o", str(so)])
    assert len(exports(scan(so))) == 20000
    data = bytearray(so.read_bytes())
    _at, sh = cbuild.section_header(bytes(data), ".dynstr")
    start, end = sh["offset"], sh["offset"] + sh["size"]
    data[start:end] = data[start:end].replace(b"\0", b"A")
    bad = tmp_path / "nonul.so"
    bad.write_bytes(bytes(data))
    proc = run_sffi("symbols", str(bad), memory_mib=1024)
    assert_one_line_error(proc, bad, "string table .dynstr does not end with a NUL byte")
    with pytest.raises(ScanError, match="does not end with a NUL byte"):
        scan(bad, backend="pyelftools")


def test_name_offset_outside_the_string_table(built, tmp_path):
    data = bytearray(built.demo_so.read_bytes())
    _at, sh = cbuild.section_header(bytes(data), ".dynsym")
    data[sh["offset"] + 24:sh["offset"] + 28] = (10 ** 9).to_bytes(4, "little")  # entry 1's st_name
    bad = tmp_path / "farname.so"
    bad.write_bytes(bytes(data))
    assert "symbol 1's name offset 1000000000 lies outside .dynstr" in scan_error(bad)


def reference_output(path: Path, extra: list[str]) -> tuple[str, str]:
    """(table, JSON) that tabulate and json.dumps print for the Symbol objects of ``path``
    (pyelftools' reading): what `sffi symbols` must print."""
    import io

    from sffi.commands.output import print_table

    args = cli(str(path), **{o.lstrip("-"): True for o in extra})
    chosen = symbols_cmd.select(scan(path, backend="pyelftools"), args)
    doc = {"format": "sffi-symbols/1", "selection": symbols_cmd.selection_name(args), "files": [
        {"path": str(path), "kind": scan_file(path).kind,
         "symbols": [symbols_cmd.symbol_json(s, args.demangle) for s in chosen]}]}
    table = io.StringIO()
    if chosen:
        print_table(symbols_cmd.COLUMNS, [[s.type, s.binding, s.visibility, str(s.size), s.member or "",
                                           "" if s.version is None else s.version + (" (hidden)" if s.version_hidden else ""),
                                           s.demangled if args.demangle else s.name] for s in chosen], file=table)
    else:
        table.write(symbols_cmd._NONE[symbols_cmd.selection_name(args)] + "\n")
    return table.getvalue(), json.dumps(doc, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("extra", [[], ["--all"], ["--undefined"]])
def test_output_from_keys_on_every_kind_of_file(built, odd_elves, capsys, extra):
    """The table and JSON made from the decoder's per-symbol keys (sffi.symbols.symtab.Table)
    equal the reference on objects (common symbols; .symver names, which take the column
    path), archives, shared objects, 32-bit and big-endian files."""
    from sffi.cli import main

    for path in [built.demo_o, built.common_o, built.symver_o, built.gnu_a, built.demo_so,
                 built.versioned_so, *odd_elves.values()]:
        table, doc = reference_output(path, extra)
        assert main(["symbols", *extra, str(path)]) == 0
        assert capsys.readouterr().out == table, path
        assert main(["symbols", "--json", *extra, str(path)]) == 0
        assert capsys.readouterr().out == doc, path


def test_sizes_of_4_gib_and_more(built, tmp_path, capsys):
    """A symbol's st_size above 32 bits (the decoder's keys hold the low 32 bits) is read in full."""
    from sffi.cli import main

    data = bytearray(built.demo_so.read_bytes())
    _at, sh = cbuild.section_header(bytes(data), ".dynsym")
    entries = sh["size"] // 24
    wanted = next(i for i in range(1, entries)
                  if data[sh["offset"] + 24 * i + 6:sh["offset"] + 24 * i + 8] != b"\0\0")  # defined
    at = sh["offset"] + 24 * wanted + 16
    data[at:at + 8] = (2 ** 33 + 5).to_bytes(8, "little")
    big = tmp_path / "libbig.so"
    big.write_bytes(bytes(data))
    symbols = assert_c_decoder_agrees(big)
    assert [s.size for s in symbols].count(2 ** 33 + 5) == 1
    for extra in ([], ["--all"]):
        table, doc = reference_output(big, extra)
        assert main(["symbols", *extra, str(big)]) == 0
        assert capsys.readouterr().out == table
        assert main(["symbols", "--json", *extra, str(big)]) == 0
        assert capsys.readouterr().out == doc


# ------------------------------------------------------------------ the C path vs the Python path


def libtorch_cpu() -> list[Path]:
    """libtorch_cpu.so of the installed torch wheel (74,000 exports): [] when torch is not
    installed, outside CI only (:func:`present`)."""
    import importlib.util

    spec = importlib.util.find_spec("torch")
    where = Path(next(iter(spec.submodule_search_locations))) if spec and spec.submodule_search_locations \
        else Path("<the torch package>")
    return present([where / "lib" / "libtorch_cpu.so"], "torch: scripts/bootstrap --with=all")


def test_a_missing_input_fails_under_ci_and_is_left_out_with_a_warning_outside(monkeypatch, tmp_path):
    """Planted: a system library and the torch wheel that are not there."""
    gone = [tmp_path / "libsqlite3.so", tmp_path / "libtorch_cpu.so"]
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=re.escape(f"missing under CI=true: {gone[0]}, {gone[1]} "
                                                              "(install x)")):
        present([*gone, built_demo := Path(__file__)], "x")
    monkeypatch.delenv("CI")
    with pytest.warns(UserWarning, match="left out of the comparison, not installed"):
        assert present([*gone, built_demo], "x") == [built_demo]
    import importlib.util
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)  # no torch wheel
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="libtorch_cpu.so .install torch"):
        libtorch_cpu()


def command_output(monkeypatch, capsys, argv: list[str], c_path: bool) -> str:
    """What `sffi symbols ARGV` prints, with the C extension (sffi.symbols._symtab) or
    without it (pyelftools reads the file, the Python path prints it)."""
    from sffi.cli import main
    from sffi.symbols import symtab

    with monkeypatch.context() as m:
        if not c_path:
            m.setattr(symtab, "_symtab", None)
        assert main(["symbols", *argv]) == 0
    return capsys.readouterr().out


def test_the_c_extension_is_built():
    """scripts/bootstrap builds it in place (pip install -e); missing or built from an older
    _symtab.c, the C path is off, and this fails rather than letting the equality test below
    compare Python with itself."""
    from sffi.symbols import _symtab, symtab

    assert _symtab.VERSION == symtab.SYMTAB_VERSION, "rebuild it: scripts/bootstrap (pip install -e .)"
    assert symtab._symtab is _symtab and symtab.available()


@pytest.mark.parametrize("extra", [[], ["--all"], ["--undefined"]])
def test_c_path_prints_what_the_python_path_prints(built, odd_elves, rust_crate, monkeypatch, capsys, extra):
    """Byte for byte, table and JSON, on every input the symbol tests read (objects with common,
    .symver, TLS, IFUNC, weak, hidden and undefined symbols; archives, which take the Python
    path; shared objects, versioned; 32-bit and big-endian files; system libraries; libtorch)."""
    from sffi.commands.symbols_listing import _accelerated
    from sffi.symbols import scan_rows

    paths = [*agreement_inputs(built), rust_crate.rlib, *odd_elves.values(), *libtorch_cpu()]
    accelerated = set()
    for path in paths:
        for json_flag in ([], ["--json"]):
            argv = [*json_flag, *extra, str(path)]
            ours = command_output(monkeypatch, capsys, argv, c_path=True)
            assert ours == command_output(monkeypatch, capsys, argv, c_path=False), argv
        found = scan_rows(path, symbols_cmd.selection_name(cli(str(path), **{o[2:]: True for o in extra})))
        if len(found) and _accelerated(found, b" "):
            accelerated.add(path.name)
    # the comparison covers the C path: shared objects (64-bit, 32-bit, big-endian) and objects
    assert {"libdemo.so", "libvers.so", "be-libdemo.so", "demo.o", "be-demo.o"} <= accelerated, accelerated
    assert "bare32.so" in accelerated or "bare32.so" not in odd_elves
    assert {p.name for p in libtorch_cpu()} <= accelerated


def test_c_path_errors_are_the_python_paths(built, tmp_path, monkeypatch):
    """A name offset outside the string table: the same one-line error either way (C decoder,
    pyelftools where the extension is not built)."""
    from sffi.symbols import symtab

    data = bytearray(built.demo_so.read_bytes())
    _at, sh = cbuild.section_header(bytes(data), ".dynsym")
    data[sh["offset"] + 48:sh["offset"] + 52] = (70000).to_bytes(4, "little")  # entry 2's st_name
    bad = tmp_path / "farname2.so"
    bad.write_bytes(bytes(data))
    ours = scan_error(bad)
    monkeypatch.setattr(symtab, "_symtab", None)
    assert ours == scan_error(bad)
    assert "symbol 2's name offset 70000 lies outside .dynstr" in ours


def test_c_functions_check_every_offset_against_their_buffers():
    """sffi.symbols._symtab on hand-made tables: offsets past the string table, a name without
    its NUL, buffers shorter than the table, a part per attribute missing, a partial entry."""
    from sffi.symbols import _symtab

    def entry(name: int, size: int, info: int = 0x12) -> bytes:  # Elf64_Sym, little-endian
        return name.to_bytes(4, "little") + bytes([info, 0, 1, 0]) + bytes(8) + size.to_bytes(8, "little")

    def key(attr: int) -> bytes:
        return (attr << 32).to_bytes(8, sys.byteorder)

    strings = b"\0beta\0alpha\0"
    entries = entry(1, 7) + entry(6, 12) + entry(1, 3)
    keys, keep = key(5) * 2 + key(9), b"\1\1\1"
    assert _symtab.survey(entries, strings, keys, keep, True, True) == ([5, 9], 12, False, 5)
    parts = {5: (b"[", b"|", b"]"), 9: (b"<", b"|", b">")}
    # sorted by name, then table order; text: part, size padded, part, name, part
    assert _symtab.render(entries, strings, keys, keep, True, True, parts, 3, True, b"\n") == \
        b"[12 |alpha]\n[7  |beta]\n<3  |beta>"
    assert _symtab.render(entries, strings, keys, keep, True, True, parts, 0, False, b",") == \
        b"[alpha|12],[beta|7],<beta|3>"
    assert _symtab.render(entries + b"\xff" * 23, strings, keys, keep, True, True, parts, 0, False, b",") == \
        b"[alpha|12],[beta|7],<beta|3>"  # the partial entry at the end is no entry
    assert _symtab.check(entries, strings, keep, True, True) is None
    for call in (_symtab.survey, lambda e, s, _k, *a: _symtab.check(e, s, *a)):
        with pytest.raises(ValueError) as bad:
            call(entry(1, 0) + entry(12, 0), strings, keys, keep, True, True)
        assert bad.value.args == (1, 12)  # entry index (0: the first after the null entry), offset
    with pytest.raises(ValueError, match="no NUL byte"):
        _symtab.check(entry(7, 0), b"\0beta\0alpha", b"\1", True, True)
    with pytest.raises(ValueError, match="keep is shorter"):
        _symtab.check(entries, strings, b"\1\1", True, True)
    many = b"".join(entry(1, 0) for _ in range(1000))  # 1,000 distinct attributes: the set grows
    attrs = b"".join(key(a) for a in range(1000, 0, -1))
    assert _symtab.survey(many, strings, attrs, b"\1" * 1000, True, True)[0] == list(range(1, 1001))
    for call in (_symtab.survey, lambda *a: _symtab.render(*a, parts, 0, False, b",")):
        with pytest.raises(ValueError, match="no NUL byte"):
            call(entry(7, 0), b"\0beta\0alpha", key(5), b"\1", True, True)
        with pytest.raises(ValueError, match="keep is shorter"):
            call(entries, strings, keys, b"\1\1", True, True)
        with pytest.raises(ValueError, match="keys are shorter"):
            call(entries, strings, keys[:20], keep, True, True)
    with pytest.raises(KeyError):
        _symtab.render(entries, strings, keys, keep, True, True, {5: parts[5]}, 0, False, b",")


def test_c_decoder_reads_entries_of_either_class_and_byte_order():
    """sffi.symbols._symtab.decode/names/column/entries on hand-made tables: the selection and
    the key of each entry (Elf64 and Elf32, little- and big-endian), .gnu.version indexes (a
    short section reads as 0), sizes of 4 GiB and more, one string per distinct name offset,
    names that are not UTF-8, and every offset and argument checked."""
    from sffi.symbols import _symtab

    def entry(name, info, other, shndx, value, size, is64=True, order="little"):
        b = lambda n, w: (n % (1 << 8 * w)).to_bytes(w, order)  # noqa: E731 - Elf32: the low 32 bits
        if is64:
            return b(name, 4) + bytes([info, other]) + b(shndx, 2) + b(value, 8) + b(size, 8)
        return b(name, 4) + b(value, 4) + b(size, 4) + bytes([info, other]) + b(shndx, 2)

    strings = b"\0alpha\0caf\xe9\0"
    # (st_name, st_info, st_other, st_shndx, st_value, st_size): a global function, a weak hidden
    # object, an undefined global, a section symbol, a local common, a unique protected one
    table = [(1, 0x12, 0, 7, 0x1000, 2 ** 33 + 5), (7, 0x21, 2, 7, 0x2000, 8), (1, 0x10, 0, 0, 0, 0),
             (0, 0x03, 0, 7, 0, 0), (7, 0x05, 0, 0xFFF2, 16, 4), (1, 0xA1, 3, 7, 0x3000, 24)]
    versym = [2, 0x8003, 1]  # the last three entries: past a short .gnu.version, index 0
    for is64 in (True, False):
        for order in ("little", "big"):
            entries = b"".join(entry(*e, is64=is64, order=order) for e in table)
            sizes = [e[5] if is64 else e[5] & 0xFFFFFFFF for e in table]
            vs = b"".join(v.to_bytes(2, order) for v in versym)
            keep, keys, exact = _symtab.decode(entries, strings, vs, is64, order == "little", 0)
            assert keep == b"\1\1\1\0\1\1" and exact is not is64
            assert list(memoryview(keys).cast("Q")) == [
                sizes[0] & 0xFFFFFFFF | 0x12 << 32 | 1 << 43 | 2 << 48,
                8 | 0x21 << 32 | 2 << 40 | 1 << 43 | 0x8003 << 48, 0x10 << 32 | 1 << 48,
                0x03 << 32 | 1 << 43, 4 | 0x05 << 32 | 1 << 42 | 1 << 43, 24 | 0xA1 << 32 | 3 << 40 | 1 << 43]
            assert _symtab.decode(entries, strings, None, is64, order == "little", 1)[0] == b"\1\0\0\0\0\1"
            assert _symtab.decode(entries, strings, None, is64, order == "little", 2)[0] == b"\0\0\1\0\0\0"
            facts = (is64, order == "little")
            names = _symtab.names(entries, strings, keep, *facts)
            assert names == ["alpha", "caf\ufffd", "alpha", "caf\ufffd", "alpha"]
            assert names[0] is names[2] is names[4]  # one string per offset (issue 24)
            assert _symtab.column(entries, keep, *facts, 0) == [0x1000, 0x2000, 0, 16, 0x3000]
            assert _symtab.column(entries, keep, *facts, 1) == [sizes[i] for i in (0, 1, 2, 4, 5)]
            assert _symtab.column(entries, keep, *facts, 2) == [1, 7, 1, 7, 1]
            assert _symtab.entries(entries, strings, *facts, [5, 0]) == [("alpha", 24, 0x3000),
                                                                        ("alpha", sizes[0], 0x1000)]
            with pytest.raises(IndexError, match="entry 6 of a table of 6"):
                _symtab.entries(entries, strings, *facts, [6])
    with pytest.raises(ValueError) as bad:  # entry 1 names offset 14, past the 12 bytes
        _symtab.decode(entry(1, 0x12, 0, 1, 0, 0) + entry(14, 0x12, 0, 1, 0, 0), strings, None, True, True, 0)
    assert bad.value.args == (1, 14)
    with pytest.raises(ValueError, match="no NUL byte"):
        _symtab.decode(entry(7, 0x12, 0, 1, 0, 0), b"\0beta\0alpha", None, True, True, 0)
    with pytest.raises(ValueError, match="selection must be"):
        _symtab.decode(b"", strings, None, True, True, 3)
    with pytest.raises(ValueError, match="field must be"):
        _symtab.column(b"", b"", True, True, 3)
    with pytest.raises(ValueError, match="keep is shorter"):
        _symtab.names(entry(1, 0x12, 0, 1, 0, 0), strings, b"", True, True)
    # a partial entry at the end is no entry; an empty string table gives offset 0 the empty name
    assert _symtab.decode(entry(0, 0x12, 0, 1, 0, 0) + b"\xff" * 23, b"", None, True, True, 0)[0] == b"\1"
    assert _symtab.names(entry(0, 0x12, 0, 1, 0, 0), b"", b"\1", True, True) == [""]


def test_without_the_c_extension_pyelftools_reads_every_kind_of_input(built, tmp_path, monkeypatch):
    """Where the extension is not built, every reader answers through pyelftools with what the C
    decoder answers: scan_rows (each selection, archives included), the .symtab of a linked
    program (sffi.symbols.elf.linked_rows), and the refusal of a stripped one."""
    from sffi.symbols import scan_rows, symtab
    from sffi.symbols.elf import linked_rows

    program = tmp_path / "prog"
    cbuild.run([cbuild.CC, str(cbuild.write(tmp_path / "prog.c", "int rt_x(void) { return 1; }\n"
                                            "int main(void) { return rt_x(); }\n")), "-o", str(program)])
    stripped = tmp_path / "prog-stripped"
    cbuild.run(["strip", "-o", str(stripped), str(program)])

    def answers() -> list:
        with pytest.raises(ScanError) as refused:
            linked_rows(stripped)
        found = [linked_rows(program), str(refused.value)]
        for path in (built.gnu_a, built.demo_o, built.versioned_so, built.symver_o):
            for selection in ("all", "exports", "undefined"):
                result = scan_rows(path, selection)
                found.append((result.kind, result.rows, result.members, result.corrupt_versions()))
        return found

    ours = answers()
    assert any(row[0] == "rt_x" and row[1] == "func" for row in ours[0])
    assert "no .symtab (stripped binary)" in ours[1]
    monkeypatch.setattr(symtab, "_symtab", None)
    assert not symtab.available()
    assert answers() == ours


def test_parse_errors_become_one_short_line():
    """sffi.symbols.parse_errors: what pyelftools raises on a damaged file, and its message as one
    line of at most 200 characters (an OSError from a seek past the file says so)."""
    from elftools.common.exceptions import ELFError

    from sffi.symbols import elf, parse_errors

    assert ELFError in parse_errors.PARSE_ERRORS and elf.PARSE_ERRORS is parse_errors.PARSE_ERRORS
    assert parse_errors.one_line(ELFError("bad\n  magic\tbytes")) == "bad magic bytes"
    long = parse_errors.one_line(ValueError("x" * 500))
    assert len(long) == 200 and long.endswith("...")
    assert parse_errors.one_line(KeyError()) == "KeyError"
    assert parse_errors.one_line(OSError(22, "Invalid argument")).startswith("an offset in the file is out of range")
    with pytest.raises(AttributeError):
        parse_errors.NOT_THERE  # noqa: B018
