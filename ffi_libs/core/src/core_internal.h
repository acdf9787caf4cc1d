/* core_internal.h - helpers shared by the core library's sources. */
#ifndef CORE_INTERNAL_H
#define CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* rt_process_run's result, as docs/abi.md names and lays out a tuple
 * (text, text, i64). The generated prototype header defines it too when the
 * build force-includes it; the guard lets the two meet, and a compile that
 * has no such header (tests/runtime/test_abi.py) still has the type. */
#ifndef SFFI_TUPLE_TEXT_TEXT_I64_DEFINED
#define SFFI_TUPLE_TEXT_TEXT_I64_DEFINED
typedef struct sffi_tuple_text_text_i64 {
    const char *f0;
    const char *f1;
    int64_t f2;
} sffi_tuple_text_text_i64;
#endif

/* The ABI keeps a returned text or array valid until the next call into the
 * library on the same thread. A call that returns one first drops what the
 * previous call kept (sffi_core_results_reset), then keeps each malloc'd
 * block its result points into (sffi_core_keep, at most
 * SFFI_CORE_MAX_KEPT per call). */
#define SFFI_CORE_MAX_KEPT 4
void sffi_core_results_reset(void);
void *sffi_core_keep(void *block);

/* Resets, then keeps `text` (malloc'd) as the call's only result; returns it. */
const char *sffi_core_keep_text(char *text);

/* sffi_set_error with printf formatting. */
void sffi_core_errorf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Reads all of `path` into a NUL-terminated malloc'd buffer and its length;
 * NULL with errno set on failure (ENOMEM included). */
char *sffi_core_read_file(const char *path, size_t *len_out);

/* A malloc'd, NUL-terminated copy of `len` bytes that is valid UTF-8 text:
 * each NUL byte and each byte that starts no valid UTF-8 sequence becomes
 * U+FFFD (like Rust's String::from_utf8_lossy, and NUL too: a text cannot hold it).
 * NULL when out of memory. */
char *sffi_core_lossy_text(const char *bytes, size_t len);

#endif
