/* process.c - rt_args, rt_exit, rt_getpid, the clocks and the start-up hooks. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"
#include "sffi_host.h"

static int script_argc;
static char **script_argv;
static sffi_host_exit_handler exit_handler;

void sffi_host_set_args(int argc, char **argv)
{
    script_argc = argc;
    script_argv = argv;
}

void sffi_host_set_exit_handler(sffi_host_exit_handler handler)
{
    exit_handler = handler;
}

sffi_text_slice rt_args(void)
{
    sffi_text_slice s = {(const char *const *)script_argv, script_argc};
    if (script_argc == 0)
        s.data = NULL;
    return s;
}

sffi_text_slice rt_get_args(void)
{
    return rt_args();
}

/* Ends the script with status `code` (0..255; anything else is a script
 * error: a status is one byte). */
void rt_exit(int32_t code)
{
    if (code < 0 || code > 255) {
        sffi_core_errorf("exit status must be in 0..255, got %d", (int)code);
        return;
    }
    if (exit_handler) {
        exit_handler((int)code);
        return;
    }
    fflush(NULL);
    exit((int)code);
}

int64_t rt_time_now_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rt_time_now_unix_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t rt_getpid(void)
{
    return (int64_t)getpid();
}
