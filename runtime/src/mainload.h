/*
 * mainload.h - FFI modules are dlopen'ed on the main thread (docs/modules.md, "Binding").
 *
 * Scripts run on a thread of their own (main.c: a large stack), so a module
 * loaded from there would run its dependencies' static constructors on that
 * thread, and glibc would give their allocations a thread arena grown one
 * mprotect at a time (libtorch: about 10,800 mprotect calls, ~15 ms more than
 * the same constructors on the main thread, where a linked runtime runs them).
 * While the script thread runs, the main thread serves its dlopen requests.
 */
#ifndef SIMPLE_MAINLOAD_H
#define SIMPLE_MAINLOAD_H

/* dlopen(path, flags) on the main thread when it serves (else here). NULL on
 * failure, with *error set to the loader's reason (malloc'ed, caller frees). */
void *spl_mainload_dlopen(const char *path, int flags, char **error);

/* Main thread, before creating the script thread: requests will be served. */
void spl_mainload_begin(void);

/* Main thread: serve requests until spl_mainload_end(); undoes begin. */
void spl_mainload_serve(void);

/* Script thread, when it is done (or main, when no thread was made). */
void spl_mainload_end(void);

#endif
