/*
 * value.h - the interpreter's values and their memory.
 *
 * A Value is 16 bytes: a type tag and a payload. nil, bool, int and float are
 * immediate; text, arrays and tuples live on the heap with a reference count.
 *
 * Text is immutable, UTF-8 and NUL-terminated, so it can be handed to an
 * extern as `const char *` without a copy. Arrays have value semantics
 * (copy on write): an array shared by two variables is copied when one of
 * them modifies it, so no array can ever contain itself and reference
 * counting alone frees everything. Tuples are immutable: their items are
 * stored once, when the tuple is built, and never change.
 */
#ifndef SIMPLE_VALUE_H
#define SIMPLE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ValueType {
    VT_NIL = 0,
    VT_BOOL,
    VT_INT,
    VT_FLOAT,
    VT_TEXT,   /* heap */
    VT_ARRAY,  /* heap */
    VT_TUPLE,  /* heap */
    VT_BYTES,  /* heap: immutable bytes, e.g. a [u8] extern result (docs/language.md) */
    VT_UNDEF   /* internal: a global read before its definition ran */
} ValueType;

typedef struct Text {
    int64_t rc;
    int64_t len;   /* bytes, excluding the NUL */
    int64_t cap;   /* bytes available for data, including the NUL */
    char data[];
} Text;

struct Value;

typedef struct Array {
    int64_t rc;
    int64_t len, cap;
    struct Value *items;
} Array;

struct Tuple;

/* Bytes: `len` bytes stored inline, immutable. Scripts index, len, iterate
 * and print them like an array of ints 0..255; a [u8] extern parameter takes
 * them without a copy. */
typedef struct Bytes {
    int64_t rc;
    int64_t len;
    uint8_t data[];
} Bytes;

typedef struct Value {
    uint8_t type;
    union {
        bool b;
        int64_t i;
        double f;
        Text *t;
        Array *a;
        struct Tuple *tu;
        Bytes *by;
        int64_t *rc;   /* the reference count of text, array or tuple */
    } as;
} Value;

/* A fixed number of values; immutable once built. */
typedef struct Tuple {
    int64_t rc;
    int64_t len;
    struct Value items[];
} Tuple;

static inline bool value_is_heap(Value v)
{
    return v.type == VT_TEXT || v.type == VT_ARRAY || v.type == VT_TUPLE || v.type == VT_BYTES;
}

static inline void value_retain(Value v)
{
    if (value_is_heap(v))
        ++*v.as.rc;
}

void spl_value_free_heap(Value v);

static inline void value_release(Value v)
{
    if (value_is_heap(v) && --*v.as.rc == 0)
        spl_value_free_heap(v);
}

static inline Value value_nil(void) { return (Value){.type = VT_NIL}; }
static inline Value value_bool(bool b) { return (Value){.type = VT_BOOL, .as.b = b}; }
static inline Value value_int(int64_t i) { return (Value){.type = VT_INT, .as.i = i}; }
static inline Value value_float(double f) { return (Value){.type = VT_FLOAT, .as.f = f}; }
static inline Value value_text(Text *t) { return (Value){.type = VT_TEXT, .as.t = t}; }
static inline Value value_array(Array *a) { return (Value){.type = VT_ARRAY, .as.a = a}; }
static inline Value value_tuple(Tuple *t) { return (Value){.type = VT_TUPLE, .as.tu = t}; }
static inline Value value_bytes(Bytes *b) { return (Value){.type = VT_BYTES, .as.by = b}; }

/* Text. New texts have rc 1. */
Text *spl_text_new(const char *s, size_t len);
Text *spl_text_from_cstr(const char *s);
Text *spl_text_concat(const Text *a, const Text *b);
/* Appends to `*slot` in place when it is unshared, else replaces it by a copy. */
void spl_text_append(Value *slot, const char *s, size_t len);
int64_t spl_text_codepoints(const Text *t);

/* Arrays. New arrays have rc 1 and take no references themselves. */
Array *spl_array_new(int64_t cap);
void spl_array_push(Array *a, Value v);           /* takes over v's reference */
/* Makes the array in `*slot` unshared (copying it when rc > 1) and returns it. */
Array *spl_array_unshare(Value *slot);

/* Tuples. A new tuple has rc 1 and `len` nil items; the caller stores each
 * item once (each store hands over one reference) before the tuple is used. */
Tuple *spl_tuple_new(int64_t len);

/* Bytes: a copy of data[0, len) with rc 1 (data may be NULL when len is 0). */
Bytes *spl_bytes_new(const void *data, int64_t len);

const char *spl_value_type_name(Value v);
/* Structural equality; int and float compare by value. */
bool spl_value_equal(Value a, Value b);

#endif
