/* fileread.c - reading files as bytes, as text at an offset, and the
 * nil-on-failure text readers of Simple's fs.spl. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"

/* Drops every '\r' of `text` (len bytes) in place, as Simple's
 * rt_file_read_text does ("CRLF -> LF"); returns the new length. */
size_t sffi_core_drop_cr(char *text, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] != '\r')
            text[o++] = text[i];
    text[o] = '\0';
    return o;
}

/* The whole file (its length in *len), or NULL after setting the script
 * error that names the path and the reason: what the byte readers share. */
static char *read_or_fail(const char *path, size_t *len)
{
    char *data = sffi_core_read_file(path, len);
    if (!data)
        sffi_core_errorf("cannot read '%s': %s", path, strerror(errno));
    return data;
}

/* The whole file as bytes; a script error naming the path and the reason
 * when it cannot be read (Simple gives nil, which its `-> [u8]` callers
 * cannot use either). */
sffi_u8_slice rt_file_read_bytes(const char *path)
{
    sffi_u8_slice s = {NULL, 0};
    size_t len = 0;
    char *data = read_or_fail(path, &len);
    if (!data)
        return s;
    sffi_core_keep_text(data);
    s.data = (const uint8_t *)data;
    s.len = (int64_t)len;
    return s;
}

/* The file's bytes, each as an int 0..255 (Simple's fs.spl declares
 * `-> [i64]`); a script error when it cannot be read, as Simple's. */
sffi_i64_slice rt_file_mmap_read_bytes(const char *path)
{
    sffi_i64_slice s = {NULL, 0};
    size_t len = 0;
    char *data = read_or_fail(path, &len);
    if (!data)
        return s;
    int64_t *ints = malloc((len ? len : 1) * sizeof *ints);
    if (!ints) {
        free(data);
        sffi_core_errorf("out of memory reading '%s'", path);
        return s;
    }
    for (size_t i = 0; i < len; i++)
        ints[i] = (unsigned char)data[i];
    free(data);
    sffi_core_keep_text((char *)ints);
    s.data = len ? ints : NULL;
    s.len = (int64_t)len;
    return s;
}

/* The file as valid text ('\r' dropped, bad UTF-8 and NUL bytes as U+FFFD),
 * or NULL (nil) when it cannot be read. */
static const char *read_text_or_nil(const char *path)
{
    size_t len = 0;
    char *data = sffi_core_read_file(path, &len);
    if (!data)
        return NULL;
    len = sffi_core_drop_cr(data, len);
    char *text = sffi_core_lossy_text(data, len);
    free(data);
    return text ? sffi_core_keep_text(text) : NULL;
}

const char *rt_fs_read_text(const char *path)
{
    return read_text_or_nil(path);
}

/* rt_file_read_text's content (Simple's interpreter maps the mmap-named
 * call to it): nil when the file cannot be read. */
const char *rt_file_mmap_read_text(const char *path)
{
    return read_text_or_nil(path);
}

/* Up to `size` bytes from byte `offset` (fewer at the end of the file) as
 * valid text (bad UTF-8 as U+FFFD); NULL on any failure: a negative offset
 * or size, an unreadable file. */
static const char *read_at(const char *path, int64_t offset, int64_t size)
{
    if (offset < 0 || size < 0)
        return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        close(fd);
        return NULL;
    }
    /* Never allocate more than a regular file can give from `offset`. */
    int64_t left = S_ISREG(st.st_mode) ? (st.st_size > offset ? st.st_size - offset : 0) : size;
    size_t want = (size_t)(size < left ? size : left);
    if (want > (size_t)1 << 30)
        want = (size_t)1 << 30;
    char *buf = malloc(want + 1);
    size_t got = 0;
    while (buf && got < want) {
        ssize_t n = pread(fd, buf + got, want - got, (off_t)offset + (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0) {
                free(buf);
                buf = NULL;
            }
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    if (!buf)
        return NULL;
    char *text = sffi_core_lossy_text(buf, got);
    free(buf);
    return text ? sffi_core_keep_text(text) : NULL;
}

/* rt_file_read_text_at_checked's text, "" on failure (Simple's unchecked variant). */
const char *rt_file_read_text_at(const char *path, int64_t offset, int64_t size)
{
    const char *t = read_at(path, offset, size);
    return t ? t : "";
}

/* nil marks failure; "" is a valid read at or past the end of the file. */
const char *rt_file_read_text_at_checked(const char *path, int64_t offset, int64_t size)
{
    return read_at(path, offset, size);
}
