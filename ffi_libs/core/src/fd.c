/* fd.c - files open as descriptors: rt_file_open / rt_io_file_open and the
 * rt_fd_* / rt_io_file_* calls on what they return.
 *
 * A descriptor is accepted only if one of the open calls returned it and it
 * is not closed yet: any other number (0, 1, 2, the runtime's own files, a
 * closed one) gives the failure value, so a script cannot close or write
 * the runtime's stdout by mistake. Simple's runtimes take any number. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"

#define MAX_OPEN 1024

static bool opened[MAX_OPEN];

static bool known(int64_t fd)
{
    return fd >= 0 && fd < MAX_OPEN && opened[fd];
}

/* mode: 0 read, 1 write (created or truncated), 2 append (created),
 * 3 read and write (created, kept). The descriptor, or -1 for another
 * mode or when the file cannot be opened. */
static int64_t open_mode(const char *path, int64_t mode)
{
    static const int flags[4] = {O_RDONLY, O_WRONLY | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_APPEND,
                                 O_RDWR | O_CREAT};
    if (mode < 0 || mode > 3)
        return -1;
    int fd = open(path, flags[mode] | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    if (fd >= MAX_OPEN) {
        close(fd);
        return -1;
    }
    opened[fd] = true;
    return fd;
}

int32_t rt_file_open(const char *path, int32_t mode)
{
    return (int32_t)open_mode(path, mode);
}

int64_t rt_io_file_open(const char *path, int64_t mode)
{
    return open_mode(path, mode);
}

static bool close_known(int64_t fd)
{
    if (!known(fd))
        return false;
    opened[fd] = false;
    return close((int)fd) == 0;
}

bool rt_file_close(int32_t fd)
{
    return close_known(fd);
}

bool rt_fd_close(int64_t fd)
{
    return close_known(fd);
}

bool rt_io_file_close(int64_t fd)
{
    return close_known(fd);
}

/* Reads byte by byte until `stop_byte` (kept at the end), `max` bytes, or
 * the end of the file: the bytes as valid text; "" on failure. A
 * stop_byte outside 0..255 never matches. */
const char *rt_fd_read_until(int64_t fd, int64_t stop_byte, int64_t max)
{
    if (!known(fd) || max <= 0)
        return "";
    size_t cap = 256, len = 0;
    char *buf = malloc(cap);
    while (buf && (int64_t)len < max) {
        char c;
        ssize_t n = read((int)fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (len == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                return "";
            }
            buf = bigger;
            cap *= 2;
        }
        buf[len++] = c;
        if ((unsigned char)c == stop_byte)
            break;
    }
    if (!buf)
        return "";
    char *text = sffi_core_lossy_text(buf, len);
    free(buf);
    return text ? sffi_core_keep_text(text) : "";
}

/* Writes the first `len` bytes of `data` (at most its length): the bytes
 * written, -1 for an unknown descriptor, a negative len or a write error. */
int64_t rt_fd_write(int64_t fd, const char *data, int64_t len)
{
    if (!known(fd) || len < 0)
        return -1;
    size_t n = strlen(data);
    n = (size_t)len < n ? (size_t)len : n;
    return sffi_core_write_all((int)fd, data, n) == 0 ? (int64_t)n : -1;
}

bool rt_io_file_write_all(int64_t fd, const uint8_t *data, int64_t len)
{
    return known(fd) && sffi_core_write_all((int)fd, data, (size_t)len) == 0;
}

/* fsync(2): true when the data reached the device (or the descriptor is
 * one fsync does not apply to). */
bool rt_io_file_flush(int64_t fd)
{
    return known(fd) && (fsync((int)fd) == 0 || errno == EINVAL);
}

int64_t rt_io_file_meta_size(int64_t fd)
{
    struct stat st;
    return known(fd) && fstat((int)fd, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* lseek(2), whence 0 start, 1 current, 2 end: the new offset; -1 on failure. */
int64_t rt_io_file_seek(int64_t fd, int64_t offset, int64_t whence)
{
    static const int w[3] = {SEEK_SET, SEEK_CUR, SEEK_END};
    if (!known(fd) || whence < 0 || whence > 2)
        return -1;
    off_t r = lseek((int)fd, (off_t)offset, w[whence]);
    return r < 0 ? -1 : (int64_t)r;
}
