/* spawn.c - rt_process_run: run a program (no shell), collect stdout, stderr and its status.
 *
 * The program is found in the parent (resolve), started with posix_spawn,
 * and both pipes are read with poll() until both close, then it is reaped. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"

extern char **environ;

typedef struct {
    char *data;
    size_t len, cap;
} buffer;

/* Appends what one read() gives; 0 at end of file, -1 on error (errno set). */
static ssize_t drain_once(int fd, buffer *b)
{
    if (b->cap - b->len < 65536) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        char *bigger = realloc(b->data, cap);
        if (!bigger) {
            errno = ENOMEM;
            return -1;
        }
        b->data = bigger;
        b->cap = cap;
    }
    ssize_t n;
    do
        n = read(fd, b->data + b->len, b->cap - b->len);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        b->len += (size_t)n;
    return n;
}

/* Reads both pipes to their end, whichever has data, so a child that fills
 * one pipe while we wait on the other cannot deadlock. 0, or an errno value. */
static int collect(int out_fd, int err_fd, buffer *out, buffer *err)
{
    struct pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    buffer *bufs[2] = {out, err};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = drain_once(fds[i].fd, bufs[i]);
            if (n < 0)
                return errno;
            if (n == 0) {
                fds[i].fd = -1; /* poll ignores negative descriptors */
                open_fds--;
            }
        }
    }
    return 0;
}

/* pipe() with both ends close-on-exec, so no other child inherits them
 * (pipe2 is not in POSIX 2008; the runtime spawns from one thread). */
static int cloexec_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

/* 0 when `path` names a file this process may execute; else EACCES (a
 * directory, or no permission) or stat's errno (ENOENT, ENOTDIR...). */
static int executable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno;
    return S_ISREG(st.st_mode) && access(path, X_OK) == 0 ? 0 : EACCES;
}

/* Finds the program as execvp does: `cmd` itself when it holds a '/', else
 * the first executable PATH entry (an empty entry is the current directory;
 * PATH unset is confstr's default, "/bin:/usr/bin"); EACCES when only
 * unusable candidates exist, ENOENT when none. Doing this before the spawn
 * makes "cannot be started" certain even where posix_spawn reports a failed
 * exec only as exit status 127 (under valgrind, which cannot share memory
 * with a vfork child). *found is malloc'd. */
static int resolve(const char *cmd, char **found)
{
    if (cmd[0] == '\0')
        return ENOENT;
    if (strchr(cmd, '/')) {
        int err = executable(cmd);
        return err ? err : (*found = strdup(cmd)) ? 0 : ENOMEM;
    }
    const char *path = getenv("PATH");
    path = path ? path : "/bin:/usr/bin";
    size_t cmd_len = strlen(cmd);
    int err = ENOENT;
    for (const char *dir = path;; dir++) {
        const char *end = strchr(dir, ':');
        end = end ? end : dir + strlen(dir);
        size_t dir_len = (size_t)(end - dir);
        char *candidate = malloc(dir_len + cmd_len + 3);
        if (!candidate)
            return ENOMEM;
        sprintf(candidate, "%.*s%s%s", (int)dir_len, dir, dir_len ? "/" : "./", cmd);
        int e = executable(candidate);
        if (e == 0) {
            *found = candidate;
            return 0;
        }
        free(candidate);
        err = e == EACCES ? EACCES : err;
        if (*end == '\0')
            return err;
        dir = end;
    }
}

/* argv for the program: cmd as given, then args, then NULL. NULL when out of memory. */
static char **make_argv(const char *cmd, const char *const *args, int64_t n_args)
{
    char **argv = malloc(((size_t)n_args + 2) * sizeof *argv);
    if (!argv)
        return NULL;
    argv[0] = (char *)cmd;
    for (int64_t i = 0; i < n_args; i++)
        argv[i + 1] = (char *)args[i];
    argv[n_args + 1] = NULL;
    return argv;
}

/* Starts `argv` with stdin from /dev/null, stdout and stderr into the pipes'
 * write ends, SIGPIPE at its default (a runtime may ignore it; the child
 * should not inherit that). 0, or posix_spawn's error (E2BIG, ENOEXEC...). */
static int start(pid_t *pid, const char *program, char **argv, int out_w, int err_w)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, pipe_sig;
    sigemptyset(&none);
    sigemptyset(&pipe_sig);
    sigaddset(&pipe_sig, SIGPIPE);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_w, 1);
    posix_spawn_file_actions_adddup2(&fa, err_w, 2);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &pipe_sig);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(pid, program, &fa, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/* The exit code reported: the status for a normal exit, 128 + N for a
 * program killed by signal N (as a shell's $? says; -1 means "not started"). */
static int64_t wait_code(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

/* Keeps the results of this call: both streams as valid text (lossy). */
static sffi_tuple_text_text_i64 finish(buffer *out, buffer *err, int64_t code)
{
    sffi_tuple_text_text_i64 r = {"", "", code};
    char *o = sffi_core_lossy_text(out->data ? out->data : "", out->len);
    char *e = sffi_core_lossy_text(err->data ? err->data : "", err->len);
    free(out->data);
    free(err->data);
    if (!o || !e) {
        free(o);
        free(e);
        sffi_core_errorf("out of memory holding the output of the program");
        return r;
    }
    sffi_core_results_reset();
    r.f0 = sffi_core_keep(o);
    r.f1 = sffi_core_keep(e);
    return r;
}

/* A program that could not be started: ("", reason, -1). */
static sffi_tuple_text_text_i64 not_started(const char *cmd, int err)
{
    char msg[512];
    snprintf(msg, sizeof msg, "cannot run '%s': %s", cmd, strerror(err));
    buffer none = {0}, reason = {strdup(msg), 0, 0};
    reason.len = reason.data ? strlen(reason.data) : 0;
    return finish(&none, &reason, -1);
}

sffi_tuple_text_text_i64 rt_process_run(const char *cmd, const char *const *args, int64_t n_args)
{
    char *program = NULL;
    int rc = resolve(cmd, &program);
    if (rc)
        return not_started(cmd, rc);
    int out_p[2], err_p[2];
    if (cloexec_pipe(out_p) != 0) {
        int saved = errno;
        free(program);
        return not_started(cmd, saved);
    }
    if (cloexec_pipe(err_p) != 0) {
        int saved = errno;
        free(program);
        close(out_p[0]);
        close(out_p[1]);
        return not_started(cmd, saved);
    }
    char **argv = make_argv(cmd, args, n_args);
    pid_t pid = 0;
    rc = argv ? start(&pid, program, argv, out_p[1], err_p[1]) : ENOMEM;
    free(argv);
    free(program);
    close(out_p[1]);
    close(err_p[1]);
    buffer out = {0}, err = {0};
    int failed = rc ? 0 : collect(out_p[0], err_p[0], &out, &err);
    close(out_p[0]);
    close(err_p[0]);
    if (rc)
        return not_started(cmd, rc);
    int64_t code = wait_code(pid);
    if (failed) {
        free(out.data);
        free(err.data);
        sffi_core_errorf("reading the output of '%s': %s", cmd, strerror(failed));
        sffi_tuple_text_text_i64 r = {"", "", -1};
        return r;
    }
    return finish(&out, &err, code);
}
