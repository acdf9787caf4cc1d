/* util.h - allocation that never returns NULL, a growable byte buffer, JSON strings. */
#ifndef SIMPLE_UTIL_H
#define SIMPLE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Work budget for fuzzing (fuzz/runtime): a build with -DSPL_FUZZ_BUDGET links
 * spl_fuzz_step(), called for every statement and expression the interpreter
 * runs and every value that equality or printing walks; when it returns false
 * the script stops with a runtime error at its next statement (a walk cut
 * short answers "not equal" or prints "..." first). Other builds compile it
 * away. */
#ifdef SPL_FUZZ_BUDGET
bool spl_fuzz_step(void);
#define SPL_FUZZ_STEP() spl_fuzz_step()
#else
#define SPL_FUZZ_STEP() true
#endif

/* "simple: out of memory" on stderr, then exit status 70: what every
 * allocation below does when malloc fails. */
_Noreturn void spl_out_of_memory(void);

void *spl_xmalloc(size_t n);
void *spl_xcalloc(size_t n, size_t size);
void *spl_xrealloc(void *p, size_t n);
char *spl_xstrndup(const char *s, size_t n);
char *spl_xstrdup(const char *s);

/* Grows `*items` (of `*cap` elements of `size` bytes) to hold at least `need`. */
void spl_grow_array(void **items, int *cap, int need, size_t size);

typedef struct StrBuf {
    char *data;   /* NUL-terminated once anything was added */
    size_t len, cap;
} StrBuf;

void spl_sb_add(StrBuf *sb, const char *s, size_t n);
void spl_sb_adds(StrBuf *sb, const char *s);
void spl_sb_addc(StrBuf *sb, char c);
void spl_sb_printf(StrBuf *sb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void spl_sb_vprintf(StrBuf *sb, const char *fmt, va_list ap);
/* Hands the buffer over (never NULL); the StrBuf is empty afterwards. */
char *spl_sb_take(StrBuf *sb);
void spl_sb_free(StrBuf *sb);

/* `s` as a JSON string, quoted and escaped, on `out`. */
void spl_json_string(FILE *out, const char *s);

#endif
