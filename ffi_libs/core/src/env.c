/* env.c - rt_env_get, rt_env_set. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sffi_abi.h"
#include "core_internal.h"

/* getenv's string stays valid until the environment changes, which only
 * rt_env_set (a call into this library) does: the ABI's lifetime rule holds. */
const char *rt_env_get(const char *name)
{
    return getenv(name);
}

void rt_env_set(const char *name, const char *value)
{
    if (name[0] == '\0' || strchr(name, '=') != NULL) {
        sffi_core_errorf("invalid environment variable name '%s'", name);
        return;
    }
    if (setenv(name, value, 1) != 0)
        sffi_core_errorf("cannot set environment variable '%s': %s", name, strerror(errno));
}
