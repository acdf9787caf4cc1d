/* ops.c - binary operators on values. */
#include <math.h>
#include <string.h>

#include "format.h"
#include "interp.h"

static bool int_arith(Interp *I, const Node *at, BinOp op, int64_t a, int64_t b, Value *out)
{
    int64_t r = 0;
    bool overflow = false;
    switch (op) {
    case OP_ADD: overflow = __builtin_add_overflow(a, b, &r); break;
    case OP_SUB: overflow = __builtin_sub_overflow(a, b, &r); break;
    case OP_MUL: overflow = __builtin_mul_overflow(a, b, &r); break;
    case OP_DIV:
    case OP_MOD:
        if (b == 0)
            return spl_fail(I, at, op == OP_DIV ? "division by zero" : "modulo by zero");
        overflow = a == INT64_MIN && b == -1;
        if (!overflow)
            r = op == OP_DIV ? a / b : a % b;
        break;
    default: break;
    }
    if (overflow)
        return spl_fail(I, at, "integer overflow: %lld %s %lld does not fit in 64 bits",
                       (long long)a, spl_binop_symbol(op), (long long)b);
    *out = value_int(r);
    return true;
}

static bool float_arith(Interp *I, const Node *at, BinOp op, double a, double b, Value *out)
{
    double r = 0;
    switch (op) {
    case OP_ADD: r = a + b; break;
    case OP_SUB: r = a - b; break;
    case OP_MUL: r = a * b; break;
    case OP_DIV:
    case OP_MOD:
        if (b == 0)
            return spl_fail(I, at, op == OP_DIV ? "division by zero" : "modulo by zero");
        r = op == OP_DIV ? a / b : fmod(a, b);
        break;
    default: break;
    }
    *out = value_float(r);
    return true;
}

static int compare_numbers(Value a, Value b)
{
    if (a.type == VT_INT && b.type == VT_INT)
        return (a.as.i > b.as.i) - (a.as.i < b.as.i);
    double x = a.type == VT_INT ? (double)a.as.i : a.as.f;
    double y = b.type == VT_INT ? (double)b.as.i : b.as.f;
    return (x > y) - (x < y);
}

static int compare_texts(const Text *a, const Text *b)
{
    int64_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->data, b->data, (size_t)n);
    if (c != 0)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

static bool is_number(Value v) { return v.type == VT_INT || v.type == VT_FLOAT; }

static bool type_error(Interp *I, const Node *at, BinOp op, Value a, Value b)
{
    return spl_fail(I, at, "cannot apply '%s' to %s and %s", spl_binop_symbol(op),
                   spl_value_type_name(a), spl_value_type_name(b));
}

static bool ordering(Interp *I, const Node *at, BinOp op, Value a, Value b, Value *out)
{
    int c;
    if (is_number(a) && is_number(b)) {
        if ((a.type == VT_FLOAT && isnan(a.as.f)) || (b.type == VT_FLOAT && isnan(b.as.f))) {
            *out = value_bool(false);
            return true;
        }
        c = compare_numbers(a, b);
    } else if (a.type == VT_TEXT && b.type == VT_TEXT) {
        c = compare_texts(a.as.t, b.as.t);
    } else {
        return type_error(I, at, op, a, b);
    }
    bool r = op == OP_LT ? c < 0 : op == OP_LE ? c <= 0 : op == OP_GT ? c > 0 : c >= 0;
    *out = value_bool(r);
    return true;
}

static Value concat_arrays(const Array *a, const Array *b)
{
    Array *r = spl_array_new(a->len + b->len);
    for (int64_t i = 0; i < a->len; i++) {
        value_retain(a->items[i]);
        r->items[r->len++] = a->items[i];
    }
    for (int64_t i = 0; i < b->len; i++) {
        value_retain(b->items[i]);
        r->items[r->len++] = b->items[i];
    }
    return value_array(r);
}

bool spl_binop(Interp *I, const Node *at, BinOp op, Value a, Value b, Value *out)
{
    if (a.type == VT_INT && b.type == VT_INT && op <= OP_MOD)
        return int_arith(I, at, op, a.as.i, b.as.i, out);
    switch (op) {
    case OP_EQ:
    case OP_NE:
        *out = value_bool(spl_value_equal(a, b) == (op == OP_EQ));
        return true;
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        return ordering(I, at, op, a, b, out);
    default:
        break;
    }
    if (is_number(a) && is_number(b))
        return float_arith(I, at, op, a.type == VT_INT ? (double)a.as.i : a.as.f,
                           b.type == VT_INT ? (double)b.as.i : b.as.f, out);
    if (op == OP_ADD && a.type == VT_TEXT && b.type == VT_TEXT) {
        *out = value_text(spl_text_concat(a.as.t, b.as.t));
        return true;
    }
    if (op == OP_ADD && a.type == VT_ARRAY && b.type == VT_ARRAY) {
        *out = concat_arrays(a.as.a, b.as.a);
        return true;
    }
    return type_error(I, at, op, a, b);
}
