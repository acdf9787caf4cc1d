/* marshal.c - calling a bound extern: script values to sffi_value arguments, results back (SFFI ABI v2, docs/abi.md). */
#include "marshal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "diag.h"
#include "externs.h"
#include "ffi_error.h"
#include "format.h"
#include "util.h"

/* The C form of a scalar code: its size in bytes and how its bits read;
 * K_NOT_SCALAR for no type, an array or a tuple. */
typedef enum { K_SIGNED, K_UNSIGNED, K_FLOAT, K_BOOL, K_TEXT, K_NOT_SCALAR } Kind;

/* The switches over sffi_type below name every type and have no default: a
 * type added to sffi.abi (and so to the enum: tests/sffi/test_abi.py)
 * and forgotten here stops the runtime's build (-Wswitch, an error there),
 * rather than being marshalled as something else. The same test holds the
 * cases to sffi.abi's sizes, signedness and array elements. */
static Kind scalar_kind(sffi_type code, size_t *size)
{
    *size = 0;
    switch (code) {
    case SFFI_I8: *size = 1; return K_SIGNED;
    case SFFI_I16: *size = 2; return K_SIGNED;
    case SFFI_I32: *size = 4; return K_SIGNED;
    case SFFI_I64: *size = 8; return K_SIGNED;
    case SFFI_U8: *size = 1; return K_UNSIGNED;
    case SFFI_U16: *size = 2; return K_UNSIGNED;
    case SFFI_U32: *size = 4; return K_UNSIGNED;
    case SFFI_U64: *size = 8; return K_UNSIGNED;
    case SFFI_F32: *size = 4; return K_FLOAT;
    case SFFI_F64: *size = 8; return K_FLOAT;
    case SFFI_BOOL: *size = 1; return K_BOOL;
    case SFFI_TEXT: *size = sizeof(char *); return K_TEXT;
    case SFFI_NONE: case SFFI_TUPLE: case SFFI_TUPLE_ARRAY: case SFFI_OPTIONAL:
    case SFFI_I8_ARRAY: case SFFI_I16_ARRAY: case SFFI_I32_ARRAY: case SFFI_I64_ARRAY:
    case SFFI_U8_ARRAY: case SFFI_U16_ARRAY: case SFFI_U32_ARRAY: case SFFI_U64_ARRAY:
    case SFFI_F32_ARRAY: case SFFI_F64_ARRAY: case SFFI_BOOL_ARRAY: case SFFI_TEXT_ARRAY:
        return K_NOT_SCALAR;
    }
    return K_NOT_SCALAR; /* a code outside the enum */
}

/* The element code of an array code; SFFI_NONE (0) for anything else. */
static sffi_type array_element(sffi_type code)
{
    switch (code) {
    case SFFI_I8_ARRAY: return SFFI_I8;
    case SFFI_I16_ARRAY: return SFFI_I16;
    case SFFI_I32_ARRAY: return SFFI_I32;
    case SFFI_I64_ARRAY: return SFFI_I64;
    case SFFI_U8_ARRAY: return SFFI_U8;
    case SFFI_U16_ARRAY: return SFFI_U16;
    case SFFI_U32_ARRAY: return SFFI_U32;
    case SFFI_U64_ARRAY: return SFFI_U64;
    case SFFI_F32_ARRAY: return SFFI_F32;
    case SFFI_F64_ARRAY: return SFFI_F64;
    case SFFI_BOOL_ARRAY: return SFFI_BOOL;
    case SFFI_TEXT_ARRAY: return SFFI_TEXT;
    case SFFI_NONE: case SFFI_TUPLE: case SFFI_TUPLE_ARRAY: case SFFI_OPTIONAL:
    case SFFI_I8: case SFFI_I16: case SFFI_I32: case SFFI_I64: case SFFI_U8: case SFFI_U16: case SFFI_U32:
    case SFFI_U64: case SFFI_F32: case SFFI_F64: case SFFI_BOOL: case SFFI_TEXT:
        return SFFI_NONE;
    }
    return SFFI_NONE; /* a code outside the enum */
}

/* ---- arguments ---- */

typedef struct ArgSite {
    Interp *I;
    const Node *at;        /* the argument's expression */
    const ExternDecl *d;
    int i;                 /* parameter index */
    int64_t element;       /* array element index, or -1 */
} ArgSite;

static bool arg_fail(const ArgSite *s, const char *fmt, const char *a, const char *b)
{
    char what[160];
    snprintf(what, sizeof what, fmt, a, b);
    if (s->element >= 0)
        return spl_fail(s->I, s->at, "%s: argument %d ('%s') element %lld %s", s->d->name, s->i + 1,
                        s->d->param_names[s->i], (long long)s->element, what);
    return spl_fail(s->I, s->at, "%s: argument %d ('%s') %s", s->d->name, s->i + 1, s->d->param_names[s->i], what);
}

static bool range_fail(const ArgSite *s, int code, long long v, long long lo, unsigned long long hi)
{
    char what[160];
    snprintf(what, sizeof what, "is %lld, out of the range of %s (%lld..%llu)", v, spl_sffi_type_name(code), lo, hi);
    return arg_fail(s, "%s%s", what, "");
}

static bool store_int(const ArgSite *s, int code, Kind kind, size_t size, int64_t v, void *dst)
{
    int bits = (int)size * 8;
    long long lo = kind == K_SIGNED ? (bits == 64 ? INT64_MIN : -(1LL << (bits - 1))) : 0;
    unsigned long long hi = kind == K_SIGNED ? (bits == 64 ? INT64_MAX : (1ULL << (bits - 1)) - 1)
                          : bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
    if (v < lo || (v > 0 && (unsigned long long)v > hi))
        return range_fail(s, code, v, lo, hi);
    switch (size) {
    case 1: { uint8_t x = (uint8_t)v; memcpy(dst, &x, 1); break; }
    case 2: { uint16_t x = (uint16_t)v; memcpy(dst, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(dst, &x, 4); break; }
    default: memcpy(dst, &v, 8); break;
    }
    return true;
}

/* One scalar or text argument (or array element) of type `code` into dst. */
static bool to_c(const ArgSite *s, int code, Value v, void *dst)
{
    size_t size;
    Kind kind = scalar_kind(code, &size);
    const char *want = spl_sffi_type_name(code);
    switch (kind) {
    case K_SIGNED:
    case K_UNSIGNED:
        if (v.type != VT_INT)
            return arg_fail(s, "must be %s, got %s", want, spl_value_type_name(v));
        return store_int(s, code, kind, size, v.as.i, dst);
    case K_FLOAT: {
        if (v.type != VT_FLOAT && v.type != VT_INT)
            return arg_fail(s, "must be %s, got %s", want, spl_value_type_name(v));
        double x = v.type == VT_INT ? (double)v.as.i : v.as.f;
        if (size == 8) {
            memcpy(dst, &x, 8);
            return true;
        }
        if (isfinite(x) && fabs(x) > FLT_MAX) {
            char shown[64];
            snprintf(shown, sizeof shown, "is %g, out of the range of f32 (+-%g)", x, (double)FLT_MAX);
            return arg_fail(s, "%s%s", shown, "");
        }
        float f = (float)x; /* rounds to nearest, as a C conversion does */
        memcpy(dst, &f, 4);
        return true;
    }
    case K_BOOL:
        if (v.type != VT_BOOL)
            return arg_fail(s, "must be %s, got %s", want, spl_value_type_name(v));
        memcpy(dst, &v.as.b, 1);
        return true;
    case K_TEXT:
        if (v.type != VT_TEXT)
            return arg_fail(s, "must be %s, got %s", want, spl_value_type_name(v));
    {
        const char *text = v.as.t->data;
        memcpy(dst, &text, sizeof text);
        return true;
    }
    case K_NOT_SCALAR: /* the parser accepts no such parameter: a table built for another runtime */
        return arg_fail(s, "has type %s%s, which this runtime cannot pass", want, "");
    }
    return false;
}

static size_t scratch_bytes(const ExternDecl *d, const Value *vals)
{
    size_t bytes = 0;
    for (int i = 0; i < d->nparams; i++) {
        int elem = array_element(d->params[i]);
        if (elem && vals[i].type == VT_ARRAY) {
            size_t size;
            scalar_kind(elem, &size);
            bytes += ((size_t)vals[i].as.a->len * size + 7) & ~(size_t)7;
        }
    }
    return bytes;
}

/* The slice fields of every sffi_value array member sit at the same offsets. */
static void set_slice(sffi_value *out, const void *data, int64_t len)
{
    out->u8s = (sffi_u8_slice){data, len};
}

static bool to_c_array(ArgSite *s, int code, Value v, char **cursor, sffi_value *out)
{
    int elem = array_element(code);
    if (code == SFFI_U8_ARRAY && v.type == VT_BYTES) { /* no copy: bytes are immutable */
        set_slice(out, v.as.by->len ? v.as.by->data : NULL, v.as.by->len);
        return true;
    }
    if (v.type != VT_ARRAY)
        return arg_fail(s, "must be %s, got %s", spl_sffi_type_name(code), spl_value_type_name(v));
    size_t size;
    scalar_kind(elem, &size);
    const Array *a = v.as.a;
    for (int64_t k = 0; k < a->len; k++) {
        s->element = k;
        if (!to_c(s, elem, a->items[k], *cursor + (size_t)k * size))
            return false;
    }
    s->element = -1;
    /* An empty array is (NULL, 0), as the ABI says for results. */
    set_slice(out, a->len ? *cursor : NULL, a->len);
    *cursor += ((size_t)a->len * size + 7) & ~(size_t)7;
    return true;
}

static bool marshal_args(Interp *I, const Node *call, const ExternDecl *d, const Value *vals, sffi_value *args)
{
    if (d->nparams == 0)
        return true;
    size_t need = scratch_bytes(d, vals);
    if (need > I->scratch_cap) {
        I->scratch = spl_xrealloc(I->scratch, need);
        I->scratch_cap = need;
    }
    char *cursor = I->scratch;
    for (int i = 0; i < d->nparams; i++) {
        ArgSite s = {I, call->list.items[i], d, i, -1};
        bool ok = array_element(d->params[i]) ? to_c_array(&s, d->params[i], vals[i], &cursor, &args[i])
                                              : to_c(&s, d->params[i], vals[i], &args[i]);
        if (!ok)
            return false;
    }
    return true;
}

/* ---- results ---- */

/* Where a result value comes from, for messages: the call, and the tuple
 * element (item >= 0) of the element `element` (>= 0) of an array of tuples. */
typedef struct ResultSite {
    Interp *I;
    const Node *call;
    const ExternDecl *d;
    int item;
    int64_t element;
} ResultSite;

/* " in tuple element 1 of array element 3": where in the result `s` is, or "". */
static const char *site_text(const ResultSite *s, char *buf, size_t size)
{
    if (s->element >= 0)
        snprintf(buf, size, " in tuple element %d of array element %lld", s->item, (long long)s->element);
    else if (s->item >= 0)
        snprintf(buf, size, " in tuple element %d", s->item);
    else
        buf[0] = '\0';
    return buf;
}

static bool result_fail(const ResultSite *s, const char *what)
{
    char at[96];
    return spl_fail(s->I, s->call, "%s returned %s%s", s->d->name, what, site_text(s, at, sizeof at));
}

/* Out of line: what the rare paths below need (buffers for messages, arrays
 * of offsets) would otherwise cost every call a larger, guarded stack frame. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

static NOINLINE bool nil_refused(const ResultSite *s)
{
    char mine[512], at[96];
    spl_extern_signature(s->d, mine, sizeof mine);
    return spl_fail(s->I, s->call, "%s returned nil%s, which its declaration at %s:%d:%d does not allow "
                    "(declared %s, the table has %s; add '?' to the declaration to accept nil)", s->d->name,
                    site_text(s, at, sizeof at), s->d->file ? s->d->file : "?", s->d->line, s->d->col, mine,
                    s->d->entry->signature);
}

/* A declaration `-> T` bound to a table entry `-> T?` (spl_result_binds)
 * refuses nil: `declared` and `entry` are the codes of the result or of a
 * tuple element. Nil is the only value that needs a check: the entry's
 * layout was read, and every other value is one T may hold. */
static bool nil_allowed(const ResultSite *s, int declared, int entry, Value v)
{
    if (v.type != VT_NIL || (declared & SFFI_OPTIONAL) || !(entry & SFFI_OPTIONAL))
        return true;
    return nil_refused(s);
}

/* A scalar or text of type `code` at src. */
static bool from_c(const ResultSite *s, int code, const void *src, Value *out)
{
    size_t size;
    Kind kind = scalar_kind(code, &size);
    switch (kind) {
    case K_SIGNED: {
        int64_t v = size == 1 ? *(const int8_t *)src : size == 2 ? *(const int16_t *)src
                  : size == 4 ? *(const int32_t *)src : *(const int64_t *)src;
        *out = value_int(v);
        return true;
    }
    case K_UNSIGNED: {
        uint64_t v = size == 1 ? *(const uint8_t *)src : size == 2 ? *(const uint16_t *)src
                   : size == 4 ? *(const uint32_t *)src : *(const uint64_t *)src;
        if (v > INT64_MAX) {
            char what[96];
            snprintf(what, sizeof what, "%llu, beyond the script's int range (at most %lld)",
                     (unsigned long long)v, (long long)INT64_MAX);
            return result_fail(s, what);
        }
        *out = value_int((int64_t)v);
        return true;
    }
    case K_FLOAT:
        *out = value_float(size == 4 ? (double)*(const float *)src : *(const double *)src);
        return true;
    case K_BOOL:
        *out = value_bool(*(const bool *)src);
        return true;
    case K_TEXT: {
        const char *t = *(const char *const *)src;
        if (!t) {
            *out = value_nil();
            return true;
        }
        /* Text is UTF-8 everywhere in the runtime; a library's bytes are checked
         * here, at the boundary, as a script file's are when it is read (issue 24). */
        size_t len = strlen(t);
        int64_t bad = spl_utf8_invalid_at(t, len);
        if (bad >= 0) {
            char what[128];
            snprintf(what, sizeof what, "text that is not valid UTF-8 (byte %lld of %zu is 0x%02x)",
                     (long long)bad, len, (unsigned)(unsigned char)t[bad]);
            return result_fail(s, what);
        }
        *out = value_text(spl_text_new(t, len));
        return true;
    }
    case K_NOT_SCALAR:
        break;
    }
    return result_fail(s, "a value of a type this runtime cannot read (a table built for another runtime)");
}

/* A slice result's (data, len) is valid: len >= 0, data set unless len == 0. */
static bool slice_ok(const ResultSite *s, const void *data, int64_t len)
{
    if (len >= 0 && (data != NULL || len == 0))
        return true;
    char what[96];
    snprintf(what, sizeof what, "an invalid array (data %s, length %lld)", data ? "set" : "NULL", (long long)len);
    return result_fail(s, what);
}

static bool from_c_array(const ResultSite *s, int code, bool optional, const sffi_value *r, Value *out)
{
    const void *data = r->u8s.data;
    int64_t len = r->u8s.len;
    if (optional && len == -1) {
        *out = value_nil();
        return true;
    }
    if (!slice_ok(s, data, len))
        return false;
    if (code == SFFI_U8_ARRAY) {
        *out = value_bytes(spl_bytes_new(data, len));
        return true;
    }
    int elem = array_element(code);
    size_t size;
    scalar_kind(elem, &size);
    Array *a = spl_array_new(len);
    for (int64_t k = 0; k < len; k++) {
        if (!from_c(s, elem, (const char *)data + (size_t)k * size, &a->items[k])) {
            a->len = k;
            value_release(value_array(a));
            return false;
        }
    }
    a->len = len;
    *out = value_array(a);
    return true;
}

/* One result (or tuple element) of type `code`, maybe | SFFI_OPTIONAL. */
static bool from_result(const ResultSite *s, int code, const sffi_value *r, Value *out)
{
    bool optional = (code & SFFI_OPTIONAL) != 0;
    code &= ~SFFI_OPTIONAL;
    if (array_element(code))
        return from_c_array(s, code, optional, r, out);
    size_t size;
    if (optional && scalar_kind(code, &size) != K_TEXT) {
        /* sffi_opt_<t> {T value; bool present;}: `present` follows the value. */
        if (!*(const bool *)((const char *)r + size)) {
            *out = value_nil();
            return true;
        }
    }
    return from_c(s, code, r, out);
}

/* The layout C gives a tuple element of type `code` (maybe | SFFI_OPTIONAL):
 * a slice {data, len}, a text pointer, a scalar, or sffi_opt_<t> {T value;
 * bool present;} (the size of T rounded up past the flag). */
_Static_assert(sizeof(sffi_opt_i8) == 2 && sizeof(sffi_opt_i16) == 4 && sizeof(sffi_opt_f32) == 8 &&
               sizeof(sffi_opt_i64) == 16 && sizeof(sffi_u8_slice) == 16,
               "tuple element layout: the ABI's structs are laid out as C lays out their fields");
static size_t item_size(int code)
{
    bool optional = (code & SFFI_OPTIONAL) != 0;
    code &= ~SFFI_OPTIONAL;
    if (array_element(code))
        return sizeof(sffi_u8_slice);
    size_t size;
    if (scalar_kind(code, &size) == K_TEXT || !optional)
        return size;
    return 2 * size;
}

static size_t item_align(int code)
{
    size_t size;
    if (array_element(code & ~SFFI_OPTIONAL))
        return _Alignof(sffi_u8_slice);
    scalar_kind(code & ~SFFI_OPTIONAL, &size); /* a scalar, its optional struct, or a text pointer */
    return size;
}

/* The offsets of the fields of the tuple struct sffi_tuple_<...> of the
 * entry's items, by C's rules (each at a multiple of its alignment); returns
 * its size, the stride of an array of them. */
static size_t tuple_layout(const sffi_entry *e, size_t *offsets)
{
    size_t at = 0, align = 1;
    for (int k = 0; k < e->n_items; k++) {
        size_t a = item_align(e->items[k]);
        at = (at + a - 1) / a * a;
        offsets[k] = at;
        at += item_size(e->items[k]);
        align = a > align ? a : align;
    }
    return (at + align - 1) / align * align;
}

/* One tuple element k, read by the entry's code; `v` holds its bytes. */
static bool from_item(ResultSite *s, int k, const sffi_value *v, Value *out)
{
    s->item = k;
    return from_result(s, s->d->entry->items[k], v, out) && nil_allowed(s, s->d->items[k], s->d->entry->items[k], *out);
}

static bool from_tuple(ResultSite *s, const char *src, const size_t *offsets, Value *out)
{
    const sffi_entry *e = s->d->entry;
    Tuple *t = spl_tuple_new(e->n_items);
    for (int k = 0; k < e->n_items; k++) {
        sffi_value v;
        memcpy(&v, src + offsets[k], item_size(e->items[k]));
        if (!from_item(s, k, &v, &t->items[k])) {
            value_release(value_tuple(t));
            return false;
        }
    }
    *out = value_tuple(t);
    return true;
}

/* An array of tuples: sffi_tuple_slice of the generated tuple structs. */
static NOINLINE bool from_tuple_array(ResultSite *s, const sffi_value *r, Value *out)
{
    const char *data = r->tuples.data;
    int64_t len = r->tuples.len;
    if ((s->d->entry->result & SFFI_OPTIONAL) && len == -1) {
        *out = value_nil();
        return true;
    }
    if (!slice_ok(s, data, len))
        return false;
    size_t offsets[SFFI_MAX_TUPLE];
    size_t stride = tuple_layout(s->d->entry, offsets);
    Array *a = spl_array_new(len);
    for (int64_t k = 0; k < len; k++) {
        s->element = k;
        if (!from_tuple(s, data + (size_t)k * stride, offsets, &a->items[k])) {
            a->len = k;
            value_release(value_array(a));
            return false;
        }
    }
    a->len = len;
    *out = value_array(a);
    return true;
}

/* The result `r` as the entry's codes lay it out (the declaration's may differ
 * in optionality: spl_result_binds), checked against the declaration's. Kept
 * out of the call (noinline): inlined, it costs the common results' path
 * registers (measured: 4 instructions more per i64 call). */
static NOINLINE bool unmarshal_general(Interp *I, const Node *call, const ExternDecl *d, const sffi_value *r, Value *out)
{
    const sffi_entry *e = d->entry;
    ResultSite s = {I, call, d, -1, -1};
    if (e->result != SFFI_TUPLE) {
        bool ok = (e->result & ~SFFI_OPTIONAL) == SFFI_TUPLE_ARRAY ? from_tuple_array(&s, r, out)
                                                                  : from_result(&s, e->result, r, out);
        s.item = -1, s.element = -1;
        return ok && nil_allowed(&s, d->result, e->result, *out); /* a refused nil holds nothing to release */
    }
    Tuple *t = spl_tuple_new(e->n_items);
    for (int k = 0; k < e->n_items; k++) {
        if (!from_item(&s, k, &r[k], &t->items[k])) {
            value_release(value_tuple(t));
            return false;
        }
    }
    *out = value_tuple(t);
    return true;
}

/* The common results first, small enough to be inlined into the call; the rest
 * (and every result whose declaration differs in optionality: SPL_RESULT_GENERAL)
 * by the general path. */
static bool unmarshal_result(Interp *I, const Node *call, const ExternDecl *d, const sffi_value *r, Value *out)
{
    switch (d->fast_result) {
    case SFFI_NONE: *out = value_nil(); return true;
    case SFFI_I64: *out = value_int(r->i64); return true;
    case SFFI_F64: *out = value_float(r->f64); return true;
    case SFFI_BOOL: *out = value_bool(r->b); return true;
    case SFFI_TUPLE: case SPL_RESULT_GENERAL: return unmarshal_general(I, call, d, r, out);
    default: break;
    }
    if ((d->result & ~SFFI_OPTIONAL) == SFFI_TUPLE_ARRAY)
        return unmarshal_general(I, call, d, r, out);
    ResultSite s = {I, call, d, -1, -1}; /* one value, declared as the entry has it: no nil to refuse */
    return from_result(&s, d->result, r, out);
}

/* ---- the call ---- */

/* Libraries often start their message with the extern's name ("rt_x: ...");
 * the runtime names it already, so drop that prefix rather than say it twice. */
static const char *without_name(const char *msg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(msg, name, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg;
}

static bool extern_failed(Interp *I, const Node *call, const ExternDecl *d)
{
    if (sffi_error_pending == FFI_EXIT) {
        I->exiting = true;
        I->exit_code = spl_ffi_exit_code();
        sffi_error_clear();
        return false;
    }
    spl_fail(I, call, "%s failed: %s", d->name, without_name(sffi_error_message(), d->name));
    sffi_error_clear();
    return false;
}

bool spl_call_extern(Interp *I, const Node *call, Value *out)
{
    const ExternDecl *d = call->target;
    if (!d->entry)
        return spl_extern_unbound(I, call, d); /* no library provides it (externs.h) */
    Value vals[SFFI_MAX_PARAMS];
    sffi_value args[SFFI_MAX_PARAMS];
    int n = 0;
    bool ok = true;
    for (; n < d->nparams; n++) {
        if (!spl_eval(I, call->list.items[n], &vals[n])) {
            ok = false;
            break;
        }
    }
    if (ok && marshal_args(I, call, d, vals, args)) {
        sffi_value result[SFFI_MAX_TUPLE];
        d->entry->thunk(args, result);
        ok = sffi_error_pending == FFI_OK ? unmarshal_result(I, call, d, result, out) : extern_failed(I, call, d);
    } else {
        ok = false;
    }
    for (int i = 0; i < n; i++)
        value_release(vals[i]);
    return ok;
}

