/* interp.c - statements, calls, assignment and the run of a program. */
#include "interp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "types.h"

#define MAX_INDEX_CHAIN 64
#define MAX_TRACE_LINES 20

typedef enum Flow { FLOW_NORMAL, FLOW_BREAK, FLOW_CONTINUE, FLOW_RETURN, FLOW_ERROR } Flow;

static Flow exec_block(Interp *I, const Node *block);

bool spl_fail(Interp *I, const Node *at, const char *fmt, ...)
{
    if (I->err_msg || I->exiting)
        return false;
    StrBuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    spl_sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    I->err_msg = spl_sb_take(&sb);
    I->err_line = at->line;
    I->err_col = at->col;
    I->err_src = I->src;
    return false;
}

/* ---- assignment ---- */

static bool variable(Interp *I, const Node *n, Value **out)
{
    if (n->kind == N_LOCAL) {
        *out = &I->fp[n->slot];
        return true;
    }
    Value *g = &I->globals[n->slot];
    if (g->type == VT_UNDEF)
        return spl_fail(I, n, "global '%s' is used before its definition ran (line %d)",
                       I->prog->globals[n->slot].name, I->prog->globals[n->slot].line);
    *out = g;
    return true;
}

static bool frozen_error(Interp *I, const Node *at, const Node *root, int line, const char *what)
{
    return spl_fail(I, at, "cannot change %s of '%s': it is a val (declared on line %d; use var, or a class "
                           "instance, which is shared)", what, root->name ? root->name : "?", line);
}

/* One step of an lvalue chain: the element or field `step` of `*slot`. */
static bool lvalue_step(Interp *I, const Node *step, Value idx, Value **slot, bool *frozen, const Node *root,
                        int frozen_line)
{
    if (step->kind == N_INDEX) {
        int64_t pos;
        if (*frozen)
            return frozen_error(I, step, root, frozen_line, "an element");
        if (!spl_check_index(I, step, **slot, idx, &pos))
            return false;
        *slot = &spl_array_unshare(*slot)->items[pos];
        return true;
    }
    if ((*slot)->type != VT_OBJECT)
        return spl_fail(I, step, "%s has no field '%s'", spl_value_type_name(**slot), step->name);
    Object *o = (*slot)->as.o;
    int i = spl_field_index(step, o);
    if (i < 0)
        return spl_fail(I, step, "%s has no field '%s'", o->type->name, step->name);
    if (o->is_class) {
        *frozen = false; /* a reference: changing the instance is not changing the variable */
    } else {
        if (*frozen)
            return frozen_error(I, step, root, frozen_line, "a field");
        o = spl_object_unshare(*slot);
    }
    *slot = &o->fields[i];
    return true;
}

/* Every index of the chain is evaluated before any storage is touched, so a
 * call inside an index cannot move the element under our feet. */
bool spl_lvalue(Interp *I, const Node *target, int frozen_line, Value **out, bool *frozen)
{
    *frozen = frozen_line > 0;
    if (target->kind == N_LOCAL) { /* the common case: x = v, x += v */
        *out = &I->fp[target->slot];
        return true;
    }
    if (target->kind == N_GLOBAL)
        return variable(I, target, out);
    if (target->kind == N_FIELD && target->a->kind == N_LOCAL) { /* self.x = v on a class instance */
        Value *v = &I->fp[target->a->slot];
        if (v->type == VT_OBJECT && v->as.o->is_class && target->cache_type == v->as.o->type) {
            *out = &v->as.o->fields[target->cache_slot];
            *frozen = false;
            return true;
        }
    }
    const Node *chain[MAX_INDEX_CHAIN];
    Value idx[MAX_INDEX_CHAIN];
    int n = 0;
    const Node *root = target;
    for (; root->kind == N_INDEX || root->kind == N_FIELD; root = root->a) {
        if (n == MAX_INDEX_CHAIN)
            return spl_fail(I, target, "element assignment nested too deeply");
        idx[n] = value_nil();
        chain[n++] = root;
    }
    for (int k = n - 1; k >= 0; k--) {
        if (chain[k]->kind == N_INDEX && !spl_eval(I, chain[k]->b, &idx[k])) {
            for (int j = n - 1; j > k; j--)
                value_release(idx[j]);
            return false;
        }
    }
    Value *slot = NULL;
    bool ok = variable(I, root, &slot);
    for (int k = n - 1; ok && k >= 0; k--)
        ok = lvalue_step(I, chain[k], idx[k], &slot, frozen, root, frozen_line);
    for (int k = 0; k < n; k++)
        value_release(idx[k]);
    if (ok)
        *out = slot;
    return ok;
}

static bool exec_assign(Interp *I, const Node *n)
{
    Value rhs, *slot;
    bool frozen;
    if (!spl_eval(I, n->b, &rhs))
        return false;
    if (!spl_lvalue(I, n->a, n->slot, &slot, &frozen)) {
        value_release(rhs);
        return false;
    }
    if (n->op == OP_NONE) {
        value_release(*slot);
        *slot = rhs;
        return true;
    }
    if (n->op == OP_ADD && slot->type == VT_TEXT && rhs.type == VT_TEXT) {
        spl_text_append(slot, rhs.as.t->data, (size_t)rhs.as.t->len); /* in place when unshared */
        value_release(rhs);
        return true;
    }
    Value result;
    bool ok = spl_binop(I, n, (BinOp)n->op, *slot, rhs, &result);
    value_release(rhs);
    if (ok) {
        value_release(*slot);
        *slot = result;
    }
    return ok;
}

/* ---- statements ---- */

static bool exec_print(Interp *I, const Node *n)
{
    FILE *out = n->flag ? stderr : stdout;
    if (n->flag)
        fflush(stdout);
    if (!n->a) {
        fputc('\n', out);
        return true;
    }
    Value v;
    if (!spl_eval(I, n->a, &v))
        return false;
    if (v.type == VT_TEXT) {
        fwrite(v.as.t->data, 1, (size_t)v.as.t->len, out);
    } else {
        StrBuf sb = {0};
        spl_format_value(&sb, v, false);
        fwrite(sb.data, 1, sb.len, out);
        spl_sb_free(&sb);
    }
    fputc('\n', out);
    value_release(v);
    return true;
}

static bool exec_decl(Interp *I, const Node *n)
{
    Value v;
    if (!spl_eval(I, n->a, &v))
        return false;
    if (n->target && !spl_type_accepts(n->target, &v)) {
        spl_fail(I, n, "%s %s is declared %s, got %s", n->flag ? "val" : "var", n->name,
                 ((const TypeRef *)n->target)->spelling, spl_value_type_name(v));
        value_release(v);
        return false;
    }
    Value *slot = n->global ? &I->globals[n->slot] : &I->fp[n->slot];
    value_release(*slot);
    *slot = v;
    return true;
}

/* Binds the items of tuple `v` (borrowed) to the names of `pat`, nested patterns first-to-last. */
static bool bind_pattern(Interp *I, const Node *pat, Value v)
{
    if (v.type != VT_TUPLE)
        return spl_fail(I, pat, "cannot destructure %s: the pattern needs a tuple of %d element%s",
                        spl_value_type_name(v), pat->list.n, pat->list.n == 1 ? "" : "s");
    if (v.as.tu->len != pat->list.n)
        return spl_fail(I, pat, "cannot destructure a tuple of %lld element%s into a pattern of %d",
                        (long long)v.as.tu->len, v.as.tu->len == 1 ? "" : "s", pat->list.n);
    for (int i = 0; i < pat->list.n; i++) {
        const Node *item = pat->list.items[i];
        Value x = v.as.tu->items[i];
        if (item->kind == N_PATTERN) {
            if (!bind_pattern(I, item, x))
                return false;
        } else if (item->name) {
            Value *slot = item->global ? &I->globals[item->slot] : &I->fp[item->slot];
            value_retain(x);
            value_release(*slot);
            *slot = x;
        }
    }
    return true;
}

static bool exec_destruct(Interp *I, const Node *n)
{
    Value v;
    if (!spl_eval(I, n->a, &v))
        return false;
    bool ok = bind_pattern(I, n->b, v);
    value_release(v);
    return ok;
}

static Flow exec_if(Interp *I, const Node *n)
{
    for (int i = 0; i < n->list.n; i += 2) {
        bool c;
        if (!spl_eval_bool(I, n->list.items[i], &c))
            return FLOW_ERROR;
        if (c)
            return exec_block(I, n->list.items[i + 1]);
    }
    return n->c ? exec_block(I, n->c) : FLOW_NORMAL;
}

/* Maps the flow out of a loop body: break ends the loop, continue goes on. */
static bool loop_goes_on(Flow f, Flow *result)
{
    if (f == FLOW_NORMAL || f == FLOW_CONTINUE)
        return true;
    *result = f == FLOW_BREAK ? FLOW_NORMAL : f;
    return false;
}

static Flow exec_while(Interp *I, const Node *n)
{
    Flow result = FLOW_NORMAL;
    for (;;) {
        bool c;
        if (!spl_eval_bool(I, n->a, &c))
            return FLOW_ERROR;
        if (!c || !loop_goes_on(exec_block(I, n->b), &result))
            return result;
    }
}

static Flow exec_for_range(Interp *I, const Node *n)
{
    Value lo, hi;
    if (!spl_eval(I, n->a, &lo))
        return FLOW_ERROR;
    if (!spl_eval(I, n->b, &hi)) {
        value_release(lo);
        return FLOW_ERROR;
    }
    if (lo.type != VT_INT || hi.type != VT_INT) {
        const Node *at = lo.type != VT_INT ? n->a : n->b;
        Value bad = lo.type != VT_INT ? lo : hi;
        spl_fail(I, at, "a range needs int bounds, got %s", spl_value_type_name(bad));
        value_release(lo);
        value_release(hi);
        return FLOW_ERROR;
    }
    Flow result = FLOW_NORMAL;
    value_release(I->fp[n->slot]); /* the slot may hold a value of an earlier block */
    I->fp[n->slot] = value_nil();
    for (int64_t i = lo.as.i; i < hi.as.i; i++) {
        I->fp[n->slot] = value_int(i);
        if (!loop_goes_on(exec_block(I, n->c), &result))
            break;
    }
    return result;
}

static Flow exec_for_bytes(Interp *I, const Node *n, Value seq)
{
    Flow result = FLOW_NORMAL;
    for (int64_t i = 0; i < seq.as.by->len; i++) {
        Value *slot = &I->fp[n->slot];
        value_release(*slot);
        *slot = value_int(seq.as.by->data[i]);
        if (!loop_goes_on(exec_block(I, n->c), &result))
            break;
    }
    value_release(seq);
    return result;
}

static Flow exec_for_each(Interp *I, const Node *n)
{
    Value seq;
    if (!spl_eval(I, n->a, &seq))
        return FLOW_ERROR;
    if (seq.type == VT_BYTES)
        return exec_for_bytes(I, n, seq);
    if (seq.type != VT_ARRAY) {
        spl_fail(I, n->a, "for ... in needs an array or a range a..b, got %s", spl_value_type_name(seq));
        value_release(seq);
        return FLOW_ERROR;
    }
    /* We hold a reference: changes to the variable in the body copy the
     * array (copy on write), so the loop walks the array as it was. */
    Flow result = FLOW_NORMAL;
    const Array *a = seq.as.a;
    for (int64_t i = 0; i < a->len; i++) {
        Value *slot = &I->fp[n->slot];
        value_release(*slot);
        *slot = a->items[i];
        value_retain(*slot);
        if (!loop_goes_on(exec_block(I, n->c), &result))
            break;
    }
    value_release(seq);
    return result;
}

/* Whether `v` (borrowed) fits the case's pattern; binds Ok(x)/Err(x). */
static bool case_matches(Interp *I, const Node *cs, Value v)
{
    const Node *pat = cs->a;
    switch ((NodeKind)pat->kind) {
    case N_PAT_ANY: return true;
    case N_PAT_VALUE: return spl_value_equal(v, pat->a->value);
    case N_PAT_RESULT:
        if (v.type != VT_RESULT || v.as.r->is_err != pat->flag)
            return false;
        if (cs->slot >= 0) {
            value_release(I->fp[cs->slot]);
            I->fp[cs->slot] = v.as.r->v;
            value_retain(v.as.r->v);
        }
        return true;
    default: return false;
    }
}

/* The first case whose pattern fits runs; none fitting does nothing. */
static Flow exec_match(Interp *I, const Node *n)
{
    Value v;
    if (!spl_eval(I, n->a, &v))
        return FLOW_ERROR;
    for (int i = 0; i < n->list.n; i++) {
        const Node *cs = n->list.items[i];
        if (case_matches(I, cs, v)) {
            value_release(v);
            return exec_block(I, cs->b);
        }
    }
    value_release(v);
    return FLOW_NORMAL;
}

static Flow exec_stmt(Interp *I, const Node *n)
{
    Value v;
    if (!SPL_FUZZ_STEP())
        return spl_fail(I, n, "fuzz budget used up"), FLOW_ERROR;
    switch ((NodeKind)n->kind) {
    case N_EXPR_STMT:
        if (!spl_eval(I, n->a, &v))
            return FLOW_ERROR;
        value_release(v);
        return FLOW_NORMAL;
    case N_ASSIGN: return exec_assign(I, n) ? FLOW_NORMAL : FLOW_ERROR;
    case N_DECL: return exec_decl(I, n) ? FLOW_NORMAL : FLOW_ERROR;
    case N_DESTRUCT: return exec_destruct(I, n) ? FLOW_NORMAL : FLOW_ERROR;
    case N_PRINT: return exec_print(I, n) ? FLOW_NORMAL : FLOW_ERROR;
    case N_IF: return exec_if(I, n);
    case N_WHILE: return exec_while(I, n);
    case N_FOR_RANGE: return exec_for_range(I, n);
    case N_FOR_EACH: return exec_for_each(I, n);
    case N_MATCH: return exec_match(I, n);
    case N_BREAK: return FLOW_BREAK;
    case N_CONTINUE: return FLOW_CONTINUE;
    case N_RETURN:
        if (!n->a) {
            I->retval = value_nil();
            return FLOW_RETURN;
        }
        /* into a local first: a call's own return goes through I->retval */
        if (!spl_eval(I, n->a, &v))
            return FLOW_ERROR;
        I->retval = v;
        return FLOW_RETURN;
    case N_BLOCK: return exec_block(I, n);
    default:
        spl_fail(I, n, "internal error: node %d is not a statement", n->kind);
        return FLOW_ERROR;
    }
}

static Flow exec_block(Interp *I, const Node *block)
{
    for (int i = 0; i < block->list.n; i++) {
        Flow f = exec_stmt(I, block->list.items[i]);
        if (f != FLOW_NORMAL)
            return f;
    }
    return FLOW_NORMAL;
}

bool spl_eval_block(Interp *I, const Node *n, Value *out)
{
    int last = n->list.n - 1;
    for (int i = 0; i < last; i++) {
        Flow f = exec_stmt(I, n->list.items[i]);
        if (f == FLOW_ERROR)
            return false;
        if (f != FLOW_NORMAL) /* the parser refuses return, break and continue that leave the block */
            return spl_fail(I, n->list.items[i], "internal error: a jump out of an unsafe block used as a value");
    }
    return spl_eval(I, n->list.items[last]->a, out);
}

/* ---- calls ---- */

static void flush_repeats(Interp *I)
{
    if (I->trace_repeat > 0)
        spl_sb_printf(&I->trace, "  (the line above repeats %d more time%s)\n", I->trace_repeat,
                  I->trace_repeat == 1 ? "" : "s");
    I->trace_repeat = 0;
}

/* One "  in fn f, called at file:line:col" line per frame the error leaves;
 * identical consecutive lines (deep recursion) are counted, not repeated. */
static void add_trace(Interp *I, const Func *f, const Node *call)
{
    if (I->exiting)
        return;
    char line[512];
    if (call)
        snprintf(line, sizeof line, "  in fn %s, called at %s:%d:%d\n", f->name, I->src->name, call->line, call->col);
    else
        snprintf(line, sizeof line, "  in fn %s\n", f->name);
    if (strcmp(line, I->trace_last) == 0) {
        I->trace_repeat++;
        return;
    }
    flush_repeats(I);
    if (I->trace_lines++ < MAX_TRACE_LINES)
        spl_sb_adds(&I->trace, line);
    else if (I->trace_lines == MAX_TRACE_LINES + 1)
        spl_sb_adds(&I->trace, "  ...\n");
    snprintf(I->trace_last, sizeof I->trace_last, "%s", line);
}

/* Runs `f`'s body on `frame`; the flow out of it. */
static inline Flow run_body(Interp *I, const Func *f, Value *frame)
{
    for (int i = f->nparams; i < f->nslots; i++)
        frame[i] = value_nil();
    Value *saved_fp = I->fp;
    I->fp = frame;
    I->sp = frame + f->nslots;
    I->depth++;
    const SplUnit *unit = f->unit;
    const Source *saved_src = I->src;
    const Program *saved_prog = I->prog;
    Value *saved_globals = I->globals;
    if (unit && unit->globals != I->globals) { /* a function of another module: its globals */
        I->src = unit->src;
        I->prog = unit->prog;
        I->globals = unit->globals;
    }
    Flow flow = exec_block(I, f->body);
    I->src = saved_src;
    I->prog = saved_prog;
    I->globals = saved_globals;
    I->depth--;
    I->fp = saved_fp;
    for (int i = 0; i < f->nslots; i++)
        value_release(frame[i]);
    I->sp = frame;
    return flow;
}

static inline bool finish_call(Interp *I, const Func *f, Flow flow, const Node *call, Value *out)
{
    if (flow == FLOW_ERROR) {
        add_trace(I, f, call);
        return false;
    }
    *out = flow == FLOW_RETURN ? I->retval : value_nil();
    I->retval = value_nil();
    return true;
}

/* Checks frame[0 .. f->nparams) against f's parameter types (types.h); the error at `call`. */
static bool check_params(Interp *I, const Func *f, Value *frame, const Node *call)
{
    int i = spl_param_misfit(f, frame);
    if (i < 0)
        return true;
    return spl_fail(I, call ? call : f->body, "fn %s: parameter '%s' is declared %s, got %s", f->name,
                    f->params[i], f->ptypes[i].spelling, spl_value_type_name(frame[i]));
}

/* Checks a result against f's result type (types.h); the error at `call`. */
static bool check_result(Interp *I, const Func *f, Value *result, const Node *call)
{
    if (spl_result_fits(f, result))
        return true;
    return spl_fail(I, call ? call : f->body, "fn %s: the result is declared %s, got %s", f->name,
                    f->rtype.spelling, spl_value_type_name(*result));
}

/* The slower call: type checks of the arguments and result, a void result
 * dropped, a lambda's captured values made visible (I->closure). */
static bool run_frame_slow(Interp *I, const Func *f, Value *frame, const Closure *cl, const Node *call, Value *out)
{
    if (f->checks && !check_params(I, f, frame, call)) {
        for (int i = 0; i < f->nparams; i++)
            value_release(frame[i]);
        I->sp = frame;
        return false;
    }
    const Closure *saved_cl = I->closure;
    I->closure = cl;
    Flow flow = run_body(I, f, frame);
    I->closure = saved_cl;
    if (flow == FLOW_RETURN && f->checks_result && !check_result(I, f, &I->retval, call)) {
        value_release(I->retval);
        I->retval = value_nil();
        flow = FLOW_ERROR;
    }
    if (!finish_call(I, f, flow, call, out))
        return false;
    if (f->rtype.kind == TY_VOID) {
        value_release(*out);
        *out = value_nil();
    }
    return true;
}

/* Runs `f` with its arguments already in frame[0 .. nparams). */
static inline bool run_frame(Interp *I, const Func *f, Value *frame, const Closure *cl, const Node *call, Value *out)
{
    if (f->slow_call)
        return run_frame_slow(I, f, frame, cl, call, out);
    return finish_call(I, f, run_body(I, f, frame), call, out);
}

static bool enter(Interp *I, const Func *f, const Node *call)
{
    const Node *at = call ? call : f->body;
    char probe;
    if (I->c_stack_limit && (uintptr_t)&probe < I->c_stack_limit)
        return spl_fail(I, at, "stack overflow: the interpreter's stack is used up (fn %s)", f->name);
    if (I->depth >= INTERP_MAX_DEPTH)
        return spl_fail(I, at, "stack overflow: more than %d nested calls (fn %s)", INTERP_MAX_DEPTH, f->name);
    if (I->sp + f->nslots + 1 > I->stack_end)
        return spl_fail(I, at, "stack overflow: the locals of nested calls exceed %d slots (fn %s)",
                       INTERP_STACK_VALUES, f->name);
    return true;
}

/* Evaluates the arguments of `call` into frame[first ..]; on failure releases frame[0 .. ). */
static inline bool eval_args(Interp *I, const Node *call, Value *frame, int first)
{
    for (int i = 0; i < call->list.n; i++) {
        I->sp = frame + first + i; /* calls inside the argument build their frames above */
        if (!spl_eval(I, call->list.items[i], &frame[first + i])) {
            for (int j = 0; j < first + i; j++)
                value_release(frame[j]);
            I->sp = frame;
            return false;
        }
    }
    return true;
}

bool spl_call_function(Interp *I, const Node *call, Value *out)
{
    const Func *f = call->target;
    if (!enter(I, f, call))
        return false;
    Value *frame = I->sp;
    if (!eval_args(I, call, frame, 0))
        return false;
    return run_frame(I, f, frame, NULL, call, out);
}

bool spl_call_with(Interp *I, const Func *f, const Closure *cl, Value *self, const Node *call, Value *out)
{
    int first = self ? 1 : 0;
    if (call->list.n + first != f->nparams) {
        if (self)
            value_release(*self);
        return spl_fail(I, call, "%s takes %d argument%s, got %d", f->name, f->nparams - first,
                        f->nparams - first == 1 ? "" : "s", call->list.n);
    }
    if (!enter(I, f, call)) {
        if (self)
            value_release(*self);
        return false;
    }
    Value *frame = I->sp;
    if (self)
        frame[0] = *self;
    if (!eval_args(I, call, frame, first))
        return false;
    return run_frame(I, f, frame, cl, call, out);
}

bool spl_invoke(Interp *I, const Func *f, const Closure *cl, Value *self, Value *args, int nargs, const Node *at,
                Value *out)
{
    int first = self ? 1 : 0;
    const char *why = NULL;
    if (nargs + first != f->nparams)
        why = "arity";
    else if (!enter(I, f, at))
        why = "";
    if (why) {
        if (self)
            value_release(*self);
        for (int i = 0; i < nargs; i++)
            value_release(args[i]);
        if (!*why)
            return false;
        return spl_fail(I, at, "%s takes %d argument%s, got %d", f->name, f->nparams - first,
                        f->nparams - first == 1 ? "" : "s", nargs);
    }
    Value *frame = I->sp;
    if (self)
        frame[0] = *self;
    for (int i = 0; i < nargs; i++)
        frame[first + i] = args[i];
    return run_frame(I, f, frame, cl, at, out);
}

bool spl_call_value(Interp *I, const Node *at, Value fn, const Value *args, int nargs, Value *out)
{
    const Closure *cl = fn.type == VT_CLOSURE ? fn.as.cl : NULL;
    const Func *f = cl ? cl->fn : fn.type == VT_FUNC ? fn.as.fn : NULL;
    if (!f)
        return spl_fail(I, at, "cannot call %s (not a function)", spl_value_type_name(fn));
    if (f->is_method)
        return spl_fail(I, at, "%s is a method: call it on an instance", f->name);
    Value copy[8];
    if (nargs > 8)
        return spl_fail(I, at, "too many arguments");
    for (int i = 0; i < nargs; i++) {
        copy[i] = args[i];
        value_retain(args[i]);
    }
    return spl_invoke(I, f, cl, NULL, copy, nargs, at, out);
}

/* ---- the program ---- */

void spl_interp_init(Interp *I, const Program *prog, const Source *src)
{
    memset(I, 0, sizeof *I);
    I->prog = prog;
    I->src = src;
    I->stack = spl_xcalloc(INTERP_STACK_VALUES, sizeof(Value));
    I->stack_end = I->stack + INTERP_STACK_VALUES;
    I->fp = I->sp = I->stack;
    I->globals = spl_xcalloc((size_t)prog->nglobals + 1, sizeof(Value));
    for (int i = 0; i < prog->nglobals; i++)
        I->globals[i].type = VT_UNDEF;
}

static void report_error(Interp *I)
{
    flush_repeats(I);
    fflush(stdout);
    spl_diag_print(stderr, I->err_src ? I->err_src : I->src, I->err_line, I->err_col, "error: ", I->err_msg, 1);
    if (I->trace.len)
        fputs(I->trace.data, stderr);
}

static bool run_main(Interp *I)
{
    const Func *f = I->prog->main;
    Value result;
    if (!enter(I, f, NULL))
        return false;
    if (!run_frame(I, f, I->sp, NULL, NULL, &result))
        return false;
    value_release(result);
    return true;
}

/* The top-level statements of I->prog, in a frame at the bottom of the stack. */
static bool run_top(Interp *I)
{
    const Program *p = I->prog;
    for (int i = 0; i < p->top_nslots; i++)
        I->stack[i] = value_nil();
    I->sp = I->stack + p->top_nslots;
    bool ok = exec_block(I, p->top) != FLOW_ERROR;
    for (int i = 0; i < p->top_nslots; i++) {
        value_release(I->stack[i]);
        I->stack[i] = value_nil();
    }
    I->sp = I->stack;
    return ok;
}

static int finish(Interp *I, bool ok);

int spl_interp_run(Interp *I)
{
    bool ok = run_top(I);
    if (ok && I->prog->main)
        ok = run_main(I);
    return finish(I, ok);
}

/* Sets the imported globals of `u` from the units that export them. */
static void copy_imports(const SplUnit *u)
{
    for (int i = 0; i < u->ncopies; i++) {
        const ImportCopy *c = &u->copies[i];
        Value v = c->from->globals[c->from_slot];
        value_retain(v);
        value_release(u->globals[c->slot]);
        u->globals[c->slot] = v;
    }
}

int spl_interp_run_units(Interp *I, SplUnit *const *units, int n)
{
    const Source *src = I->src;
    const Program *prog = I->prog;
    Value *globals = I->globals;
    bool ok = true;
    for (int i = 0; ok && i < n; i++) {
        I->src = units[i]->src;
        I->prog = units[i]->prog;
        I->globals = units[i]->globals;
        copy_imports(units[i]);
        ok = run_top(I);
        if (!ok && i < n - 1 && !I->exiting) /* a module's own code failed, before the script's */
            spl_sb_printf(&I->trace, "  in the top-level code of module %s, which runs before %s\n",
                          units[i]->src->name, units[n - 1]->src->name);
        if (ok && i == n - 1 && I->prog->main)
            ok = run_main(I);
    }
    I->src = src;
    I->prog = prog;
    I->globals = globals;
    return finish(I, ok);
}

static int finish(Interp *I, bool ok)
{
    fflush(stdout);
    if (I->exiting)
        return I->exit_code;
    if (!ok) {
        report_error(I);
        return 1;
    }
    return 0;
}

void spl_interp_free(Interp *I)
{
    for (int i = 0; i < I->prog->nglobals; i++)
        value_release(I->globals[i]);
    value_release(I->retval);
    spl_object_free_cycles();
    free(I->globals);
    free(I->stack);
    free(I->scratch);
    free(I->err_msg);
    spl_sb_free(&I->trace);
    memset(I, 0, sizeof *I);
}
