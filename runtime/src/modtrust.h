/*
 * modtrust.h - may a module file be trusted? OpenSSH's StrictModes, for FFI modules.
 *
 * A module is code the runtime will run, so nobody but the user (or root) may
 * be able to change it or put another file in its place (docs/modules.md,
 * "Trust"). The rule, from OpenSSH's secure_filename()/auth_secure_path():
 * the real path of the file (symbolic links resolved) and every directory
 * from it up to `/` must be owned by root or the user, and writable by
 * neither group nor others. A directory above the file's own directory may be
 * group/world-writable if it is root-owned and sticky (like /tmp): there,
 * others cannot rename or remove what is ours. The directory that holds the
 * module may not (others could add a module to it).
 *
 * Nothing is opened: the checks use lstat() on the resolved path only, so a
 * FIFO or device is never touched here.
 */
#ifndef SIMPLE_MODTRUST_H
#define SIMPLE_MODTRUST_H

#include <stdbool.h>

/* Checks `path` (a module file when `is_file`, else a directory on the search
 * path) by the rule above. Returns NULL when trusted, else a malloc'd reason
 * naming the offending file or directory (escaped) and the command that fixes
 * it: "its directory /x is writable by others (permissions 0777 are too open);
 * ...: chmod go-w /x". A path that does not resolve returns NULL: reading it
 * reports that problem. */
char *spl_trust_problem(const char *path, bool is_file);

#endif
