/*
 * sffi_table.h - the shape of the generated extern table (build/.../sffi_table.c).
 *
 * The generator (site_scons/sffi/table.py) writes one sffi_entry per extern of
 * the selected libraries, sorted by name (strcmp order), and a catalog of the
 * externs that known libraries provide but this build leaves out. The runtime
 * resolves each `extern fn` of a script once, by binary search on the names,
 * and then calls entry->thunk directly.
 *
 * A thunk unpacks `args` (one sffi_value per declared parameter, in order; an
 * array parameter is one sffi_value holding a slice) into the C arguments of
 * the export, calls it, and stores its result in *result (untouched for none);
 * for a tuple result, `result` points to SFFI_MAX_TUPLE values and element i
 * is stored in result[i]; an array of tuples is stored as one sffi_tuple_slice
 * (result->tuples) of the generated tuple structs.
 */
#ifndef SFFI_TABLE_H
#define SFFI_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "sffi_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Type codes, from the generator (site_scons/sffi/abi.py; tests/sffi/test_abi.py
 * holds this enum to it). v1's codes 1-8 are unchanged. */
typedef enum sffi_type {
    SFFI_NONE = 0,   /* no result */
    SFFI_I64 = 1,
    SFFI_I32 = 2,
    SFFI_F64 = 3,
    SFFI_BOOL = 4,
    SFFI_TEXT = 5,
    SFFI_I64_ARRAY = 6,
    SFFI_F64_ARRAY = 7,
    SFFI_TEXT_ARRAY = 8,
    SFFI_I8 = 9,
    SFFI_I16 = 10,
    SFFI_U8 = 11,
    SFFI_U16 = 12,
    SFFI_U32 = 13,
    SFFI_U64 = 14,
    SFFI_F32 = 15,
    SFFI_I8_ARRAY = 16,
    SFFI_I16_ARRAY = 17,
    SFFI_I32_ARRAY = 18,
    SFFI_U8_ARRAY = 19,
    SFFI_U16_ARRAY = 20,
    SFFI_U32_ARRAY = 21,
    SFFI_U64_ARRAY = 22,
    SFFI_F32_ARRAY = 23,
    SFFI_BOOL_ARRAY = 24,
    SFFI_TUPLE = 32,      /* a tuple result: its element types are sffi_entry.items */
    SFFI_TUPLE_ARRAY = 33, /* an array of tuples [(..)] (maybe | SFFI_OPTIONAL): the tuple's types are items */
    SFFI_OPTIONAL = 0x40  /* flag on a result or tuple element code: T? */
} sffi_type;

#define SFFI_MAX_PARAMS 16
#define SFFI_MAX_TUPLE 8

typedef union sffi_value {
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    float f32;
    double f64;
    bool b;
    const char *text;
    sffi_i8_slice i8s;
    sffi_i16_slice i16s;
    sffi_i32_slice i32s;
    sffi_i64_slice i64s;
    sffi_u8_slice u8s;
    sffi_u16_slice u16s;
    sffi_u32_slice u32s;
    sffi_u64_slice u64s;
    sffi_f32_slice f32s;
    sffi_f64_slice f64s;
    sffi_bool_slice bools;
    sffi_text_slice texts;
    sffi_opt_i8 opt_i8;
    sffi_opt_i16 opt_i16;
    sffi_opt_i32 opt_i32;
    sffi_opt_i64 opt_i64;
    sffi_opt_u8 opt_u8;
    sffi_opt_u16 opt_u16;
    sffi_opt_u32 opt_u32;
    sffi_opt_u64 opt_u64;
    sffi_opt_f32 opt_f32;
    sffi_opt_f64 opt_f64;
    sffi_opt_bool opt_b;
    sffi_tuple_slice tuples;
} sffi_value;

typedef void (*sffi_thunk)(const sffi_value *args, sffi_value *result);

typedef struct sffi_entry {
    const char *name;          /* the C symbol, e.g. "rt_sqlite_open" */
    const char *library;       /* owning FFI library, e.g. "sqlite" */
    const char *signature;     /* canonical, e.g. "(text) -> i64"; see docs/abi.md */
    sffi_thunk thunk;
    uint8_t n_params;
    uint8_t result;            /* sffi_type, maybe | SFFI_OPTIONAL; SFFI_TUPLE: see items */
    uint8_t params[SFFI_MAX_PARAMS]; /* sffi_type of each parameter */
    uint8_t n_items;           /* the element count of a tuple or of an array of tuples' tuple, else 0 */
    uint8_t items[SFFI_MAX_TUPLE]; /* sffi_type of each tuple element, maybe | SFFI_OPTIONAL */
} sffi_entry;

typedef struct sffi_catalog_entry {
    const char *name;
    const char *library;
    const char *signature;
} sffi_catalog_entry;

extern const sffi_entry sffi_table[];
extern const size_t sffi_table_len;
extern const sffi_catalog_entry sffi_catalog[];   /* sorted by name */
extern const size_t sffi_catalog_len;
extern const char *const sffi_libraries[];        /* selected, sorted, "core" included */
extern const size_t sffi_libraries_len;

#ifdef __cplusplus
}
#endif

#endif /* SFFI_TABLE_H */
