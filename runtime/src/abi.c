/* abi.c - the runtime's view of the SFFI ABI and its generated table: type
 * names, canonical signatures, the rule by which a declaration binds to an
 * entry, and lookups by name. Shared by compiled-in binding (externs.c),
 * module binding (modules.c), marshalling (marshal.c) and the parser, so
 * that none of them calls another for these. */
#include "abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The runtime's type table: code -> .spl spelling. tests/sffi/test_abi.py
 * holds it (and the sffi_type enum) to site_scons/sffi/abi.py. */
static const char *const TYPE_NAMES[] = {
    [SFFI_NONE] = "none",
    [SFFI_I64] = "i64",
    [SFFI_I32] = "i32",
    [SFFI_F64] = "f64",
    [SFFI_BOOL] = "bool",
    [SFFI_TEXT] = "text",
    [SFFI_I64_ARRAY] = "[i64]",
    [SFFI_F64_ARRAY] = "[f64]",
    [SFFI_TEXT_ARRAY] = "[text]",
    [SFFI_I8] = "i8",
    [SFFI_I16] = "i16",
    [SFFI_U8] = "u8",
    [SFFI_U16] = "u16",
    [SFFI_U32] = "u32",
    [SFFI_U64] = "u64",
    [SFFI_F32] = "f32",
    [SFFI_I8_ARRAY] = "[i8]",
    [SFFI_I16_ARRAY] = "[i16]",
    [SFFI_I32_ARRAY] = "[i32]",
    [SFFI_U8_ARRAY] = "[u8]",
    [SFFI_U16_ARRAY] = "[u16]",
    [SFFI_U32_ARRAY] = "[u32]",
    [SFFI_U64_ARRAY] = "[u64]",
    [SFFI_F32_ARRAY] = "[f32]",
    [SFFI_BOOL_ARRAY] = "[bool]",
};
#define N_TYPE_NAMES ((int)(sizeof TYPE_NAMES / sizeof TYPE_NAMES[0]))

const char *spl_sffi_type_name(int type)
{
    return type >= 0 && type < N_TYPE_NAMES && TYPE_NAMES[type] ? TYPE_NAMES[type] : "?";
}

int spl_sffi_type_code(const char *spelling)
{
    for (int i = 1; i < N_TYPE_NAMES; i++)
        if (TYPE_NAMES[i] && strcmp(TYPE_NAMES[i], spelling) == 0)
            return i;
    return -1;
}

static void add_type(StrBuf *sb, int type)
{
    spl_sb_printf(sb, "%s%s", spl_sffi_type_name(type & ~SFFI_OPTIONAL), type & SFFI_OPTIONAL ? "?" : "");
}

void spl_sffi_result_text(StrBuf *sb, int result, int n_items, const uint8_t *items)
{
    bool array = (result & ~SFFI_OPTIONAL) == SFFI_TUPLE_ARRAY;
    if (result != SFFI_TUPLE && !array) {
        add_type(sb, result);
        return;
    }
    spl_sb_adds(sb, array ? "[(" : "(");
    for (int i = 0; i < n_items; i++) {
        spl_sb_adds(sb, i ? ", " : "");
        add_type(sb, items[i]);
    }
    spl_sb_adds(sb, !array ? ")" : result & SFFI_OPTIONAL ? ")]?" : ")]");
}

void spl_extern_signature(const ExternDecl *d, char *buf, size_t size)
{
    StrBuf sb = {0};
    spl_sb_addc(&sb, '(');
    for (int i = 0; i < d->nparams; i++) {
        spl_sb_adds(&sb, i ? ", " : "");
        add_type(&sb, d->params[i]);
    }
    spl_sb_addc(&sb, ')');
    if (d->result != SFFI_NONE) {
        spl_sb_adds(&sb, " -> ");
        spl_sffi_result_text(&sb, d->result, d->n_items, d->items);
    }
    snprintf(buf, size, "%s", sb.data);
    spl_sb_free(&sb);
}

bool spl_result_binds(const ExternDecl *d, int result, int n_items, const uint8_t *items)
{
    if ((d->result & ~SFFI_OPTIONAL) != (result & ~SFFI_OPTIONAL) || d->n_items != n_items)
        return false;
    for (int i = 0; i < n_items; i++)
        if ((d->items[i] & ~SFFI_OPTIONAL) != (items[i] & ~SFFI_OPTIONAL))
            return false;
    return true;
}

/* Both arrays are sorted by name (strcmp order) and begin each element with
 * `const char *name`, so one comparator serves bsearch over either. */
static int compare_name(const void *key, const void *element)
{
    return strcmp((const char *)key, *(const char *const *)element);
}

const sffi_entry *spl_table_find(const char *name)
{
    return bsearch(name, sffi_table, sffi_table_len, sizeof sffi_table[0], compare_name);
}

const sffi_catalog_entry *spl_catalog_find(const char *name)
{
    return bsearch(name, sffi_catalog, sffi_catalog_len, sizeof sffi_catalog[0], compare_name);
}

const char *spl_catalog_library(const char *name)
{
    const sffi_catalog_entry *c = spl_catalog_find(name);
    return c ? c->library : NULL;
}
