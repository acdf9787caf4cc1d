/* result.c - the core library's result blocks and error formatting. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sffi_abi.h"
#include "core_internal.h"
#include "sffi_host.h"

static _Thread_local void *kept[SFFI_CORE_MAX_KEPT];
static _Thread_local int n_kept;

void sffi_core_results_reset(void)
{
    for (int i = 0; i < n_kept; i++)
        free(kept[i]);
    n_kept = 0;
}

void *sffi_core_keep(void *block)
{
    if (n_kept == SFFI_CORE_MAX_KEPT)
        abort(); /* a programming error in this library, never the script's */
    kept[n_kept++] = block;
    return block;
}

const char *sffi_core_keep_text(char *text)
{
    sffi_core_results_reset();
    return sffi_core_keep(text);
}

void sffi_host_shutdown(void)
{
    sffi_core_results_reset();
}

void sffi_core_errorf(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sffi_set_error(msg);
}
