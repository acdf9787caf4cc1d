/* fileops.c - copy, move and remove files. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"

/* Copies the content and permission bits of regular file `src` to `dst`
 * (created or truncated), as Rust's fs::copy; false for a directory, a
 * missing source, or any read or write error. */
bool rt_file_copy(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return false;
    struct stat st;
    if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(in);
        return false;
    }
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
    if (out < 0) {
        close(in);
        return false;
    }
    char buf[65536];
    bool ok = true;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        if (sffi_core_write_all(out, buf, (size_t)n) != 0) {
            ok = false;
            break;
        }
    }
    ok = fchmod(out, st.st_mode & 07777) == 0 && ok;
    ok = close(out) == 0 && ok;
    close(in);
    return ok;
}

/* rename(2); across file systems (EXDEV) a copy then a removal of `src`, as Simple does. */
bool rt_file_move(const char *src, const char *dst)
{
    if (rename(src, dst) == 0)
        return true;
    return errno == EXDEV && rt_file_copy(src, dst) && unlink(src) == 0;
}

/* unlink(2): a file or a symbolic link; false for a directory or a missing path. */
bool rt_file_remove(const char *path)
{
    return unlink(path) == 0;
}

bool rt_io_file_delete(const char *path)
{
    return unlink(path) == 0;
}
