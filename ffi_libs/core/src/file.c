/* file.c - rt_file_read_text, rt_file_write_text, rt_file_exists. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

const char *rt_file_read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sffi_core_errorf("cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    errno = 0;
    size_t len = 0;
    char *text = read_all(f, &len);
    int saved = errno;
    fclose(f);
    if (!text) {
        sffi_core_errorf("cannot read '%s': %s", path, strerror(saved));
        return NULL;
    }
    if (memchr(text, '\0', len) != NULL) {
        free(text);
        sffi_core_errorf("cannot read '%s' as text: it contains a NUL byte", path);
        return NULL;
    }
    return sffi_core_keep_text(text);
}

void rt_file_write_text(const char *path, const char *content)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        sffi_core_errorf("cannot write '%s': %s", path, strerror(errno));
        return;
    }
    size_t len = strlen(content);
    bool ok = fwrite(content, 1, len, f) == len;
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok)
        sffi_core_errorf("cannot write '%s': %s", path, strerror(saved));
}

bool rt_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}
