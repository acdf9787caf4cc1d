/* eval.c - expressions. */
#include <string.h>

#include "builtins.h"
#include "format.h"
#include "interp.h"
#include "marshal.h"
#include "methods.h"
#include "object.h"

static bool read_global(Interp *I, const Node *n, Value *out)
{
    Value v = I->globals[n->slot];
    if (v.type == VT_UNDEF)
        return spl_fail(I, n, "global '%s' is used before its definition ran (line %d)",
                       I->prog->globals[n->slot].name, I->prog->globals[n->slot].line);
    value_retain(v);
    *out = v;
    return true;
}

static bool eval_interp(Interp *I, const Node *n, Value *out)
{
    StrBuf sb = {0};
    for (int i = 0; i < n->list.n; i++) {
        const Node *part = n->list.items[i];
        if (part->kind == N_CONST && part->value.type == VT_TEXT) {
            spl_sb_add(&sb, part->value.as.t->data, (size_t)part->value.as.t->len);
            continue;
        }
        Value v;
        if (!spl_eval(I, part, &v)) {
            spl_sb_free(&sb);
            return false;
        }
        spl_format_value(&sb, v, false);
        value_release(v);
    }
    *out = value_text(spl_text_new(sb.data ? sb.data : "", sb.len));
    spl_sb_free(&sb);
    return true;
}

static bool eval_array(Interp *I, const Node *n, Value *out)
{
    Array *a = spl_array_new(n->list.n);
    for (int i = 0; i < n->list.n; i++) {
        if (!spl_eval(I, n->list.items[i], &a->items[i])) {
            value_release(value_array(a));
            return false;
        }
        a->len++;
    }
    *out = value_array(a);
    return true;
}

static bool eval_tuple(Interp *I, const Node *n, Value *out)
{
    Tuple *t = spl_tuple_new(n->list.n);
    for (int i = 0; i < n->list.n; i++) {
        if (!spl_eval(I, n->list.items[i], &t->items[i])) {
            value_release(value_tuple(t));
            return false;
        }
    }
    *out = value_tuple(t);
    return true;
}

static bool check_position(Interp *I, const Node *at, const char *what, int64_t len, Value idx, int64_t *pos)
{
    if (idx.type != VT_INT)
        return spl_fail(I, at, "%s index must be an int, got %s", what, spl_value_type_name(idx));
    if (idx.as.i < 0 || idx.as.i >= len)
        return spl_fail(I, at, "index %lld out of range for %s %s of length %lld", (long long)idx.as.i,
                        what[0] == 'a' ? "an" : "a", what, (long long)len);
    *pos = idx.as.i;
    return true;
}

bool spl_check_index(Interp *I, const Node *at, Value container, Value idx, int64_t *pos)
{
    if (container.type == VT_TUPLE)
        return spl_fail(I, at, "cannot change an element of a tuple (tuples are immutable)");
    if (container.type == VT_BYTES)
        return spl_fail(I, at, "cannot change an element of bytes (bytes are immutable; "
                               "copy them into an array: for b in bytes: arr.push(b))");
    if (container.type != VT_ARRAY)
        return spl_fail(I, at, "cannot index %s (only arrays and tuples can be indexed)",
                        spl_value_type_name(container));
    return check_position(I, at, "array", container.as.a->len, idx, pos);
}

/* The element `idx` of an array or tuple (a borrowed value), or NULL after an error. */
static const Value *element(Interp *I, const Node *at, Value container, Value idx)
{
    int64_t pos;
    if (container.type == VT_TUPLE)
        return check_position(I, at, "tuple", container.as.tu->len, idx, &pos) ? &container.as.tu->items[pos] : NULL;
    if (container.type != VT_ARRAY) {
        spl_fail(I, at, "cannot index %s (only arrays and tuples can be indexed)", spl_value_type_name(container));
        return NULL;
    }
    return check_position(I, at, "array", container.as.a->len, idx, &pos) ? &container.as.a->items[pos] : NULL;
}

static bool eval_index(Interp *I, const Node *n, Value *out)
{
    Value a, b;
    if (!spl_eval(I, n->a, &a))
        return false;
    if (!spl_eval(I, n->b, &b)) {
        value_release(a);
        return false;
    }
    if (a.type == VT_TEXT) {
        int64_t pos;
        bool ok = check_position(I, n, "text", spl_text_codepoints(a.as.t), b, &pos);
        if (ok) {
            size_t from = spl_text_offset(a.as.t, pos), to = spl_text_offset(a.as.t, pos + 1);
            *out = value_text(spl_text_new(a.as.t->data + from, to - from));
        }
        value_release(a);
        value_release(b);
        return ok;
    }
    if (a.type == VT_BYTES) {
        int64_t pos;
        bool ok = check_position(I, n, "bytes value", a.as.by->len, b, &pos);
        if (ok)
            *out = value_int(a.as.by->data[pos]);
        value_release(a);
        value_release(b);
        return ok;
    }
    const Value *item = element(I, n, a, b);
    bool ok = item != NULL;
    if (ok) {
        *out = *item;
        value_retain(*out);
    }
    value_release(a);
    value_release(b);
    return ok;
}

static bool eval_neg(Interp *I, const Node *n, Value *out)
{
    Value v;
    if (!spl_eval(I, n->a, &v))
        return false;
    if (v.type == VT_INT) {
        if (v.as.i == INT64_MIN)
            return spl_fail(I, n, "integer overflow: -(%lld) does not fit in 64 bits", (long long)v.as.i);
        *out = value_int(-v.as.i);
        return true;
    }
    if (v.type == VT_FLOAT) {
        *out = value_float(-v.as.f);
        return true;
    }
    /* the message names the value's type: fail before releasing it */
    bool failed = spl_fail(I, n, "cannot negate %s", spl_value_type_name(v));
    value_release(v);
    return failed;
}

bool spl_eval_bool(Interp *I, const Node *n, bool *out)
{
    Value v;
    if (!spl_eval(I, n, &v))
        return false;
    if (v.type != VT_BOOL) {
        /* the message names the value's type: fail before releasing it */
        bool failed = spl_fail(I, n, "expected a bool here, got %s", spl_value_type_name(v));
        value_release(v);
        return failed;
    }
    *out = v.as.b;
    return true;
}

/* `a op n->b` for a binary node; takes over the reference of `a`. */
static bool binary_step(Interp *I, const Node *n, Value a, Value *out)
{
    Value b;
    if (!spl_eval(I, n->b, &b)) {
        value_release(a);
        return false;
    }
    if (a.type == VT_INT && b.type == VT_INT) {
        int64_t r;
        switch (n->op) {
        case OP_ADD:
            if (__builtin_add_overflow(a.as.i, b.as.i, &r))
                break;
            *out = value_int(r);
            return true;
        case OP_SUB:
            if (__builtin_sub_overflow(a.as.i, b.as.i, &r))
                break;
            *out = value_int(r);
            return true;
        case OP_LT: *out = value_bool(a.as.i < b.as.i); return true;
        case OP_LE: *out = value_bool(a.as.i <= b.as.i); return true;
        case OP_GT: *out = value_bool(a.as.i > b.as.i); return true;
        case OP_GE: *out = value_bool(a.as.i >= b.as.i); return true;
        case OP_EQ: *out = value_bool(a.as.i == b.as.i); return true;
        case OP_NE: *out = value_bool(a.as.i != b.as.i); return true;
        default: break;
        }
    }
    if (n->op == OP_ADD && a.type == VT_TEXT && b.type == VT_TEXT && a.as.t->rc == 1) {
        /* a temporary (an earlier + of a chain): grow it in place, so a chain
         * of n concatenations costs O(total length), not O(n^2) */
        spl_text_append(&a, b.as.t->data, (size_t)b.as.t->len);
        value_release(b);
        *out = a;
        return true;
    }
    bool ok = spl_binop(I, n, (BinOp)n->op, a, b, out);
    value_release(a);
    value_release(b);
    return ok;
}

/* `a and n->b` / `a or n->b`; `a` was computed by `left` (where a non-bool is reported). */
static bool logic_step(Interp *I, const Node *n, const Node *left, Value a, Value *out)
{
    if (a.type != VT_BOOL) {
        /* the message names the value's type: fail before releasing it */
        bool failed = spl_fail(I, left, "expected a bool here, got %s", spl_value_type_name(a));
        value_release(a);
        return failed;
    }
    if (a.as.b == (n->kind == N_OR)) {
        *out = a;
        return true;
    }
    bool b;
    if (!spl_eval_bool(I, n->b, &b))
        return false;
    *out = value_bool(b);
    return true;
}

static bool eval_binary(Interp *I, const Node *n, Value *out)
{
    Value a;
    if (!spl_eval(I, n->a, &a))
        return false;
    return n->kind == N_BINARY ? binary_step(I, n, a, out) : logic_step(I, n, n->a, a, out);
}

/* A left-associative chain: the first operand, then each step in a loop. */
static bool eval_chain(Interp *I, const Node *n, Value *out)
{
    Value acc;
    if (!spl_eval(I, n->list.items[0], &acc))
        return false;
    for (int i = 1; i < n->list.n; i++) {
        const Node *step = n->list.items[i];
        bool ok = step->kind == N_BINARY ? binary_step(I, step, acc, &acc)
                                         : logic_step(I, step, n->list.items[i - 1], acc, &acc);
        if (!ok)
            return false;
    }
    *out = acc;
    return true;
}

/* A bound of a slice: an int, negative from the end, clamped to 0..len. */
static bool slice_bound(Interp *I, const Node *e, int64_t len, int64_t dflt, int64_t *out)
{
    if (!e) {
        *out = dflt;
        return true;
    }
    Value v;
    if (!spl_eval(I, e, &v))
        return false;
    if (v.type != VT_INT) {
        /* the message names the value's type: fail before releasing it */
        bool failed = spl_fail(I, e, "a slice bound must be an int, got %s", spl_value_type_name(v));
        value_release(v);
        return failed;
    }
    int64_t i = v.as.i < 0 ? v.as.i + len : v.as.i;
    *out = i < 0 ? 0 : i > len ? len : i;
    return true;
}

/* a[b:c] of text (code points), an array or a tuple (a new array): Python's rules. */
static bool eval_slice(Interp *I, const Node *n, Value *out)
{
    Value a;
    if (!spl_eval(I, n->a, &a))
        return false;
    int64_t len = a.type == VT_TEXT ? spl_text_codepoints(a.as.t) : a.type == VT_ARRAY ? a.as.a->len
                : a.type == VT_TUPLE ? a.as.tu->len : -1;
    int64_t lo, hi;
    bool ok = len >= 0 ? true : spl_fail(I, n, "cannot slice %s (only text, arrays and tuples)", spl_value_type_name(a));
    ok = ok && slice_bound(I, n->b, len, 0, &lo) && slice_bound(I, n->c, len, len, &hi);
    if (ok && hi < lo)
        hi = lo;
    if (ok && a.type == VT_TEXT) {
        size_t from = spl_text_offset(a.as.t, lo), to = spl_text_offset(a.as.t, hi);
        *out = value_text(spl_text_new(a.as.t->data + from, to - from));
    } else if (ok) {
        const Value *items = a.type == VT_ARRAY ? a.as.a->items : a.as.tu->items;
        Array *r = spl_array_new(hi - lo);
        for (int64_t i = lo; i < hi; i++) {
            value_retain(items[i]);
            r->items[r->len++] = items[i];
        }
        *out = value_array(r);
    }
    value_release(a);
    return ok;
}

/* x in a: an element of an array, tuple or bytes; a piece of a text. */
static bool eval_in(Interp *I, const Node *n, Value *out)
{
    Value x, a;
    if (!spl_eval(I, n->a, &x))
        return false;
    if (!spl_eval(I, n->b, &a)) {
        value_release(x);
        return false;
    }
    bool ok = true, found = false;
    if (a.type == VT_TEXT && x.type == VT_TEXT)
        found = strstr(a.as.t->data, x.as.t->data) != NULL;
    else if (a.type == VT_ARRAY || a.type == VT_TUPLE || a.type == VT_BYTES)
        found = spl_value_contains(a, x);
    else
        ok = spl_fail(I, n, "cannot look for %s in %s ('in' needs an array, a tuple, or text in text)",
                      spl_value_type_name(x), spl_value_type_name(a));
    value_release(x);
    value_release(a);
    if (ok)
        *out = value_bool(found != n->flag);
    return ok;
}

static bool eval_coalesce(Interp *I, const Node *n, Value *out)
{
    for (int i = 0; i < n->list.n; i++) {
        if (!spl_eval(I, n->list.items[i], out))
            return false;
        if (out->type != VT_NIL || i == n->list.n - 1)
            return true;
    }
    return true;
}

/* A lambda: the function and, when it uses locals around it, their values now. */
static bool eval_lambda(Interp *I, const Node *n, Value *out)
{
    if (n->list.n == 0) {
        *out = value_func(n->target);
        return true;
    }
    Closure *c = spl_closure_new(n->target, n->list.n);
    for (int i = 0; i < n->list.n; i++) {
        c->caps[i] = I->fp[n->list.items[i]->slot];
        value_retain(c->caps[i]);
    }
    *out = value_closure(c);
    return true;
}

static bool eval_call_value(Interp *I, const Node *n, Value *out)
{
    Value fn;
    if (!spl_eval(I, n->a, &fn))
        return false;
    const Closure *cl = fn.type == VT_CLOSURE ? fn.as.cl : NULL;
    const Func *f = cl ? cl->fn : fn.type == VT_FUNC ? fn.as.fn : NULL;
    bool ok;
    if (!f || f->is_method)
        ok = spl_fail(I, n, "'%s' is %s, not a function", n->name ? n->name : "this value", spl_value_type_name(fn));
    else
        ok = spl_call_with(I, f, cl, NULL, n, out);
    value_release(fn); /* held during the call: the closure's captures live in it */
    return ok;
}

bool spl_eval(Interp *I, const Node *n, Value *out)
{
    if (!SPL_FUZZ_STEP())
        return spl_fail(I, n, "fuzz budget used up");
    switch ((NodeKind)n->kind) {
    case N_CONST:
        *out = n->value;
        value_retain(*out);
        return true;
    case N_LOCAL:
        *out = I->fp[n->slot];
        value_retain(*out);
        return true;
    case N_GLOBAL:
        return read_global(I, n, out);
    case N_BINARY:
        return eval_binary(I, n, out);
    case N_CALL_EXTERN:
        return spl_call_extern(I, n, out);
    case N_CALL_FN:
        return spl_call_function(I, n, out);
    case N_CALL_BUILTIN:
        return spl_call_builtin(I, n, out);
    case N_METHOD:
        return spl_call_method(I, n, out);
    case N_CALL_METHOD:
        return spl_call_method_value(I, n, out);
    case N_FIELD:
        if (n->a->kind == N_LOCAL) { /* self.x: no reference taken on self */
            Value o = I->fp[n->a->slot];
            if (o.type == VT_OBJECT && n->cache_type == o.as.o->type) {
                *out = o.as.o->fields[n->cache_slot];
                value_retain(*out);
                return true;
            }
        }
        return spl_eval_field(I, n, out);
    case N_NEW:
        return spl_eval_new(I, n, out);
    case N_CALL_VALUE:
        return eval_call_value(I, n, out);
    case N_LAMBDA:
        return eval_lambda(I, n, out);
    case N_CAPTURE:
        *out = I->closure->caps[n->slot];
        value_retain(*out);
        return true;
    case N_SLICE:
        return eval_slice(I, n, out);
    case N_IN:
        return eval_in(I, n, out);
    case N_COALESCE:
        return eval_coalesce(I, n, out);
    case N_INDEX:
        return eval_index(I, n, out);
    case N_INTERP:
        return eval_interp(I, n, out);
    case N_ARRAY:
        return eval_array(I, n, out);
    case N_TUPLE:
        return eval_tuple(I, n, out);
    case N_NEG:
        return eval_neg(I, n, out);
    case N_NOT: {
        bool b;
        if (!spl_eval_bool(I, n->a, &b))
            return false;
        *out = value_bool(!b);
        return true;
    }
    case N_AND:
    case N_OR:
        return eval_binary(I, n, out);
    case N_CHAIN:
        return eval_chain(I, n, out);
    case N_BLOCK_EXPR:
        return spl_eval_block(I, n, out);
    default:
        return spl_fail(I, n, "internal error: node %d is not an expression", n->kind);
    }
}
