/*
 * plantbug.h - the planted bug of the runtime fuzz harnesses that run no
 * script (fuzz_values.c, fuzz_moddir.c): with SFFI_FUZZ_SELFTEST=1, an input
 * starting "selftest" reads past a heap block, which proves the build catches
 * memory errors (tests/fuzz).
 */
#ifndef SFFI_FUZZ_PLANTBUG_H
#define SFFI_FUZZ_PLANTBUG_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void plant_bug(const uint8_t *data, size_t size)
{
    static int selftest = -1;
    if (selftest < 0) {
        const char *v = getenv("SFFI_FUZZ_SELFTEST");
        selftest = v && strcmp(v, "1") == 0;
    }
    if (selftest && size >= 8 && memcmp(data, "selftest", 8) == 0) {
        char *q = malloc(8);
        memcpy(q, data, 8);
        volatile char past = q[(size_t)data[size - 1] % 2 + 8];
        (void)past;
        free(q);
    }
}

#endif
