/*
 * ffi_error.h - the runtime side of sffi_set_error() and of rt_exit.
 *
 * An extern reports an error with sffi_set_error(msg) (sffi_abi.h); core's
 * rt_exit asks to stop through ffi_request_exit(). Either leaves
 * `ffi_pending` non-zero, which the runtime tests once after every extern
 * call (one thread-local load).
 */
#ifndef SIMPLE_FFI_ERROR_H
#define SIMPLE_FFI_ERROR_H

enum { FFI_OK = 0, FFI_ERROR = 1, FFI_EXIT = 2 };

extern _Thread_local int ffi_pending;

/* The message of the pending error (valid until ffi_clear()). */
const char *ffi_error_message(void);
int ffi_exit_code(void);
void ffi_request_exit(int code);
void ffi_clear(void);

#endif
