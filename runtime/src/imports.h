/*
 * imports.h - the names a module exports and the names a file imports.
 *
 * A module exports the names of its `export` lines, or, without any, all of
 * its own top-level names: functions, extern declarations, structs, classes,
 * enums, top-level val/var (not methods: they come with their type).
 * A file's `use` lines bind exported names into its import scope, which the
 * resolver consults after the file's own definitions (resolve.h). A name
 * imported from two modules with different definitions, or imported and also
 * defined by the file, is a load error naming both places.
 */
#ifndef SIMPLE_IMPORTS_H
#define SIMPLE_IMPORTS_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"
#include "strmap.h"
#include "unit.h"

typedef enum ImpKind { IMP_FUNC, IMP_EXTERN, IMP_GLOBAL, IMP_TYPE } ImpKind;

/* One top-level name of a module. */
typedef struct ModExport {
    const char *name;        /* borrowed from the defining program */
    ImpKind kind;
    void *target;            /* IMP_FUNC: Func *; IMP_EXTERN: ExternDecl *; IMP_TYPE: TypeDef * */
    const SplUnit *unit;     /* IMP_GLOBAL: the unit whose global it is */
    int slot;                /* IMP_GLOBAL: its slot there */
    int line;                /* where the module defines (or imports) it */
} ModExport;

typedef struct ExportTable {
    ModExport *items;
    int n, cap;
    StrMap index;            /* name -> item */
} ExportTable;

/* A name a file imported, and from where. */
typedef struct Imported {
    ModExport what;
    const char *module;      /* the module's dotted name (borrowed) */
    int line, col;           /* of the name in the use line, or of `use` for .* */
} Imported;

typedef struct ImportScope {
    Imported *items;
    int n, cap;
    StrMap index;            /* name -> item */
} ImportScope;

/* Binds the names of one use line of module `module` (whose own names are
 * `own` and exported names `exports`) into `scope`. A listed name that the
 * module does not export, and a clash with a different definition already
 * imported, set `err` (at the name) and return false. */
bool spl_imports_bind(ImportScope *scope, const UseDecl *u, const char *module, const char *module_file,
                      const ExportTable *own, const ExportTable *exports, CompileError *err);

/* Checks that no imported name is also defined by `prog` itself (an extern
 * declared identically on both sides is no clash: the file's own is used). */
bool spl_imports_check_own(ImportScope *scope, const Program *prog, CompileError *err);

/* Imported vals and vars become globals of `prog` (appended to prog->globals,
 * as val: an importer cannot assign them), copied when `unit`'s code starts. */
void spl_imports_add_globals(const ImportScope *scope, Program *prog, SplUnit *unit);

/* The imported function, extern or type called `name`, or NULL (resolve.c). */
Func *spl_imports_func(const ImportScope *scope, const char *name);
TypeDef *spl_imports_type(const ImportScope *scope, const char *name);
ExternDecl *spl_imports_extern(const ImportScope *scope, const char *name);

/* After `prog` (of `unit`) is resolved: `own` gets its own top-level names,
 * `exports` what it exports (its export lines, which may name imported names
 * too, then what its `export use` lines bind; `dep_exports[i]` is the export
 * table of the module of use line i). An exported name it neither defines nor
 * imports sets `err`. */
bool spl_exports_build(ExportTable *own, ExportTable *exports, const Program *prog, const SplUnit *unit,
                       const ImportScope *scope, const ExportTable *const *dep_exports, CompileError *err);

void spl_import_scope_free(ImportScope *scope);
void spl_export_table_free(ExportTable *t);

#endif
