/* children.c - programs started to run on: rt_process_spawn, _wait, _kill,
 * and rt_process_exists, rt_process_hwm_kib.
 *
 * Only children this library spawned can be waited for or killed (Simple's
 * interpreter keeps the same table): a pid from anywhere else gives -1 /
 * false, so no script value can signal an unrelated process. Each child
 * runs in its own process group, and rt_process_kill also refuses pid <= 1
 * and any process of the runtime's own process group. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"
#include "process_internal.h"

#define MAX_CHILDREN 1024

static pid_t children[MAX_CHILDREN];

static int slot_of(int64_t pid)
{
    if (!sffi_core_pid_ok(pid))
        return -1;
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] == (pid_t)pid)
            return i;
    return -1;
}

/* Starts the program (no shell; stdin /dev/null, stdout and stderr
 * inherited): its pid, or -1 when it cannot be started. */
int64_t rt_process_spawn(const char *cmd, const char *const *args, int64_t n_args)
{
    int slot = -1;
    for (int i = 0; i < MAX_CHILDREN && slot < 0; i++)
        if (children[i] == 0)
            slot = i;
    if (slot < 0)
        return -1;  /* MAX_CHILDREN running and not waited for */
    int err = 0;
    fflush(NULL);
    pid_t pid = sffi_core_spawn_detached(cmd, args, n_args, &err);
    if (pid < 0)
        return -1;
    children[slot] = pid;
    return pid;
}

/* Waits for a spawned child: its exit status (-1 if a signal ended it),
 * then it is forgotten. With timeout_ms > 0, -2 when it is still running
 * after that long (it stays known); -1 for a pid this library did not spawn
 * or already waited for. */
int64_t rt_process_wait(int64_t pid, int64_t timeout_ms)
{
    int slot = slot_of(pid);
    if (slot < 0)
        return -1;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = 0;
    for (;;) {
        pid_t r = waitpid((pid_t)pid, &status, timeout_ms > 0 ? WNOHANG : 0);
        if (r == (pid_t)pid)
            break;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            children[slot] = 0;
            return -1;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t waited = (int64_t)(now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (waited >= timeout_ms)
            return -2;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    children[slot] = 0;
    return sffi_core_exit_code(status);
}

/* SIGKILL to a spawned child, then reaps it: true when both worked. False,
 * and nothing sent, for pid <= 1, a process of the runtime's own process
 * group (the runtime itself, whoever started it in that group), and any
 * pid this library did not spawn or has already reaped. */
bool rt_process_kill(int64_t pid)
{
    if (pid <= 1 || !sffi_core_pid_ok(pid))
        return false;
    pid_t group = getpgid((pid_t)pid);
    if (group < 0 || group == getpgrp() || (pid_t)pid == getpid())
        return false;
    int slot = slot_of(pid);
    if (slot < 0)
        return false;
    bool killed = kill((pid_t)pid, SIGKILL) == 0;
    int status;
    pid_t r;
    do
        r = waitpid((pid_t)pid, &status, 0);
    while (r < 0 && errno == EINTR);
    children[slot] = 0;
    return killed && r == (pid_t)pid;
}

/* Whether a process `pid` exists (signal 0 reaches it, or it exists but
 * belongs to another user); false for pid <= 0 or one beyond pid_t. */
bool rt_process_exists(int64_t pid)
{
    if (!sffi_core_pid_ok(pid))
        return false;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* This process's peak resident set size (VmHWM of /proc/self/status) in
 * KiB; -1 where it cannot be read. */
int64_t rt_process_hwm_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long long kib = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0 && sscanf(line + 6, "%lld", &kib) == 1)
            break;
    fclose(f);
    return kib;
}
