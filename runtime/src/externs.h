/*
 * externs.h - `extern fn` declarations against the generated table.
 *
 * At load time every declaration of a script is bound to its sffi_entry
 * (binary search on the sorted names) and its signature checked, once.
 * A call then marshals the argument values into sffi_value, calls the
 * entry's thunk and converts the result; no name is looked up and nothing
 * is allocated on the way in (array arguments reuse one scratch buffer).
 */
#ifndef SIMPLE_EXTERNS_H
#define SIMPLE_EXTERNS_H

#include <stdbool.h>
#include <stdio.h>

#include "abi.h"
#include "ast.h"
#include "diag.h"
#include "interp.h"

/* Binds every declaration of `prog`; prints each failure (unknown extern,
 * with the catalog's hint, or signature mismatch) on `err` and returns false
 * if there was any. */
bool spl_externs_bind(Program *prog, const Source *src, FILE *err);

/* Lazy binding, for the modules of a script (loader.c): an extern that
 * neither the table nor an FFI module provides leaves d->entry NULL and is
 * counted (printed as above only if `report`: simple --check); its first
 * call fails (spl_extern_unbound). A signature mismatch or a refused module
 * still prints and returns false. `lazy` NULL: spl_externs_bind. */
typedef struct Unbound {
    bool report;
    int count;
} Unbound;
bool spl_externs_bind_lazy(Program *prog, const Source *src, FILE *err, Unbound *lazy);

/* The runtime error of a call of an unbound extern: names it, the library the
 * catalog says provides it and the rebuild command. Returns false. */
bool spl_extern_unbound(Interp *I, const Node *call, const ExternDecl *d);

/* `simple --externs [--json]`: the table, then the FFI modules found (modules.c). */
void spl_externs_list(FILE *out, bool json);

#endif
