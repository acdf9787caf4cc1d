/* file.c - rt_file_*: read, write, test, delete, read as lines. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"

/* Reads all of `f` into a NUL-terminated malloc'd buffer; NULL with errno set on failure. */
static char *read_all(FILE *f, size_t *len_out)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len - 1, f);
        if (ferror(f)) {
            int saved = errno ? errno : EIO;
            free(buf);
            errno = saved;
            return NULL;
        }
        if (feof(f))
            break;
        if (cap - len - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger)
                free(buf);
            buf = bigger;
            cap *= 2;
        }
    }
    if (!buf) {
        errno = ENOMEM;
        return NULL;
    }
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

char *sffi_core_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    errno = 0;
    char *text = read_all(f, len_out);
    int saved = errno;
    fclose(f);
    errno = saved;
    return text;
}

const char *rt_file_read_text(const char *path)
{
    size_t len = 0;
    char *text = sffi_core_read_file(path, &len);
    if (!text) {
        sffi_core_errorf("cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    if (memchr(text, '\0', len) != NULL) {
        free(text);
        sffi_core_errorf("cannot read '%s' as text: it contains a NUL byte", path);
        return NULL;
    }
    sffi_core_drop_cr(text, len);  /* Simple's rt_file_read_text: CRLF -> LF */
    return sffi_core_keep_text(text);
}

/* 0 when `content` was written to `path` (created or replaced); else errno. */
static int write_text(const char *path, const char *content)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return errno;
    size_t len = strlen(content);
    int err = fwrite(content, 1, len, f) == len ? 0 : (errno ? errno : EIO);
    if (fclose(f) != 0 && err == 0)
        err = errno ? errno : EIO;
    return err;
}

bool rt_file_write_text(const char *path, const char *content)
{
    return write_text(path, content) == 0;
}

void rt_file_write_text_or_error(const char *path, const char *content)
{
    int err = write_text(path, content);
    if (err)
        sffi_core_errorf("cannot write '%s': %s", path, strerror(err));
}

bool rt_file_exists(const char *path)
{
    struct stat st;
    bool exists = stat(path, &st) == 0;
    sffi_core_probe_record(exists);
    return exists;
}

/* Removes a file (or a symbolic link); a directory is not a file: false. */
bool rt_file_delete(const char *path)
{
    return unlink(path) == 0;
}

/* Splits `text` (len bytes, NUL-free) in place into lines as Rust's
 * str::lines does: at each '\n', a '\r' before it dropped, no empty last line
 * after a final '\n'. Returns the malloc'd array of line starts. */
static const char **split_lines(char *text, size_t len, int64_t *count)
{
    int64_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    n += len > 0 && text[len - 1] != '\n';
    const char **lines = malloc((size_t)(n ? n : 1) * sizeof *lines);
    if (!lines)
        return NULL;
    char *start = text, *end = text + len;
    for (int64_t k = 0; k < n; k++) {
        char *nl = memchr(start, '\n', (size_t)(end - start));
        char *stop = nl ? nl : end;
        if (stop > start && stop[-1] == '\r')
            stop--;
        *stop = '\0';
        lines[k] = start;
        start = nl ? nl + 1 : end;
    }
    *count = n;
    return lines;
}

/* nil (len -1) when the file cannot be read, or is not text (a NUL byte). */
sffi_text_slice rt_file_read_lines(const char *path)
{
    sffi_text_slice none = {NULL, -1};
    size_t len = 0;
    char *text = sffi_core_read_file(path, &len);
    if (!text)
        return none;
    int64_t n = 0;
    const char **lines = memchr(text, '\0', len) ? NULL : split_lines(text, len, &n);
    if (!lines) {
        free(text);
        return none;
    }
    sffi_core_results_reset();
    sffi_core_keep(text);
    sffi_core_keep((void *)lines);
    sffi_text_slice s = {n ? lines : NULL, n};
    return s;
}
