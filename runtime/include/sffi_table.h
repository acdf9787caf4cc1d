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
 * the export, calls it, and stores its result in *result (untouched for none).
 */
#ifndef SFFI_TABLE_H
#define SFFI_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "sffi_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Type codes, shared with the generator (sffi/abi.py: TYPE_CODES). */
typedef enum sffi_type {
    SFFI_NONE = 0,   /* no result */
    SFFI_I64 = 1,
    SFFI_I32 = 2,
    SFFI_F64 = 3,
    SFFI_BOOL = 4,
    SFFI_TEXT = 5,
    SFFI_I64_ARRAY = 6,
    SFFI_F64_ARRAY = 7,
    SFFI_TEXT_ARRAY = 8
} sffi_type;

typedef union sffi_value {
    int64_t i64;
    int32_t i32;
    double f64;
    bool b;
    const char *text;
    sffi_i64_slice i64s;
    sffi_f64_slice f64s;
    sffi_text_slice texts;
} sffi_value;

typedef void (*sffi_thunk)(const sffi_value *args, sffi_value *result);

#define SFFI_MAX_PARAMS 16

typedef struct sffi_entry {
    const char *name;          /* the C symbol, e.g. "rt_sqlite_open" */
    const char *library;       /* owning FFI library, e.g. "sqlite" */
    const char *signature;     /* canonical, e.g. "(text) -> i64"; see docs/abi.md */
    sffi_thunk thunk;
    uint8_t n_params;
    uint8_t result;            /* sffi_type */
    uint8_t params[SFFI_MAX_PARAMS]; /* sffi_type of each parameter */
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
