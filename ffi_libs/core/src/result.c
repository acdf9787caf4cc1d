/* result.c - the core library's result buffer and error formatting. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sffi_abi.h"
#include "core_internal.h"
#include "sffi_host.h"

static _Thread_local char *current_text;

const char *sffi_core_keep_text(char *text)
{
    free(current_text);
    current_text = text;
    return text;
}

void sffi_host_shutdown(void)
{
    free(current_text);
    current_text = NULL;
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
