/*
 * modules.h - externs from loadable FFI modules (docs/modules.md).
 *
 * An extern that is not in the compiled-in table is looked up in the modules
 * on the search path (--ffi-path DIR..., then SIMPLE_FFI_PATH, then
 * <bindir>/../lib/sffi): their ".sffi_module" sections are read without
 * loading them (modfile.c); the one module that provides the extern is
 * checked (trust, ABI version, library, the entry's types), dlopen'ed once
 * and the extern bound to its thunk. Nothing here runs at start-up.
 */
#ifndef SIMPLE_MODULES_H
#define SIMPLE_MODULES_H

#include <stdbool.h>
#include <stdio.h>

#include "ast.h"
#include "diag.h"

typedef enum ModBind {
    MOD_ABSENT,   /* no module on the search path provides it (nothing printed) */
    MOD_BOUND,    /* d->entry is the module's entry */
    MOD_REFUSED,  /* a module provides it but cannot be used (printed on err) */
} ModBind;

/* --ffi-path DIR: searched before SIMPLE_FFI_PATH, in the order given. */
void spl_modules_add_path(const char *dir);

/* Binds `d` to the module that provides it, checking it on first use. */
ModBind spl_modules_bind(ExternDecl *d, const Source *src, FILE *err);

/* After an unknown extern: the modules that could not be read, once each. */
void spl_modules_note_unreadable(FILE *err);

/* `simple --externs`: the modules found and their externs (nothing if none);
 * `json` writes the value of the "modules" key. */
void spl_modules_list(FILE *out, bool json);

/* `simple --version`: one line naming the modules found. */
void spl_modules_version(FILE *out);

#endif
