/* builtins.c - built-in functions and array methods (docs/language.md). */
#include "builtins.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

static bool bi_len(Interp *I, const Node *call, const Value *args, Value *out)
{
    if (args[0].type == VT_TEXT)
        *out = value_int(spl_text_codepoints(args[0].as.t));
    else if (args[0].type == VT_ARRAY)
        *out = value_int(args[0].as.a->len);
    else if (args[0].type == VT_TUPLE)
        *out = value_int(args[0].as.tu->len);
    else if (args[0].type == VT_BYTES)
        *out = value_int(args[0].as.by->len);
    else
        return spl_fail(I, call, "len() expects text, an array or a tuple, got %s", spl_value_type_name(args[0]));
    return true;
}

static bool bi_str(Interp *I, const Node *call, const Value *args, Value *out)
{
    (void)I, (void)call;
    if (args[0].type == VT_TEXT) {
        value_retain(args[0]);
        *out = args[0];
        return true;
    }
    StrBuf sb = {0};
    spl_format_value(&sb, args[0], false);
    *out = value_text(spl_text_new(sb.data, sb.len));
    spl_sb_free(&sb);
    return true;
}

static bool parse_int(const char *s, int64_t *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || *end != '\0')
        return false;
    *out = v;
    return true;
}

static bool bi_int(Interp *I, const Node *call, const Value *args, Value *out)
{
    Value v = args[0];
    switch (v.type) {
    case VT_INT: *out = v; return true;
    case VT_BOOL: *out = value_int(v.as.b); return true;
    case VT_FLOAT:
        if (isnan(v.as.f) || v.as.f >= 9223372036854775808.0 || v.as.f < -9223372036854775808.0)
            return spl_fail(I, call, "int(): %g does not fit in a 64-bit int", v.as.f);
        *out = value_int((int64_t)v.as.f);
        return true;
    case VT_TEXT: {
        int64_t i;
        if (!parse_int(v.as.t->data, &i))
            return spl_fail(I, call, "int(): \"%s\" is not a 64-bit integer", v.as.t->data);
        *out = value_int(i);
        return true;
    }
    default:
        return spl_fail(I, call, "int() cannot convert %s", spl_value_type_name(v));
    }
}

static bool bi_float(Interp *I, const Node *call, const Value *args, Value *out)
{
    Value v = args[0];
    if (v.type == VT_FLOAT || v.type == VT_INT) {
        *out = value_float(v.type == VT_INT ? (double)v.as.i : v.as.f);
        return true;
    }
    if (v.type == VT_TEXT) {
        char *end;
        const char *s = v.as.t->data;
        double f = strtod(s, &end);
        if (end != s && *end == '\0' && (*s == '-' || *s == '+' || *s == '.' || (*s >= '0' && *s <= '9'))) {
            *out = value_float(f);
            return true;
        }
        return spl_fail(I, call, "float(): \"%s\" is not a number", s);
    }
    return spl_fail(I, call, "float() cannot convert %s", spl_value_type_name(v));
}

static bool bi_type(Interp *I, const Node *call, const Value *args, Value *out)
{
    (void)I, (void)call;
    *out = value_text(spl_text_from_cstr(spl_value_type_name(args[0])));
    return true;
}

static bool bi_split(Interp *I, const Node *call, const Value *args, Value *out)
{
    if (args[0].type != VT_TEXT || args[1].type != VT_TEXT)
        return spl_fail(I, call, "split() expects (text, text), got (%s, %s)",
                       spl_value_type_name(args[0]), spl_value_type_name(args[1]));
    const Text *s = args[0].as.t, *sep = args[1].as.t;
    if (sep->len == 0)
        return spl_fail(I, call, "split(): the separator is empty");
    Array *a = spl_array_new(0);
    const char *p = s->data, *end = s->data + s->len;
    for (;;) {
        const char *hit = strstr(p, sep->data);
        if (!hit || hit > end) {
            spl_array_push(a, value_text(spl_text_new(p, (size_t)(end - p))));
            break;
        }
        spl_array_push(a, value_text(spl_text_new(p, (size_t)(hit - p))));
        p = hit + sep->len;
    }
    *out = value_array(a);
    return true;
}

static bool bi_join(Interp *I, const Node *call, const Value *args, Value *out)
{
    if (args[0].type != VT_ARRAY || args[1].type != VT_TEXT)
        return spl_fail(I, call, "join() expects (array, text), got (%s, %s)",
                       spl_value_type_name(args[0]), spl_value_type_name(args[1]));
    StrBuf sb = {0};
    const Array *a = args[0].as.a;
    for (int64_t i = 0; i < a->len; i++) {
        if (i)
            spl_sb_add(&sb, args[1].as.t->data, (size_t)args[1].as.t->len);
        spl_format_value(&sb, a->items[i], false);
    }
    *out = value_text(spl_text_new(sb.data ? sb.data : "", sb.len));
    spl_sb_free(&sb);
    return true;
}

/* Ok(v) and Err(e): the two forms of a Result. */
static bool bi_ok(Interp *I, const Node *call, const Value *args, Value *out)
{
    (void)I;
    value_retain(args[0]);
    *out = value_result(spl_result_new(call->name[0] == 'E', args[0]));
    return true;
}

static const Builtin BUILTINS[] = {
    {"len", 1, bi_len}, {"str", 1, bi_str}, {"int", 1, bi_int}, {"float", 1, bi_float},
    {"type", 1, bi_type}, {"split", 2, bi_split}, {"join", 2, bi_join},
    {"Ok", 1, bi_ok}, {"Err", 1, bi_ok},
};

int spl_builtin_find(const char *name)
{
    for (size_t i = 0; i < sizeof BUILTINS / sizeof BUILTINS[0]; i++)
        if (strcmp(BUILTINS[i].name, name) == 0)
            return (int)i;
    return -1;
}

const Builtin *spl_builtin_get(int id) { return &BUILTINS[id]; }

bool spl_call_builtin(Interp *I, const Node *call, Value *out)
{
    const Builtin *b = &BUILTINS[call->slot];
    Value args[BUILTIN_MAX_ARGS];
    int n = 0;
    bool ok = true;
    for (; n < call->list.n; n++) {
        if (!spl_eval(I, call->list.items[n], &args[n])) {
            ok = false;
            break;
        }
    }
    if (ok)
        ok = b->fn(I, call, args, out);
    for (int i = 0; i < n; i++)
        value_release(args[i]);
    return ok;
}

