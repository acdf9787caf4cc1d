/* lock.c - rt_file_lock / rt_file_unlock: Simple's lock files.
 *
 * A lock on PATH is the file "PATH.lock", created exclusively and holding
 * "PID:HOSTNAME". Simple's interpreter breaks a lock older than 60 s; this
 * one also breaks at once a lock whose process (on this host) is gone, and
 * never waits on a lock this process holds itself (that wait could only
 * time out). Handles count from 1 and are never reused. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"

#define MAX_LOCKS 256

static struct {
    int64_t handle;
    char *lock_path;
} locks[MAX_LOCKS];
static int64_t next_handle = 1;

static void this_host(char *buf, size_t size)
{
    if (gethostname(buf, size) != 0)
        snprintf(buf, size, "unknown");
    buf[size - 1] = '\0';
}

/* Whether the lock file names a process of this host that is gone, or
 * this process itself (*mine). */
static bool owner_gone(const char *lock_path, bool *mine)
{
    char buf[320], host[256];
    *mine = false;
    int fd = open(lock_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    char *colon = strchr(buf, ':');
    if (!colon)
        return false;
    *colon = '\0';
    this_host(host, sizeof host);
    if (strcmp(colon + 1, host) != 0)
        return false;
    char *end = NULL;
    long pid = strtol(buf, &end, 10);
    if (*end || pid <= 0)
        return false;
    if (pid == (long)getpid()) {
        *mine = true;
        return false;
    }
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

static bool older_than_a_minute(const char *lock_path)
{
    struct stat st;
    return stat(lock_path, &st) == 0 && time(NULL) - st.st_mtime > 60;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t remember(char *lock_path)
{
    for (int i = 0; i < MAX_LOCKS; i++)
        if (!locks[i].lock_path) {
            locks[i].handle = next_handle++;
            locks[i].lock_path = lock_path;
            return locks[i].handle;
        }
    unlink(lock_path);
    free(lock_path);
    return -1;
}

/* Takes the lock on `path`, waiting up to `timeout_secs` (retrying with a
 * backoff of 10 ms doubling to 500 ms): its handle (> 0), or -1 when it is
 * still held after the timeout, held by this process already, or the lock
 * file cannot be made (a missing directory, no permission). */
int64_t rt_file_lock(const char *path, int64_t timeout_secs)
{
    size_t len = strlen(path);
    char *lock_path = malloc(len + 6);
    if (!lock_path)
        return -1;
    memcpy(lock_path, path, len);
    memcpy(lock_path + len, ".lock", 6);
    char host[256], content[320];
    this_host(host, sizeof host);
    snprintf(content, sizeof content, "%ld:%s", (long)getpid(), host);
    int64_t secs = timeout_secs < 0 ? 0 : timeout_secs > 86400 * 365 ? 86400 * 365 : timeout_secs;
    int64_t deadline = monotonic_ms() + secs * 1000, backoff = 10;
    for (;;) {
        int fd = open(lock_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            bool ok = sffi_core_write_all(fd, content, strlen(content)) == 0;
            ok = close(fd) == 0 && ok;
            if (ok)
                return remember(lock_path);
            unlink(lock_path);
            break;
        }
        if (errno != EEXIST)
            break;
        bool mine = false;
        if (owner_gone(lock_path, &mine) || (!mine && older_than_a_minute(lock_path))) {
            unlink(lock_path);
            continue;
        }
        if (mine || monotonic_ms() >= deadline)
            break;
        struct timespec ts = {0, (long)backoff * 1000000L};
        nanosleep(&ts, NULL);
        backoff = backoff * 2 > 500 ? 500 : backoff * 2;
    }
    free(lock_path);
    return -1;
}

/* Releases the lock `handle` gave (removes its lock file): false for a
 * handle that is unknown or already released. */
bool rt_file_unlock(int64_t handle)
{
    for (int i = 0; i < MAX_LOCKS; i++)
        if (locks[i].lock_path && locks[i].handle == handle) {
            unlink(locks[i].lock_path);
            free(locks[i].lock_path);
            locks[i].lock_path = NULL;
            return true;
        }
    return false;
}
