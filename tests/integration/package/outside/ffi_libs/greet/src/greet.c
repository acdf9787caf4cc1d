#include <stdio.h>
#include <string.h>
#include "sffi_abi.h"

const char *rt_greet_hello(const char *name)
{
    static _Thread_local char buf[256];
    snprintf(buf, sizeof buf, "hello, %s", name);
    return buf;
}

int64_t rt_greet_sum(const int64_t *xs, int64_t n)
{
    int64_t s = 0;
    for (int64_t i = 0; i < n; i++)
        s += xs[i];
    return s;
}

void rt_greet_fail(const char *why) { sffi_set_error(why); }

const char *rt_greet_join(const char *const *parts, int64_t n, const char *sep)
{
    static _Thread_local char buf[256];
    buf[0] = '\0';
    for (int64_t i = 0; i < n; i++) {
        if (strlen(buf) + strlen(parts[i]) + strlen(sep) + 1 > sizeof buf) {
            sffi_set_error("rt_greet_join: result longer than 255 bytes");
            return NULL;
        }
        if (i)
            strcat(buf, sep);
        strcat(buf, parts[i]);
    }
    return buf;
}
