/*
 * methods.h - the built-in methods of text, arrays, tuples and Results
 * (docs/language.md, "Methods"): `s.trim()`, `a.push(v)`, `r.unwrap()` ...
 *
 * A method name is resolved at load time to an id; the receiver's type is
 * checked when the call runs (the interpreter does not know types before).
 * Methods of struct, class and enum instances are the program's own
 * (object.c); they are looked up first.
 */
#ifndef SIMPLE_METHODS_H
#define SIMPLE_METHODS_H

#include "interp.h"

#define METHOD_NONE 255   /* not a built-in method name: a user method, or an error */
#define METHOD_MAX_ARGS 2

/* self is borrowed; args[0 .. nargs) borrowed; *out a new reference. */
typedef bool (*MethodFn)(Interp *I, const Node *call, Value self, const Value *args, int nargs, Value *out);

typedef struct BuiltinMethod {
    const char *name;
    int min_args, max_args;
    bool mutates;   /* changes the array in place (push, pop): needs an assignable receiver */
    MethodFn fn;
} BuiltinMethod;

/* The id of a built-in method (and its entry), or -1. */
int spl_method_find(const char *name, const BuiltinMethod **out);

/* N_METHOD: push/pop on an assignable receiver (or a user method of the same name). */
bool spl_call_method(Interp *I, const Node *call, Value *out);
/* N_CALL_METHOD: any method of any value. */
bool spl_call_method_value(Interp *I, const Node *call, Value *out);

#endif
