/* sffi_host.c - the host kit's sffi_set_error() and lookup/call helpers (sffi_host.h). */
#include "sffi_host.h"

#include <stdlib.h>
#include <string.h>

#define MESSAGE_MAX 4096

static _Thread_local int pending;
static _Thread_local char message[MESSAGE_MAX];

const sffi_host_layout sffi_host_layout_info = {
    SFFI_ABI_VERSION, SFFI_MAX_PARAMS, sizeof(sffi_value), sizeof(sffi_entry), sizeof(sffi_catalog_entry),
};

void sffi_set_error(const char *msg)
{
    if (pending)
        return; /* the first error names the cause */
    if (!msg)
        msg = "(no message)";
    size_t n = strlen(msg);
    if (n >= MESSAGE_MAX) {
        n = MESSAGE_MAX - 4;
        while (n > 0 && ((unsigned char)msg[n] & 0xC0) == 0x80)
            n--; /* do not cut a UTF-8 sequence */
        memcpy(message + n, "...", 4);
    } else {
        message[n] = '\0';
    }
    memcpy(message, msg, n);
    pending = 1;
}

const char *sffi_host_error(void) { return pending ? message : NULL; }

void sffi_host_clear_error(void)
{
    pending = 0;
    message[0] = '\0';
}

int sffi_host_call(const sffi_entry *e, const sffi_value *args, sffi_value *result)
{
    sffi_host_clear_error();
    e->thunk(args, result);
    return pending ? -1 : 0;
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
