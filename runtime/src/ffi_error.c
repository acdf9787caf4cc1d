/* ffi_error.c - the exit request of core's rt_exit, beside sffi_set_error() (sffi_error.c). */
#include "ffi_error.h"

static _Thread_local int exit_code;

int spl_ffi_exit_code(void) { return exit_code; }

void spl_ffi_request_exit(int code)
{
    if (sffi_error_pending != FFI_OK)
        return;
    exit_code = code;
    sffi_error_pending = FFI_EXIT;
}
