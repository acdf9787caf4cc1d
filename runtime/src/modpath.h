/*
 * modpath.h - where `use a.b.c` finds its file (docs/language.md, "Modules").
 *
 * A leading `std.` or `lib.` names the library root: the rest is looked up in
 * each library directory. Any other name is looked up first in the importing
 * file's directory, then in each library directory. Library directories, in
 * order: every `simple --lib DIR`, then each directory of SIMPLE_LIB
 * (colon-separated; empty entries are skipped). In each root the candidates
 * are, in order, a/b/c.spl, a/b/c/__init__.spl, a/b/c/mod.spl.
 */
#ifndef SIMPLE_MODPATH_H
#define SIMPLE_MODPATH_H

#include <stdbool.h>

#include "modsyntax.h"
#include "util.h"

/* Adds a library directory (`--lib DIR`, then SIMPLE_LIB's). `origin` names
 * where it came from in the message. Returns false with *err set (malloc'd)
 * if DIR is not an existing directory. */
bool spl_modpath_add_lib(const char *dir, const char *origin, char **err);

/* Adds the directories of $SIMPLE_LIB after those of --lib; false with *err
 * set if one does not exist. */
bool spl_modpath_add_env(char **err);

/* Forgets every library directory. */
void spl_modpath_reset(void);

/* The file of the module `u` names, imported by a file in directory
 * `importer_dir` ("." for the current one): a malloc'd path, or NULL when no
 * candidate exists. Every candidate tried is appended to `tried`, one per line
 * indented by four spaces. */
char *spl_modpath_find(const UseDecl *u, const char *importer_dir, StrBuf *tried);

/* The directory part of `path` ("." when it has none), malloc'd. */
char *spl_modpath_dirname(const char *path);

#endif
