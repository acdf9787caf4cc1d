/*
 * abitest.c - a hand-written C library with an extern of every SFFI ABI v2
 * type (declarations: abitest.spl), for tests/runtime/test_marshal.py. It is
 * compiled with the prototype header generated from abitest.spl force-included,
 * as the build compiles every C library, and linked into a runtime with the
 * generated table.
 *
 * Results live in thread-local buffers owned by the library, valid until the
 * next call (docs/abi.md, "Ownership").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sffi_abi.h"

static _Thread_local char text_result[256];
static _Thread_local char text_result2[256];
static _Thread_local int64_t i64_result[64];
static _Thread_local double f64_result[64];
static _Thread_local char words_store[256];
static _Thread_local const char *words_result[32];
static _Thread_local union { int8_t i8[64]; int16_t i16[64]; int32_t i32[64]; int64_t i64[64]; uint8_t u8[64];
                             uint16_t u16[64]; uint32_t u32[64]; uint64_t u64[64]; float f32[64]; double f64[64];
                             bool b[64]; const char *text[64]; } arr;
static _Thread_local union { uint16_t u16[4]; bool b[4]; float f32[4]; } arr2;
static _Thread_local uint64_t u64_store[4];
static uint8_t *bytes;   /* grown as needed; reachable, so no leak is reported */
static size_t bytes_cap;

/* ---- v1 ---- */

int32_t rt_abitest_add_i32(int32_t a, int32_t b) { return a + b; }

int64_t rt_abitest_sum_i64(const int64_t *xs, int64_t n)
{
    int64_t s = 0;
    for (int64_t i = 0; i < n; i++)
        s += xs[i];
    return s;
}

double rt_abitest_mean_f64(const double *xs, int64_t n)
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

const char *rt_abitest_join(const char *const *parts, int64_t n, const char *sep)
{
    text_result[0] = '\0';
    for (int64_t i = 0; i < n; i++) {
        if (i)
            strncat(text_result, sep, sizeof text_result - strlen(text_result) - 1);
        strncat(text_result, parts[i], sizeof text_result - strlen(text_result) - 1);
    }
    return text_result;
}

sffi_i64_slice rt_abitest_range(int64_t n)
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

sffi_f64_slice rt_abitest_halves(const double *xs, int64_t n)
{
    if (n > 64)
        n = 64;
    for (int64_t i = 0; i < n; i++)
        f64_result[i] = xs[i] / 2;
    return (sffi_f64_slice){f64_result, n};
}

sffi_text_slice rt_abitest_words(const char *s)
{
    snprintf(words_store, sizeof words_store, "%s", s);
    int64_t n = 0;
    for (char *w = strtok(words_store, " "); w && n < 32; w = strtok(NULL, " "))
        words_result[n++] = w;
    return (sffi_text_slice){words_result, n};
}

const char *rt_abitest_maybe(bool give) { return give ? "here" : NULL; }
sffi_i64_slice rt_abitest_bad_slice(void) { return (sffi_i64_slice){NULL, 3}; }
bool rt_abitest_is_null_empty(const int64_t *xs, int64_t n) { return xs == NULL && n == 0; }

const char *rt_abitest_describe(int64_t a, double b, bool c, const char *d, const int64_t *e, int64_t ne,
                                const double *f, int64_t nf, const char *const *g, int64_t ng)
{
    snprintf(text_result, sizeof text_result, "%lld %.2f %s %s [%lld:%lld] [%lld:%.1f] [%lld:%s]", (long long)a, b,
             c ? "yes" : "no", d, (long long)ne, ne ? (long long)e[ne - 1] : -1LL, (long long)nf,
             nf ? f[nf - 1] : -1.0, (long long)ng, ng ? g[ng - 1] : "-");
    return text_result;
}

/* ---- scalars ---- */

#define ID(T, t) T rt_abitest_id_##t(T x) { return x; }
ID(int8_t, i8) ID(int16_t, i16) ID(int32_t, i32) ID(int64_t, i64) ID(uint8_t, u8) ID(uint16_t, u16)
ID(uint32_t, u32) ID(uint64_t, u64) ID(float, f32) ID(double, f64) ID(bool, bool)

uint64_t rt_abitest_u64_max(void) { return UINT64_MAX; }

uint32_t rt_abitest_f32_bits(float x)
{
    uint32_t bits;
    memcpy(&bits, &x, 4);
    return bits;
}

/* ---- arrays ---- */

#define REV(T, t, field)                                                        \
    sffi_##t##_slice rt_abitest_rev_##t(const T *xs, int64_t n)                 \
    {                                                                           \
        if (n > 64) {                                                           \
            sffi_set_error("at most 64 elements");                              \
            return (sffi_##t##_slice){NULL, 0};                                 \
        }                                                                       \
        for (int64_t i = 0; i < n; i++)                                         \
            arr.field[i] = xs[n - 1 - i];                                       \
        return (sffi_##t##_slice){arr.field, n};                                \
    }
REV(int8_t, i8, i8) REV(int16_t, i16, i16) REV(int32_t, i32, i32) REV(int64_t, i64, i64) REV(uint8_t, u8, u8)
REV(uint16_t, u16, u16) REV(uint32_t, u32, u32) REV(uint64_t, u64, u64) REV(float, f32, f32) REV(double, f64, f64)
REV(bool, bool, b)

sffi_text_slice rt_abitest_rev_text(const char *const *xs, int64_t n)
{
    if (n > 64) {
        sffi_set_error("at most 64 elements");
        return (sffi_text_slice){NULL, 0};
    }
    for (int64_t i = 0; i < n; i++)
        arr.text[i] = xs[n - 1 - i]; /* the arguments outlive the call's result copy */
    return (sffi_text_slice){arr.text, n};
}

/* ---- byte buffers ---- */

static uint8_t *bytes_buffer(int64_t n)
{
    if ((size_t)n > bytes_cap) {
        uint8_t *grown = realloc(bytes, (size_t)n);
        if (!grown)
            return NULL;
        bytes = grown;
        bytes_cap = (size_t)n;
    }
    return bytes;
}

sffi_u8_slice rt_abitest_bytes_make(int64_t n, uint8_t seed)
{
    uint8_t *out = n >= 0 ? bytes_buffer(n) : NULL;
    if (!out && n > 0) {
        sffi_set_error("cannot allocate the buffer");
        return (sffi_u8_slice){NULL, 0};
    }
    for (int64_t i = 0; i < n; i++)
        out[i] = (uint8_t)(seed + i);
    return (sffi_u8_slice){out, n > 0 ? n : 0};
}

sffi_u8_slice rt_abitest_bytes_echo(const uint8_t *data, int64_t n)
{
    uint8_t *out = bytes_buffer(n);
    if (!out && n > 0) {
        sffi_set_error("cannot allocate the buffer");
        return (sffi_u8_slice){NULL, 0};
    }
    if (n)
        memcpy(out, data, (size_t)n);
    return (sffi_u8_slice){out, n};
}

int64_t rt_abitest_bytes_sum(const uint8_t *data, int64_t n)
{
    int64_t s = 0;
    for (int64_t i = 0; i < n; i++)
        s += data[i];
    return s;
}

/* ---- optionals ---- */

const char *rt_abitest_opt_text(int64_t mode) { return mode == 0 ? NULL : mode == 1 ? "" : "x"; }

#define OPT(T, t, v) sffi_opt_##t rt_abitest_opt_##t(bool give) { return (sffi_opt_##t){give ? (T)(v) : (T)0, give}; }
OPT(int8_t, i8, -7) OPT(int16_t, i16, -300) OPT(int32_t, i32, 70000) OPT(int64_t, i64, 1LL << 40)
OPT(uint8_t, u8, 255) OPT(uint16_t, u16, 65535) OPT(uint32_t, u32, 4000000000U) OPT(uint64_t, u64, 1ULL << 62)
OPT(float, f32, 2.5) OPT(double, f64, 0.1) OPT(bool, bool, true)

#define OPTA(T, t, field, a, b, c)                                              \
    sffi_##t##_slice rt_abitest_opta_##t(int64_t mode)                          \
    {                                                                           \
        arr.field[0] = a, arr.field[1] = b, arr.field[2] = c;                   \
        return (sffi_##t##_slice){mode == 0 ? NULL : arr.field, mode == 0 ? -1 : mode == 1 ? 0 : 3}; \
    }
OPTA(int8_t, i8, i8, 1, -2, 3) OPTA(int16_t, i16, i16, 1, -2, 3) OPTA(int32_t, i32, i32, 1, -2, 3)
OPTA(int64_t, i64, i64, 1, -2, 3) OPTA(uint8_t, u8, u8, 1, 2, 255) OPTA(uint16_t, u16, u16, 1, 2, 65535)
OPTA(uint32_t, u32, u32, 1, 2, 4294967295U) OPTA(uint64_t, u64, u64, 1, 2, 3) OPTA(float, f32, f32, 0.5f, 1.5f, -2)
OPTA(double, f64, f64, 0.5, 1.5, -2) OPTA(bool, bool, b, true, false, true) OPTA(const char *, text, text, "a", "b", "c")

/* ---- tuples ---- */

sffi_tuple_text rt_abitest_t1(const char *s)
{
    snprintf(text_result, sizeof text_result, "<%s>", s);
    return (sffi_tuple_text){text_result};
}

sffi_tuple_bool_text rt_abitest_t2(int64_t n)
{
    snprintf(text_result, sizeof text_result, "%lld is %s", (long long)n, n % 2 ? "odd" : "even");
    return (sffi_tuple_bool_text){n % 2 == 0, text_result};
}

/* The shape of Simple's rt_process_run: (stdout, stderr, exit code). */
sffi_tuple_text_text_i64 rt_abitest_t3(const char *cmd, const char *const *args, int64_t n)
{
    snprintf(text_result, sizeof text_result, "%s", cmd);
    for (int64_t i = 0; i < n; i++) {
        strncat(text_result, " ", sizeof text_result - strlen(text_result) - 1);
        strncat(text_result, args[i], sizeof text_result - strlen(text_result) - 1);
    }
    snprintf(text_result2, sizeof text_result2, "%lld args", (long long)n);
    return (sffi_tuple_text_text_i64){text_result, text_result2, n ? 0 : 2};
}

sffi_tuple_u8s_u32_opt_text_f32 rt_abitest_t4(const uint8_t *data, int64_t n)
{
    sffi_u8_slice echoed = rt_abitest_bytes_echo(data, n);
    return (sffi_tuple_u8s_u32_opt_text_f32){echoed, (uint32_t)n, n ? NULL : "empty", 0.1f};
}

sffi_tuple_i8_texts_opt_u64_opt_i32s_f64 rt_abitest_t5(bool give)
{
    static const char *const w[2] = {"p", "q"};
    arr.i32[0] = -1, arr.i32[1] = 2147483647;
    return (sffi_tuple_i8_texts_opt_u64_opt_i32s_f64){
        -128, {w, 2}, {give ? 18446744073709551ULL : 0, give}, {give ? arr.i32 : NULL, give ? 2 : -1}, -0.5};
}

sffi_tuple_u16_i16_bools_text_opt_bool_f64s rt_abitest_t6(void)
{
    arr2.b[0] = true, arr2.b[1] = false;
    f64_result[0] = 1e300;
    return (sffi_tuple_u16_i16_bools_text_opt_bool_f64s){65535, -32768, {arr2.b, 2}, "six", {false, true},
                                                          {f64_result, 1}};
}

sffi_tuple_u8_u16s_u64s_opt_f32_opt_text_opt_texts_i32 rt_abitest_t7(bool give)
{
    static const char *const w[1] = {"only"};
    arr2.u16[0] = 7;
    u64_store[0] = 9, u64_store[1] = 10;
    return (sffi_tuple_u8_u16s_u64s_opt_f32_opt_text_opt_texts_i32){
        200, {arr2.u16, 1}, {u64_store, 2}, {1.25f, give}, give ? "seven" : NULL,
        {give ? w : NULL, give ? 1 : -1}, -7};
}

sffi_tuple_i64_f64_bool_text_i64s_f32s_opt_u32_opt_u8s rt_abitest_t8(int64_t k)
{
    for (int i = 0; i < 3; i++) /* wraps (unsigned): k may be any int (found by the misuse sweep) */
        i64_result[i] = (int64_t)((uint64_t)k * (uint64_t)i);
    arr2.f32[0] = 0.25f;
    snprintf(text_result, sizeof text_result, "k=%lld", (long long)k);
    sffi_u8_slice b = rt_abitest_bytes_make(k > 0 ? 4 : 0, (uint8_t)k);
    return (sffi_tuple_i64_f64_bool_text_i64s_f32s_opt_u32_opt_u8s){
        k, k / 2.0, k > 0, text_result, {i64_result, 3}, {arr2.f32, 1}, {(uint32_t)k, k > 0},
        k > 0 ? b : (sffi_u8_slice){NULL, -1}};
}

/* A library bug: a slice with data NULL and a length, inside a tuple. */
sffi_tuple_text_i64s rt_abitest_t_bad(void) { return (sffi_tuple_text_i64s){"fine", {NULL, 2}}; }

/* ---- arrays of tuples ---- */

static _Thread_local char pair_text[16][2][48];
static _Thread_local sffi_tuple_text_text pairs[16];

/* The shape of Simple's rt_env_vars: n (name, value) pairs, at most 16; 0 is (NULL, 0). */
sffi_tuple_text_text_slice rt_abitest_pairs(int64_t n)
{
    n = n < 0 ? 0 : n > 16 ? 16 : n;
    for (int64_t i = 0; i < n; i++) {
        snprintf(pair_text[i][0], sizeof pair_text[i][0], "K%lld", (long long)i);
        snprintf(pair_text[i][1], sizeof pair_text[i][1], "v=%lld", (long long)(i * i));
        pairs[i] = (sffi_tuple_text_text){pair_text[i][0], pair_text[i][1]};
    }
    return (sffi_tuple_text_text_slice){n ? pairs : NULL, n};
}

/* Padding between fields of every size: u8 at 0, text? at 8, i64 at 16,
 * f32? at 24, [u16] at 32, bool at 48; 56 bytes a tuple. Mode < 0 is nil. */
sffi_tuple_u8_opt_text_i64_opt_f32_u16s_bool_slice rt_abitest_ta_mixed(int64_t mode)
{
    static _Thread_local sffi_tuple_u8_opt_text_i64_opt_f32_u16s_bool rows[3];
    static _Thread_local uint16_t shorts[3] = {1, 65535, 7};
    if (mode < 0)
        return (sffi_tuple_u8_opt_text_i64_opt_f32_u16s_bool_slice){NULL, -1};
    rows[0] = (sffi_tuple_u8_opt_text_i64_opt_f32_u16s_bool){255, "first", INT64_MIN, {0.5f, true}, {shorts, 3}, true};
    rows[1] = (sffi_tuple_u8_opt_text_i64_opt_f32_u16s_bool){0, NULL, mode, {0, false}, {NULL, 0}, false};
    rows[2] = (sffi_tuple_u8_opt_text_i64_opt_f32_u16s_bool){7, "", INT64_MAX, {-2.0f, true}, {shorts + 2, 1}, true};
    return (sffi_tuple_u8_opt_text_i64_opt_f32_u16s_bool_slice){rows, mode > 3 ? 3 : mode};
}

/* A 6-byte tuple (i8 at 0, bool? at 1, u16 at 4): elements closer than a pointer apart. */
sffi_tuple_i8_opt_bool_u16_slice rt_abitest_ta_small(int64_t n)
{
    static _Thread_local sffi_tuple_i8_opt_bool_u16 rows[5];
    n = n < 0 ? 0 : n > 5 ? 5 : n;
    for (int64_t i = 0; i < n; i++)
        rows[i] = (sffi_tuple_i8_opt_bool_u16){(int8_t)(-128 + i), {i % 2 == 0, i % 3 != 2}, (uint16_t)(65535 - i)};
    return (sffi_tuple_i8_opt_bool_u16_slice){rows, n};
}

/* Library bugs: 0, an array with data NULL and a length; 1, an invalid slice
 * inside the second tuple; 2, a negative length. */
sffi_tuple_text_i64s_slice rt_abitest_ta_bad(int64_t which)
{
    static _Thread_local sffi_tuple_text_i64s rows[2];
    rows[0] = (sffi_tuple_text_i64s){"ok", {NULL, 0}};
    rows[1] = (sffi_tuple_text_i64s){"bad", {NULL, 2}};
    if (which == 0)
        return (sffi_tuple_text_i64s_slice){NULL, 3};
    return (sffi_tuple_text_i64s_slice){rows, which == 1 ? 2 : -5};
}
