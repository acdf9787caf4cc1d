/*
 * interp.h - the tree-walking interpreter.
 *
 * Every global symbol of the runtime starts with spl_ (or is main or
 * sffi_set_error), so none can clash with an FFI library linked beside it.
 *
 * Locals live in frames on one value stack (fp[slot]); globals in their own
 * array. Every evaluation function returns false on a runtime error (or an
 * exit request from rt_exit), after releasing what it holds, so an error
 * unwinds to spl_interp_run(), which reports it; nothing leaks on that path.
 */
#ifndef SIMPLE_INTERP_H
#define SIMPLE_INTERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "unit.h"
#include "util.h"
#include "value.h"

#define INTERP_MAX_DEPTH 10000        /* nested calls of user functions */
#define INTERP_STACK_VALUES (1 << 20) /* slots of the value stack */
#define INTERP_STACK_RESERVE (1u << 20) /* C stack kept free below the deepest call */


typedef struct Interp {
    const Program *prog;
    const Source *src;
    Value *stack, *stack_end;
    Value *fp;            /* the current frame */
    Value *sp;            /* first free slot */
    Value *globals;
    int depth;
    uintptr_t c_stack_limit; /* a call needing the C stack below this fails (0: no check) */
    Value retval;         /* set by `return` */
    const Closure *closure; /* the running lambda's captured values, or NULL */
    /* the pending runtime error, or exit request */
    char *err_msg;
    int err_line, err_col;
    const Source *err_src; /* the file of err_line (modules: unit.h) */
    StrBuf trace;         /* "  in fn f (called at ...)" lines */
    int trace_lines;
    char trace_last[512]; /* the last line added, to count repeats */
    int trace_repeat;
    bool exiting;
    int exit_code;
    /* marshalling buffer for array arguments of externs, reused by every call */
    void *scratch;
    size_t scratch_cap;
} Interp;

void spl_interp_init(Interp *I, const Program *prog, const Source *src);
/* Runs the top-level statements, then main() if defined. Returns the exit
 * status: 0, 1 after a runtime error (reported on stderr), or rt_exit's code. */
int spl_interp_run(Interp *I);
/* The same over the modules of a script (loader.c), dependencies first: each
 * unit's top-level statements with its own globals, then main() of the last.
 * The units' globals are theirs (released by the loader). */
int spl_interp_run_units(Interp *I, SplUnit *const *units, int n);
void spl_interp_free(Interp *I);

/* Evaluates an expression into *out (a new reference). */
bool spl_eval(Interp *I, const Node *n, Value *out);
/* An N_BLOCK_EXPR: runs its statements; *out = the value of the last (an expression). */
bool spl_eval_block(Interp *I, const Node *n, Value *out);
/* Evaluates a condition, which must be a bool. */
bool spl_eval_bool(Interp *I, const Node *n, bool *out);
bool spl_binop(Interp *I, const Node *at, BinOp op, Value a, Value b, Value *out);
/* Checks that `idx` indexes the array `container`; gives the position. */
bool spl_check_index(Interp *I, const Node *at, Value container, Value idx, int64_t *pos);
/* A call of a user function (N_CALL_FN). */
bool spl_call_function(Interp *I, const Node *call, Value *out);
/* Calls `f` (a lambda with `cl`'s captures, else cl NULL) with `self` (when
 * f is a method; taken over) and the arguments of `call`'s list, evaluated
 * here; the call's node is where errors point. */
bool spl_call_with(Interp *I, const Func *f, const Closure *cl, Value *self, const Node *call, Value *out);
/* Calls `f` with `self` (methods; taken over, else NULL) and args[0 .. nargs)
 * (taken over); errors point at `at`. */
bool spl_invoke(Interp *I, const Func *f, const Closure *cl, Value *self, Value *args, int nargs, const Node *at,
                Value *out);
/* Calls the function value `fn` (VT_FUNC or VT_CLOSURE; borrowed) with
 * `nargs` values (borrowed); for built-ins such as map and filter. */
bool spl_call_value(Interp *I, const Node *at, Value fn, const Value *args, int nargs, Value *out);
/* The storage of an assignable expression: a variable, or a chain of
 * elements a[i] and fields a.f rooted at one. `frozen_line` (nonzero: the
 * root is a val or loop variable declared on that line) refuses changes
 * that do not pass through a class instance; *frozen tells the caller
 * whether the final slot is still frozen (push/pop must not change it). */
bool spl_lvalue(Interp *I, const Node *target, int frozen_line, Value **out, bool *frozen);
/* The index of field `name` of `o`, through the node's inline cache; -1 if none. */
int spl_field_index(const Node *at, const Object *o);

/* Records a runtime error at `at` and returns false. */
bool spl_fail(Interp *I, const Node *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
