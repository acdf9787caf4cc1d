/*
 * sffi_core.h - what the runtime tells the `core` FFI library at start-up.
 *
 * core is an FFI library like any other: its externs (rt_env_*, rt_file_*,
 * rt_dir_*, rt_process_run, rt_time_*, rt_getpid, rt_args, rt_exit) reach
 * scripts only through the generated table. A few facts only the runtime
 * knows (the script's arguments, how to stop cleanly) come in through these
 * functions, which are not externs.
 */
#ifndef SFFI_CORE_H
#define SFFI_CORE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The script's arguments (those after the script file): rt_args() returns
 * them. The strings are borrowed and must stay valid while externs run. */
void sffi_core_set_args(int argc, char **argv);

/* Called by rt_exit(code) instead of exit(): the runtime records the request,
 * unwinds the script, frees what it holds and exits with `code`. The handler
 * returns. Without a handler rt_exit flushes stdio and calls exit(). */
typedef void (*sffi_core_exit_handler)(int code);
void sffi_core_set_exit_handler(sffi_core_exit_handler handler);

/* Frees the calling thread's result blocks (the texts and arrays of the last
 * call that returned some: rt_file_read_text, rt_dir_list, rt_process_run...). */
void sffi_core_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif /* SFFI_CORE_H */
