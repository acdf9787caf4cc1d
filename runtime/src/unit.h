/*
 * unit.h - what the interpreter needs of one loaded module while it runs.
 *
 * Each module (a .spl file) has its own source, program and globals. A call
 * of a function defined in another module switches the interpreter to that
 * module's unit (interp.c, run_frame), so its globals and error positions are
 * its own; names imported from a module read its values (ImportCopy).
 */
#ifndef SIMPLE_UNIT_H
#define SIMPLE_UNIT_H

#include "ast.h"
#include "diag.h"
#include "value.h"

struct SplUnit;

/* A global of this unit that holds an imported val or var of another: set from
 * `from`'s slot when this unit's top-level code starts (its dependencies have run). */
typedef struct ImportCopy {
    int slot;
    const struct SplUnit *from;
    int from_slot;
} ImportCopy;

typedef struct SplUnit {
    const Source *src;
    const Program *prog;
    Value *globals;          /* prog->nglobals values, VT_UNDEF until defined */
    ImportCopy *copies;
    int ncopies, copies_cap;
} SplUnit;

#endif
