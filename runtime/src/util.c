/* util.c - allocation helpers and StrBuf. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void spl_out_of_memory(void)
{
    fputs("simple: out of memory\n", stderr);
    exit(70); /* documented in `simple --help` and docs/language.md */
}

void *spl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        spl_out_of_memory();
    return p;
}

void *spl_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        spl_out_of_memory();
    return p;
}

void *spl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        spl_out_of_memory();
    return q;
}

char *spl_xstrndup(const char *s, size_t n)
{
    char *d = spl_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *spl_xstrdup(const char *s) { return spl_xstrndup(s, strlen(s)); }

void spl_grow_array(void **items, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return;
    int n = *cap ? *cap : 4;
    while (n < need)
        n *= 2;
    *items = spl_xrealloc(*items, (size_t)n * size);
    *cap = n;
}

static void sb_reserve(StrBuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    sb->data = spl_xrealloc(sb->data, cap);
    sb->cap = cap;
}

void spl_sb_add(StrBuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void spl_sb_adds(StrBuf *sb, const char *s) { spl_sb_add(sb, s, strlen(s)); }

void spl_sb_addc(StrBuf *sb, char c) { spl_sb_add(sb, &c, 1); }

void spl_sb_vprintf(StrBuf *sb, const char *fmt, va_list ap)
{
    if (!fmt) /* never; keeps GCC's -Wformat-truncation quiet under -fsanitize=undefined */
        return;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n <= 0)
        return;
    sb_reserve(sb, (size_t)n);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void spl_sb_printf(StrBuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    spl_sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

char *spl_sb_take(StrBuf *sb)
{
    char *s = sb->data ? sb->data : spl_xstrdup("");
    sb->data = NULL;
    sb->len = sb->cap = 0;
    return s;
}

void spl_sb_free(StrBuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

void spl_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(out, "\\u%04x", *s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}
