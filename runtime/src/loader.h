/*
 * loader.h - a script and the modules it uses, loaded once each (docs/language.md, "Modules").
 *
 * Loading a file: parse it; load the module of each `use` line (modpath.h
 * finds the file; a module already loaded under the same real path is
 * reused; one still loading is a cycle, reported with its chain); bind its
 * externs (an extern no library provides is left for its first call to
 * report, externs.h); bind the imported names (imports.h); resolve it.
 * Modules end up in run order: every module after the modules it uses, the
 * script last. The first error is printed (file:line:col, the line and a
 * caret; a missing module lists every path tried) and stops the load.
 */
#ifndef SIMPLE_LOADER_H
#define SIMPLE_LOADER_H

#include <stdbool.h>
#include <stdio.h>

#include "ast.h"
#include "diag.h"
#include "externs.h"
#include "imports.h"
#include "interp.h"
#include "strmap.h"
#include "unit.h"

typedef struct SplModule {
    char *real;              /* its real path: a module's identity ("" for -e code) */
    char *name;              /* the dotted name it was first imported by; the script: its path */
    Source *src;             /* &own_src, or the script's source (borrowed) */
    Source own_src;
    Program prog;
    SplUnit unit;
    bool loading;            /* its use lines are being loaded (a cycle if it is reached again) */
    ImportScope scope;       /* the names it imports */
    const ExportTable **dep_exports; /* per use line: the export table of its module */
    ExportTable own, exports;
} SplModule;

typedef struct Loader {
    FILE *err;               /* where errors and --check reports go */
    Unbound unbound;         /* .report: print every extern no library provides (simple --check);
                                .count: how many declarations no library provides */
    int nexterns;            /* extern declarations bound, over every module */
    SplModule **all;         /* every module made (owned) */
    int nall, all_cap;
    StrMap by_real;          /* real path -> index in `all` */
    SplUnit **order;         /* loaded modules' units in run order, the script's last */
    int norder, order_cap;
    SplModule **stack;       /* the chain of modules being loaded */
    int nstack, stack_cap;
} Loader;

/* Loads `script` (borrowed; it must outlive the loader) and every module it
 * uses. Returns false after printing the first error on L->err. */
bool spl_loader_load(Loader *L, const Source *script);

/* The script's program (valid after a successful load). */
const Program *spl_loader_script(const Loader *L);

/* Releases the values of every module's globals (they become nil). Before
 * spl_interp_free(), so that its sweep of class-instance cycles sees every
 * value the modules held; spl_loader_free() does it too if not done. */
void spl_loader_release_values(Loader *L);

/* Frees the modules, their programs and globals: every module's values first,
 * then the programs, since a value may be an instance of another module's type. */
void spl_loader_free(Loader *L);

#endif
