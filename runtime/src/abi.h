/*
 * abi.h - the runtime's view of the SFFI ABI (docs/abi.md) and its generated
 * table: the type-name table, canonical signatures, the binding rule, and
 * lookups by name. Used by externs.c (compiled-in binding), modules.c (module
 * binding), marshal.c and the parser; it calls none of them.
 */
#ifndef SIMPLE_ABI_H
#define SIMPLE_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "sffi_table.h"
#include "util.h"

/* "[u8]" for SFFI_U8_ARRAY; "?" if unknown. The names are held to
 * site_scons/sffi/abi.py by tests/sffi/test_abi.py. */
const char *spl_sffi_type_name(int type);
int spl_sffi_type_code(const char *spelling);  /* the inverse; -1 if unknown */

/* A result's spelling: "i64?", "(text, i64)", "[(text, text)]?"; `n_items`
 * tuple element codes `items` for a tuple or an array of tuples. */
void spl_sffi_result_text(StrBuf *sb, int result, int n_items, const uint8_t *items);

/* The canonical signature of a declaration: "(i64, text) -> bool", "(i64)". */
void spl_extern_signature(const ExternDecl *d, char *buf, size_t size);

/* Whether a declaration's result binds to a table entry's (`result`, with
 * `n_items` tuple element codes `items`): equal, or differing only in
 * optionality, at the top or in tuple elements (docs/abi.md, "Optionality").
 * A declared `T?` reads an entry `T` as is; a declared `T` reads an entry
 * `T?` and a nil is then a script error naming the declaration (marshal.c). */
bool spl_result_binds(const ExternDecl *d, int result, int n_items, const uint8_t *items);

/* ExternDecl.fast_result of a declaration bound to an entry whose result
 * differs from it (in optionality): no code of the call's fast path. */
#define SPL_RESULT_GENERAL 0xFF

/* The compiled-in table's entry and the catalog's entry named `name`
 * (binary search: both are sorted by name), or NULL. */
const sffi_entry *spl_table_find(const char *name);
const sffi_catalog_entry *spl_catalog_find(const char *name);

/* The library the catalog names for an extern this runtime lacks, or NULL. */
const char *spl_catalog_library(const char *name);

#endif
