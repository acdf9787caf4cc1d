/* sffi_host.c - the host kit's error access and lookup/call helpers (sffi_host.h); sffi_set_error()
 * is sffi_error.c, shared with the runtime. */
#include "sffi_host.h"

#include <stdlib.h>
#include <string.h>

#include "sffi_error.h"

const sffi_host_layout sffi_host_layout_info = {
    SFFI_ABI_VERSION, SFFI_MAX_PARAMS, sizeof(sffi_value), sizeof(sffi_entry), sizeof(sffi_catalog_entry),
};

/* sffi_set_error() itself is the runtime's own, sffi_error.c (beside this file in the kit). */

const char *sffi_host_error(void) { return sffi_error_pending ? sffi_error_message() : NULL; }

void sffi_host_clear_error(void) { sffi_error_clear(); }

int sffi_host_call(const sffi_entry *e, const sffi_value *args, sffi_value *result)
{
    sffi_error_clear();
    e->thunk(args, result);
    return sffi_error_pending ? -1 : 0;
}

/* Table and catalog are sorted by name and begin with `const char *name`. */
static int compare_name(const void *key, const void *element)
{
    return strcmp((const char *)key, *(const char *const *)element);
}

const sffi_entry *sffi_host_find(const char *name)
{
    return bsearch(name, sffi_table, sffi_table_len, sizeof sffi_table[0], compare_name);
}

const sffi_catalog_entry *sffi_host_catalog_find(const char *name)
{
    return bsearch(name, sffi_catalog, sffi_catalog_len, sizeof sffi_catalog[0], compare_name);
}
