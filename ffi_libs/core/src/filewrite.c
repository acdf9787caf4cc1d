/* filewrite.c - writing files: append, bytes, exclusive create, atomic
 * replace (with or without an explicit mode), sync. Every one returns its
 * failure value (false or -1), never a script error, as Simple's do. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"

int sffi_core_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Opens `path` with `flags` (O_CREAT: mode 0666 less the umask), writes
 * `len` bytes, closes: 0 or an errno value. */
static int write_file(const char *path, int flags, const void *data, size_t len)
{
    int fd = open(path, flags | O_CLOEXEC, 0666);
    if (fd < 0)
        return errno;
    int err = sffi_core_write_all(fd, data, len);
    if (close(fd) != 0 && !err)
        err = errno;
    return err;
}

bool rt_file_append_text(const char *path, const char *content)
{
    return write_file(path, O_WRONLY | O_CREAT | O_APPEND, content, strlen(content)) == 0;
}

bool rt_file_write_bytes(const char *path, const uint8_t *data, int64_t len)
{
    return write_file(path, O_WRONLY | O_CREAT | O_TRUNC, data, (size_t)len) == 0;
}

bool rt_write_file(const char *path, const char *content)
{
    return rt_file_write_text(path, content);
}

/* Creates or replaces `path` with `content`: the number of bytes written, -1 on failure. */
int64_t rt_file_write(const char *path, const char *content)
{
    size_t len = strlen(content);
    return write_file(path, O_WRONLY | O_CREAT | O_TRUNC, content, len) == 0 ? (int64_t)len : -1;
}

/* Creates `path` only if nothing is there (O_EXCL: a symbolic link counts
 * as something, even a dangling one) and writes `content`. */
bool rt_file_create_excl(const char *path, const char *content)
{
    return write_file(path, O_WRONLY | O_CREAT | O_EXCL, content, strlen(content)) == 0;
}

/* fsync of `path`'s data and metadata; false when it cannot be opened or synced. */
bool rt_file_sync(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

/* The directory part of `path` for its temporary sibling: "." for a bare
 * name. malloc'd; NULL when out of memory. */
static char *parent_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(len + 1);
    if (dir) {
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
    return dir;
}

/* Writes `content` to a new temporary file beside `path`, gives it `mode`
 * (mode < 0: the existing target's permission bits, or mkstemp's 0600 when
 * there is none, as Simple's tempfile-based writer does), syncs it and
 * renames it over `path`: a reader sees the old file or the new one, never
 * a part. The parent directories are created first (Simple does). */
static bool atomic_write(const char *path, const char *content, int64_t mode)
{
    if (path[0] == '\0')
        return false;
    char *dir = parent_of(path);
    if (!dir || !sffi_core_mkdirs(dir)) {
        free(dir);
        return false;
    }
    size_t dlen = strlen(dir);
    char *tmp = malloc(dlen + 32);
    if (!tmp) {
        free(dir);
        return false;
    }
    snprintf(tmp, dlen + 32, "%s/.sffi-atomic-XXXXXX", dir);
    free(dir);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return false;
    }
    struct stat st;
    if (mode < 0 && stat(path, &st) == 0)
        mode = st.st_mode & 07777;
    bool ok = (mode < 0 || fchmod(fd, (mode_t)mode) == 0) &&
              sffi_core_write_all(fd, content, strlen(content)) == 0 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok)
        unlink(tmp);
    free(tmp);
    return ok;
}

bool rt_file_atomic_write(const char *path, const char *content)
{
    return atomic_write(path, content, -1);
}

/* As rt_file_atomic_write, the temporary file given `mode` (permission bits,
 * 0..07777) before the content is written, so the content is never readable
 * under a wider mode. A mode outside 0..07777 is a script error (Simple's
 * interpreter raises one for a negative mode). */
bool rt_file_atomic_write_mode(const char *path, const char *content, int32_t mode)
{
    if (mode < 0 || mode > 07777) {
        sffi_core_errorf("mode must be permission bits in 0..0o7777, got %d", (int)mode);
        return false;
    }
    return atomic_write(path, content, mode);
}
