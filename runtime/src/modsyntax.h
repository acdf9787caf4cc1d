/*
 * modsyntax.h - the module lines of a file: `use` and `export` (docs/language.md, "Modules").
 *
 *   use a.b.c.{x, y}     bind x and y of module a.b.c (the list may span lines)
 *   use a.b.c.*          bind every name module a.b.c exports
 *   use a.b.c            load module a.b.c (its top-level code runs), bind nothing
 *   export x, y          the names this module exports (without any export line:
 *                        all of its own top-level names)
 *   export use a.b.{x}   use a.b.{x} and export x too (also with .*: a facade)
 *
 * The parser (parse_use.c) records them here; the loader (loader.c) finds and
 * loads the modules, imports.c binds the names.
 */
#ifndef SIMPLE_MODSYNTAX_H
#define SIMPLE_MODSYNTAX_H

typedef enum UseKind {
    USE_BARE,   /* use a.b.c */
    USE_LIST,   /* use a.b.c.{x, y} */
    USE_ALL     /* use a.b.c.* */
} UseKind;

/* A name as written, with where it was written (1-based line and column). */
typedef struct ModName {
    char *name;            /* malloc'd */
    int line, col;
} ModName;

typedef struct UseDecl {
    UseKind kind;
    bool reexport;         /* `export use ...`: the names it binds are exported too */
    char **segments;       /* a, b, c (malloc'd each) */
    int nsegments;
    ModName *names;        /* USE_LIST: x, y */
    int nnames;
    int line, col;         /* of the word `use` */
    int path_col;          /* of the first segment */
} UseDecl;

typedef struct ModSyntax {
    UseDecl *uses;
    int nuses, uses_cap;
    ModName *exports;      /* every name of every `export` line, in order */
    int nexports, exports_cap;
    int nexport_lines;     /* `export x` lines; 0: the module exports all its own top-level names */
} ModSyntax;

/* The dotted module name of `u` ("a.b.c"), malloc'd. */
char *spl_use_module_name(const UseDecl *u);

/* Frees `m` (NULL is fine) and everything it holds. */
void spl_modsyntax_free(ModSyntax *m);

#endif
