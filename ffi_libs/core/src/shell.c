/* shell.c - rt_shell*, rt_exec*: a command line run by "/bin/sh -c" (the
 * only externs that use a shell; its pipes, redirections and quoting apply,
 * so a command built from untrusted text is command injection). Each
 * records its exit status for rt_shell_exit_code. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "sffi_abi.h"
#include "core_internal.h"
#include "process_internal.h"

static _Thread_local int64_t last_code;

/* The status Simple reports: the exit status, -1 when the shell could not
 * be started or ended by a signal. */
static int64_t code_of(int rc, const sffi_core_ran *res)
{
    return last_code = rc ? -1 : sffi_core_exit_code(res->status);
}

/* Runs `cmd` with this process's stdin, stdout and stderr: its exit status. */
int64_t rt_shell(const char *cmd)
{
    sffi_core_run r = {.cmd = cmd, .shell = true, .inherit_stdin = true};
    sffi_core_ran res;
    fflush(NULL);
    return code_of(sffi_core_run_program(&r, &res), &res);
}

int32_t rt_exec(const char *cmd)
{
    return (int32_t)rt_shell(cmd);
}

/* `cmd`'s stdout as valid text (stderr discarded); "" when the shell cannot run. */
const char *rt_shell_output(const char *cmd)
{
    sffi_core_run r = {.cmd = cmd, .shell = true, .capture = true, .max_bytes = -1};
    sffi_core_ran res;
    int rc = sffi_core_run_program(&r, &res);
    code_of(rc, &res);
    if (rc) {
        sffi_core_ran_free(&res);
        return "";
    }
    free(res.err);
    return sffi_core_keep_text(res.out);
}

const char *rt_exec_output(const char *cmd)
{
    return rt_shell_output(cmd);
}

/* (stdout, stderr, exit status) of `cmd`; ("", reason, -1) when the shell cannot run. */
sffi_tuple_text_text_i64 rt_shell_exec_tuple(const char *cmd)
{
    sffi_core_run r = {.cmd = cmd, .shell = true, .capture = true, .max_bytes = -1};
    sffi_tuple_text_text_i64 t = sffi_core_run_tuple(&r, false);
    last_code = t.f2;
    return t;
}

/* The exit status of this thread's last rt_shell, rt_shell_output, rt_exec,
 * rt_exec_output or rt_shell_exec_tuple; 0 before the first. */
int64_t rt_shell_exit_code(void)
{
    return last_code;
}
