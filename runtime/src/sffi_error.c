/* sffi_error.c - sffi_set_error() (sffi_abi.h), for the runtime and the host kit (sffi_error.h). */
#include "sffi_error.h"

#include <string.h>

#include "sffi_abi.h"

#define MESSAGE_MAX 4096

_Thread_local int sffi_error_pending;
static _Thread_local char message[MESSAGE_MAX];

/* Keeps the first error of a call: it names the cause, later ones are consequences. */
void sffi_set_error(const char *msg)
{
    if (sffi_error_pending != SFFI_ERROR_NONE)
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
    sffi_error_pending = SFFI_ERROR_SET;
}

const char *sffi_error_message(void) { return message; }

void sffi_error_clear(void)
{
    sffi_error_pending = SFFI_ERROR_NONE;
    message[0] = '\0';
}
