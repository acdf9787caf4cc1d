/*
 * sffi_host.h - the host interface: what the runtime needs from the library
 * that provides its host services (`core`, which every runtime links).
 *
 * The runtime declares it and calls it; core implements it. The arrow goes
 * from the library to the runtime's ABI: the runtime includes no library's
 * header. Scripts reach core's externs (rt_env_*, rt_file_*, rt_time_*,
 * rt_args, rt_exit) only through the generated table; these functions are
 * not externs: they carry facts only the runtime knows (the script's
 * arguments, how to stop cleanly).
 */
#ifndef SFFI_HOST_H
#define SFFI_HOST_H

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

/* Frees the calling thread's result buffers (text returned by rt_file_read_text). */
void sffi_host_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif /* SFFI_HOST_H */
