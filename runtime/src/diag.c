/* diag.c - source loading, UTF-8 check and error printing. */
#include "diag.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void index_lines(Source *src)
{
    int cap = 0;
    src->nlines = 0;
    src->line_starts = NULL;
    size_t start = 0;
    for (;;) {
        spl_grow_array((void **)&src->line_starts, &cap, src->nlines + 1, sizeof(size_t));
        src->line_starts[src->nlines++] = start;
        const char *nl = memchr(src->text + start, '\n', src->len - start);
        if (!nl)
            break;
        start = (size_t)(nl - src->text) + 1;
    }
}

static void source_init(Source *src, const char *name, char *text, size_t len)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        memmove(text, text + 3, len - 3 + 1);
        len -= 3;
    }
    src->name = spl_xstrdup(name);
    src->text = text;
    src->len = len;
    index_lines(src);
}

int spl_source_load_file(Source *src, const char *path, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        StrBuf sb = {0};
        spl_sb_printf(&sb, "cannot open %s: %s", path, strerror(errno));
        *err = spl_sb_take(&sb);
        return 0;
    }
    StrBuf sb = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        spl_sb_add(&sb, chunk, n);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        spl_sb_free(&sb);
        StrBuf e = {0};
        spl_sb_printf(&e, "cannot read %s", path);
        *err = spl_sb_take(&e);
        return 0;
    }
    size_t len = sb.len;
    source_init(src, path, spl_sb_take(&sb), len);
    return 1;
}

void spl_source_from_string(Source *src, const char *name, const char *code)
{
    source_init(src, name, spl_xstrdup(code), strlen(code));
}

void spl_source_free(Source *src)
{
    free(src->name);
    free(src->text);
    free(src->line_starts);
    memset(src, 0, sizeof *src);
}

const char *spl_source_line(const Source *src, int line, size_t *len)
{
    if (line < 1 || line > src->nlines) {
        *len = 0;
        return "";
    }
    const char *s = src->text + src->line_starts[line - 1];
    const char *end = src->text + src->len;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
    if (n > 0 && s[n - 1] == '\r')
        n--;
    *len = n;
    return s;
}

size_t spl_utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
    else return 0;
    if (avail < n)
        return 0;
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

int spl_source_check_utf8(const Source *src, int *line, int *col)
{
    const unsigned char *s = (const unsigned char *)src->text;
    int ln = 1, cl = 1;
    for (size_t i = 0; i < src->len;) {
        size_t n = spl_utf8_seq_len(s + i, src->len - i);
        if (n == 0 || (n == 1 && s[i] == '\0')) {
            *line = ln;
            *col = cl;
            return 1;
        }
        if (s[i] == '\n') {
            ln++;
            cl = 1;
        } else {
            cl++;
        }
        i += n;
    }
    return 0;
}

int64_t spl_utf8_invalid_at(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t n = spl_utf8_seq_len(s + i, len - i);
        if (n == 0)
            return (int64_t)i;
        i += n;
    }
    return -1;
}

/* C0 controls but tab, DEL and the C1 controls U+0080..U+009F (which a
 * terminal may take for CSI and friends, raw or UTF-8 encoded). A tab starts
 * no escape sequence. */
static bool is_control(const unsigned char *s, size_t n)
{
    return n == 1 ? (s[0] < 0x20 && s[0] != '\t') || s[0] == 0x7F : n == 2 && s[0] == 0xC2 && s[1] < 0xA0;
}

/* spl_sb_add_escaped over `len` bytes of `text` (which need not end in NUL). */
static void add_escaped(StrBuf *sb, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t n = spl_utf8_seq_len(s + i, len - i);
        if (n != 0 && !is_control(s + i, n)) {
            spl_sb_add(sb, text + i, n);
            i += n;
            continue;
        }
        n = n ? n : 1; /* an invalid byte is escaped alone */
        for (size_t k = 0; k < n; k++)
            spl_sb_printf(sb, "\\x%02x", (unsigned)s[i + k]);
        i += n;
    }
}

void spl_sb_add_escaped(StrBuf *sb, const char *text)
{
    add_escaped(sb, text, strlen(text));
}

char *spl_escaped(const char *text)
{
    StrBuf sb = {0};
    spl_sb_add_escaped(&sb, text);
    return spl_sb_take(&sb);
}

void spl_compile_error_set(CompileError *e, int line, int col, const char *fmt, ...)
{
    if (e->msg)
        return; /* keep the first error */
    StrBuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    spl_sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    e->line = line;
    e->col = col;
    e->msg = spl_sb_take(&sb);
    e->show_line = 1;
}

void spl_compile_error_free(CompileError *e)
{
    free(e->msg);
    free(e->note);
    e->msg = e->note = NULL;
}

/* The caret under column `col` (in characters) of `line` as spl_sb_add_escaped
 * prints it: an escaped byte is four columns wide (\xHH), a tab stays a tab. */
static void print_caret(FILE *out, const char *line, size_t len, int col)
{
    const unsigned char *s = (const unsigned char *)line;
    int c = 1;
    for (size_t i = 0; i < len && c < col; c++) {
        size_t n = spl_utf8_seq_len(s + i, len - i);
        bool escaped = n == 0 || is_control(s + i, n);
        n = n ? n : 1;
        if (s[i] == '\t')
            fputc('\t', out);
        else
            fprintf(out, "%*s", escaped ? 4 * (int)n : 1, "");
        i += n;
    }
    for (; c < col; c++)
        fputc(' ', out);
    fputs("^\n", out);
}

/* `text` (of `len` bytes) escaped like spl_sb_add_escaped, but its newlines
 * kept: a message's own lines (notes, hints) stay lines. */
static void add_escaped_lines(StrBuf *sb, const char *text, size_t len)
{
    const char *end = text + len;
    for (const char *p = text;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        add_escaped(sb, p, (size_t)((nl ? nl : end) - p));
        if (!nl)
            return;
        spl_sb_addc(sb, '\n');
        p = nl + 1;
    }
}

/* Everything printed here comes from a file (its path, the source line, names
 * and values the message quotes), so all of it is escaped (issue 24 item 5). */
void spl_diag_print(FILE *out, const Source *src, int line, int col, const char *label,
                const char *msg, int show_line)
{
    StrBuf sb = {0};
    add_escaped_lines(&sb, src->name, strlen(src->name));
    spl_sb_printf(&sb, ":%d:%d: %s", line, col, label);
    add_escaped_lines(&sb, msg, strlen(msg));
    fprintf(out, "%s\n", sb.data);
    spl_sb_free(&sb);
    if (!show_line)
        return;
    size_t len;
    const char *text = spl_source_line(src, line, &len);
    add_escaped(&sb, text, len); /* one line: no newline in it */
    fprintf(out, "    %s\n    ", sb.data ? sb.data : "");
    spl_sb_free(&sb);
    print_caret(out, text, len, col);
}
