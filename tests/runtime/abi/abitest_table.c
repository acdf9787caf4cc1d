/*
 * abitest_table.c - a hand-written extern table in the generator's shape
 * (runtime/include/sffi_table.h), with test externs that use every type of
 * the SFFI ABI, for tests/runtime/test_abi.py. Linked instead of a generated
 * table with the runtime's objects and the core library's sources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sffi_table.h"

static _Thread_local char text_result[256];
static _Thread_local int64_t i64_result[64];
static _Thread_local double f64_result[64];
static _Thread_local char words_store[256];
static _Thread_local const char *words_result[32];

static int32_t rt_abitest_add_i32(int32_t a, int32_t b) { return a + b; }

static int64_t rt_abitest_sum_i64(const int64_t *xs, int64_t n)
{
    int64_t s = 0;
    for (int64_t i = 0; i < n; i++)
        s += xs[i];
    return s;
}

static double rt_abitest_mean_f64(const double *xs, int64_t n)
{
    if (n == 0) {
        sffi_set_error("mean of an empty array");
        return 0;
    }
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += xs[i];
    return s / (double)n;
}

static const char *rt_abitest_join(const char *const *parts, int64_t n, const char *sep)
{
    text_result[0] = '\0';
    for (int64_t i = 0; i < n; i++) {
        if (i)
            strncat(text_result, sep, sizeof text_result - strlen(text_result) - 1);
        strncat(text_result, parts[i], sizeof text_result - strlen(text_result) - 1);
    }
    return text_result;
}

static sffi_i64_slice rt_abitest_range(int64_t n)
{
    if (n < 0 || n > 64) {
        sffi_set_error("range: n must be in 0..64");
        sffi_set_error("a second error, which the runtime drops");
        return (sffi_i64_slice){NULL, 0};
    }
    for (int64_t i = 0; i < n; i++)
        i64_result[i] = i * i;
    return (sffi_i64_slice){n ? i64_result : NULL, n};
}

static sffi_f64_slice rt_abitest_halves(const double *xs, int64_t n)
{
    if (n > 64)
        n = 64;
    for (int64_t i = 0; i < n; i++)
        f64_result[i] = xs[i] / 2;
    return (sffi_f64_slice){f64_result, n};
}

static sffi_text_slice rt_abitest_words(const char *s)
{
    snprintf(words_store, sizeof words_store, "%s", s);
    int64_t n = 0;
    for (char *w = strtok(words_store, " "); w && n < 32; w = strtok(NULL, " "))
        words_result[n++] = w;
    return (sffi_text_slice){words_result, n};
}

static const char *rt_abitest_maybe(bool give) { return give ? "here" : NULL; }

static sffi_i64_slice rt_abitest_bad_slice(void) { return (sffi_i64_slice){NULL, 3}; }

static bool rt_abitest_is_null_empty(const int64_t *xs, int64_t n) { return xs == NULL && n == 0; }

static const char *rt_abitest_describe(int64_t a, double b, bool c, const char *d, const int64_t *e, int64_t ne,
                                       const double *f, int64_t nf, const char *const *g, int64_t ng)
{
    snprintf(text_result, sizeof text_result, "%lld %.2f %s %s [%lld:%lld] [%lld:%.1f] [%lld:%s]", (long long)a, b,
             c ? "yes" : "no", d, (long long)ne, ne ? (long long)e[ne - 1] : -1LL, (long long)nf,
             nf ? f[nf - 1] : -1.0, (long long)ng, ng ? g[ng - 1] : "-");
    return text_result;
}

static void t_add_i32(const sffi_value *a, sffi_value *r) { r->i32 = rt_abitest_add_i32(a[0].i32, a[1].i32); }
static void t_sum_i64(const sffi_value *a, sffi_value *r) { r->i64 = rt_abitest_sum_i64(a[0].i64s.data, a[0].i64s.len); }
static void t_mean_f64(const sffi_value *a, sffi_value *r) { r->f64 = rt_abitest_mean_f64(a[0].f64s.data, a[0].f64s.len); }
static void t_join(const sffi_value *a, sffi_value *r) { r->text = rt_abitest_join(a[0].texts.data, a[0].texts.len, a[1].text); }
static void t_range(const sffi_value *a, sffi_value *r) { r->i64s = rt_abitest_range(a[0].i64); }
static void t_halves(const sffi_value *a, sffi_value *r) { r->f64s = rt_abitest_halves(a[0].f64s.data, a[0].f64s.len); }
static void t_words(const sffi_value *a, sffi_value *r) { r->texts = rt_abitest_words(a[0].text); }
static void t_maybe(const sffi_value *a, sffi_value *r) { r->text = rt_abitest_maybe(a[0].b); }
static void t_bad_slice(const sffi_value *a, sffi_value *r) { (void)a; r->i64s = rt_abitest_bad_slice(); }
static void t_is_null_empty(const sffi_value *a, sffi_value *r) { r->b = rt_abitest_is_null_empty(a[0].i64s.data, a[0].i64s.len); }
static void t_describe(const sffi_value *a, sffi_value *r)
{
    r->text = rt_abitest_describe(a[0].i64, a[1].f64, a[2].b, a[3].text, a[4].i64s.data, a[4].i64s.len,
                                  a[5].f64s.data, a[5].f64s.len, a[6].texts.data, a[6].texts.len);
}

/* core's externs, so core scripts run here too */
extern sffi_text_slice rt_args(void);
extern void rt_exit(int64_t);
extern const char *rt_file_read_text(const char *);
static void t_args(const sffi_value *a, sffi_value *r) { (void)a; r->texts = rt_args(); }
static void t_exit(const sffi_value *a, sffi_value *r) { (void)r; rt_exit(a[0].i64); }
static void t_read(const sffi_value *a, sffi_value *r) { r->text = rt_file_read_text(a[0].text); }

const sffi_entry sffi_table[] = {
    {"rt_abitest_add_i32", "abitest", "(i32, i32) -> i32", t_add_i32, 2, SFFI_I32, {SFFI_I32, SFFI_I32}},
    {"rt_abitest_bad_slice", "abitest", "() -> [i64]", t_bad_slice, 0, SFFI_I64_ARRAY, {0}},
    {"rt_abitest_describe", "abitest", "(i64, f64, bool, text, [i64], [f64], [text]) -> text", t_describe, 7,
     SFFI_TEXT, {SFFI_I64, SFFI_F64, SFFI_BOOL, SFFI_TEXT, SFFI_I64_ARRAY, SFFI_F64_ARRAY, SFFI_TEXT_ARRAY}},
    {"rt_abitest_halves", "abitest", "([f64]) -> [f64]", t_halves, 1, SFFI_F64_ARRAY, {SFFI_F64_ARRAY}},
    {"rt_abitest_is_null_empty", "abitest", "([i64]) -> bool", t_is_null_empty, 1, SFFI_BOOL, {SFFI_I64_ARRAY}},
    {"rt_abitest_join", "abitest", "([text], text) -> text", t_join, 2, SFFI_TEXT, {SFFI_TEXT_ARRAY, SFFI_TEXT}},
    {"rt_abitest_maybe", "abitest", "(bool) -> text", t_maybe, 1, SFFI_TEXT, {SFFI_BOOL}},
    {"rt_abitest_mean_f64", "abitest", "([f64]) -> f64", t_mean_f64, 1, SFFI_F64, {SFFI_F64_ARRAY}},
    {"rt_abitest_range", "abitest", "(i64) -> [i64]", t_range, 1, SFFI_I64_ARRAY, {SFFI_I64}},
    {"rt_abitest_sum_i64", "abitest", "([i64]) -> i64", t_sum_i64, 1, SFFI_I64, {SFFI_I64_ARRAY}},
    {"rt_abitest_words", "abitest", "(text) -> [text]", t_words, 1, SFFI_TEXT_ARRAY, {SFFI_TEXT}},
    {"rt_args", "core", "() -> [text]", t_args, 0, SFFI_TEXT_ARRAY, {0}},
    {"rt_exit", "core", "(i64)", t_exit, 1, SFFI_NONE, {SFFI_I64}},
    {"rt_file_read_text", "core", "(text) -> text", t_read, 1, SFFI_TEXT, {SFFI_TEXT}},
};
const size_t sffi_table_len = sizeof sffi_table / sizeof sffi_table[0];

const sffi_catalog_entry sffi_catalog[] = {
    {"rt_opencv_version", "opencv", "() -> text"},
    {"rt_torch_available", "torch", "() -> bool"},
};
const size_t sffi_catalog_len = 2;

const char *const sffi_libraries[] = {"abitest", "core", "sqlite"};
const size_t sffi_libraries_len = 3;
