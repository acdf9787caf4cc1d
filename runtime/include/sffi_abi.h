/*
 * sffi_abi.h - the SFFI C ABI, version 2 (see docs/abi.md; the types come
 * from site_scons/sffi/abi.py, which tests hold this header to).
 *
 * Every FFI library includes this header. It fixes how the Simple types cross
 * the C boundary and how a library reports an error. The runtime defines
 * sffi_set_error(); a library only calls it.
 *
 *   .spl type     parameter                          result
 *   i8 .. u64     int8_t .. uint64_t (range-checked) the same C type
 *   f32, f64      float, double                      float, double
 *   bool          bool                               bool
 *   text          const char * (UTF-8, NUL-ended,    const char * owned by the library,
 *                 borrowed for the call)             valid until the next call into that
 *                                                    library on the same thread; NULL = nil
 *   [T]           const T *data, int64_t len         sffi_<t>_slice (owned as text)
 *   [text]        const char *const *data, int64_t len  sffi_text_slice
 *   T? (results)  -                                  text?: const char * (NULL = nil);
 *                                                    [T]?: the slice, len == -1 = nil;
 *                                                    scalar: sffi_opt_<t> {value, present}
 *   (T1, .., Tn)  -                                  a generated struct sffi_tuple_<...>
 *   (results)                                        {f0 .. fn-1}, n <= 8, by value
 *   [(T1, .., Tn)] -                                 sffi_tuple_<...>_slice {const
 *   (results)                                        sffi_tuple_<...> *data; int64_t len;}
 *                                                    (owned as text); [(..)]?: len == -1 = nil
 *   (none)        -                                  void
 */
#ifndef SFFI_ABI_H
#define SFFI_ABI_H

#include <stdbool.h>
#include <stdint.h>

#define SFFI_ABI_VERSION 2

#ifdef __cplusplus
extern "C" {
#endif

/* Array results. `data` is owned by the library (see the table above);
 * `len` counts elements, not bytes. len == 0 (data NULL or not) is an empty
 * array; for an optional array result [T]?, len == -1 is nil. */
typedef struct sffi_i8_slice { const int8_t *data; int64_t len; } sffi_i8_slice;
typedef struct sffi_i16_slice { const int16_t *data; int64_t len; } sffi_i16_slice;
typedef struct sffi_i32_slice { const int32_t *data; int64_t len; } sffi_i32_slice;
typedef struct sffi_i64_slice { const int64_t *data; int64_t len; } sffi_i64_slice;
typedef struct sffi_u8_slice { const uint8_t *data; int64_t len; } sffi_u8_slice;
typedef struct sffi_u16_slice { const uint16_t *data; int64_t len; } sffi_u16_slice;
typedef struct sffi_u32_slice { const uint32_t *data; int64_t len; } sffi_u32_slice;
typedef struct sffi_u64_slice { const uint64_t *data; int64_t len; } sffi_u64_slice;
typedef struct sffi_f32_slice { const float *data; int64_t len; } sffi_f32_slice;
typedef struct sffi_f64_slice { const double *data; int64_t len; } sffi_f64_slice;
typedef struct sffi_bool_slice { const bool *data; int64_t len; } sffi_bool_slice;
typedef struct sffi_text_slice { const char *const *data; int64_t len; } sffi_text_slice;

/* An array of tuples [(T1, .., Tn)] as the runtime's table carries it: the
 * data of the generated sffi_tuple_<...>_slice, whose element layout the
 * runtime derives from the tuple's element codes (docs/abi.md). Libraries
 * return the generated, typed slice, never this one. */
typedef struct sffi_tuple_slice { const void *data; int64_t len; } sffi_tuple_slice;

/* Optional scalar results T?: nil when `present` is false (`value` is then ignored). */
typedef struct sffi_opt_i8 { int8_t value; bool present; } sffi_opt_i8;
typedef struct sffi_opt_i16 { int16_t value; bool present; } sffi_opt_i16;
typedef struct sffi_opt_i32 { int32_t value; bool present; } sffi_opt_i32;
typedef struct sffi_opt_i64 { int64_t value; bool present; } sffi_opt_i64;
typedef struct sffi_opt_u8 { uint8_t value; bool present; } sffi_opt_u8;
typedef struct sffi_opt_u16 { uint16_t value; bool present; } sffi_opt_u16;
typedef struct sffi_opt_u32 { uint32_t value; bool present; } sffi_opt_u32;
typedef struct sffi_opt_u64 { uint64_t value; bool present; } sffi_opt_u64;
typedef struct sffi_opt_f32 { float value; bool present; } sffi_opt_f32;
typedef struct sffi_opt_f64 { double value; bool present; } sffi_opt_f64;
typedef struct sffi_opt_bool { bool value; bool present; } sffi_opt_bool;

/* Report an error from inside an extern. The runtime copies `msg` (UTF-8),
 * and once the extern returns it raises a script error naming the extern,
 * the message and the script line; the extern's return value is ignored.
 * Defined by the runtime (runtime/src/sffi_error.c, shared with the host kit). */
void sffi_set_error(const char *msg);

#ifdef __cplusplus
}
#endif

#endif /* SFFI_ABI_H */
