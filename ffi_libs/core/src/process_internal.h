/* process_internal.h - the process engine (spawn.c) shared by the process,
 * shell and child-process externs. */
#ifndef PROCESS_INTERNAL_H
#define PROCESS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core_internal.h"

/* How to run one program. */
typedef struct {
    const char *cmd;               /* the program (found as execvp does), or the shell command line */
    const char *const *args;       /* its arguments after argv[0] */
    int64_t n_args;
    bool shell;                    /* run "/bin/sh -c cmd" instead */
    bool capture;                  /* stdout and stderr into pipes; else inherited */
    bool inherit_stdin;            /* else /dev/null */
    bool new_group;                /* its own process group (killed as a group on timeout) */
    int64_t timeout_ms;            /* <= 0: none; then SIGKILL, "Process timed out" on stderr */
    int64_t max_bytes;             /* < 0: unbounded; else head and tail kept of each stream */
    int64_t memory_mb;             /* > 0: RLIMIT_AS in MiB for the child */
} sffi_core_run;

/* What came of it. */
typedef struct {
    int start_error;               /* errno when it could not be started (then nothing else is set) */
    int run_error;                 /* errno when reading its output failed */
    int status;                    /* waitpid status */
    bool timed_out;
    pid_t pid;
    char *out, *err;               /* valid text, malloc'd (capture only) */
} sffi_core_ran;

/* Runs `r` to its end: 0, or the start_error / run_error it set in `res`. */
int sffi_core_run_program(const sffi_core_run *r, sffi_core_ran *res);
void sffi_core_ran_free(sffi_core_ran *res);

/* Runs a capturing `r` and keeps (stdout, stderr, code) as the call's
 * result. code: the exit status; -1 when not started (stderr says why) or
 * timed out; for a signal, 128 + N when `shell_code` (rt_process_run's
 * contract) else -1 (Simple's externs). */
sffi_tuple_text_text_i64 sffi_core_run_tuple(const sffi_core_run *r, bool shell_code);

/* Starts a program that runs on (stdin /dev/null, stdout and stderr
 * inherited, its own process group): its pid, or -1 with *error set. */
pid_t sffi_core_spawn_detached(const char *cmd, const char *const *args, int64_t n_args, int *error);

#endif
