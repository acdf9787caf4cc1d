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

#include <stddef.h>

typedef struct ModEntry {
    char *name;        /* "rt_sqlite_open" */
    char *signature;   /* "(text) -> i64" */
} ModEntry;

typedef struct ModFacts {
    int abi_version;
    char *library, *sffi_version, *digest, *build_id, *rebuild;
    ModEntry *entries;  /* in the section's order (strcmp order of the names) */
    int n_entries;
} ModFacts;

/* Reads the facts of the module at `path`. Returns NULL on success, else a
 * malloc'd reason ("not an ELF file (it starts with ...)", "truncated: ...",
 * "has no .sffi_module section ..."); `*facts` is then untouched. */
char *spl_modfile_read(const char *path, ModFacts *facts);

/* The index of `name` in facts->entries, or -1. */
int spl_modfile_find(const ModFacts *facts, const char *name);

void spl_modfile_free(ModFacts *facts);

#endif
