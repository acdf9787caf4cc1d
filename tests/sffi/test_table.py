"""The generated extern table: compiles warning-free, calls the real exports, is deterministic."""

import json
import subprocess
from pathlib import Path

import hashseed
from sffi import decls, table

ROOT = Path(__file__).resolve().parents[2]
INCLUDE = ROOT / "runtime" / "include"

DECLS = """extern fn rt_t_sum(xs: [i64]) -> i64
extern fn rt_t_scale(xs: [f64], k: f64) -> [f64]
extern fn rt_t_join(parts: [text], sep: text) -> text
extern fn rt_t_narrow(v: i32, flag: bool) -> i32
extern fn rt_t_reset()
extern fn rt_t_ids(n: i64) -> [i64]
extern fn rt_t_words() -> [text]
"""

IMPL = r"""
#include <stdio.h>
#include <string.h>
#include "sffi_table.h"
int64_t rt_t_sum(const int64_t *d, int64_t n) { int64_t s = 0; for (int64_t i = 0; i < n; i++) s += d[i]; return s; }
static double buf[8];
sffi_f64_slice rt_t_scale(const double *d, int64_t n, double k) {
    for (int64_t i = 0; i < n; i++) buf[i] = d[i] * k;
    sffi_f64_slice s = {buf, n}; return s; }
static char joined[64];
const char *rt_t_join(const char *const *p, int64_t n, const char *sep) {
    joined[0] = 0; for (int64_t i = 0; i < n; i++) { if (i) strcat(joined, sep); strcat(joined, p[i]); } return joined; }
int32_t rt_t_narrow(int32_t v, bool flag) { return flag ? -v : v; }
static int resets;
void rt_t_reset(void) { resets++; }
static int64_t ids[3] = {7, 8, 9};
sffi_i64_slice rt_t_ids(int64_t n) { sffi_i64_slice s = {ids, n}; return s; }
static const char *words[2] = {"a", "b"};
sffi_text_slice rt_t_words(void) { sffi_text_slice s = {words, 2}; return s; }
void sffi_set_error(const char *m) { (void)m; }

static const sffi_entry *find(const char *name) {
    for (size_t i = 0; i < sffi_table_len; i++) if (!strcmp(sffi_table[i].name, name)) return &sffi_table[i];
    return NULL; }

int main(void) {
    sffi_value a[2], r;
    int64_t xs[3] = {1, 2, 3};
    a[0].i64s = (sffi_i64_slice){xs, 3}; find("rt_t_sum")->thunk(a, &r); printf("sum %lld\n", (long long)r.i64);
    double fs[2] = {1.5, 2.0};
    a[0].f64s = (sffi_f64_slice){fs, 2}; a[1].f64 = 2.0; find("rt_t_scale")->thunk(a, &r);
    printf("scale %g %g\n", r.f64s.data[0], r.f64s.data[1]);
    const char *parts[2] = {"x", "y"};
    a[0].texts = (sffi_text_slice){parts, 2}; a[1].text = "-"; find("rt_t_join")->thunk(a, &r); printf("join %s\n", r.text);
    a[0].i32 = 5; a[1].b = true; find("rt_t_narrow")->thunk(a, &r); printf("narrow %d\n", r.i32);
    find("rt_t_reset")->thunk(a, &r); printf("resets %d\n", resets);
    a[0].i64 = 2; find("rt_t_ids")->thunk(a, &r); printf("ids %lld %lld\n", (long long)r.i64s.data[0], (long long)r.i64s.len);
    find("rt_t_words")->thunk(a, &r); printf("words %s %s\n", r.texts.data[0], r.texts.data[1]);
    for (size_t i = 1; i < sffi_table_len; i++) if (strcmp(sffi_table[i-1].name, sffi_table[i].name) >= 0) return 3;
    printf("catalog %s %s %s\n", sffi_catalog[0].name, sffi_catalog[0].library, sffi_catalog[0].signature);
    printf("libraries %zu %s\n", sffi_libraries_len, sffi_libraries[0]);
    return 0;
}
"""


def libraries():
    found, _ = decls.parse_text(DECLS, "t.spl")
    other, _ = decls.parse_text("extern fn rt_q_ping(n: i32) -> text\nextern fn rt_t_sum(xs: [i64]) -> i64\n", "q.spl")
    return [table.LibraryDecls("t", {d.name: d for d in found})], [table.LibraryDecls("q", {d.name: d for d in other})]


def test_table_compiles_with_werror_and_thunks_call_the_exports(tmp_path):
    selected, catalog = libraries()
    src = tmp_path / "prog.c"
    src.write_text(table.generate_c(selected, catalog) + IMPL)
    exe = tmp_path / "prog"
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", f"-I{INCLUDE}",
                    str(src), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [
        "sum 6", "scale 3 4", "join x-y", "narrow -5", "resets 1", "ids 7 2", "words a b",
        "catalog rt_q_ping q (i32) -> text",  # rt_t_sum is provided by the selection, so not in the catalog
        "libraries 1 t",
    ]


def test_empty_catalog_compiles(tmp_path):
    selected, _ = libraries()
    src = tmp_path / "t.c"
    src.write_text(table.generate_c(selected, []))
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-c", f"-I{INCLUDE}", str(src),
                    "-o", str(tmp_path / "t.o")], check=True)
    assert "sffi_catalog_len = 0" in src.read_text()


def test_output_is_byte_identical_and_sorted():
    selected, catalog = libraries()
    # in fresh interpreters with other string-hash seeds (tests/hashseed.py), not twice in this one
    code = "from test_table import libraries, table; s, c = libraries(); print(table.generate_c(s, c)); " \
           "print(table.generate_json(s, c))"
    assert not hashseed.differing(code, (Path(__file__).parent,))
    doc = json.loads(table.generate_json(selected, catalog))
    names = [e["name"] for e in doc["entries"]]
    assert names == sorted(names, key=str.encode)
    assert doc["catalog"] == [{"name": "rt_q_ping", "library": "q", "signature": "(i32) -> text"}]
    assert doc["entries"][0]["declared_at"].startswith("t.spl:")


def test_prototype_header_rejects_a_mismatching_definition(tmp_path):
    selected, _ = libraries()
    header = tmp_path / "protos.h"
    header.write_text(table.generate_prototypes(selected[0]))
    good = tmp_path / "good.c"
    good.write_text("#include <stdint.h>\nint64_t rt_t_sum(const int64_t *d, int64_t n) { (void)d; return n; }\n")
    bad = tmp_path / "bad.c"
    bad.write_text("#include <stdint.h>\nint64_t rt_t_sum(const int64_t *d) { (void)d; return 0; }\n")
    base = ["cc", "-std=c11", "-c", f"-I{INCLUDE}", "-include", str(header), "-o", str(tmp_path / "x.o")]
    subprocess.run(base + [str(good)], check=True)
    proc = subprocess.run(base + [str(bad)], capture_output=True, text=True, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
    assert proc.returncode != 0 and "conflicting types for 'rt_t_sum'" in proc.stderr


# ---- ABI v2: tuple, slice and optional results caught at build time ----

V2_DECLS = """extern fn rt_v_run(cmd: text, args: [text]) -> (text, text, i64)
extern fn rt_v_hash(data: [u8], rounds: u32) -> [u8]
extern fn rt_v_find(name: text) -> u64?
extern fn rt_v_env(name: text) -> text?
"""


def v2_library() -> table.LibraryDecls:
    found, diags = decls.parse_text(V2_DECLS, "v.spl")
    assert diags == []
    return table.LibraryDecls("v", {d.name: d for d in found})


def _compile_c(tmp_path, source: str):
    header = tmp_path / "protos.h"
    header.write_text(table.generate_prototypes(v2_library()))
    src = tmp_path / "lib.c"
    src.write_text(source)
    return subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", "-c", f"-I{INCLUDE}", "-include", str(header),
                           str(src), "-o", str(tmp_path / "lib.o")],
                          capture_output=True, text=True, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})


GOOD_V2_C = """
sffi_tuple_text_text_i64 rt_v_run(const char *cmd, const char *const *args, int64_t n)
{ (void)args; return (sffi_tuple_text_text_i64){cmd, "", n}; }
sffi_u8_slice rt_v_hash(const uint8_t *data, int64_t n, uint32_t rounds) { (void)rounds; return (sffi_u8_slice){data, n}; }
sffi_opt_u64 rt_v_find(const char *name) { return (sffi_opt_u64){42, name[0] != 0}; }
const char *rt_v_env(const char *name) { return name; }
"""


def test_c_definitions_of_tuple_slice_and_optional_results_compile(tmp_path):
    proc = _compile_c(tmp_path, GOOD_V2_C)
    assert proc.returncode == 0, proc.stderr


def test_a_c_tuple_struct_of_another_shape_does_not_compile(tmp_path):
    bad = GOOD_V2_C.replace("sffi_tuple_text_text_i64 rt_v_run", "struct my_run { const char *a, *b; int32_t c; };\n"
                            "struct my_run rt_v_run").replace("return (sffi_tuple_text_text_i64){cmd, \"\", n};",
                                                               "return (struct my_run){cmd, \"\", 0};")
    proc = _compile_c(tmp_path, bad)
    assert proc.returncode != 0 and "conflicting types for 'rt_v_run'" in proc.stderr


def test_a_c_slice_of_another_element_type_does_not_compile(tmp_path):
    bad = GOOD_V2_C.replace("sffi_u8_slice rt_v_hash", "sffi_u32_slice rt_v_hash").replace(
        "return (sffi_u8_slice){data, n};", "(void)data; return (sffi_u32_slice){0, n};")
    proc = _compile_c(tmp_path, bad)
    assert proc.returncode != 0 and "conflicting types for 'rt_v_hash'" in proc.stderr


def test_the_table_unpacks_a_tuple_into_one_value_per_element(tmp_path):
    src = tmp_path / "prog.c"
    src.write_text(table.generate_c([v2_library()], []) + GOOD_V2_C + r"""
#include <stdio.h>
void sffi_set_error(const char *m) { (void)m; }
int main(void) {
    sffi_value a[2], r[SFFI_MAX_TUPLE];
    const char *args[1] = {"x"};
    a[0].text = "ls"; a[1].texts = (sffi_text_slice){args, 1};
    sffi_table[3].thunk(a, r);
    printf("%s %s %s %lld %d %d\n", sffi_table[3].name, r[0].text, r[1].text, (long long)r[2].i64,
           sffi_table[3].n_items, sffi_table[3].items[2] == SFFI_I64);
    a[0].text = "";
    sffi_table[1].thunk(a, r);
    printf("%s %d %d\n", sffi_table[1].name, r[0].opt_u64.present, sffi_table[1].result == (SFFI_U64 | SFFI_OPTIONAL));
    return 0;
}
""")
    exe = tmp_path / "prog"
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", f"-I{INCLUDE}", str(src), "-o", str(exe)],
                   check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["rt_v_run ls  1 3 1", "rt_v_find 0 1"]


GOOD_V2_RS = """
use std::ffi::c_char;
#[repr(C)] pub struct Run { out: *const c_char, err: *const c_char, code: i64 }
#[repr(C)] pub struct Bytes { data: *const u8, len: i64 }
#[repr(C)] pub struct OptU64 { value: u64, present: bool }
#[no_mangle] pub unsafe extern "C" fn rt_v_run(cmd: *const c_char, _a: *const *const c_char, n: i64) -> Run {
    Run { out: cmd, err: cmd, code: n } }
#[no_mangle] pub extern "C" fn rt_v_hash(data: *const u8, n: i64, _r: u32) -> Bytes { Bytes { data, len: n } }
#[no_mangle] pub extern "C" fn rt_v_find(_n: *const c_char) -> OptU64 { OptU64 { value: 1, present: true } }
#[no_mangle] pub extern "C" fn rt_v_env(n: *const c_char) -> *const c_char { n }
"""


def _compile_rust_checks(tmp_path, crate_source: str, library: table.LibraryDecls | None = None):
    import shutil
    import pytest
    rustc = shutil.which("rustc")
    if rustc is None:
        pytest.skip("no rustc")
    (tmp_path / "vcrate.rs").write_text(crate_source)
    subprocess.run([rustc, "--edition", "2021", "--crate-type", "rlib", "--crate-name", "vcrate",
                    str(tmp_path / "vcrate.rs"), "-o", str(tmp_path / "libvcrate.rlib")], check=True,
                   capture_output=True)
    checks = tmp_path / "checks.rs"
    checks.write_text("extern crate vcrate;\n" + table.generate_rust_checks("vcrate", library or v2_library()))
    return subprocess.run([rustc, "--edition", "2021", "--crate-type", "rlib", "-L", str(tmp_path),
                           str(checks), "-o", str(tmp_path / "libchecks.rlib")], capture_output=True, text=True)


def test_rust_definitions_of_tuple_slice_and_optional_results_pass_the_checks(tmp_path):
    proc = _compile_rust_checks(tmp_path, GOOD_V2_RS)
    assert proc.returncode == 0, proc.stderr


def test_a_rust_tuple_struct_of_another_shape_fails_the_checks(tmp_path):
    proc = _compile_rust_checks(tmp_path, GOOD_V2_RS.replace("err: *const c_char, code: i64 }", "code: i64 }")
                                .replace("Run { out: cmd, err: cmd, code: n }", "Run { out: cmd, code: n }"))
    assert proc.returncode != 0
    assert "rt_v_run: the result type's layout differs from (text, text, i64)" in proc.stderr


def test_a_rust_optional_without_its_flag_fails_the_checks(tmp_path):
    proc = _compile_rust_checks(tmp_path, GOOD_V2_RS.replace("pub struct OptU64 { value: u64, present: bool }",
                                                             "pub struct OptU64 { value: u64 }")
                                .replace("OptU64 { value: 1, present: true }", "OptU64 { value: 1 }"))
    assert proc.returncode != 0 and "rt_v_find: the result type's layout differs from u64?" in proc.stderr


def test_a_rust_array_parameter_of_another_element_type_fails_the_checks(tmp_path):
    proc = _compile_rust_checks(tmp_path, GOOD_V2_RS.replace("rt_v_hash(data: *const u8", "rt_v_hash(data: *const u32")
                                .replace("Bytes { data, len: n }", "Bytes { data: data as *const u8, len: n }"))
    assert proc.returncode != 0 and "mismatched types" in proc.stderr


# ---- arrays of tuples [(T1, ..., Tn)]: the slice of the tuple's struct ----

TA_DECLS = """extern fn rt_ta_vars() -> [(text, text)]
extern fn rt_ta_pair() -> (text, text)
extern fn rt_ta_rows(n: i64) -> [(u8, i64?)]?
"""

GOOD_TA_C = """
#include <stddef.h>
static const sffi_tuple_text_text vars[2] = {{"HOME", "/root"}, {"LANG", "C"}};
sffi_tuple_text_text_slice rt_ta_vars(void) { return (sffi_tuple_text_text_slice){vars, 2}; }
sffi_tuple_text_text rt_ta_pair(void) { return vars[1]; }
static const sffi_tuple_u8_opt_i64 rows[1] = {{7, {9, true}}};
sffi_tuple_u8_opt_i64_slice rt_ta_rows(int64_t n) { return (sffi_tuple_u8_opt_i64_slice){n < 0 ? NULL : rows, n < 0 ? -1 : 1}; }
"""


def ta_library() -> table.LibraryDecls:
    found, diags = decls.parse_text(TA_DECLS, "ta.spl")
    assert diags == []
    return table.LibraryDecls("ta", {d.name: d for d in found})


def _compile_ta_c(tmp_path, source: str):
    header = tmp_path / "protos.h"
    header.write_text(table.generate_prototypes(ta_library()))
    (tmp_path / "lib.c").write_text(source)
    return subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", "-c", f"-I{INCLUDE}", "-include", str(header),
                           str(tmp_path / "lib.c"), "-o", str(tmp_path / "lib.o")],
                          capture_output=True, text=True, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})


def test_an_array_of_tuples_lowers_to_the_slice_of_the_tuple_struct():
    header = table.generate_prototypes(ta_library())
    assert "sffi_tuple_text_text_slice rt_ta_vars(void);" in header
    assert ("typedef struct sffi_tuple_text_text_slice { const sffi_tuple_text_text *data; int64_t len; } "
            "sffi_tuple_text_text_slice;") in header
    assert header.count("typedef struct sffi_tuple_text_text {") == 1  # a tuple and an array of it share the struct
    assert "sffi_tuple_u8_opt_i64_slice rt_ta_rows(int64_t);" in header


def test_c_definitions_of_arrays_of_tuples_compile(tmp_path):
    proc = _compile_ta_c(tmp_path, GOOD_TA_C)
    assert proc.returncode == 0, proc.stderr


def test_a_c_array_of_tuples_of_another_shape_does_not_compile(tmp_path):
    bad = GOOD_TA_C.replace("sffi_tuple_text_text_slice rt_ta_vars(void) { return (sffi_tuple_text_text_slice){vars, 2}; }",
                            "sffi_text_slice rt_ta_vars(void) { return (sffi_text_slice){0, 0}; }")
    proc = _compile_ta_c(tmp_path, bad)
    assert proc.returncode != 0 and "conflicting types for 'rt_ta_vars'" in proc.stderr


def test_the_table_stores_an_array_of_tuples_as_one_slice_with_the_item_codes(tmp_path):
    src = tmp_path / "prog.c"
    src.write_text(table.generate_c([ta_library()], []) + GOOD_TA_C + r"""
#include <stdio.h>
void sffi_set_error(const char *m) { (void)m; }
int main(void) {
    sffi_value a[1] = {{.i64 = 0}}, r[SFFI_MAX_TUPLE];
    const sffi_entry *rows = &sffi_table[1], *vars = &sffi_table[2];
    vars->thunk(a, r);
    const sffi_tuple_text_text *v = r[0].tuples.data;
    printf("%s %lld %s=%s %d %d %d\n", vars->name, (long long)r[0].tuples.len, v[1].f0, v[1].f1,
           vars->result == SFFI_TUPLE_ARRAY, vars->n_items, vars->items[1] == SFFI_TEXT);
    a[0].i64 = -1;
    rows->thunk(a, r);
    printf("%s %lld %d %d\n", rows->name, (long long)r[0].tuples.len,
           rows->result == (SFFI_TUPLE_ARRAY | SFFI_OPTIONAL), rows->items[1] == (SFFI_I64 | SFFI_OPTIONAL));
    return 0;
}
""")
    exe = tmp_path / "prog"
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", f"-I{INCLUDE}", str(src), "-o", str(exe)],
                   check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["rt_ta_vars 2 LANG=C 1 2 1", "rt_ta_rows -1 1 1"]
    doc = json.loads(table.generate_json([ta_library()], []))
    assert [e["result"] for e in doc["entries"]] == ["(text, text)", "[(u8, i64?)]?", "[(text, text)]"]


GOOD_TA_RS = """
use std::ffi::c_char;
#[repr(C)] pub struct Var { name: *const c_char, value: *const c_char }
#[repr(C)] pub struct Vars { data: *const Var, len: i64 }
#[repr(C)] pub struct OptI64 { value: i64, present: bool }
#[repr(C)] pub struct Row { small: u8, big: OptI64 }
#[repr(C)] pub struct Rows { data: *const Row, len: i64 }
#[no_mangle] pub extern "C" fn rt_ta_vars() -> Vars { Vars { data: std::ptr::null(), len: 0 } }
#[no_mangle] pub extern "C" fn rt_ta_pair() -> Var { Var { name: std::ptr::null(), value: std::ptr::null() } }
#[no_mangle] pub extern "C" fn rt_ta_rows(_n: i64) -> Rows { Rows { data: std::ptr::null(), len: -1 } }
"""


def test_rust_definitions_of_arrays_of_tuples_pass_the_checks(tmp_path):
    proc = _compile_rust_checks(tmp_path, GOOD_TA_RS, ta_library())
    assert proc.returncode == 0, proc.stderr


def test_a_rust_tuple_where_an_array_of_tuples_is_declared_fails_the_checks(tmp_path):
    bad = GOOD_TA_RS.replace("pub extern \"C\" fn rt_ta_rows(_n: i64) -> Rows { Rows { data: std::ptr::null(), len: -1 } }",
                             "pub extern \"C\" fn rt_ta_rows(_n: i64) -> Row { Row { small: 0, big: OptI64 { value: 0, "
                             "present: false } } }")
    proc = _compile_rust_checks(tmp_path, bad, ta_library())
    assert proc.returncode != 0
    assert "rt_ta_rows: the result type's layout differs from [(u8, i64?)]?" in proc.stderr
