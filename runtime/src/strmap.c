/* strmap.c - open addressing with linear probing, grown at half full. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)(h ^ (h >> 32));
}

static StrMapSlot *find(const StrMap *m, const char *key)
{
    size_t mask = m->cap - 1;
    for (size_t i = hash(key) & mask;; i = (i + 1) & mask)
        if (!m->slots[i].key || strcmp(m->slots[i].key, key) == 0)
            return &m->slots[i];
}

int spl_strmap_get(const StrMap *m, const char *key)
{
    if (m->cap == 0)
        return -1;
    const StrMapSlot *s = find(m, key);
    return s->key ? s->value : -1;
}

static void grow(StrMap *m)
{
    StrMap bigger = {.cap = m->cap ? m->cap * 2 : 16};
    bigger.slots = spl_xcalloc(bigger.cap, sizeof(StrMapSlot));
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            *find(&bigger, m->slots[i].key) = m->slots[i];
    bigger.used = m->used;
    free(m->slots);
    *m = bigger;
}

void spl_strmap_put(StrMap *m, const char *key, int value)
{
    if (2 * (m->used + 1) > m->cap)
        grow(m);
    StrMapSlot *s = find(m, key);
    if (!s->key) {
        s->key = key;
        m->used++;
    }
    s->value = value;
}

void spl_strmap_free(StrMap *m)
{
    free(m->slots);
    *m = (StrMap){0};
}
