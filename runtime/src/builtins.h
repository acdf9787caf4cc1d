/*
 * builtins.h - functions every script has without declaring them
 * (len, str, int, float, type, split, join, Ok, Err). Names are resolved at
 * load time to an id. Methods: methods.h.
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

/* The id of a built-in function, or -1. */
int spl_builtin_find(const char *name);
const Builtin *spl_builtin_get(int id);
bool spl_call_builtin(Interp *I, const Node *call, Value *out);

#endif
