/* core_internal.h - helpers shared by the core library's sources. */
#ifndef CORE_INTERNAL_H
#define CORE_INTERNAL_H

/* Takes ownership of `text` (malloc'd) as the calling thread's current text
 * result, freeing the previous one, and returns it. The ABI keeps a returned
 * text valid until the next call into the library on the same thread. */
const char *sffi_core_keep_text(char *text);

/* sffi_set_error with printf formatting. */
void sffi_core_errorf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
