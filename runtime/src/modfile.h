/*
 * modfile.h - what an FFI module file says about itself, read without loading it.
 *
 * The runtime reads the ".sffi_module" section of each libsffi_<lib>.so on
 * the search path (docs/modules.md) to learn its library, ABI version and
 * externs; only a module that provides an extern a script declares is ever
 * dlopen'ed (modules.c).
 */
#ifndef SIMPLE_MODFILE_H
#define SIMPLE_MODFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sffi_table.h"

/* Every text field is stored with its control characters escaped
 * (spl_escaped), so it is safe to print; a real sffi section has none. */
typedef struct ModEntry {
    char *name;        /* "rt_sqlite_open" */
    char *signature;   /* "(text) -> i64" */
    /* the signature's types, as in sffi_entry: checked before the module is loaded */
    uint8_t n_params, result, n_items;
    uint8_t params[SFFI_MAX_PARAMS], items[SFFI_MAX_TUPLE];
} ModEntry;

typedef struct ModFacts {
    int abi_version;
    char *library, *sffi_version, *digest, *build_id, *rebuild;
    ModEntry *entries;  /* in the section's order (strcmp order of the names) */
    int n_entries;
} ModFacts;

/* Reads the facts of the module at `path`. Returns NULL on success, else a
 * malloc'd reason ("not an ELF file (it starts with ...)", "truncated: ...",
 * "has no .sffi_module section ...", "not a regular file (a FIFO) ..."); `*facts`
 * is then untouched. The file is opened O_NONBLOCK and read only if fstat
 * says it is a regular file. */
char *spl_modfile_read(const char *path, ModFacts *facts);

/* Reads a canonical signature ("(i64, text) -> (bool, text?)") into e's
 * type fields; false if it is malformed or names a type this runtime lacks. */
bool spl_modfile_parse_signature(const char *sig, ModEntry *e);

/* The index of `name` in facts->entries, or -1. */
int spl_modfile_find(const ModFacts *facts, const char *name);

void spl_modfile_free(ModFacts *facts);

#endif
