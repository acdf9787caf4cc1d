"""Signature checks from DWARF (sffi.dwarf) on real compiled fixtures.

C is compiled with the machine's ``cc -g`` against the real ABI header
(runtime/include/sffi_abi.h) into an object, an archive and a shared object;
Rust with ``rustc -g --crate-type=staticlib``. Each mismatch kind of issue 7
(``text`` where C takes ``int64_t``, ``i32`` where it takes ``int64_t``, a
missing parameter, a wrong result) is checked for C and for Rust, with both
sides named in the message.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from cbuild import run, write, write_gnu_archive
from sffi import decls, dwarf
from sffi.errors import ScanError

ROOT = Path(__file__).resolve().parents[3]
ABI_INCLUDE = ROOT / "runtime" / "include"

# Every ABI type defined correctly; the C spellings vary where the rules allow it.
GOOD_SPL = """\
extern fn rt_t_i64(a: i64, b: i64) -> i64
extern fn rt_t_i32(a: i32) -> i32
extern fn rt_t_f64(x: f64) -> f64
extern fn rt_t_bool(b: bool) -> bool
extern fn rt_t_text(s: text) -> text
extern fn rt_t_bytes(s: text) -> i64
extern fn rt_t_isum(xs: [i64]) -> i64
extern fn rt_t_fsum(xs: [f64]) -> f64
extern fn rt_t_count(xs: [text]) -> i64
extern fn rt_t_ints(n: i64) -> [i64]
extern fn rt_t_floats() -> [f64]
extern fn rt_t_texts() -> [text]
extern fn rt_t_none(h: i64)
extern fn rt_t_enum() -> i32
"""
GOOD_C = """\
#include <sffi_abi.h>
typedef int64_t handle_t;            /* typedefs are followed */
enum level { LOW = -1, HIGH = 1 };   /* an enum counts as its underlying int */
static int64_t ints[2];
static double floats[2];
static const char *texts[1] = {"a"};
int64_t rt_t_i64(int64_t a, const handle_t b) { return a + b; }
int32_t rt_t_i32(int32_t a) { return a; }
double rt_t_f64(double x) { return x; }
bool rt_t_bool(bool b) { return !b; }
const char *rt_t_text(const char *s) { return s; }
int64_t rt_t_bytes(const unsigned char *s) { return s[0]; }
int64_t rt_t_isum(const int64_t *data, int64_t len) { return len ? data[0] : 0; }
double rt_t_fsum(const double *data, int64_t len) { return len ? data[0] : 0; }
int64_t rt_t_count(char **data, int64_t len) { (void)data; return len; }
sffi_i64_slice rt_t_ints(int64_t n) { sffi_i64_slice s = {ints, n}; return s; }
sffi_f64_slice rt_t_floats(void) { sffi_f64_slice s = {floats, 2}; return s; }
sffi_text_slice rt_t_texts(void) { sffi_text_slice s = {texts, 1}; return s; }
void rt_t_none(int64_t h) { (void)h; }
enum level rt_t_enum(void) { return LOW; }
"""

BAD_SPL = """\
extern fn rt_b_text(x: text) -> i64
extern fn rt_b_i32(x: i32) -> i64
extern fn rt_b_missing(a: i64, b: i64) -> i64
extern fn rt_b_result(a: i64) -> f64
extern fn rt_b_bool() -> bool
extern fn rt_b_unsigned() -> i64
extern fn rt_b_pointee(xs: [i64]) -> i64
extern fn rt_b_slice() -> [i64]
extern fn rt_b_void(p: text)
extern fn rt_b_extra(a: i64)
extern fn rt_b_len(xs: [i64]) -> i64
"""
BAD_C = """\
#include <sffi_abi.h>
static double floats[1];
int64_t rt_b_text(int64_t x) { return x; }
int64_t rt_b_i32(int64_t x) { return x; }
int64_t rt_b_missing(int64_t a) { return a; }
int64_t rt_b_result(int64_t a) { return a; }
uint8_t rt_b_bool(void) { return 1; }
uint64_t rt_b_unsigned(void) { return 1; }
int64_t rt_b_pointee(const double *data, int64_t len) { return len ? (int64_t)data[0] : 0; }
sffi_f64_slice rt_b_slice(void) { sffi_f64_slice s = {floats, 1}; return s; }
void rt_b_void(const void *p) { (void)p; }
void rt_b_extra(int64_t a, int64_t b) { (void)a; (void)b; }
int64_t rt_b_len(const int64_t *data, int32_t len) { return len ? data[0] : 0; }
"""

RUST_SPL = """\
extern fn rt_r_i64(a: i64, b: i64) -> i64
extern fn rt_r_i32(a: i32) -> i32
extern fn rt_r_f64(x: f64) -> f64
extern fn rt_r_bool(b: bool) -> bool
extern fn rt_r_text(s: text) -> text
extern fn rt_r_bytes(s: text) -> i64
extern fn rt_r_isum(xs: [i64]) -> i64
extern fn rt_r_fsum(xs: [f64]) -> f64
extern fn rt_r_count(xs: [text]) -> i64
extern fn rt_r_ints(n: i64) -> [i64]
extern fn rt_r_floats() -> [f64]
extern fn rt_r_texts() -> [text]
extern fn rt_r_none(h: i64)
extern fn rt_rb_text(x: text) -> i64
extern fn rt_rb_i32(x: i32) -> i64
extern fn rt_rb_missing(a: i64, b: i64) -> i64
extern fn rt_rb_result(a: i64) -> bool
"""
RUST_SRC = """\
use std::os::raw::c_char;

#[repr(C)]
pub struct I64Slice { pub data: *const i64, pub len: i64 }
#[repr(C)]
pub struct F64Slice { pub data: *const f64, pub len: i64 }
#[repr(C)]
pub struct TextSlice { pub data: *const *const c_char, pub len: i64 }

#[no_mangle]
pub extern "C" fn rt_r_i64(a: i64, b: i64) -> i64 { a + b }
#[no_mangle]
pub extern "C" fn rt_r_i32(a: i32) -> i32 { a }
#[no_mangle]
pub extern "C" fn rt_r_f64(x: f64) -> f64 { x }
#[no_mangle]
pub extern "C" fn rt_r_bool(b: bool) -> bool { !b }
#[no_mangle]
pub extern "C" fn rt_r_text(s: *const c_char) -> *const c_char { s }
#[no_mangle]
pub extern "C" fn rt_r_bytes(s: *const u8) -> i64 { s as i64 }
#[no_mangle]
pub extern "C" fn rt_r_isum(data: *const i64, len: i64) -> i64 { data as i64 + len }
#[no_mangle]
pub extern "C" fn rt_r_fsum(data: *const f64, len: i64) -> f64 { (data as i64 + len) as f64 }
#[no_mangle]
pub extern "C" fn rt_r_count(data: *const *const c_char, len: i64) -> i64 { data as i64 + len }
#[no_mangle]
pub extern "C" fn rt_r_ints(n: i64) -> I64Slice { I64Slice { data: std::ptr::null(), len: n } }
#[no_mangle]
pub extern "C" fn rt_r_floats() -> F64Slice { F64Slice { data: std::ptr::null(), len: 0 } }
#[no_mangle]
pub extern "C" fn rt_r_texts() -> TextSlice { TextSlice { data: std::ptr::null(), len: 0 } }

pub mod inner {
    #[no_mangle]
    pub extern "C" fn rt_r_none(_h: i64) {}
}

#[no_mangle]
pub extern "C" fn rt_rb_text(x: i64) -> i64 { x }
#[no_mangle]
pub extern "C" fn rt_rb_i32(x: i64) -> i64 { x }
#[no_mangle]
pub extern "C" fn rt_rb_missing(a: i64) -> i64 { a }
#[no_mangle]
pub extern "C" fn rt_rb_result(a: i64) -> i64 { a }
"""


def declarations(spl: str) -> dict:
    """name -> Declaration of ``spl`` (as ``t.spl``), failing on any diagnostic."""
    found, diags = decls.parse_text(spl, "t.spl")
    assert not diags, diags
    merged, diags = decls.merge(found)
    assert not diags, diags
    return merged


def line_of(source: str, needle: str) -> int:
    """1-based line of the first line of ``source`` that contains ``needle``."""
    return next(i for i, line in enumerate(source.splitlines(), 1) if needle in line)


def cc(cwd: Path, src: str, out: str, *flags: str) -> Path:
    """Compile ``cwd/src`` with the machine's cc, from ``cwd`` so DWARF names it ``src``."""
    run(["cc", "-c", "-O0", f"-I{ABI_INCLUDE}", *flags, src, "-o", out], cwd=cwd)
    return cwd / out


@pytest.fixture(scope="module")
def c_build(tmp_path_factory) -> dict[str, Path]:
    """good.o, bad.o (-g), compressed.o (-gz: SHF_COMPRESSED debug sections), libt.a (both),
    libt.so (both, -g) and nodebug.o/.a (no -g)."""
    d = tmp_path_factory.mktemp("c")
    write(d / "good.c", GOOD_C)
    write(d / "bad.c", BAD_C)
    built = {"good.o": cc(d, "good.c", "good.o", "-g"), "bad.o": cc(d, "bad.c", "bad.o", "-g"),
             "nodebug.o": cc(d, "good.c", "nodebug.o"),
             "compressed.o": cc(d, "good.c", "compressed.o", "-g", "-gz=zlib")}
    run(["ar", "rcs", "libt.a", "good.o", "bad.o"], cwd=d)
    run(["ar", "rcs", "libnodebug.a", "nodebug.o"], cwd=d)
    run(["cc", "-shared", "-fPIC", "-g", "-O0", f"-I{ABI_INCLUDE}", "good.c", "bad.c", "-o", "libt.so"], cwd=d)
    built.update({"libt.a": d / "libt.a", "libt.so": d / "libt.so", "libnodebug.a": d / "libnodebug.a"})
    return built


@pytest.fixture(scope="module", params=["staticlib", "rlib"])
def rust_lib(request, tmp_path_factory) -> Path:
    """RUST_SRC built with -g as a staticlib (std's members included) and as an rlib."""
    if shutil.which("rustc") is None:
        pytest.skip("rustc is not installed")
    d = tmp_path_factory.mktemp("rust")
    write(d / "lib.rs", RUST_SRC)
    out = "librfix.a" if request.param == "staticlib" else "librfix.rlib"
    run(["rustc", f"--crate-type={request.param}", "-g", "-C", "panic=abort", "--edition", "2021",
         "--crate-name", "rfix", "lib.rs", "-o", out], cwd=d)
    return d / out


# ------------------------------------------------------------------ C


@pytest.mark.parametrize("artifact", ["good.o", "compressed.o", "libt.a", "libt.so"])
def test_c_every_abi_type_matches(c_build, artifact):
    checked, absent = dwarf.check_declarations(declarations(GOOD_SPL), c_build[artifact])
    assert absent == []
    assert checked == {name: [] for name in declarations(GOOD_SPL)}


def test_c_prototypes_are_read_with_spellings_and_locations(c_build):
    protos = dwarf.read_prototypes(c_build["good.o"], ["rt_t_i64", "rt_t_count", "rt_t_ints", "rt_t_none"])
    assert protos["rt_t_i64"].c_text() == "int64_t rt_t_i64(int64_t, const handle_t)"
    assert protos["rt_t_i64"].location == f"good.c:{line_of(GOOD_C, 'rt_t_i64')}"
    assert protos["rt_t_count"].params[0] == dwarf.CType("int", 1, True, 2)
    assert protos["rt_t_ints"].result.kind == "struct" and protos["rt_t_ints"].result.size == 16
    assert protos["rt_t_ints"].result.spelling == "sffi_i64_slice"
    assert protos["rt_t_none"].result == dwarf.VOID
    everything = dwarf.read_prototypes(c_build["good.o"])
    assert set(everything) == set(declarations(GOOD_SPL))  # static arrays are not functions


def test_lowering_follows_the_abi_table():
    d = declarations("extern fn rt_x(s: text, xs: [i64], ts: [text]) -> [f64]\n")["rt_x"]
    proto = dwarf.lower(d)
    assert proto.c_text() == ("sffi_f64_slice rt_x(const char *, const int64_t *, int64_t, "
                              "const char *const *, int64_t)")
    assert [p.pointer_depth for p in proto.params] == [1, 1, 0, 2, 0]
    assert proto.result.fields == (dwarf.CType("float", 8, None, 1), dwarf.CType("int", 8, True, 0))
    assert proto.params[0].describe() == "const char * (pointer to 1-byte int)"
    assert proto.params[2].describe() == "int64_t (signed 8-byte int)"
    assert dwarf.lower(declarations("extern fn rt_y()\n")["rt_y"]).c_text() == "void rt_y(void)"


@pytest.fixture(scope="module")
def c_mismatches(c_build):
    checked, absent = dwarf.check_declarations(declarations(BAD_SPL), c_build["libt.a"])
    assert absent == []
    return {name: [m.message for m in found] for name, found in checked.items()}


def at(name: str) -> str:
    return f"the definition at bad.c:{line_of(BAD_C, name)}"


def test_c_text_declared_where_c_takes_int64(c_mismatches):
    assert c_mismatches["rt_b_text"] == [
        f"rt_b_text: parameter 1 `x` is declared `text` (pointer to 1-byte int) but {at('rt_b_text')} "
        "takes `int64_t` (signed 8-byte int)"]


def test_c_i32_declared_where_c_takes_int64(c_mismatches):
    assert c_mismatches["rt_b_i32"] == [
        f"rt_b_i32: parameter 1 `x` is declared `i32` (signed 4-byte int) but {at('rt_b_i32')} "
        "takes `int64_t` (signed 8-byte int)"]


def test_c_missing_parameter(c_mismatches):
    assert c_mismatches["rt_b_missing"] == [
        "rt_b_missing: declared 2 parameters (lowered to 2 C parameters: "
        f"`int64_t rt_b_missing(int64_t, int64_t)`) but {at('rt_b_missing')} takes 1: "
        "`int64_t rt_b_missing(int64_t)`"]
    [extra] = c_mismatches["rt_b_extra"]
    assert "declared 1 parameter (lowered to 1 C parameter: `void rt_b_extra(int64_t)`)" in extra
    assert "takes 2: `void rt_b_extra(int64_t, int64_t)`" in extra


def test_c_wrong_result_type(c_mismatches):
    assert c_mismatches["rt_b_result"] == [
        f"rt_b_result: the result is declared `f64` (8-byte float) but {at('rt_b_result')} "
        "returns `int64_t` (signed 8-byte int)"]


def test_c_bool_signedness_pointee_struct_and_void_pointer(c_mismatches):
    assert c_mismatches["rt_b_bool"] == [
        f"rt_b_bool: the result is declared `bool` (1-byte bool) but {at('rt_b_bool')} "
        "returns `uint8_t` (unsigned 1-byte int)"]
    assert "returns `uint64_t` (unsigned 8-byte int)" in c_mismatches["rt_b_unsigned"][0]
    assert c_mismatches["rt_b_pointee"] == [
        f"rt_b_pointee: parameter 1 `xs` is declared `[i64]` (data: pointer to signed 8-byte int) "
        f"but {at('rt_b_pointee')} takes `const double *` (pointer to 8-byte float)"]
    assert c_mismatches["rt_b_len"] == [
        f"rt_b_len: parameter 2 `xs` is declared `[i64]` (length: signed 8-byte int) "
        f"but {at('rt_b_len')} takes `int32_t` (signed 4-byte int)"]
    [slice_] = c_mismatches["rt_b_slice"]
    assert slice_.startswith("rt_b_slice: the result is declared `[i64]` (struct of 16 bytes "
                             "{pointer to signed 8-byte int, signed 8-byte int}) but")
    assert slice_.endswith("returns `sffi_f64_slice` (struct of 16 bytes {pointer to 8-byte float, "
                           "signed 8-byte int}): field 1 is pointer to signed 8-byte int against "
                           "pointer to 8-byte float")
    [void] = c_mismatches["rt_b_void"]
    assert "is declared `text` (pointer to 1-byte int)" in void
    assert void.endswith("takes `const void *` (pointer to void: its pointee cannot be checked)")


def test_definitions_match_only_their_own_declarations(c_build):
    # The same functions, declared with the good types, match: the rules are not merely strict.
    spl = ("extern fn rt_b_text(x: i64) -> i64\nextern fn rt_b_missing(a: i64) -> i64\n"
           "extern fn rt_b_slice() -> [f64]\n")
    checked, _ = dwarf.check_declarations(declarations(spl), c_build["bad.o"])
    assert checked == {"rt_b_missing": [], "rt_b_slice": [], "rt_b_text": []}


def test_no_debug_info(c_build):
    for name in ("nodebug.o", "libnodebug.a"):
        assert dwarf.has_debug_info(c_build[name]) is False
        assert dwarf.read_prototypes(c_build[name]) == {}
        assert dwarf.check_declarations(declarations(GOOD_SPL), c_build[name]) == (
            {}, sorted(declarations(GOOD_SPL)))
    assert dwarf.has_debug_info(c_build["libt.a"]) and dwarf.has_debug_info(c_build["libt.so"])


def test_names_not_defined_are_absent(c_build):
    spl = GOOD_SPL + "extern fn rt_t_nowhere(a: i64)\n"
    checked, absent = dwarf.check_declarations(declarations(spl), c_build["libt.so"])
    assert absent == ["rt_t_nowhere"] and "rt_t_i64" in checked


CXX_SRC = """\
#include <sffi_abi.h>
#include <map>
#include <string>
#include <vector>
namespace impl { std::string twice(const std::string &s) { return s + s; } }
extern "C" int64_t rt_x_len(const char *s);
int64_t rt_x_len(const char *s) { return (int64_t)impl::twice(s).size(); }
namespace impl { extern "C" double rt_x_half(int64_t v) { return v / 2.0; } }
extern "C" bool rt_x_bad(int32_t v) { std::map<int, std::vector<int>> m; m[v].push_back(v); return m.size(); }
"""


def test_cxx_extern_c_definitions(tmp_path):
    # GCC puts rt_x_half's declaration in namespace impl and the definition at the
    # top, completing it with DW_AT_specification; std's types fill the unit.
    write(tmp_path / "x.cpp", CXX_SRC)
    run(["c++", "-c", "-g", f"-I{ABI_INCLUDE}", "x.cpp", "-o", "x.o"], cwd=tmp_path)
    spl = ("extern fn rt_x_len(s: text) -> i64\nextern fn rt_x_half(v: i64) -> f64\n"
           "extern fn rt_x_bad(v: i64) -> bool\n")
    checked, absent = dwarf.check_declarations(declarations(spl), tmp_path / "x.o")
    assert absent == [] and checked["rt_x_len"] == [] and checked["rt_x_half"] == []
    assert [m.message for m in checked["rt_x_bad"]] == [
        f"rt_x_bad: parameter 1 `v` is declared `i64` (signed 8-byte int) but the definition at "
        f"x.cpp:{line_of(CXX_SRC, 'rt_x_bad')} takes `int32_t` (signed 4-byte int)"]
    assert dwarf.read_prototypes(tmp_path / "x.o", ["rt_x_half"])["rt_x_half"].location == "x.cpp:8"


TLS_C = """#include <stdint.h>
_Thread_local int64_t rt_tls_total;
int64_t rt_tls_add(int64_t v) { rt_tls_total += v; return rt_tls_total; }
"""


def test_thread_local_objects_are_read(tmp_path):
    # GCC leaves rt_tls_total's DW_AT_location to an R_X86_64_DTPOFF32
    # relocation, which pyelftools 0.33 alone refuses to apply.
    write(tmp_path / "tls.c", TLS_C)
    run(["cc", "-c", "-g", "tls.c", "-o", "tls.o"], cwd=tmp_path)
    checked, absent = dwarf.check_declarations(declarations("extern fn rt_tls_add(v: i64) -> i64\n"),
                                               tmp_path / "tls.o")
    assert absent == [] and checked == {"rt_tls_add": []}


# ------------------------------------------------------------------ corrupt input


def _section(path: Path, name: str) -> tuple[int, int]:
    """(offset, size) of section ``name`` of an ELF file, read with pyelftools."""
    with path.open("rb") as f:
        sec = ELFFile(f).get_section_by_name(name)
        return sec["sh_offset"], sec["sh_size"]


def test_corrupt_inputs_raise_scan_errors_naming_them(c_build, tmp_path):
    good = c_build["good.o"]
    data = good.read_bytes()
    truncated = write_bytes(tmp_path / "truncated.o", data[: len(data) // 2])
    with pytest.raises(ScanError, match=r"truncated ELF file") as exc:
        dwarf.read_prototypes(truncated)
    assert str(truncated) in str(exc.value)

    offset, size = _section(good, ".debug_info")
    broken = bytearray(data)
    broken[offset + 12: offset + size] = b"\xff" * (size - 12)  # DIEs with abbreviation codes that do not exist
    member = write_bytes(tmp_path / "broken.o", bytes(broken))
    with pytest.raises(ScanError, match=r"corrupt DWARF debug info") as exc:
        dwarf.read_prototypes(member)
    assert str(member) in str(exc.value)
    text = write_bytes(tmp_path / "notes.a", b"just some text\n")
    for reader in (dwarf.read_prototypes, dwarf.has_debug_info):
        with pytest.raises(ScanError, match="not an ELF object") as exc:
            reader(text)
        assert str(text) in str(exc.value)
    with pytest.raises(ScanError, match="no such file"):
        dwarf.has_debug_info(tmp_path / "missing.o")


def test_corrupt_member_is_named(c_build, tmp_path):
    data = c_build["good.o"].read_bytes()
    offset, size = _section(c_build["good.o"], ".debug_info")
    broken = bytearray(data)
    broken[offset + 12: offset + size] = b"\xff" * (size - 12)
    # bad.o is read (it defines none of the names but is ELF); broken.o defines rt_t_i64.
    archive = write_gnu_archive(tmp_path / "libmixed.a", [("bad.o", c_build["bad.o"].read_bytes()),
                                                         ("broken.o", bytes(broken))])
    with pytest.raises(ScanError, match=r"corrupt DWARF debug info") as exc:
        dwarf.read_prototypes(archive, ["rt_t_i64"])
    assert f"{archive}(broken.o)" in str(exc.value)
    short = write_gnu_archive(tmp_path / "libshort.a", [("cut.o", data[: len(data) // 2])])
    with pytest.raises(ScanError, match=r"truncated ELF file") as exc:
        dwarf.has_debug_info(short)
    assert f"{short}(cut.o)" in str(exc.value)


def _with_section_size(path: Path, name: str, size: int) -> bytes:
    """The bytes of ELF file ``path`` with the ``sh_size`` of section ``name`` set to ``size``."""
    data = bytearray(path.read_bytes())
    with path.open("rb") as f:
        elf = ELFFile(f)
        index = [sec.name for sec in elf.iter_sections()].index(name)
        at = elf["e_shoff"] + index * elf["e_shentsize"] + 32  # Elf64_Shdr.sh_size
    struct.pack_into("<Q", data, at, size)
    return bytes(data)


@pytest.mark.parametrize("name", [".eh_frame", ".debug_info", ".rela.debug_info", ".debug_str", ".text"])
@pytest.mark.parametrize("size", [1 << 62, "file+1"], ids=["2^62", "file+1"])
def test_section_past_the_end_is_a_scan_error_naming_it(c_build, tmp_path, name, size):
    """pyelftools reads .eh_frame and the debug sections whole: a size of 2**62 was a MemoryError."""
    good = c_build["good.o"]
    claimed = good.stat().st_size + 1 if size == "file+1" else size
    corrupt = write_bytes(tmp_path / "corrupt.o", _with_section_size(good, name, claimed))
    archive = write_gnu_archive(tmp_path / "libcorrupt.a", [("corrupt.o", corrupt.read_bytes())])
    for where, path in ((str(corrupt), corrupt), (f"{archive}(corrupt.o)", archive)):
        with pytest.raises(ScanError, match=rf"truncated ELF file: section {re.escape(name)} spans") as exc:
            dwarf.read_prototypes(path)
        assert where in str(exc.value)


def test_sffi_check_on_a_huge_eh_frame_is_one_line(tmp_path):
    """The recipe of docs/reliability.md: `sffi check --lib` on an object whose .eh_frame claims 2**62 bytes."""
    write(tmp_path / "t.c", "const char *rt_env_get(const char *n) { return n; }\n")
    good = cc(tmp_path, "t.c", "good.o", "-g")
    corrupt = write_bytes(tmp_path / "t.o", _with_section_size(good, ".eh_frame", 1 << 62))
    proc = sffi("check", str(ROOT / "ffi_libs" / "core"), "--lib", str(corrupt))
    assert proc.returncode == 1, proc.stderr
    offset = _section(good, ".eh_frame")[0]
    assert proc.stderr.splitlines() == [
        f"sffi: {corrupt}: truncated ELF file: section .eh_frame spans bytes {offset}..{offset + (1 << 62)}, "
        f"file has {corrupt.stat().st_size} bytes"]


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------ Rust


@pytest.fixture(scope="module")
def rust_results(rust_lib):
    checked, absent = dwarf.check_declarations(declarations(RUST_SPL), rust_lib)
    assert absent == []
    return {name: [m.message for m in found] for name, found in checked.items()}


def test_rust_every_abi_type_matches(rust_results):
    good = {n: m for n, m in rust_results.items() if n.startswith("rt_r_")}
    assert good == {n: [] for n in declarations(RUST_SPL) if n.startswith("rt_r_")}


def test_rust_prototypes_use_rust_spellings(rust_lib):
    protos = dwarf.read_prototypes(rust_lib, ["rt_r_count", "rt_r_ints", "rt_r_none"])
    assert protos["rt_r_count"].c_text() == "i64 rt_r_count(*const *const i8, i64)"
    assert protos["rt_r_ints"].result.spelling == "I64Slice"
    assert protos["rt_r_none"].result == dwarf.VOID  # Rust's () has no DW_AT_type
    assert protos["rt_r_none"].location == f"lib.rs:{line_of(RUST_SRC, 'rt_r_none')}"  # inside `mod inner`


def rust_at(name: str) -> str:
    return f"the definition at lib.rs:{line_of(RUST_SRC, 'fn ' + name)}"


def test_rust_text_declared_where_rust_takes_i64(rust_results):
    assert rust_results["rt_rb_text"] == [
        f"rt_rb_text: parameter 1 `x` is declared `text` (pointer to 1-byte int) but {rust_at('rt_rb_text')} "
        "takes `i64` (signed 8-byte int)"]


def test_rust_i32_declared_where_rust_takes_i64(rust_results):
    assert rust_results["rt_rb_i32"] == [
        f"rt_rb_i32: parameter 1 `x` is declared `i32` (signed 4-byte int) but {rust_at('rt_rb_i32')} "
        "takes `i64` (signed 8-byte int)"]


def test_rust_missing_parameter(rust_results):
    assert rust_results["rt_rb_missing"] == [
        "rt_rb_missing: declared 2 parameters (lowered to 2 C parameters: "
        f"`int64_t rt_rb_missing(int64_t, int64_t)`) but {rust_at('rt_rb_missing')} takes 1: "
        "`i64 rt_rb_missing(i64)`"]


def test_rust_wrong_result_type(rust_results):
    assert rust_results["rt_rb_result"] == [
        f"rt_rb_result: the result is declared `bool` (1-byte bool) but {rust_at('rt_rb_result')} "
        "returns `i64` (signed 8-byte int)"]


# ------------------------------------------------------------------ sffi check


def make_library(root: Path, spl: str, c_source: str, debug: bool) -> tuple[Path, Path]:
    """A C library directory ``root/cli`` and its archive, compiled with or without -g."""
    lib = root / "cli"
    write(lib / "cli.spl", spl)
    write(lib / "src" / "cli.c", c_source)
    write(lib / "sffi.toml", 'name = "cli"\nprefix = "rt_cli_"\nkind = "c"\n'
                             'declarations = ["cli.spl"]\nsources = ["src/*.c"]\n')
    cc(lib / "src", "cli.c", "cli.o", *(["-g"] if debug else []))
    run(["ar", "rcs", str(root / "libcli.a"), str(lib / "src" / "cli.o")])
    return lib, root / "libcli.a"


CLI_SPL = "extern fn rt_cli_good(s: text) -> i64\nextern fn rt_cli_bad(s: text) -> i64\n"
CLI_C = ("#include <sffi_abi.h>\nint64_t rt_cli_good(const char *s) { return s[0]; }\n"
         "int64_t rt_cli_bad(int64_t s) { return s; }\n")


def sffi(*args):
    return subprocess.run([sys.executable, "-m", "sffi", *args], capture_output=True, text=True)


def test_sffi_check_reports_dwarf_mismatches(tmp_path):
    lib, archive = make_library(tmp_path, CLI_SPL, CLI_C, debug=True)
    proc = sffi("check", str(lib), "--lib", str(archive))
    assert proc.returncode == 12, proc.stderr
    rows = {line.split()[0]: line for line in proc.stdout.splitlines() if line.startswith("rt_cli_")}
    assert rows["rt_cli_good"].endswith("match (dwarf)") and rows["rt_cli_bad"].endswith("MISMATCH")
    assert "dwarf: 2 of 2 exported externs checked from debug info, 1 mismatched" in proc.stdout
    spl = decls.display_path(lib / "cli.spl")
    assert proc.stderr.splitlines() == [
        f"{spl}:2:1: error: rt_cli_bad: parameter 1 `s` is declared `text` (pointer to 1-byte int) "
        f"but the definition at cli.c:3 takes `int64_t` (signed 8-byte int)"]
    doc = json.loads(sffi("check", str(lib), "--lib", str(archive), "--json").stdout)
    externs = {e["name"]: e for e in doc["libraries"][0]["externs"]}
    assert externs["rt_cli_good"]["dwarf"] == "match" and externs["rt_cli_good"]["dwarf_mismatches"] == []
    assert externs["rt_cli_bad"]["dwarf"] == "mismatch"
    assert externs["rt_cli_bad"]["dwarf_mismatches"][0].startswith("rt_cli_bad: parameter 1 `s`")


def test_sffi_check_without_debug_info_is_unchanged(tmp_path):
    lib, archive = make_library(tmp_path, CLI_SPL, CLI_C, debug=False)
    proc = sffi("check", str(lib), "--lib", str(archive))
    assert proc.returncode == 0, proc.stderr
    assert "dwarf" not in proc.stdout and "MISMATCH" not in proc.stdout
    doc = json.loads(sffi("check", str(lib), "--lib", str(archive), "--json").stdout)
    assert all("dwarf" not in e for e in doc["libraries"][0]["externs"])


# ------------------------------------------------------------------ ABI v2 types

V2_SPL = """\
extern fn rt_v_scalars(a: i8, b: i16, c: u8, d: u16, e: u32, f: u64, g: f32) -> u16
extern fn rt_v_bytes(data: [u8], words: [u32], fs: [f32], bs: [bool]) -> [u8]
extern fn rt_v_opt(give: bool) -> i64?
extern fn rt_v_opt_text() -> text?
extern fn rt_v_opt_words() -> [u32]?
extern fn rt_v_run(cmd: text) -> (text, text, i64)
extern fn rt_v_mixed() -> (u8, [u16], f32?, bool)
"""
V2_GOOD_C = """\
#include <sffi_abi.h>
typedef struct { const char *out, *err; int64_t code; } run_result;     /* names are not compared */
typedef struct { uint8_t a; sffi_u16_slice b; sffi_opt_f32 c; bool d; } mixed_result;
uint16_t rt_v_scalars(int8_t a, int16_t b, uint8_t c, uint16_t d, uint32_t e, uint64_t f, float g)
{ return (uint16_t)(a + b + c + d + e + f + (int)g); }
sffi_u8_slice rt_v_bytes(const uint8_t *d, int64_t n, const uint32_t *w, int64_t nw, const float *f, int64_t nf,
                         const bool *b, int64_t nb)
{ (void)w, (void)nw, (void)f, (void)nf, (void)b, (void)nb; return (sffi_u8_slice){d, n}; }
sffi_opt_i64 rt_v_opt(bool give) { return (sffi_opt_i64){1, give}; }
const char *rt_v_opt_text(void) { return 0; }
sffi_u32_slice rt_v_opt_words(void) { return (sffi_u32_slice){0, -1}; }
run_result rt_v_run(const char *cmd) { return (run_result){cmd, cmd, 0}; }
mixed_result rt_v_mixed(void) { mixed_result m = {0}; return m; }
"""
V2_BAD_C = """\
#include <sffi_abi.h>
typedef struct { const char *out; int64_t code; } run_result;           /* an element short */
typedef struct { uint8_t a; sffi_u16_slice b; float c; bool d; } mixed_result;  /* f32 where f32? is declared */
uint16_t rt_v_scalars(int8_t a, int16_t b, uint8_t c, uint16_t d, int32_t e, uint64_t f, float g)
{ return (uint16_t)(a + b + c + d + e + f + (int)g); }
sffi_u32_slice rt_v_bytes(const uint8_t *d, int64_t n, const uint32_t *w, int64_t nw, const float *f, int64_t nf,
                          const bool *b, int64_t nb)
{ (void)d, (void)n, (void)f, (void)nf, (void)b, (void)nb; return (sffi_u32_slice){w, nw}; }
int64_t rt_v_opt(bool give) { return give; }
const char *rt_v_opt_text(void) { return 0; }
sffi_u32_slice rt_v_opt_words(void) { return (sffi_u32_slice){0, -1}; }
run_result rt_v_run(const char *cmd) { return (run_result){cmd, 0}; }
mixed_result rt_v_mixed(void) { mixed_result m = {0}; return m; }
"""


@pytest.fixture(scope="module")
def v2_build(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("v2")
    write(d / "good.c", V2_GOOD_C)
    write(d / "bad.c", V2_BAD_C)
    return {"good": cc(d, "good.c", "good.o", "-g"), "bad": cc(d, "bad.c", "bad.o", "-g")}


def test_v2_types_match_their_c_definitions(v2_build):
    checked, absent = dwarf.check_declarations(declarations(V2_SPL), v2_build["good"])
    assert absent == [] and checked == {name: [] for name in declarations(V2_SPL)}


def test_v2_lowering_lays_out_tuples_and_optionals_as_c_does():
    lowered = {n: dwarf.lower(d) for n, d in declarations(V2_SPL).items()}
    assert lowered["rt_v_run"].result.size == 24 and lowered["rt_v_run"].result.spelling == "sffi_tuple_text_text_i64"
    assert lowered["rt_v_mixed"].result.size == 40  # u8 at 0, slice at 8, {f32, bool} at 24, bool at 32
    assert lowered["rt_v_opt"].result.size == 16 and lowered["rt_v_opt"].result.spelling == "sffi_opt_i64"
    assert lowered["rt_v_opt_text"].result == dwarf.CType("int", 1, True, 1)
    assert lowered["rt_v_scalars"].params[4] == dwarf.CType("int", 4, False, 0)


def test_v2_mismatches_name_the_differing_element(v2_build):
    checked, _ = dwarf.check_declarations(declarations(V2_SPL), v2_build["bad"])
    found = {name: " ".join(m.message for m in ms) for name, ms in checked.items()}
    assert "parameter 5 `e` is declared `u32` (unsigned 4-byte int)" in found["rt_v_scalars"]
    assert "signed 4-byte int" in found["rt_v_scalars"]
    assert "field 1 is pointer to 1-byte int against pointer to unsigned 4-byte int" in found["rt_v_bytes"]
    assert "`i64?`" in found["rt_v_opt"]
    assert "declared `(text, text, i64)` (struct of 24 bytes" in found["rt_v_run"]
    assert "returns `run_result` (struct of 16 bytes" in found["rt_v_run"]
    assert "returns `mixed_result` (struct of 32 bytes" in found["rt_v_mixed"]
    assert found["rt_v_opt_text"] == found["rt_v_opt_words"] == ""


TUPLE_ARRAY_SPL = """\
extern fn rt_ta_vars() -> [(text, text)]
extern fn rt_ta_rows(n: i64) -> [(u8, text?, i64, f32?, [u16], bool)]?
extern fn rt_ta_small() -> [(i8, bool?, u16)]
"""
TUPLE_ARRAY_GOOD_C = """\
#include <sffi_abi.h>
typedef struct { const char *name, *value; } var;                 /* names are not compared */
typedef struct { const var *data; int64_t len; } vars;
typedef struct { uint8_t a; const char *b; int64_t c; sffi_opt_f32 d; sffi_u16_slice e; bool f; } row;
typedef struct { const row *data; int64_t len; } rows;
typedef struct { int8_t a; sffi_opt_bool b; uint16_t c; } small;
typedef struct { const small *data; int64_t len; } smalls;
vars rt_ta_vars(void) { return (vars){0, 0}; }
rows rt_ta_rows(int64_t n) { return (rows){0, n}; }
smalls rt_ta_small(void) { return (smalls){0, 0}; }
"""
TUPLE_ARRAY_BAD_C = """\
#include <sffi_abi.h>
typedef struct { const char *name; } var;                         /* an element short */
typedef struct { const var *data; int64_t len; } vars;
typedef struct { const char *const *data; int64_t len; } rows;    /* [text] where [(...)]? is declared */
typedef struct { int8_t a; bool b; uint16_t c; } small;           /* bool where bool? is declared: 4 bytes, not 6 */
typedef struct { const small *data; int64_t len; } smalls;
vars rt_ta_vars(void) { return (vars){0, 0}; }
rows rt_ta_rows(int64_t n) { return (rows){0, n}; }
smalls rt_ta_small(void) { return (smalls){0, 0}; }
"""


@pytest.fixture(scope="module")
def tuple_array_build(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("tuple-arrays")
    write(d / "good.c", TUPLE_ARRAY_GOOD_C)
    write(d / "bad.c", TUPLE_ARRAY_BAD_C)
    return {"good": cc(d, "good.c", "good.o", "-g"), "bad": cc(d, "bad.c", "bad.o", "-g")}


def test_arrays_of_tuples_lower_to_a_slice_of_the_tuple_struct():
    lowered = {n: dwarf.lower(d) for n, d in declarations(TUPLE_ARRAY_SPL).items()}
    vars_ = lowered["rt_ta_vars"].result
    assert (vars_.size, vars_.spelling) == (16, "sffi_tuple_text_text_slice")
    assert vars_.fields[0] == dwarf.CType("struct", 16, None, 1) and vars_.fields[1] == dwarf.CType("int", 8, True, 0)
    assert lowered["rt_ta_rows"].result.fields[0].size == 56  # u8 0, text? 8, i64 16, f32? 24, [u16] 32, bool 48
    assert lowered["rt_ta_small"].result.fields[0].size == 6   # i8 0, bool? 1, u16 4


def test_arrays_of_tuples_match_their_c_definitions(tuple_array_build):
    checked, absent = dwarf.check_declarations(declarations(TUPLE_ARRAY_SPL), tuple_array_build["good"])
    assert absent == [] and checked == {name: [] for name in declarations(TUPLE_ARRAY_SPL)}


def test_an_array_of_tuples_of_another_shape_is_a_mismatch(tuple_array_build):
    checked, _ = dwarf.check_declarations(declarations(TUPLE_ARRAY_SPL), tuple_array_build["bad"])
    found = {name: " ".join(m.message for m in ms) for name, ms in checked.items()}
    assert "field 1 is pointer to struct of 16 bytes against pointer to struct of 8 bytes" in found["rt_ta_vars"]
    assert "field 1 is pointer to struct of 56 bytes against pointer to pointer to 1-byte int" in found["rt_ta_rows"]
    assert "field 1 is pointer to struct of 6 bytes against pointer to struct of 4 bytes" in found["rt_ta_small"]
