"""The generated extern table: compiles warning-free, calls the real exports, is deterministic."""

import json
import subprocess
from pathlib import Path

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
    assert table.generate_c(selected, catalog) == table.generate_c(*libraries())
    assert table.generate_json(selected, catalog) == table.generate_json(*libraries())
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
