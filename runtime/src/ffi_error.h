/*
 * ffi_error.h - the runtime side of sffi_set_error() and of rt_exit.
 *
 * An extern reports an error with sffi_set_error(msg) (sffi_abi.h); core's
 * rt_exit asks to stop through spl_ffi_request_exit(). Either leaves
 * `spl_ffi_pending` non-zero, which the runtime tests once after every extern
 * call (one thread-local load).
 */
#ifndef SIMPLE_FFI_ERROR_H
#define SIMPLE_FFI_ERROR_H

enum { FFI_OK = 0, FFI_ERROR = 1, FFI_EXIT = 2 };

extern _Thread_local int spl_ffi_pending;

/* The message of the pending error (valid until spl_ffi_clear()). */
const char *spl_ffi_error_message(void);
int spl_ffi_exit_code(void);
void spl_ffi_request_exit(int code);
void spl_ffi_clear(void);

#endif
