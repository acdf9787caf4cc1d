/* eval.c - expressions. */
#include <string.h>

#include "builtins.h"
#include "externs.h"
#include "format.h"
#include "interp.h"

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

bool spl_check_index(Interp *I, const Node *at, Value container, Value idx, int64_t *pos)
{
    if (container.type != VT_ARRAY)
        return spl_fail(I, at, "cannot index %s (only arrays can be indexed)", spl_value_type_name(container));
    if (idx.type != VT_INT)
        return spl_fail(I, at, "array index must be an int, got %s", spl_value_type_name(idx));
    if (idx.as.i < 0 || idx.as.i >= container.as.a->len)
        return spl_fail(I, at, "index %lld out of range for an array of length %lld", (long long)idx.as.i,
                       (long long)container.as.a->len);
    *pos = idx.as.i;
    return true;
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
    int64_t pos;
    bool ok = spl_check_index(I, n, a, b, &pos);
    if (ok) {
        *out = a.as.a->items[pos];
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
    value_release(v);
    return spl_fail(I, n, "cannot negate %s", spl_value_type_name(v));
}

bool spl_eval_bool(Interp *I, const Node *n, bool *out)
{
    Value v;
    if (!spl_eval(I, n, &v))
        return false;
    if (v.type != VT_BOOL) {
        value_release(v);
        return spl_fail(I, n, "expected a bool here, got %s", spl_value_type_name(v));
    }
    *out = v.as.b;
    return true;
}

static bool eval_binary(Interp *I, const Node *n, Value *out)
{
    Value a, b;
    if (!spl_eval(I, n->a, &a))
        return false;
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
    bool ok = spl_binop(I, n, (BinOp)n->op, a, b, out);
    value_release(a);
    value_release(b);
    return ok;
}

static bool eval_logic(Interp *I, const Node *n, Value *out)
{
    bool a, b;
    if (!spl_eval_bool(I, n->a, &a))
        return false;
    if (a == (n->kind == N_OR)) {
        *out = value_bool(a);
        return true;
    }
    if (!spl_eval_bool(I, n->b, &b))
        return false;
    *out = value_bool(b);
    return true;
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
    case N_INDEX:
        return eval_index(I, n, out);
    case N_INTERP:
        return eval_interp(I, n, out);
    case N_ARRAY:
        return eval_array(I, n, out);
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
        return eval_logic(I, n, out);
    default:
        return spl_fail(I, n, "internal error: node %d is not an expression", n->kind);
    }
}
