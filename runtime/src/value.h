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

/* Immediate types first, then the heap types (from VT_TEXT on), so that
 * value_is_heap() is one comparison. */
typedef enum ValueType {
    VT_NIL = 0,
    VT_BOOL,
    VT_INT,
    VT_FLOAT,
    VT_UNDEF,  /* internal: a global read before its definition ran */
    VT_ENUM,   /* a unit variant: as.td its enum, aux the variant's index */
    VT_FUNC,   /* a function as a value: as.fn */
    VT_TYPE,   /* a struct, class or enum as a value (`val Alias = Tensor`): as.td */
    VT_TEXT,   /* heap */
    VT_ARRAY,  /* heap */
    VT_TUPLE,  /* heap */
    VT_BYTES,  /* heap: immutable bytes, e.g. a [u8] extern result (docs/language.md) */
    VT_OBJECT, /* heap: a struct (value, copy on write) or class (reference) instance */
    VT_RESULT, /* heap: Ok(v) or Err(e) */
    VT_CLOSURE /* heap: a lambda with the values it captured */
} ValueType;

/* Opaque here: ast.h, which includes this header, defines them (a value
 * never looks inside; spl_value_type_name, in format.h, does). */
struct TypeDef;
struct Func;

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
    uint32_t aux;      /* VT_ENUM: the variant's index */
    union {
        bool b;
        int64_t i;
        double f;
        Text *t;
        Array *a;
        struct Tuple *tu;
        Bytes *by;
        struct Object *o;
        struct ResultVal *r;
        struct Closure *cl;
        const struct TypeDef *td;
        const struct Func *fn;
        int64_t *rc;   /* the reference count of text, array or tuple */
    } as;
} Value;

/* A fixed number of values; immutable once built. */
typedef struct Tuple {
    int64_t rc;
    int64_t len;
    struct Value items[];
} Tuple;

/* An instance of a struct or class: its fields in declaration order. A
 * struct instance is a value (copied on write, like arrays); a class
 * instance is a reference (every name of it sees each change). */
typedef struct Object {
    int64_t rc;
    const struct TypeDef *type;
    bool is_class;
    struct Object *prev, *next;   /* class instances: the list of live ones (cycles) */
    int64_t n;
    struct Value fields[];
} Object;

/* Ok(v) or Err(e). Immutable. */
typedef struct ResultVal {
    int64_t rc;
    bool is_err;
    struct Value v;
} ResultVal;

/* A lambda and the values of the enclosing locals it uses, captured when
 * the lambda expression ran (by value). */
typedef struct Closure {
    int64_t rc;
    const struct Func *fn;
    int64_t n;
    struct Value caps[];
} Closure;

static inline bool value_is_heap(Value v)
{
    return v.type >= VT_TEXT;
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
static inline Value value_object(Object *o) { return (Value){.type = VT_OBJECT, .as.o = o}; }
static inline Value value_result(ResultVal *r) { return (Value){.type = VT_RESULT, .as.r = r}; }
static inline Value value_closure(Closure *c) { return (Value){.type = VT_CLOSURE, .as.cl = c}; }
static inline Value value_func(const struct Func *f) { return (Value){.type = VT_FUNC, .as.fn = f}; }
static inline Value value_type(const struct TypeDef *t) { return (Value){.type = VT_TYPE, .as.td = t}; }
static inline Value value_enum(const struct TypeDef *t, uint32_t variant)
{
    return (Value){.type = VT_ENUM, .aux = variant, .as.td = t};
}

/* Text. New texts have rc 1. */
Text *spl_text_new(const char *s, size_t len);
Text *spl_text_from_cstr(const char *s);
Text *spl_text_concat(const Text *a, const Text *b);
/* Appends to `*slot` in place when it is unshared, else replaces it by a copy. */
void spl_text_append(Value *slot, const char *s, size_t len);
int64_t spl_text_codepoints(const Text *t);
/* The byte offset of code point `index` (0..codepoints) of t. */
size_t spl_text_offset(const Text *t, int64_t index);

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

/* Objects: `n` nil fields, rc 1. Results and closures: rc 1, taking over `v`. */
Object *spl_object_new(const struct TypeDef *type, bool is_class, int64_t n);
/* Makes the struct instance in `*slot` unshared (copying it when rc > 1). */
Object *spl_object_unshare(Value *slot);
ResultVal *spl_result_new(bool is_err, Value v);
/* Frees the class instances still alive when a script ends: those in
 * reference cycles (`a.next = a`, `a.items.push(a)`), which counting alone
 * cannot free. Every cycle passes through a field of a class instance (the
 * only value that changes in place while shared), so emptying the fields of
 * every live instance breaks them all. Call once, after the script's own
 * values are released. */
void spl_object_free_cycles(void);
Closure *spl_closure_new(const struct Func *fn, int64_t n);

/* Structural equality; int and float compare by value. */
bool spl_value_equal(Value a, Value b);
/* Whether an array, tuple or bytes value holds an element equal to x. */
bool spl_value_contains(Value container, Value x);

#endif
