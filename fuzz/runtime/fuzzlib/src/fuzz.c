/* fuzz.c - the externs of fuzz.spl: pure functions over their arguments, with
 * results kept in per-thread buffers (valid until the next call, docs/abi.md). */
#include <stdlib.h>
#include <string.h>

#include "sffi_abi.h"

#define MAX_RESULT 4096 /* elements or bytes: results stay small whatever the input */

static _Thread_local char text_buf[MAX_RESULT + 1];
static _Thread_local int64_t ints[MAX_RESULT];
static _Thread_local double floats[MAX_RESULT];
static _Thread_local const char *words[MAX_RESULT];

const char *rt_fuzz_text(const char *t)
{
    size_t n = strlen(t);
    n = n < MAX_RESULT ? n : MAX_RESULT;
    memcpy(text_buf, t, n);
    text_buf[n] = '\0';
    return text_buf;
}

const char *rt_fuzz_nil(void) { return NULL; }

int64_t rt_fuzz_sum(const int64_t *xs, int64_t len)
{
    uint64_t s = 0; /* wraps instead of overflowing */
    for (int64_t i = 0; i < len; i++)
        s += (uint64_t)xs[i];
    return (int64_t)s;
}

sffi_f64_slice rt_fuzz_scale(const double *xs, int64_t len, double k)
{
    int64_t n = len < MAX_RESULT ? len : MAX_RESULT;
    for (int64_t i = 0; i < n; i++)
        floats[i] = xs[i] * k;
    return (sffi_f64_slice){n ? floats : NULL, n};
}

/* The text split at spaces; the pieces live in text_buf. */
sffi_text_slice rt_fuzz_words(const char *t)
{
    rt_fuzz_text(t);
    int64_t n = 0;
    for (char *p = text_buf; *p && n < MAX_RESULT;) {
        while (*p == ' ')
            *p++ = '\0';
        if (*p)
            words[n++] = p;
        while (*p && *p != ' ')
            p++;
    }
    return (sffi_text_slice){n ? words : NULL, n};
}

sffi_i64_slice rt_fuzz_ints(int32_t n)
{
    if (n < 0) {
        sffi_set_error("n must not be negative");
        return (sffi_i64_slice){NULL, 0};
    }
    int64_t len = n < MAX_RESULT ? n : MAX_RESULT;
    for (int64_t i = 0; i < len; i++)
        ints[i] = i;
    return (sffi_i64_slice){len ? ints : NULL, len};
}

bool rt_fuzz_check(bool ok, const char *msg)
{
    if (!ok)
        sffi_set_error(msg);
    return ok;
}

const char *rt_fuzz_join(const char *const *parts, int64_t len)
{
    size_t used = 0;
    for (int64_t i = 0; i < len && used < MAX_RESULT; i++) {
        size_t n = strlen(parts[i]);
        n = n < MAX_RESULT - used ? n : MAX_RESULT - used;
        memcpy(text_buf + used, parts[i], n);
        used += n;
    }
    text_buf[used] = '\0';
    return text_buf;
}

void rt_fuzz_void(int64_t x) { (void)x; }
