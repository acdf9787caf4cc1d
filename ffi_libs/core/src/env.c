/* env.c - rt_env_get, rt_env_set, rt_env_set_or_error. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sffi_abi.h"
#include "core_internal.h"

/* getenv's string stays valid until the environment changes, which only
 * rt_env_set (a call into this library) does: the ABI's lifetime rule holds. */
const char *rt_env_get(const char *key)
{
    return getenv(key);
}

/* 0 when `key` was set to `value`; else an errno value (EINVAL for an empty
 * name or one holding '=', which setenv would reject or misread). */
static int env_set(const char *key, const char *value)
{
    if (key[0] == '\0' || strchr(key, '=') != NULL)
        return EINVAL;
    return setenv(key, value, 1) == 0 ? 0 : errno;
}

bool rt_env_set(const char *key, const char *value)
{
    return env_set(key, value) == 0;
}

void rt_env_set_or_error(const char *key, const char *value)
{
    int err = env_set(key, value);
    if (err == EINVAL)
        sffi_core_errorf("invalid environment variable name '%s'", key);
    else if (err)
        sffi_core_errorf("cannot set environment variable '%s': %s", key, strerror(err));
}
