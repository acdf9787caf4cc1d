/*
 * diag.h - source text and error reports.
 *
 * Every error the runtime reports names a place: `file:line:col: message`,
 * then the source line and a caret under the column. Columns are 1-based
 * and count UTF-8 code points.
 */
#ifndef SIMPLE_DIAG_H
#define SIMPLE_DIAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

typedef struct Source {
    char *name;     /* as shown in messages: the path, or "-e" */
    char *text;     /* NUL-terminated, a leading BOM removed */
    size_t len;
    size_t *line_starts;
    int nlines;
} Source;

/* Reads a file; on failure returns 0 and leaves a message in `err` (malloc'd). */
int spl_source_load_file(Source *src, const char *path, char **err);
void spl_source_from_string(Source *src, const char *name, const char *code);
void spl_source_free(Source *src);
/* The text of 1-based `line` without its line end. */
const char *spl_source_line(const Source *src, int line, size_t *len);
/* 0 when the text is valid UTF-8, else sets line and col of the first bad byte. */
int spl_source_check_utf8(const Source *src, int *line, int *col);

/* Length of the UTF-8 sequence at s (at most `avail` bytes), 0 if invalid
 * (overlong, a surrogate, beyond U+10FFFF, cut off). */
size_t spl_utf8_seq_len(const unsigned char *s, size_t avail);
/* The offset of the first byte of text[0, len) that is not valid UTF-8, or -1. */
int64_t spl_utf8_invalid_at(const char *text, size_t len);

/* Text read from a file (a module's section, a file name), made safe to print:
 * control characters (C0 but tab, DEL, C1) and bytes that are not UTF-8 become \xHH,
 * so a file cannot put terminal escape sequences into a message (issue 24). */
void spl_sb_add_escaped(StrBuf *sb, const char *text);
char *spl_escaped(const char *text);   /* the same, malloc'd */

/* A compile-time error (syntax, names, externs): where and what. */
typedef struct CompileError {
    int line, col;
    char *msg;      /* malloc'd; NULL while there is no error */
    char *note;     /* malloc'd extra line printed after the message, or NULL */
    int show_line;  /* print the source line and caret */
} CompileError;

void spl_compile_error_set(CompileError *e, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void spl_compile_error_free(CompileError *e);

/* Writes `name:line:col: <label><msg>`, then (if show_line) the line and a caret. */
void spl_diag_print(FILE *out, const Source *src, int line, int col, const char *label,
                const char *msg, int show_line);

#endif
