/* text.c - turning bytes from outside (files, pipes) into valid text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

/* Length of the valid UTF-8 sequence at s (at most `avail` bytes), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629 §4). */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c >= 0x01 && c < 0x80)
        return 1;
    size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || n > avail)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||  /* overlong, surrogate */
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))    /* overlong, > U+10FFFF */
        return 0;
    return n;
}

char *sffi_core_lossy_text(const char *bytes, size_t len)
{
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
    const unsigned char *s = (const unsigned char *)bytes;
    size_t i = 0, clean;
    while (i < len && (clean = utf8_len(s + i, len - i)) != 0)
        i += clean;
    if (i == len) { /* the common case: already valid, one copy */
        char *copy = malloc(len + 1);
        if (copy) {
            memcpy(copy, bytes, len);
            copy[len] = '\0';
        }
        return copy;
    }
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    char *out = malloc(len * 3 + 1), *o = out; /* each bad byte grows to at most 3 */
    if (!out)
        return NULL;
    for (i = 0; i < len;) {
        size_t n = utf8_len(s + i, len - i);
        if (n) {
            memcpy(o, s + i, n);
            o += n;
            i += n;
        } else {
            memcpy(o, replacement, 3);
            o += 3;
            i += 1;
        }
    }
    *o = '\0';
    return out;
}
