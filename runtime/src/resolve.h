/*
 * resolve.h - names to slots, once, before a script runs.
 *
 * Variables become frame slots (locals; block scoped) or global slots
 * (val/var directly at the top level); calls become references to the user
 * function, the bound extern or the built-in. Assigning to a val or a loop
 * variable, an unknown name and a wrong argument count are load-time errors.
 */
#ifndef SIMPLE_RESOLVE_H
#define SIMPLE_RESOLVE_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"

bool spl_resolve_program(Program *prog, CompileError *err);

struct ImportScope;
/* The same for one module of several (loader.c): names not defined by `prog`
 * itself are looked up in `imports` (imports.h); globals already in
 * prog->globals (imported vals) are known from the start. */
bool spl_resolve_module(Program *prog, const struct ImportScope *imports, CompileError *err);

#endif
