/*
 * strmap.h - a hash table from NUL-terminated names to ints.
 *
 * The resolver looks up every function, extern, global and local through
 * one, so loading a script takes time linear in its size. Keys are borrowed:
 * they must outlive the map. There is no removal; storing -1 makes a name
 * read as absent again (scopes restore shadowed bindings that way).
 */
#ifndef SIMPLE_STRMAP_H
#define SIMPLE_STRMAP_H

#include <stddef.h>

typedef struct StrMapSlot {
    const char *key;   /* NULL: empty */
    int value;
} StrMapSlot;

typedef struct StrMap {
    StrMapSlot *slots;
    size_t cap;        /* a power of two, or 0 */
    size_t used;       /* slots with a key */
} StrMap;

/* The value stored for `key`, or -1. */
int spl_strmap_get(const StrMap *m, const char *key);
/* Stores `value` for `key` (replacing any earlier value). */
void spl_strmap_put(StrMap *m, const char *key, int value);
void spl_strmap_free(StrMap *m);

#endif
