/* core_internal.h - helpers shared by the core library's sources. */
#ifndef CORE_INTERNAL_H
#define CORE_INTERNAL_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "sffi_abi.h"

/* rt_process_run's result, as docs/abi.md names and lays out a tuple
 * (text, text, i64). The generated prototype header defines it too when the
 * build force-includes it; the guard lets the two meet, and a compile that
 * has no such header (tests/runtime/test_marshal.py) still has the type. */
#ifndef SFFI_TUPLE_TEXT_TEXT_I64_DEFINED
#define SFFI_TUPLE_TEXT_TEXT_I64_DEFINED
typedef struct sffi_tuple_text_text_i64 {
    const char *f0;
    const char *f1;
    int64_t f2;
} sffi_tuple_text_text_i64;
#endif
#ifndef SFFI_TUPLE_TEXT_TEXT_I32_DEFINED
#define SFFI_TUPLE_TEXT_TEXT_I32_DEFINED
typedef struct sffi_tuple_text_text_i32 {
    const char *f0;
    const char *f1;
    int32_t f2;
} sffi_tuple_text_text_i32;
#endif
#ifndef SFFI_TUPLE_TEXT_TEXT_DEFINED
#define SFFI_TUPLE_TEXT_TEXT_DEFINED
typedef struct sffi_tuple_text_text {
    const char *f0;
    const char *f1;
} sffi_tuple_text_text;
#endif
#ifndef SFFI_TUPLE_TEXT_TEXT_SLICE_DEFINED
#define SFFI_TUPLE_TEXT_TEXT_SLICE_DEFINED
typedef struct sffi_tuple_text_text_slice {
    const sffi_tuple_text_text *data;
    int64_t len;
} sffi_tuple_text_text_slice;
#endif

/* The externs one source of core calls from another. The build's generated
 * prototype header declares them too (the compiler checks that both agree);
 * a compile without it (tests/abiruntime.py) needs these. */
sffi_text_slice rt_args(void);
bool rt_file_exists(const char *path);
bool rt_file_write_text(const char *path, const char *content);
sffi_text_slice rt_dir_list(const char *path);
const char *rt_path_join(const char *a, const char *b);
const char *rt_path_parent(const char *path);
const char *rt_path_filename(const char *path);
const char *rt_path_extension(const char *path);
const char *rt_file_canonicalize(const char *path);
const char *rt_file_hash_sha256(const char *path);
int64_t rt_time_now_unix_micros(void);
int64_t rt_shell(const char *cmd);
const char *rt_shell_output(const char *cmd);
sffi_tuple_text_text_i32 rt_process_run_timeout(const char *cmd, const char *const *args, int64_t n_args,
                                                int64_t timeout_ms);

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

/* A list of texts built one by one and handed out as one [text] result:
 * the characters live in one growing block, the pointers in another, so a
 * result keeps two blocks (sffi_core_keep) whatever its length. */
typedef struct sffi_core_strlist {
    char *block;
    size_t used, cap;
    size_t *offsets;
    int64_t n, offsets_cap;
} sffi_core_strlist;

/* Appends `len` bytes of `s` (and a NUL); 0, or ENOMEM. */
int sffi_core_strlist_add(sffi_core_strlist *list, const char *s, size_t len);
/* Frees the list's blocks (after a failure). */
void sffi_core_strlist_free(sffi_core_strlist *list);
/* Resets the kept results, keeps the list's blocks and returns them as a
 * [text] result, sorted in byte order when `sort`; NULL data when empty.
 * Out of memory: frees the list and returns len -1 (callers report it). */
sffi_text_slice sffi_core_strlist_finish(sffi_core_strlist *list, bool sort);

/* A malloc'd copy of `s` kept as this call's only result; NULL (nil) when
 * out of memory. */
const char *sffi_core_keep_copy(const char *s);

/* Whether `pid` is positive and fits a pid_t (a script's i64 may not: a
 * truncated 2^62 would be 0, "my process group", to kill()). */
bool sffi_core_pid_ok(int64_t pid);

/* The exit code Simple's externs report for a wait status: the status of a
 * normal exit, -1 for a program ended by a signal (Rust's
 * ExitStatus::code() is None then). */
int64_t sffi_core_exit_code(int status);

/* Counts one rt_file_exists call in the open probe window (filemeta.c). */
void sffi_core_probe_record(bool exists);

/* write(2) until all `len` bytes are written: 0, or an errno value (filewrite.c). */
int sffi_core_write_all(int fd, const void *data, size_t len);

/* Creates `path` and its missing parents (mkdir -p): true when it is a
 * directory afterwards (dir.c). */
bool sffi_core_mkdirs(const char *path);

/* Drops every '\r' of `text` (len bytes, NUL-terminated after) in place;
 * the new length (fileread.c). */
size_t sffi_core_drop_cr(char *text, size_t len);

#endif
