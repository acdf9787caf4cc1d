/* spawn.c - the process engine behind rt_process_*, rt_shell* and rt_exec*:
 * find a program, start it, collect its output (bounded or not) until it
 * ends or a timeout passes, and reap it.
 *
 * The program is found in the parent (resolve), started with posix_spawn
 * (or fork + exec when a memory limit must be set in the child), and both
 * pipes are read with poll() until both close, then it is reaped. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"
#include "process_internal.h"

extern char **environ;


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


/* One stream's captured bytes. Unbounded (limit < 0): all in `head`.
 * Bounded: the first ceil(limit/2) bytes in `head`, the last floor(limit/2)
 * in `tail` (a buffer trimmed from the front as it grows), and the total
 * seen, so the text can say how many bytes were left out in between. */
typedef struct {
    char *head, *tail;
    size_t head_len, head_cap, tail_len, tail_cap;
    uint64_t total;
    int64_t limit;
} capture;

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 65536;
    while (c < need)
        c *= 2;
    char *bigger = realloc(*buf, c);
    if (!bigger)
        return ENOMEM;
    *buf = bigger;
    *cap = c;
    return 0;
}

static int capture_add(capture *c, const char *data, size_t n)
{
    c->total += n;
    size_t head_max = c->limit < 0 ? SIZE_MAX : (size_t)((c->limit + 1) / 2);
    size_t tail_max = c->limit < 0 ? 0 : (size_t)c->limit - head_max;
    size_t to_head = head_max - c->head_len < n ? head_max - c->head_len : n;
    if (to_head) {
        if (grow(&c->head, &c->head_cap, c->head_len + to_head))
            return ENOMEM;
        memcpy(c->head + c->head_len, data, to_head);
        c->head_len += to_head;
    }
    data += to_head;
    n -= to_head;
    if (n == 0 || tail_max == 0)
        return 0;
    if (grow(&c->tail, &c->tail_cap, c->tail_len + n))
        return ENOMEM;
    memcpy(c->tail + c->tail_len, data, n);
    c->tail_len += n;
    if (c->tail_len > 2 * tail_max && c->tail_len > 65536) {
        memmove(c->tail, c->tail + c->tail_len - tail_max, tail_max);
        c->tail_len = tail_max;
    }
    return 0;
}

/* The captured stream as valid text: head, then (when bytes were left out)
 * "\n[output truncated: N bytes omitted]\n", then tail, as Simple's
 * rt_process_run_bounded; `extra` appended ("Process timed out"). */
static char *capture_text(capture *c, const char *extra)
{
    size_t tail_max = c->limit < 0 ? 0 : (size_t)c->limit - (size_t)((c->limit + 1) / 2);
    size_t tail_len = c->tail_len > tail_max ? tail_max : c->tail_len;
    const char *tail = c->tail ? c->tail + (c->tail_len - tail_len) : "";
    char marker[80] = "";
    if (c->limit >= 0 && c->total > (uint64_t)c->limit)
        snprintf(marker, sizeof marker, "\n[output truncated: %llu bytes omitted]\n",
                 (unsigned long long)(c->total - (uint64_t)c->limit));
    size_t extra_len = extra ? strlen(extra) + 1 : 0;
    size_t len = c->head_len + strlen(marker) + tail_len + extra_len;
    char *raw = malloc(len + 1);
    if (!raw)
        return NULL;
    size_t o = 0;
    memcpy(raw + o, c->head ? c->head : "", c->head_len);
    o += c->head_len;
    memcpy(raw + o, marker, strlen(marker));
    o += strlen(marker);
    if (tail_len)
        memcpy(raw + o, tail, tail_len);
    o += tail_len;
    if (extra) {
        if (o > 0)
            raw[o++] = '\n';
        memcpy(raw + o, extra, extra_len - 1);
        o += extra_len - 1;
    }
    char *text = sffi_core_lossy_text(raw, o);
    free(raw);
    return text;
}

static void capture_free(capture *c)
{
    free(c->head);
    free(c->tail);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds to `deadline` for poll(): -1 without one, at least 0. */
static int poll_wait(int64_t deadline)
{
    if (deadline < 0)
        return -1;
    int64_t left = deadline - now_ms();
    return left <= 0 ? 0 : left > 1000 ? 1000 : (int)left;
}

/* Reads both pipes until both close or `deadline` passes (then returns
 * ETIMEDOUT), whichever has data first, so a child that fills one pipe
 * while we wait on the other cannot deadlock. 0, or an errno value. */
static int collect(int fds_in[2], capture *caps[2], int64_t deadline)
{
    struct pollfd fds[2] = {{fds_in[0], POLLIN, 0}, {fds_in[1], POLLIN, 0}};
    int open_fds = (fds[0].fd >= 0) + (fds[1].fd >= 0);
    char buf[65536];
    while (open_fds > 0) {
        if (deadline >= 0 && now_ms() >= deadline)
            return ETIMEDOUT;
        int rc = poll(fds, 2, poll_wait(deadline));
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return errno;
            if (n == 0) {
                fds[i].fd = -1; /* poll ignores negative descriptors */
                open_fds--;
            } else if (capture_add(caps[i], buf, (size_t)n)) {
                return ENOMEM;
            }
        }
    }
    return 0;
}

/* Waits for `pid` until `deadline` (-1: none): 0 with *status, or ETIMEDOUT. */
static int wait_until(pid_t pid, int *status, int64_t deadline)
{
    for (;;) {
        pid_t r = waitpid(pid, status, deadline < 0 ? 0 : WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return errno;
        if (r == 0) {
            if (now_ms() >= deadline)
                return ETIMEDOUT;
            struct timespec ts = {0, 5 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

/* Starts the program: stdin from /dev/null (or inherited), stdout and
 * stderr into the pipes' write ends (or inherited when out_w < 0), its own
 * process group when asked, SIGPIPE at its default (a runtime may ignore
 * it; the child should not inherit that), and an address-space limit when
 * memory_mb > 0 (fork + exec: posix_spawn cannot set one). 0 or an errno. */
static int start(pid_t *pid, const char *program, char **argv, const sffi_core_run *r, int out_w, int err_w)
{
    if (r->memory_mb > 0) {
        struct rlimit lim;
        lim.rlim_cur = lim.rlim_max = r->memory_mb > (int64_t)(RLIM_INFINITY >> 21) ? RLIM_INFINITY
                                      : (rlim_t)r->memory_mb << 20;
        pid_t child = fork();
        if (child < 0)
            return errno;
        if (child == 0) {
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, NULL);
            signal(SIGPIPE, SIG_DFL);
            if (r->new_group)
                setpgid(0, 0);
            if (!r->inherit_stdin) {
                int in = open("/dev/null", O_RDONLY);
                if (in >= 0 && in != 0) {
                    dup2(in, 0);
                    close(in);
                }
            }
            if (out_w >= 0) {
                dup2(out_w, 1);
                dup2(err_w, 2);
            }
            setrlimit(RLIMIT_AS, &lim);
            execve(program, argv, environ);
            _exit(127);
        }
        *pid = child;
        return 0;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, pipe_sig;
    sigemptyset(&none);
    sigemptyset(&pipe_sig);
    sigaddset(&pipe_sig, SIGPIPE);
    posix_spawn_file_actions_init(&fa);
    if (!r->inherit_stdin)
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (out_w >= 0) {
        posix_spawn_file_actions_adddup2(&fa, out_w, 1);
        posix_spawn_file_actions_adddup2(&fa, err_w, 2);
    }
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &pipe_sig);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (r->new_group) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(&attr, 0);
    }
    posix_spawnattr_setflags(&attr, flags);
    int rc = posix_spawn(pid, program, &fa, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/* Kills the program after a timeout: its whole process group when it has
 * one of its own (its children too, as Simple's bounded run does). */
static void kill_program(pid_t pid, bool group)
{
    if (!group || kill(-pid, SIGKILL) != 0)
        kill(pid, SIGKILL);
}

static void close_pair(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
}

int sffi_core_run_program(const sffi_core_run *r, sffi_core_ran *res)
{
    memset(res, 0, sizeof *res);
    const char *cmd = r->shell ? "/bin/sh" : r->cmd;
    char *program = NULL;
    int rc = resolve(cmd, &program);
    if (rc)
        return res->start_error = rc;
    const char *shell_args[2] = {"-c", r->cmd};
    char **argv = r->shell ? make_argv("sh", shell_args, 2) : make_argv(r->cmd, r->args, r->n_args);
    int out_p[2] = {-1, -1}, err_p[2] = {-1, -1};
    if (!argv)
        rc = ENOMEM;
    else if (r->capture && (cloexec_pipe(out_p) != 0 || cloexec_pipe(err_p) != 0))
        rc = errno;
    pid_t pid = 0;
    if (!rc)
        rc = start(&pid, program, argv, r, out_p[1], err_p[1]);
    free(argv);
    free(program);
    if (out_p[1] >= 0)
        close(out_p[1]);
    if (err_p[1] >= 0)
        close(err_p[1]);
    out_p[1] = err_p[1] = -1;
    if (rc) {
        close_pair(out_p);
        close_pair(err_p);
        return res->start_error = rc;
    }
    res->pid = pid;
    int64_t deadline = r->timeout_ms > 0 ? now_ms() + (r->timeout_ms > INT64_MAX / 4 ? INT64_MAX / 4 : r->timeout_ms) : -1;
    capture out = {.limit = r->max_bytes}, err = {.limit = r->max_bytes};
    capture *caps[2] = {&out, &err};
    int fds[2] = {out_p[0], err_p[0]};
    int failed = r->capture ? collect(fds, caps, deadline) : 0;
    if (failed == 0)
        failed = wait_until(pid, &res->status, deadline);
    if (failed == ETIMEDOUT) {
        res->timed_out = true;
        kill_program(pid, r->new_group);
        if (r->capture)  /* what is already in the pipes, for at most 100 ms more */
            (void)collect(fds, caps, now_ms() + 100);
        failed = wait_until(pid, &res->status, -1);
    } else if (failed && failed != ECHILD) {
        kill_program(pid, r->new_group);
        wait_until(pid, &res->status, -1);
    }
    if (out_p[0] >= 0)
        close(out_p[0]);
    if (err_p[0] >= 0)
        close(err_p[0]);
    if (failed && !res->timed_out) {
        capture_free(&out);
        capture_free(&err);
        return res->run_error = failed;
    }
    if (r->capture) {
        res->out = capture_text(&out, NULL);
        res->err = capture_text(&err, res->timed_out ? "Process timed out" : NULL);
        if (!res->out || !res->err) {
            free(res->out);
            free(res->err);
            res->out = res->err = NULL;
            res->run_error = ENOMEM;
        }
    }
    capture_free(&out);
    capture_free(&err);
    return res->run_error;
}

void sffi_core_ran_free(sffi_core_ran *res)
{
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
}

pid_t sffi_core_spawn_detached(const char *cmd, const char *const *args, int64_t n_args, int *error)
{
    char *program = NULL;
    int rc = resolve(cmd, &program);
    char **argv = rc ? NULL : make_argv(cmd, args, n_args);
    if (!rc && !argv)
        rc = ENOMEM;
    pid_t pid = -1;
    sffi_core_run r = {.cmd = cmd, .new_group = true};
    if (!rc)
        rc = start(&pid, program, argv, &r, -1, -1);
    free(argv);
    free(program);
    *error = rc;
    return rc ? -1 : pid;
}

/* Keeps both streams of `res` as this call's results and makes the tuple. */
static sffi_tuple_text_text_i64 keep_tuple(sffi_core_ran *res, int64_t code)
{
    sffi_tuple_text_text_i64 t = {"", "", code};
    sffi_core_results_reset();
    t.f0 = sffi_core_keep(res->out);
    t.f1 = sffi_core_keep(res->err);
    res->out = res->err = NULL;
    return t;
}

sffi_tuple_text_text_i64 sffi_core_run_tuple(const sffi_core_run *r, bool shell_code)
{
    sffi_core_ran res;
    int err = sffi_core_run_program(r, &res);
    if (res.start_error) {
        char msg[512];
        snprintf(msg, sizeof msg, "cannot run '%.200s': %s", r->shell ? "/bin/sh" : r->cmd, strerror(res.start_error));
        res.out = strdup("");
        res.err = strdup(msg);
        if (!res.out || !res.err) {
            sffi_core_ran_free(&res);
            sffi_core_errorf("out of memory");
            return (sffi_tuple_text_text_i64){"", "", -1};
        }
        return keep_tuple(&res, -1);
    }
    if (err) {
        sffi_core_ran_free(&res);
        sffi_core_errorf("running '%.200s': %s", r->cmd, strerror(err));
        return (sffi_tuple_text_text_i64){"", "", -1};
    }
    int64_t code = res.timed_out ? -1
                   : shell_code && WIFSIGNALED(res.status) ? 128 + WTERMSIG(res.status)
                                                          : sffi_core_exit_code(res.status);
    return keep_tuple(&res, code);
}

sffi_tuple_text_text_i64 rt_process_run(const char *cmd, const char *const *args, int64_t n_args)
{
    sffi_core_run r = {.cmd = cmd, .args = args, .n_args = n_args, .capture = true, .max_bytes = -1};
    return sffi_core_run_tuple(&r, true);
}
