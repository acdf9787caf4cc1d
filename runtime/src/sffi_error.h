/*
 * sffi_error.h - the one definition of sffi_set_error() (declared in
 * sffi_abi.h), shared by the runtime (with its exit request: ffi_error.h) and
 * the host kit (sffi_host.c; the kit ships this file beside it). A library
 * reports an error with sffi_set_error(msg); the caller of its extern reads
 * `sffi_error_pending` once after the call.
 *
 * Rules (docs/abi.md, "Errors"): the first sffi_set_error() of a call wins,
 * later ones are consequences and ignored; NULL reads "(no message)"; a
 * message of 4096 bytes or more is cut at a UTF-8 boundary and ends in "...".
 */
#ifndef SFFI_ERROR_H
#define SFFI_ERROR_H

/* Values of sffi_error_pending. A user may define more (the runtime's exit
 * request); sffi_set_error() records nothing while any is pending. */
enum { SFFI_ERROR_NONE = 0, SFFI_ERROR_SET = 1 };

extern _Thread_local int sffi_error_pending;

/* The message of the pending error on this thread ("" when none). */
const char *sffi_error_message(void);

/* Nothing pending, no message. */
void sffi_error_clear(void);

#endif
