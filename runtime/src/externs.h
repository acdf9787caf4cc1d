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

#include "ast.h"
#include "diag.h"
#include "interp.h"
#include "marshal.h"

/* Binds every declaration of `prog`; prints each failure (unknown extern,
 * with the catalog's hint, or signature mismatch) on `err` and returns false
 * if there was any. */
bool spl_externs_bind(Program *prog, const Source *src, FILE *err);

/* Whether a declaration's result binds to a table entry's (`result`, with
 * `n_items` tuple element codes `items`): equal, or differing only in
 * optionality, at the top or in tuple elements (docs/abi.md, "Optionality").
 * A declared `T?` reads an entry `T` as is; a declared `T` reads an entry
 * `T?` and a nil is then a script error naming the declaration (marshal.c). */
bool spl_result_binds(const ExternDecl *d, int result, int n_items, const uint8_t *items);

/* The canonical signature of a declaration: "(i64, text) -> bool", "(i64)". */
void spl_extern_signature(const ExternDecl *d, char *buf, size_t size);
const char *spl_sffi_type_name(int type);   /* "[u8]" for SFFI_U8_ARRAY; "?" if unknown */
int spl_sffi_type_code(const char *spelling);  /* the inverse; -1 if unknown */

/* The library the catalog names for an extern this runtime lacks, or NULL. */
const char *spl_catalog_library(const char *name);

/* `s` as a JSON string. */
void spl_json_string(FILE *out, const char *s);

/* `simple --externs [--json]`: the table, then the FFI modules found (modules.c). */
void spl_externs_list(FILE *out, bool json);

#endif
