/* ffi_error.c - sffi_set_error() (declared in sffi_abi.h) and the exit request. */
#include "ffi_error.h"

#include <string.h>

#include "sffi_abi.h"

#define MESSAGE_MAX 4096

_Thread_local int spl_ffi_pending;
static _Thread_local char message[MESSAGE_MAX];
static _Thread_local int exit_code;

/* Keeps the first error of a call: it names the cause, later ones are consequences. */
void sffi_set_error(const char *msg)
{
    if (spl_ffi_pending != FFI_OK)
        return;
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
    spl_ffi_pending = FFI_ERROR;
}

const char *spl_ffi_error_message(void) { return message; }

int spl_ffi_exit_code(void) { return exit_code; }

void spl_ffi_request_exit(int code)
{
    if (spl_ffi_pending != FFI_OK)
        return;
    exit_code = code;
    spl_ffi_pending = FFI_EXIT;
}

void spl_ffi_clear(void)
{
    spl_ffi_pending = FFI_OK;
    message[0] = '\0';
}
