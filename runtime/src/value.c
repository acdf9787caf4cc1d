/* value.c - text, array and tuple memory, equality. */
#include "value.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* class instances alive, newest first (spl_object_free_cycles) */
static _Thread_local Object *live_classes;

static Text *text_alloc(size_t cap)
{
    Text *t = spl_xrealloc(NULL, sizeof(Text) + cap);
    t->rc = 1;
    t->len = 0;
    t->cap = (int64_t)cap;
    return t;
}

Text *spl_text_new(const char *s, size_t len)
{
    Text *t = text_alloc(len + 1);
    memcpy(t->data, s, len);
    t->data[len] = '\0';
    t->len = (int64_t)len;
    return t;
}

Text *spl_text_from_cstr(const char *s) { return spl_text_new(s, strlen(s)); }

Text *spl_text_concat(const Text *a, const Text *b)
{
    Text *t = text_alloc((size_t)(a->len + b->len + 1));
    memcpy(t->data, a->data, (size_t)a->len);
    memcpy(t->data + a->len, b->data, (size_t)b->len + 1);
    t->len = a->len + b->len;
    return t;
}

void spl_text_append(Value *slot, const char *s, size_t len)
{
    Text *t = slot->as.t;
    size_t need = (size_t)t->len + len + 1;
    if (t->rc > 1) {
        Text *copy = text_alloc(need + need / 2);
        memcpy(copy->data, t->data, (size_t)t->len);
        copy->len = t->len;
        t->rc--;
        t = copy;
    } else if ((size_t)t->cap < need) {
        size_t cap = need + need / 2;
        t = spl_xrealloc(t, sizeof(Text) + cap);
        t->cap = (int64_t)cap;
    }
    memcpy(t->data + t->len, s, len);
    t->len += (int64_t)len;
    t->data[t->len] = '\0';
    slot->as.t = t;
}

int64_t spl_text_codepoints(const Text *t)
{
    int64_t n = 0;
    for (int64_t i = 0; i < t->len; i++)
        n += ((unsigned char)t->data[i] & 0xC0) != 0x80;
    return n;
}

size_t spl_text_offset(const Text *t, int64_t index)
{
    int64_t seen = -1;
    for (int64_t i = 0; i < t->len; i++) {
        if (((unsigned char)t->data[i] & 0xC0) != 0x80 && ++seen == index)
            return (size_t)i;
    }
    return (size_t)t->len;
}

Array *spl_array_new(int64_t cap)
{
    Array *a = spl_xrealloc(NULL, sizeof(Array));
    a->rc = 1;
    a->len = 0;
    a->cap = cap;
    a->items = cap ? spl_xrealloc(NULL, sizeof(Value) * (size_t)cap) : NULL;
    return a;
}

void spl_array_push(Array *a, Value v)
{
    if (a->len == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4;
        a->items = spl_xrealloc(a->items, sizeof(Value) * (size_t)a->cap);
    }
    a->items[a->len++] = v;
}

Array *spl_array_unshare(Value *slot)
{
    Array *a = slot->as.a;
    if (a->rc == 1)
        return a;
    Array *copy = spl_array_new(a->len);
    for (int64_t i = 0; i < a->len; i++) {
        value_retain(a->items[i]);
        copy->items[i] = a->items[i];
    }
    copy->len = a->len;
    a->rc--;
    slot->as.a = copy;
    return copy;
}

Tuple *spl_tuple_new(int64_t len)
{
    Tuple *t = spl_xrealloc(NULL, sizeof(Tuple) + sizeof(Value) * (size_t)len);
    t->rc = 1;
    t->len = len;
    for (int64_t i = 0; i < len; i++)
        t->items[i] = value_nil();
    return t;
}

/* Arrays and tuples whose count reached zero, waiting to release their items.
 * Freeing works through this list instead of recursing, so a deeply nested
 * value (a = [a] a million times) cannot overflow the C stack. */
static _Thread_local Value *dead;
static _Thread_local int64_t ndead, dead_cap;

static void release_items(Value *items, int64_t len)
{
    for (int64_t i = 0; i < len; i++) {
        Value item = items[i];
        if (!value_is_heap(item) || --*item.as.rc != 0)
            continue;
        if (item.type == VT_TEXT || item.type == VT_BYTES) {
            free(item.type == VT_TEXT ? (void *)item.as.t : (void *)item.as.by);
            continue;
        }
        if (ndead == dead_cap) {
            dead_cap = dead_cap ? dead_cap * 2 : 64;
            dead = spl_xrealloc(dead, sizeof(Value) * (size_t)dead_cap);
        }
        dead[ndead++] = item;
    }
}

static void free_container(Value v)
{
    switch ((ValueType)v.type) {
    case VT_TUPLE:
        release_items(v.as.tu->items, v.as.tu->len);
        free(v.as.tu);
        return;
    case VT_OBJECT: {
        Object *o = v.as.o;
        if (o->is_class) {
            if (o->prev)
                o->prev->next = o->next;
            else
                live_classes = o->next;
            if (o->next)
                o->next->prev = o->prev;
        }
        release_items(o->fields, o->n);
        free(o);
        return;
    }
    case VT_RESULT:
        release_items(&v.as.r->v, 1);
        free(v.as.r);
        return;
    case VT_CLOSURE:
        release_items(v.as.cl->caps, v.as.cl->n);
        free(v.as.cl);
        return;
    default:
        break;
    }
    release_items(v.as.a->items, v.as.a->len);
    free(v.as.a->items);
    free(v.as.a);
}

void spl_value_free_heap(Value v)
{
    if (v.type == VT_TEXT || v.type == VT_BYTES) {
        free(v.type == VT_TEXT ? (void *)v.as.t : (void *)v.as.by);
        return;
    }
    free_container(v);
    while (ndead > 0)
        free_container(dead[--ndead]);
    if (dead) {
        free(dead);
        dead = NULL;
        dead_cap = 0;
    }
}

Object *spl_object_new(const struct TypeDef *type, bool is_class, int64_t n)
{
    Object *o = spl_xmalloc(sizeof(Object) + sizeof(Value) * (size_t)n);
    o->rc = 1;
    o->type = type;
    o->is_class = is_class;
    o->prev = NULL;
    o->next = NULL;
    if (is_class) {
        o->next = live_classes;
        if (live_classes)
            live_classes->prev = o;
        live_classes = o;
    }
    o->n = n;
    for (int64_t i = 0; i < n; i++)
        o->fields[i] = value_nil();
    return o;
}

Object *spl_object_unshare(Value *slot)
{
    Object *o = slot->as.o;
    if (o->rc == 1 || o->is_class)
        return o;
    Object *copy = spl_object_new(o->type, false, o->n);
    for (int64_t i = 0; i < o->n; i++) {
        value_retain(o->fields[i]);
        copy->fields[i] = o->fields[i];
    }
    o->rc--;
    slot->as.o = copy;
    return copy;
}

ResultVal *spl_result_new(bool is_err, Value v)
{
    ResultVal *r = spl_xmalloc(sizeof *r);
    r->rc = 1;
    r->is_err = is_err;
    r->v = v;
    return r;
}

Closure *spl_closure_new(const struct Func *fn, int64_t n)
{
    Closure *c = spl_xmalloc(sizeof(Closure) + sizeof(Value) * (size_t)n);
    c->rc = 1;
    c->fn = fn;
    c->n = n;
    for (int64_t i = 0; i < n; i++)
        c->caps[i] = value_nil();
    return c;
}

/* Bytes equal bytes, or an array of the same ints. */
static bool bytes_equal(const Bytes *a, Value b)
{
    if (b.type == VT_BYTES)
        return a->len == b.as.by->len && (a->len == 0 || memcmp(a->data, b.as.by->data, (size_t)a->len) == 0);
    if (b.type != VT_ARRAY || b.as.a->len != a->len)
        return false;
    for (int64_t i = 0; i < a->len; i++)
        if (b.as.a->items[i].type != VT_INT || b.as.a->items[i].as.i != a->data[i])
            return false;
    return true;
}

/* Equality of two values that are not both containers of the same kind
 * (arrays, tuples, struct instances of one type, Results of one kind);
 * *descend is set instead when they are, and their lengths agree, for the
 * caller to compare their items (fields, payload). */
static bool equal_flat(Value a, Value b, bool *descend)
{
    *descend = false;
    if (a.type == VT_BYTES || b.type == VT_BYTES)
        return a.type == VT_BYTES ? bytes_equal(a.as.by, b) : bytes_equal(b.as.by, a);
    if (a.type == VT_INT && b.type == VT_FLOAT)
        return (double)a.as.i == b.as.f;
    if (a.type == VT_FLOAT && b.type == VT_INT)
        return a.as.f == (double)b.as.i;
    if (a.type != b.type)
        return false;
    switch ((ValueType)a.type) {
    case VT_NIL: return true;
    case VT_BOOL: return a.as.b == b.as.b;
    case VT_INT: return a.as.i == b.as.i;
    case VT_FLOAT: return a.as.f == b.as.f;
    case VT_TEXT:
        return a.as.t->len == b.as.t->len && memcmp(a.as.t->data, b.as.t->data, (size_t)a.as.t->len) == 0;
    case VT_ARRAY:
        *descend = a.as.a->len == b.as.a->len;
        return *descend;
    case VT_TUPLE:
        *descend = a.as.tu->len == b.as.tu->len;
        return *descend;
    case VT_OBJECT:
        /* a class instance is itself; struct instances of one type compare
         * field by field (the caller walks the fields) */
        if (a.as.o == b.as.o)
            return true;
        *descend = !a.as.o->is_class && a.as.o->type == b.as.o->type && a.as.o->n == b.as.o->n;
        return *descend;
    case VT_RESULT:
        /* both Ok or both Err, then the payloads (walked by the caller) */
        *descend = a.as.r->is_err == b.as.r->is_err;
        return *descend;
    case VT_ENUM: return a.as.td == b.as.td && a.aux == b.aux;
    case VT_TYPE: return a.as.td == b.as.td;
    case VT_FUNC: return a.as.fn == b.as.fn;
    case VT_CLOSURE: return a.as.cl == b.as.cl;
    case VT_BYTES:
    case VT_UNDEF: break;
    }
    return false;
}

/* Items of two containers of one length still to compare, from `next` on. */
typedef struct EqualFrame {
    const Value *a, *b;
    int64_t len, next;
} EqualFrame;

static EqualFrame frame_of(Value a, Value b)
{
    if (a.type == VT_TUPLE)
        return (EqualFrame){a.as.tu->items, b.as.tu->items, a.as.tu->len, 0};
    if (a.type == VT_OBJECT) /* struct fields */
        return (EqualFrame){a.as.o->fields, b.as.o->fields, a.as.o->n, 0};
    if (a.type == VT_RESULT) /* the payload */
        return (EqualFrame){&a.as.r->v, &b.as.r->v, 1, 0};
    return (EqualFrame){a.as.a->items, b.as.a->items, a.as.a->len, 0};
}

/* Depth-first over an explicit stack, not the C stack: a value nested
 * millions deep (`a = [a]` in a loop) compares like a flat one (issue 24).
 * The stack lives on the C stack up to EQUAL_FRAMES_LOCAL levels and on
 * the heap beyond, so flat and shallow comparisons allocate nothing. */
#define EQUAL_FRAMES_LOCAL 32

bool spl_value_equal(Value a, Value b)
{
    bool descend;
    bool equal = equal_flat(a, b, &descend);
    if (!descend)
        return equal;
    EqualFrame local[EQUAL_FRAMES_LOCAL], *stack = local;
    int64_t top = 0, cap = EQUAL_FRAMES_LOCAL;
    stack[top++] = frame_of(a, b);
    while (equal && top > 0) {
        EqualFrame *f = &stack[top - 1];
        if (f->next == f->len) {
            top--;
            continue;
        }
        Value x = f->a[f->next], y = f->b[f->next];
        f->next++;
        equal = SPL_FUZZ_STEP() && equal_flat(x, y, &descend);
        if (!equal || !descend)
            continue;
        if (top == cap) {
            cap *= 2;
            stack = stack == local ? memcpy(spl_xmalloc(sizeof *stack * (size_t)cap), local, sizeof local)
                                   : spl_xrealloc(stack, sizeof *stack * (size_t)cap);
        }
        stack[top++] = frame_of(x, y);
    }
    if (stack != local)
        free(stack);
    return equal;
}

Bytes *spl_bytes_new(const void *data, int64_t len)
{
    Bytes *b = spl_xmalloc(sizeof(Bytes) + (size_t)len);
    b->rc = 1;
    b->len = len;
    if (len)
        memcpy(b->data, data, (size_t)len);
    return b;
}

bool spl_value_contains(Value container, Value x)
{
    if (container.type == VT_BYTES) {
        for (int64_t i = 0; i < container.as.by->len; i++)
            if (x.type == VT_INT && x.as.i == container.as.by->data[i])
                return true;
        return false;
    }
    const Value *items = container.type == VT_ARRAY ? container.as.a->items : container.as.tu->items;
    int64_t len = container.type == VT_ARRAY ? container.as.a->len : container.as.tu->len;
    for (int64_t i = 0; i < len; i++)
        if (spl_value_equal(items[i], x))
            return true;
    return false;
}

void spl_object_free_cycles(void)
{
    int64_t n = 0;
    for (Object *o = live_classes; o; o = o->next)
        n++;
    if (n == 0)
        return;
    Object **all = spl_xmalloc(sizeof(Object *) * (size_t)n);
    n = 0;
    for (Object *o = live_classes; o; o = o->next) {
        o->rc++; /* held here: emptying fields frees none of them yet */
        all[n++] = o;
    }
    for (int64_t i = 0; i < n; i++) {
        for (int64_t k = 0; k < all[i]->n; k++) {
            Value v = all[i]->fields[k];
            all[i]->fields[k] = value_nil();
            value_release(v);
        }
    }
    for (int64_t i = 0; i < n; i++)
        value_release(value_object(all[i]));
    free(all);
}
