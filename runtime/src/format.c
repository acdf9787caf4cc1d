/* format.c - value printing and type names (see format.h). */
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"

#define MAX_PRINT_DEPTH 100

/* One print: the output, and the class instances being printed from the
 * outermost in. An instance met again inside itself (a doubly linked list's
 * node.next.prev) prints as "..." instead of repeating itself until the
 * depth limit, which is 2^100 lines for a node with two such fields. */
typedef struct Printer {
    StrBuf *sb;
    const Object *path[MAX_PRINT_DEPTH];
    int npath;
} Printer;

/* `i` in decimal: the digits written here, not through printf, which costs
 * far more per call (and far more again under ASan's interceptors) than the
 * few bytes it writes; arrays and bytes print one int per item. */
static void add_int(StrBuf *sb, int64_t i)
{
    char buf[24], *end = buf + sizeof buf, *q = end;
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    do
        *--q = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (i < 0)
        *--q = '-';
    spl_sb_add(sb, q, (size_t)(end - q));
}

static bool on_path(const Printer *p, const Object *o)
{
    for (int i = 0; i < p->npath; i++)
        if (p->path[i] == o)
            return true;
    return false;
}

static bool reads_back(double f, int digits)
{
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.*e", digits - 1, f);
    return strtod(tmp, NULL) == f;
}

/* The fewest significant digits (1..17) that read back as `f`, as digits
 * and a decimal exponent: f = 0.d1d2...dn * 10^(exp + 1). Reading back is
 * monotonic in the number of digits (rounding to d + 1 digits is at least as
 * close as rounding to d, whose result lies on the finer grid too), and 17
 * always read back, so a binary search finds the fewest in at most 5 tries
 * (a loop from 1 took 17 for most fractions, a sixth of printing a float). */
static int shortest(double f, char *digits, int *exp10)
{
    char tmp[40];
    int lo = 1, n = 17;
    while (lo < n) {
        int mid = (lo + n) / 2;
        if (reads_back(f, mid))
            n = mid;
        else
            lo = mid + 1;
    }
    snprintf(tmp, sizeof tmp, "%.*e", n - 1, fabs(f));
    char *e = strchr(tmp, 'e');
    *exp10 = atoi(e + 1);
    int k = 0;
    for (char *p = tmp; p < e; p++)
        if (*p != '.')
            digits[k++] = *p;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    return k;
}

void spl_format_float(char *buf, double f)
{
    if (isnan(f) || isinf(f)) {
        strcpy(buf, isnan(f) ? "NaN" : f < 0 ? "-inf" : "inf");
        return;
    }
    char *out = buf;
    if (signbit(f))
        *out++ = '-';
    if (f == 0) {
        strcpy(out, "0");
        return;
    }
    char digits[24];
    int e, n = shortest(f, digits, &e);
    if (e >= n - 1) {            /* a whole number: the digits, then zeros */
        out += sprintf(out, "%s", digits);
        for (int i = 0; i < e - (n - 1); i++)
            *out++ = '0';
        *out = '\0';
    } else if (e >= 0) {         /* d.ddd */
        sprintf(out, "%.*s.%s", e + 1, digits, digits + e + 1);
    } else {                     /* 0.000ddd */
        out += sprintf(out, "0.");
        for (int i = 0; i < -e - 1; i++)
            *out++ = '0';
        sprintf(out, "%s", digits);
    }
}

/* Rust's f64 Debug: Display with ".0" on whole numbers, scientific below
 * 1e-4 and from 1e16 on (1e16, 1.5e-7). */
static void debug_float(StrBuf *sb, double f)
{
    char buf[400];
    double a = fabs(f);
    if (isfinite(f) && a != 0 && (a < 1e-4 || a >= 1e16)) {
        char digits[24];
        int e, n = shortest(f, digits, &e);
        spl_sb_printf(sb, "%s%c%s%s%se%d", f < 0 ? "-" : "", digits[0], n > 1 ? "." : "", digits + 1, "", e);
        return;
    }
    spl_format_float(buf, f);
    spl_sb_adds(sb, buf);
    if (isfinite(f) && !strchr(buf, '.'))
        spl_sb_adds(sb, ".0");
}

/* A Rust string literal, as Debug writes one. */
static void debug_text(StrBuf *sb, const char *s, size_t len)
{
    spl_sb_addc(sb, '"');
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        switch (c) {
        case '"': spl_sb_adds(sb, "\\\""); break;
        case '\\': spl_sb_adds(sb, "\\\\"); break;
        case '\n': spl_sb_adds(sb, "\\n"); break;
        case '\t': spl_sb_adds(sb, "\\t"); break;
        case '\r': spl_sb_adds(sb, "\\r"); break;
        default: spl_sb_addc(sb, c);
        }
    }
    spl_sb_addc(sb, '"');
}

static void format_nested(Printer *p, Value v, int depth);
static void debug_value(Printer *p, Value v, int depth);

static void debug_items(Printer *p, const char *open, const Value *items, int64_t n, const char *close, int depth)
{
    spl_sb_adds(p->sb, open);
    for (int64_t i = 0; i < n; i++) {
        if (i)
            spl_sb_adds(p->sb, ", ");
        debug_value(p, items[i], depth + 1);
    }
    spl_sb_adds(p->sb, close);
}

static void debug_object(Printer *p, const Object *o, int depth)
{
    StrBuf *sb = p->sb;
    const TypeDef *t = o->type;
    if (on_path(p, o)) {
        spl_sb_adds(sb, "...");
        return;
    }
    p->path[p->npath++] = o; /* depth < MAX_PRINT_DEPTH bounds npath */
    spl_sb_adds(sb, "Object { class: ");
    debug_text(sb, t->name, strlen(t->name));
    spl_sb_adds(sb, ", fields: {");
    for (int64_t i = 0; i < o->n; i++) {
        spl_sb_adds(sb, i ? ", " : "");
        debug_text(sb, t->field_names[i], strlen(t->field_names[i]));
        spl_sb_adds(sb, ": ");
        debug_value(p, o->fields[i], depth + 1);
    }
    spl_sb_adds(sb, "} }");
    p->npath--;
}

static void debug_enum(Printer *p, const char *type, const char *variant, const Value *payload, int depth)
{
    spl_sb_printf(p->sb, "Enum { enum_name: \"%s\", variant: \"%s\", payload: ", type, variant);
    if (payload) {
        spl_sb_adds(p->sb, "Some(");
        debug_value(p, *payload, depth + 1);
        spl_sb_adds(p->sb, ")");
    } else {
        spl_sb_adds(p->sb, "None");
    }
    spl_sb_adds(p->sb, " }");
}

/* Values Simple's display hands to Rust's Debug, and the items inside them.
 * Each value printed is a step of the fuzz budget (interp.h): a shared
 * structure whose print is exponential in the script's size stops there. */
static void debug_value(Printer *p, Value v, int depth)
{
    StrBuf *sb = p->sb;
    if (depth >= MAX_PRINT_DEPTH || !SPL_FUZZ_STEP()) {
        spl_sb_adds(sb, "...");
        return;
    }
    switch ((ValueType)v.type) {
    case VT_NIL: spl_sb_adds(sb, "Nil"); return;
    case VT_BOOL: spl_sb_printf(sb, "Bool(%s)", v.as.b ? "true" : "false"); return;
    case VT_INT:
        spl_sb_add(sb, "Int(", 4);
        add_int(sb, v.as.i);
        spl_sb_addc(sb, ')');
        return;
    case VT_FLOAT:
        spl_sb_adds(sb, "Float(");
        debug_float(sb, v.as.f);
        spl_sb_adds(sb, ")");
        return;
    case VT_TEXT:
        spl_sb_adds(sb, "Str(");
        debug_text(sb, v.as.t->data, (size_t)v.as.t->len);
        spl_sb_adds(sb, ")");
        return;
    case VT_ARRAY: debug_items(p, "Array([", v.as.a->items, v.as.a->len, "])", depth); return;
    case VT_TUPLE: debug_items(p, "Tuple([", v.as.tu->items, v.as.tu->len, "])", depth); return;
    case VT_BYTES:
        spl_sb_adds(sb, "Array([");
        for (int64_t i = 0; i < v.as.by->len; i++) {
            if (!SPL_FUZZ_STEP()) { /* each byte prints as an item: a step, as in an array */
                spl_sb_adds(sb, i ? ", ..." : "...");
                break;
            }
            spl_sb_adds(sb, i ? ", Int(" : "Int(");
            add_int(sb, v.as.by->data[i]);
            spl_sb_addc(sb, ')');
        }
        spl_sb_adds(sb, "])");
        return;
    case VT_OBJECT: debug_object(p, v.as.o, depth); return;
    case VT_ENUM: debug_enum(p, v.as.td->name, v.as.td->variants[v.aux], NULL, depth); return;
    case VT_RESULT:
        debug_enum(p, "Result", v.as.r->is_err ? "Err" : "Ok", &v.as.r->v, depth);
        return;
    case VT_FUNC:
        spl_sb_printf(sb, "Function { name: \"%s\", .. }", v.as.fn->name);
        return;
    case VT_CLOSURE:
        spl_sb_adds(sb, "Lambda { params: [");
        for (int i = 0; i < v.as.cl->fn->nparams; i++)
            spl_sb_printf(sb, i ? ", \"%s\"" : "\"%s\"", v.as.cl->fn->params[i]);
        spl_sb_adds(sb, "], .. }");
        return;
    case VT_TYPE:
        if (v.as.td->kind == TD_ENUM)
            spl_sb_printf(sb, "EnumType { enum_name: \"%s\" }", v.as.td->name);
        else
            spl_sb_printf(sb, "Constructor { class_name: \"%s\" }", v.as.td->name);
        return;
    case VT_UNDEF: break;
    }
    spl_sb_adds(sb, "<undefined>");
}

void spl_format_value(StrBuf *sb, Value v, bool quoted)
{
    (void)quoted;
    Printer p = {.sb = sb, .npath = 0};
    format_nested(&p, v, 0);
}

static void display_items(Printer *p, char open, const Value *items, int64_t n, char close, int depth)
{
    StrBuf *sb = p->sb;
    if (depth >= MAX_PRINT_DEPTH) {
        spl_sb_adds(sb, open == '[' ? "[...]" : "(...)");
        return;
    }
    spl_sb_addc(sb, open);
    for (int64_t i = 0; i < n; i++) {
        if (i)
            spl_sb_add(sb, ", ", 2);
        format_nested(p, items[i], depth + 1);
    }
    spl_sb_addc(sb, close);
}

static void format_nested(Printer *p, Value v, int depth)
{
    StrBuf *sb = p->sb;
    char buf[400];
    if (!SPL_FUZZ_STEP()) {
        spl_sb_add(sb, "...", 3);
        return;
    }
    switch ((ValueType)v.type) {
    case VT_NIL: spl_sb_add(sb, "nil", 3); return;
    case VT_BOOL: spl_sb_adds(sb, v.as.b ? "true" : "false"); return;
    case VT_INT: add_int(sb, v.as.i); return;
    case VT_FLOAT:
        spl_format_float(buf, v.as.f);
        spl_sb_adds(sb, buf);
        return;
    case VT_TEXT: spl_sb_add(sb, v.as.t->data, (size_t)v.as.t->len); return;
    case VT_ARRAY: display_items(p, '[', v.as.a->items, v.as.a->len, ']', depth); return;
    case VT_TUPLE: display_items(p, '(', v.as.tu->items, v.as.tu->len, ')', depth); return;
    case VT_BYTES:
        spl_sb_addc(sb, '[');
        for (int64_t i = 0; i < v.as.by->len; i++) {
            if (i)
                spl_sb_add(sb, ", ", 2);
            if (!SPL_FUZZ_STEP()) { /* each byte prints as an item: a step, as in an array */
                spl_sb_add(sb, "...", 3);
                break;
            }
            add_int(sb, v.as.by->data[i]);
        }
        spl_sb_addc(sb, ']');
        return;
    default:
        debug_value(p, v, depth);
        return;
    }
}

const char *spl_value_type_name(Value v)
{
    switch ((ValueType)v.type) {
    case VT_OBJECT: return v.as.o->type->name;
    case VT_ENUM: return v.as.td->name;
    case VT_TYPE: return "type";
    case VT_FUNC:
    case VT_CLOSURE: return "function";
    case VT_RESULT: return "Result";
    case VT_NIL: return "nil";
    case VT_BOOL: return "bool";
    case VT_INT: return "int";
    case VT_FLOAT: return "float";
    case VT_TEXT: return "text";
    case VT_ARRAY: return "array";
    case VT_TUPLE: return "tuple";
    case VT_BYTES: return "bytes";
    case VT_UNDEF: break;
    }
    return "undefined";
}
