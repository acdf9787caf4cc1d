/*
 * ffi_error.h - the runtime side of sffi_set_error() and of rt_exit.
 *
 * An extern reports an error with sffi_set_error(msg) (sffi_abi.h, defined
 * once in sffi_error.c, which the host kit shares); core's rt_exit asks to
 * stop through spl_ffi_request_exit(). Either leaves `sffi_error_pending`
 * non-zero, which the runtime tests once after every extern call (one
 * thread-local load); sffi_error_message() and sffi_error_clear() read and
 * reset it.
 */
#ifndef SIMPLE_FFI_ERROR_H
#define SIMPLE_FFI_ERROR_H

#include "sffi_error.h"

enum { FFI_OK = SFFI_ERROR_NONE, FFI_ERROR = SFFI_ERROR_SET, FFI_EXIT = 2 };

int spl_ffi_exit_code(void);
void spl_ffi_request_exit(int code);

#endif
