/* methods.c - built-in methods by receiver type (see methods.h). Text
 * methods work on bytes of UTF-8 (positions of slicing are code points:
 * eval.c); case mapping changes ASCII letters only. */
#include "methods.h"

#include <ctype.h>
#include <string.h>

#include "format.h"
#include "object.h"

#define TEXT_ARG(I, call, v, what)                                                                            \
    do {                                                                                                      \
        if ((v).type != VT_TEXT)                                                                              \
            return spl_fail(I, call, "%s() expects text, got %s", what, spl_value_type_name(v));              \
    } while (0)

static bool needs(Interp *I, const Node *call, Value self, ValueType type, const char *what)
{
    if (self.type == type)
        return true;
    return spl_fail(I, call, "%s has no method '%s' (it is a method of %s)", spl_value_type_name(self), call->name, what);
}

static Value text_value(const char *s, size_t len) { return value_text(spl_text_new(s, len)); }

/* ---- any receiver ---- */

static bool m_len(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)args, (void)nargs;
    switch (self.type) {
    case VT_TEXT: *out = value_int(spl_text_codepoints(self.as.t)); return true;
    case VT_ARRAY: *out = value_int(self.as.a->len); return true;
    case VT_TUPLE: *out = value_int(self.as.tu->len); return true;
    case VT_BYTES: *out = value_int(self.as.by->len); return true;
    default: return spl_fail(I, call, "%s has no method 'len'", spl_value_type_name(self));
    }
}

static bool m_is_empty(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    Value n;
    if (!m_len(I, call, self, args, nargs, &n))
        return false;
    *out = value_bool(n.as.i == 0);
    return true;
}

static bool m_to_string(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)I, (void)call, (void)args, (void)nargs;
    StrBuf sb = {0};
    spl_format_value(&sb, self, false);
    *out = text_value(sb.data ? sb.data : "", sb.len);
    spl_sb_free(&sb);
    return true;
}

/* ---- text ---- */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static bool trim_impl(Interp *I, const Node *call, Value self, Value *out, bool start, bool end)
{
    if (!needs(I, call, self, VT_TEXT, "text"))
        return false;
    const char *b = self.as.t->data, *e = b + self.as.t->len;
    while (start && b < e && is_space(*b))
        b++;
    while (end && e > b && is_space(e[-1]))
        e--;
    *out = text_value(b, (size_t)(e - b));
    return true;
}

static bool m_trim(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)args, (void)nargs;
    return trim_impl(I, call, self, out, true, true);
}

static bool m_trim_start(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)args, (void)nargs;
    return trim_impl(I, call, self, out, true, false);
}

static bool m_trim_end(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)args, (void)nargs;
    return trim_impl(I, call, self, out, false, true);
}

/* split(): the words between runs of white space; split(sep): the pieces between each sep. */
static bool m_split(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    if (!needs(I, call, self, VT_TEXT, "text"))
        return false;
    Array *a = spl_array_new(0);
    const char *p = self.as.t->data, *end = p + self.as.t->len;
    if (nargs == 0) {
        while (p < end) {
            while (p < end && is_space(*p))
                p++;
            const char *w = p;
            while (p < end && !is_space(*p))
                p++;
            if (p > w)
                spl_array_push(a, text_value(w, (size_t)(p - w)));
        }
        *out = value_array(a);
        return true;
    }
    if (args[0].type != VT_TEXT || args[0].as.t->len == 0) {
        value_release(value_array(a));
        return spl_fail(I, call, "split() expects a non-empty text separator, got %s",
                        args[0].type == VT_TEXT ? "\"\"" : spl_value_type_name(args[0]));
    }
    const Text *sep = args[0].as.t;
    for (;;) {
        const char *hit = p <= end ? strstr(p, sep->data) : NULL;
        if (!hit) {
            spl_array_push(a, text_value(p, (size_t)(end - p)));
            break;
        }
        spl_array_push(a, text_value(p, (size_t)(hit - p)));
        p = hit + sep->len;
    }
    *out = value_array(a);
    return true;
}

static bool m_contains(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)nargs;
    if (self.type == VT_ARRAY || self.type == VT_TUPLE || self.type == VT_BYTES) {
        *out = value_bool(spl_value_contains(self, args[0]));
        return true;
    }
    if (!needs(I, call, self, VT_TEXT, "text and arrays"))
        return false;
    TEXT_ARG(I, call, args[0], "contains");
    *out = value_bool(strstr(self.as.t->data, args[0].as.t->data) != NULL);
    return true;
}

static bool m_starts_with(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)nargs;
    if (!needs(I, call, self, VT_TEXT, "text"))
        return false;
    TEXT_ARG(I, call, args[0], "starts_with");
    const Text *t = self.as.t, *p = args[0].as.t;
    *out = value_bool(p->len <= t->len && memcmp(t->data, p->data, (size_t)p->len) == 0);
    return true;
}

static bool m_ends_with(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)nargs;
    if (!needs(I, call, self, VT_TEXT, "text"))
        return false;
    TEXT_ARG(I, call, args[0], "ends_with");
    const Text *t = self.as.t, *p = args[0].as.t;
    *out = value_bool(p->len <= t->len && memcmp(t->data + t->len - p->len, p->data, (size_t)p->len) == 0);
    return true;
}

/* replace(from, to): every occurrence, left to right; an empty `from` is an error. */
static bool m_replace(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)nargs;
    if (!needs(I, call, self, VT_TEXT, "text"))
        return false;
    TEXT_ARG(I, call, args[0], "replace");
    TEXT_ARG(I, call, args[1], "replace");
    const Text *from = args[0].as.t, *to = args[1].as.t;
    if (from->len == 0)
        return spl_fail(I, call, "replace(): the text to replace is empty");
    StrBuf sb = {0};
    const char *p = self.as.t->data;
    for (const char *hit; (hit = strstr(p, from->data)) != NULL; p = hit + from->len) {
        spl_sb_add(&sb, p, (size_t)(hit - p));
        spl_sb_add(&sb, to->data, (size_t)to->len);
    }
    spl_sb_adds(&sb, p);
    *out = text_value(sb.data ? sb.data : "", sb.len);
    spl_sb_free(&sb);
    return true;
}

static bool case_map(Interp *I, const Node *call, Value self, Value *out, int (*map)(int))
{
    if (!needs(I, call, self, VT_TEXT, "text"))
        return false;
    Text *t = spl_text_new(self.as.t->data, (size_t)self.as.t->len);
    for (int64_t i = 0; i < t->len; i++)
        if (!((unsigned char)t->data[i] & 0x80))
            t->data[i] = (char)map((unsigned char)t->data[i]);
    *out = value_text(t);
    return true;
}

static bool m_lower(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)args, (void)nargs;
    return case_map(I, call, self, out, tolower);
}

static bool m_upper(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)args, (void)nargs;
    return case_map(I, call, self, out, toupper);
}

/* ---- arrays ---- */

static bool m_join(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    if (!needs(I, call, self, VT_ARRAY, "arrays"))
        return false;
    if (nargs == 1)
        TEXT_ARG(I, call, args[0], "join");
    StrBuf sb = {0};
    const Array *a = self.as.a;
    for (int64_t i = 0; i < a->len; i++) {
        if (i && nargs == 1)
            spl_sb_add(&sb, args[0].as.t->data, (size_t)args[0].as.t->len);
        spl_format_value(&sb, a->items[i], false);
    }
    *out = text_value(sb.data ? sb.data : "", sb.len);
    spl_sb_free(&sb);
    return true;
}

static bool is_callable(Value v) { return v.type == VT_FUNC || v.type == VT_CLOSURE; }

/* map(f): f of each element. map(v) with v not a function: every element becomes v
 * (Simple's own `values.map("?")` builds SQL placeholders that way). */
static bool m_map(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)nargs;
    if (!needs(I, call, self, VT_ARRAY, "arrays"))
        return false;
    Value keep = self; /* the function may change the variable the array came from */
    value_retain(keep);
    const Array *a = keep.as.a;
    Array *r = spl_array_new(a->len);
    bool ok = true;
    for (int64_t i = 0; ok && i < a->len; i++) {
        Value v = args[0];
        if (is_callable(args[0]))
            ok = spl_call_value(I, call, args[0], &a->items[i], 1, &v);
        else
            value_retain(v);
        if (ok)
            r->items[r->len++] = v;
    }
    value_release(keep);
    if (!ok) {
        value_release(value_array(r));
        return false;
    }
    *out = value_array(r);
    return true;
}

static bool m_filter(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)nargs;
    if (!needs(I, call, self, VT_ARRAY, "arrays"))
        return false;
    if (!is_callable(args[0]))
        return spl_fail(I, call, "filter() expects a function, got %s", spl_value_type_name(args[0]));
    Value keep = self;
    value_retain(keep);
    const Array *a = keep.as.a;
    Array *r = spl_array_new(0);
    bool ok = true;
    for (int64_t i = 0; ok && i < a->len; i++) {
        Value keep_it;
        ok = spl_call_value(I, call, args[0], &a->items[i], 1, &keep_it);
        if (ok && keep_it.type != VT_BOOL) {
            ok = spl_fail(I, call, "filter(): the function returned %s, not a bool", spl_value_type_name(keep_it));
            value_release(keep_it);
        }
        if (ok && keep_it.as.b) {
            value_retain(a->items[i]);
            spl_array_push(r, a->items[i]);
        }
    }
    value_release(keep);
    if (!ok) {
        value_release(value_array(r));
        return false;
    }
    *out = value_array(r);
    return true;
}

/* ---- Result ---- */

static bool m_is_ok(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)args, (void)nargs;
    if (!needs(I, call, self, VT_RESULT, "Result (Ok/Err)"))
        return false;
    *out = value_bool(!self.as.r->is_err == (call->name[3] == 'o'));
    return true;
}

static bool m_unwrap(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    if (!needs(I, call, self, VT_RESULT, "Result (Ok/Err)"))
        return false;
    bool want_err = strcmp(call->name, "unwrap_err") == 0;
    if (self.as.r->is_err != want_err) {
        if (nargs == 1) { /* unwrap_or(default) */
            *out = args[0];
            value_retain(*out);
            return true;
        }
        StrBuf sb = {0};
        spl_format_value(&sb, self.as.r->v, false);
        spl_fail(I, call, "%s() on %s(%s)", call->name, self.as.r->is_err ? "Err" : "Ok", sb.data ? sb.data : "");
        spl_sb_free(&sb);
        return false;
    }
    *out = self.as.r->v;
    value_retain(*out);
    return true;
}

/* ---- arrays in place ---- */

static bool m_push(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out);
static bool m_pop(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out);

static const BuiltinMethod METHODS[] = {
    {"push", 1, 1, true, m_push},
    {"pop", 0, 0, true, m_pop},
    {"len", 0, 0, false, m_len},
    {"is_empty", 0, 0, false, m_is_empty},
    {"to_string", 0, 0, false, m_to_string},
    {"trim", 0, 0, false, m_trim},
    {"trim_start", 0, 0, false, m_trim_start},
    {"trim_end", 0, 0, false, m_trim_end},
    {"split", 0, 1, false, m_split},
    {"contains", 1, 1, false, m_contains},
    {"starts_with", 1, 1, false, m_starts_with},
    {"ends_with", 1, 1, false, m_ends_with},
    {"replace", 2, 2, false, m_replace},
    {"to_lowercase", 0, 0, false, m_lower},
    {"to_uppercase", 0, 0, false, m_upper},
    {"join", 0, 1, false, m_join},
    {"map", 1, 1, false, m_map},
    {"filter", 1, 1, false, m_filter},
    {"is_ok", 0, 0, false, m_is_ok},
    {"is_err", 0, 0, false, m_is_ok},
    {"unwrap", 0, 0, false, m_unwrap},
    {"unwrap_err", 0, 0, false, m_unwrap},
    {"unwrap_or", 1, 1, false, m_unwrap},
};

#define NMETHODS ((int)(sizeof METHODS / sizeof METHODS[0]))

int spl_method_find(const char *name, const BuiltinMethod **out)
{
    for (int i = 0; i < NMETHODS; i++) {
        if (strcmp(METHODS[i].name, name) == 0) {
            *out = &METHODS[i];
            return i;
        }
    }
    *out = NULL;
    return -1;
}

/* push and pop change the array in the receiver's variable, element or
 * field (spl_call_method); on any other expression they could only change
 * a copy that nobody sees, so that is an error rather than a silent no-op. */
static bool m_push(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    (void)self, (void)args, (void)nargs, (void)out;
    return spl_fail(I, call, "%s() changes an array in place: call it on a variable, an element a[i] or a "
                             "field a.f", call->name);
}

static bool m_pop(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out)
{
    return m_push(I, call, self, args, nargs, out);
}

static bool eval_method_args(Interp *I, const Node *call, const BuiltinMethod *m, Value *args)
{
    int n = call->list.n;
    if (n < m->min_args || n > m->max_args) {
        if (m->min_args == m->max_args)
            return spl_fail(I, call, "method '%s' takes %d argument%s, got %d", m->name, m->min_args,
                            m->min_args == 1 ? "" : "s", n);
        return spl_fail(I, call, "method '%s' takes %d to %d arguments, got %d", m->name, m->min_args,
                        m->max_args, n);
    }
    for (int i = 0; i < n; i++) {
        if (!spl_eval(I, call->list.items[i], &args[i])) {
            for (int j = 0; j < i; j++)
                value_release(args[j]);
            return false;
        }
    }
    return true;
}

static bool builtin_call(Interp *I, const Node *call, Value self, Value *out)
{
    if (call->op == METHOD_NONE)
        return spl_fail(I, call, "%s has no method '%s'", spl_value_type_name(self), call->name);
    const BuiltinMethod *m = &METHODS[call->op];
    Value args[METHOD_MAX_ARGS];
    if (!eval_method_args(I, call, m, args))
        return false;
    bool ok = m->fn(I, call, self, args, call->list.n, out);
    for (int i = 0; i < call->list.n; i++)
        value_release(args[i]);
    return ok;
}

bool spl_call_method_value(Interp *I, const Node *call, Value *out)
{
    Value self;
    if (!spl_eval(I, call->a, &self))
        return false;
    if (spl_has_user_methods(self)) {
        const Func *f = spl_find_method(I, call, self);
        if (!f) {
            value_release(self);
            return false;
        }
        if (f->is_method)
            return spl_call_with(I, f, NULL, &self, call, out);
        value_release(self); /* a static fn through a type value or an instance */
        return spl_call_with(I, f, NULL, NULL, call, out);
    }
    bool ok = builtin_call(I, call, self, out);
    value_release(self);
    return ok;
}

bool spl_call_method(Interp *I, const Node *call, Value *out)
{
    /* the argument first, then the receiver's slot: evaluating the argument
     * may change or move the array */
    Value arg = value_nil();
    int nargs = call->list.n;
    if (nargs > 1)
        return spl_fail(I, call, "method '%s' takes at most 1 argument, got %d", call->name, nargs);
    if (nargs == 1 && !spl_eval(I, call->list.items[0], &arg))
        return false;
    Value *slot;
    bool frozen;
    if (!spl_lvalue(I, call->a, call->slot, &slot, &frozen)) {
        value_release(arg);
        return false;
    }
    if (spl_has_user_methods(*slot)) {
        const Func *f = spl_find_method(I, call, *slot);
        Value self = *slot;
        value_retain(self);
        if (!f) {
            value_release(self);
            value_release(arg);
            return false;
        }
        if (!f->is_method)
            value_release(self);
        return spl_invoke(I, f, NULL, f->is_method ? &self : NULL, &arg, nargs, call, out);
    }
    bool push = call->op == 0;
    const char *problem = slot->type != VT_ARRAY ? "needs an array" : frozen ? "frozen" : NULL;
    if (!problem && nargs != (push ? 1 : 0))
        problem = "arity";
    if (problem) {
        value_release(arg);
        if (problem[0] == 'n')
            return spl_fail(I, call, "%s() needs an array, got %s", call->name, spl_value_type_name(*slot));
        if (problem[0] == 'f')
            return spl_fail(I, call, "cannot %s() on a val array (declared on line %d; use var for an array "
                                     "that changes)", call->name, call->slot);
        return spl_fail(I, call, "method '%s' takes %d argument%s, got %d", call->name, push, push ? "" : "s",
                        nargs);
    }
    Array *a = spl_array_unshare(slot);
    if (push) {
        spl_array_push(a, arg);
        *out = value_nil();
        return true;
    }
    if (a->len == 0)
        return spl_fail(I, call, "pop() from an empty array");
    *out = a->items[--a->len];
    return true;
}
