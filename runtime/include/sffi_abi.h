/*
 * sffi_abi.h - the SFFI C ABI, version 1 (see docs/abi.md).
 *
 * Every FFI library includes this header. It fixes how the Simple types cross
 * the C boundary and how a library reports an error. The runtime defines
 * sffi_set_error(); a library only calls it.
 *
 *   .spl type  parameter                          result
 *   i64        int64_t                            int64_t
 *   i32        int32_t                            int32_t
 *   f64        double                             double
 *   bool       bool                               bool
 *   text       const char * (UTF-8, NUL-ended,    const char * owned by the library,
 *              borrowed for the call)             valid until the next call into that
 *                                                 library on the same thread; NULL = nil
 *   [i64]      const int64_t *data, int64_t len   sffi_i64_slice (owned as text)
 *   [f64]      const double *data, int64_t len    sffi_f64_slice
 *   [text]     const char *const *data, int64_t len  sffi_text_slice
 *   (none)     -                                  void
 */
#ifndef SFFI_ABI_H
#define SFFI_ABI_H

#include <stdbool.h>
#include <stdint.h>

#define SFFI_ABI_VERSION 1

#ifdef __cplusplus
extern "C" {
#endif

/* Array results. `data` is owned by the library (see the table above);
 * `len` counts elements, not bytes. len == 0 with data == NULL is an empty array. */
typedef struct sffi_i64_slice { const int64_t *data; int64_t len; } sffi_i64_slice;
typedef struct sffi_f64_slice { const double *data; int64_t len; } sffi_f64_slice;
typedef struct sffi_text_slice { const char *const *data; int64_t len; } sffi_text_slice;

/* Report an error from inside an extern. The runtime copies `msg` (UTF-8),
 * and once the extern returns it raises a script error naming the extern,
 * the message and the script line; the extern's return value is ignored.
 * Defined by the runtime (runtime/src/ffi_error.c). */
void sffi_set_error(const char *msg);

#ifdef __cplusplus
}
#endif

#endif /* SFFI_ABI_H */
