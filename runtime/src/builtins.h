/*
 * builtins.h - functions every script has without declaring them
 * (len, str, int, float, type, split, join) and the array methods
 * (a.push(v), a.pop()). Names are resolved at load time to an id.
 */
#ifndef SIMPLE_BUILTINS_H
#define SIMPLE_BUILTINS_H

#include "interp.h"

#define BUILTIN_MAX_ARGS 2

typedef bool (*BuiltinFn)(Interp *I, const Node *call, const Value *args, Value *out);

typedef struct Builtin {
    const char *name;
    int nargs;
    BuiltinFn fn;
} Builtin;

enum { METHOD_PUSH, METHOD_POP };

/* The id of a built-in function, or -1. */
int spl_builtin_find(const char *name);
const Builtin *spl_builtin_get(int id);
/* The id of a method and its argument count, or -1. */
int spl_method_find(const char *name, int *nargs);

bool spl_call_builtin(Interp *I, const Node *call, Value *out);
bool spl_call_method(Interp *I, const Node *call, Value *out);

#endif
