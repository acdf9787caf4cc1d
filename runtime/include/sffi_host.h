/*
 * sffi_host.h - the host interface: what the runtime needs from the library
 * that provides its host services (`core`, which every runtime links).
 *
 * The runtime declares it and calls it; core implements it. The arrow goes
 * from the library to the runtime's ABI: the runtime includes no library's
 * header. Scripts reach core's externs (rt_env_*, rt_file_*, rt_dir_*,
 * rt_time_*, rt_process_run, rt_getpid, rt_args, rt_exit) only through the
 * generated table; these functions are not externs: they carry facts only
 * the runtime knows (the script's arguments, how to stop cleanly).
 *
 * Two parts. The host services (first) are implemented by core and
 * called by every host (the reference runtime's main.c, a host kit's user).
 * The kit functions (after them) are implemented by the host kit's sffi_host.c
 * (`scons hostkit`, docs/hostkit.md); the reference runtime has its own
 * dispatch and does not link them.
 */
#ifndef SFFI_HOST_H
#define SFFI_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "sffi_table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The script's arguments (those after the script file): rt_args() returns
 * them. The strings are borrowed and must stay valid while externs run. */
void sffi_host_set_args(int argc, char **argv);

/* Called by rt_exit(code) instead of exit(): the runtime records the request,
 * unwinds the script, frees what it holds and exits with `code`. The handler
 * returns. Without a handler rt_exit flushes stdio and calls exit(). */
typedef void (*sffi_host_exit_handler)(int code);
void sffi_host_set_exit_handler(sffi_host_exit_handler handler);

/* Frees the calling thread's result blocks (the texts and arrays of the last
 * call that returned some: rt_file_read_text, rt_dir_list, rt_process_run...). */
void sffi_host_shutdown(void);

/* ---- the host kit (sffi_host.c, docs/hostkit.md) ----
 *
 * A library reports an error by calling sffi_set_error(msg) and returning
 * (sffi_abi.h). In the reference runtime that function belongs to the
 * interpreter; in a host kit it is defined here, in the kit's archive, and
 * keeps the message in thread-local storage for the host to take:
 *
 *     const sffi_entry *e = sffi_host_find("rt_sqlite_exec");
 *     sffi_value args[2] = {{.i64 = db}, {.text = "CREATE TABLE t(x)"}}, result;
 *     if (sffi_host_call(e, args, &result) != 0)
 *         fprintf(stderr, "%s: %s\n", e->name, sffi_host_error());
 *
 * Rules: the first sffi_set_error() of a call wins (later ones are
 * consequences); sffi_host_call() clears the message before the call; the
 * message stays readable until the next sffi_host_call() or
 * sffi_host_clear_error() on the same thread; messages longer than 4095 bytes
 * are cut at a UTF-8 boundary and end in "...". A host that calls thunks
 * itself must call sffi_host_clear_error() before and sffi_host_error() after.
 */

/* The entry of `name` in this kit's table (binary search), or NULL. */
const sffi_entry *sffi_host_find(const char *name);

/* The catalog entry of `name` (an extern a library outside the selection provides), or NULL. */
const sffi_catalog_entry *sffi_host_catalog_find(const char *name);

/* Clears the error, calls e->thunk(args, result). Returns 0, or -1 when the
 * library called sffi_set_error (then *result is meaningless). */
int sffi_host_call(const sffi_entry *e, const sffi_value *args, sffi_value *result);

/* The message of the failed call on this thread, or NULL when none is pending. */
const char *sffi_host_error(void);

void sffi_host_clear_error(void);

/* Layout facts of this build, so a binding in another language (the Rust
 * module) can refuse to run against a kit whose structs differ from its own. */
typedef struct sffi_host_layout {
    uint32_t abi_version;      /* SFFI_ABI_VERSION */
    uint32_t max_params;       /* SFFI_MAX_PARAMS */
    uint32_t value_size;       /* sizeof(sffi_value) */
    uint32_t entry_size;       /* sizeof(sffi_entry) */
    uint32_t catalog_entry_size;
} sffi_host_layout;

extern const sffi_host_layout sffi_host_layout_info;

#ifdef __cplusplus
}
#endif

#endif /* SFFI_HOST_H */
