/* procrun.c - Simple's ways to run a program and wait for it: with a
 * timeout, with limits, bounded output, output only, inherited streams.
 * None uses a shell: the program is found as execvp does. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sffi_abi.h"
#include "core_internal.h"
#include "process_internal.h"

static sffi_tuple_text_text_i32 narrow(sffi_tuple_text_text_i64 t)
{
    sffi_tuple_text_text_i32 r = {t.f0, t.f1, (int32_t)t.f2};
    return r;
}

/* As rt_process_run, killed (with its process group) after `timeout_ms`
 * (<= 0: no limit): then the code is -1 and stderr ends with "Process timed
 * out". A signal's end is -1 too, as in Simple. */
sffi_tuple_text_text_i32 rt_process_run_timeout(const char *cmd, const char *const *args, int64_t n_args,
                                                int64_t timeout_ms)
{
    sffi_core_run r = {.cmd = cmd, .args = args, .n_args = n_args, .capture = true, .max_bytes = -1,
                       .timeout_ms = timeout_ms, .new_group = timeout_ms > 0};
    return narrow(sffi_core_run_tuple(&r, false));
}

/* rt_process_run_timeout with the child's address space limited to
 * `memory_mb` MiB (RLIMIT_AS; <= 0: no limit): a program that needs more
 * fails its allocations (how it reports that is its own). */
sffi_tuple_text_text_i32 rt_process_run_with_limits(const char *cmd, const char *const *args, int64_t n_args,
                                                    int64_t timeout_ms, int64_t memory_mb)
{
    sffi_core_run r = {.cmd = cmd, .args = args, .n_args = n_args, .capture = true, .max_bytes = -1,
                       .timeout_ms = timeout_ms, .new_group = timeout_ms > 0, .memory_mb = memory_mb};
    return narrow(sffi_core_run_tuple(&r, false));
}

sffi_tuple_text_text_i32 rt_execute_native(const char *binary_path, const char *const *args, int64_t n_args,
                                           int64_t timeout_ms)
{
    return rt_process_run_timeout(binary_path, args, n_args, timeout_ms);
}

/* Keeps at most `max_output_bytes` of each stream: the first half and the
 * last half, with "\n[output truncated: N bytes omitted]\n" between them
 * (outside the budget), as Simple's rt_process_run_bounded. The program
 * runs in its own process group, all of it killed after `timeout_ms` (> 0).
 * A negative max_output_bytes is a script error. */
sffi_tuple_text_text_i64 rt_process_run_bounded(const char *cmd, const char *const *args, int64_t n_args,
                                                int64_t timeout_ms, int64_t max_output_bytes)
{
    if (max_output_bytes < 0) {
        sffi_core_errorf("max_output_bytes must be >= 0, got %lld", (long long)max_output_bytes);
        return (sffi_tuple_text_text_i64){"", "", -1};
    }
    sffi_core_run r = {.cmd = cmd, .args = args, .n_args = n_args, .capture = true,
                       .max_bytes = max_output_bytes, .timeout_ms = timeout_ms, .new_group = true};
    return sffi_core_run_tuple(&r, false);
}

/* The program's stdout as valid text; "" when it cannot be started (its
 * stderr is discarded, its exit status ignored, as Simple's). */
const char *rt_process_output(const char *cmd, const char *const *args, int64_t n_args)
{
    sffi_core_run r = {.cmd = cmd, .args = args, .n_args = n_args, .capture = true, .max_bytes = -1};
    sffi_core_ran res;
    if (sffi_core_run_program(&r, &res) != 0) {
        sffi_core_ran_free(&res);
        return "";
    }
    free(res.err);
    return sffi_core_keep_text(res.out);
}

/* Runs the program with this process's stdin, stdout and stderr: its exit
 * status, -1 when it cannot be started or ends by a signal. */
int64_t rt_process_run_inherit(const char *cmd, const char *const *args, int64_t n_args)
{
    sffi_core_run r = {.cmd = cmd, .args = args, .n_args = n_args, .inherit_stdin = true};
    sffi_core_ran res;
    fflush(NULL);  /* the script's own output first */
    if (sffi_core_run_program(&r, &res) != 0)
        return -1;
    return sffi_core_exit_code(res.status);
}
