/*
 * modules.h - externs from loadable FFI modules (docs/modules.md).
 *
 * An extern that is not in the compiled-in table is looked up in the modules
 * on the search path (--ffi-path DIR..., then SIMPLE_FFI_PATH, then
 * <bindir>/../lib/sffi): each file is first checked for trust (modtrust.h),
 * then, if it is a trusted regular file, its ".sffi_module" section is read
 * without loading it (modfile.c). The one module that provides an extern is
 * checked from its section (ABI version, library, the entry's types) for
 * every extern of the script before any module is dlopen'ed; after dlopen its
 * descriptor must match its section. Nothing here runs at start-up.
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

/* Checks `d` against the section of the module that provides it, without
 * loading anything: the module's ABI version and library, and the entry's
 * signature. MOD_BOUND here means "checked: may be bound". */
ModBind spl_modules_check(const ExternDecl *d, const Source *src, FILE *err);

/* After every declaration of the script passed spl_modules_check(): loads
 * the module that provides `d` (once), checks its descriptor against its
 * section and binds `d` to its entry. */
ModBind spl_modules_bind(ExternDecl *d, const Source *src, FILE *err);

/* After an unknown extern: the modules that could not be read, once each. */
void spl_modules_note_unreadable(FILE *err);

/* `simple --externs`: the modules found and their externs (nothing if none);
 * `json` writes the value of the "modules" key. */
void spl_modules_list(FILE *out, bool json);

/* `simple --version`: one line naming the modules found. */
void spl_modules_version(FILE *out);

/* Forgets the search path and the index (loaded modules stay loaded): for
 * the fuzz harness (fuzz/runtime/fuzz_moddir.c), which indexes a fresh
 * directory per input. */
void spl_modules_reset(void);

#endif
