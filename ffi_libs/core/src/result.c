/* result.c - the core library's result blocks and error formatting. */
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "sffi_abi.h"
#include "core_internal.h"
#include "sffi_host.h"

static _Thread_local void *kept[SFFI_CORE_MAX_KEPT];
static _Thread_local int n_kept;

void sffi_core_results_reset(void)
{
    for (int i = 0; i < n_kept; i++)
        free(kept[i]);
    n_kept = 0;
}

void *sffi_core_keep(void *block)
{
    if (n_kept == SFFI_CORE_MAX_KEPT)
        abort(); /* a programming error in this library, never the script's */
    kept[n_kept++] = block;
    return block;
}

const char *sffi_core_keep_text(char *text)
{
    sffi_core_results_reset();
    return sffi_core_keep(text);
}

void sffi_host_shutdown(void)
{
    sffi_core_results_reset();
}

void sffi_core_errorf(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sffi_set_error(msg);
}

const char *sffi_core_keep_copy(const char *s)
{
    size_t len = strlen(s);
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len + 1);
    return sffi_core_keep_text(copy);
}

int sffi_core_strlist_add(sffi_core_strlist *list, const char *s, size_t len)
{
    if (list->used + len + 1 > list->cap) {
        size_t cap = list->cap ? list->cap : 4096;
        while (list->used + len + 1 > cap)
            cap *= 2;
        char *bigger = realloc(list->block, cap);
        if (!bigger)
            return ENOMEM;
        list->block = bigger;
        list->cap = cap;
    }
    if (list->n == list->offsets_cap) {
        int64_t cap = list->offsets_cap ? list->offsets_cap * 2 : 64;
        size_t *bigger = realloc(list->offsets, (size_t)cap * sizeof *bigger);
        if (!bigger)
            return ENOMEM;
        list->offsets = bigger;
        list->offsets_cap = cap;
    }
    memcpy(list->block + list->used, s, len);
    list->block[list->used + len] = '\0';
    list->offsets[list->n++] = list->used;
    list->used += len + 1;
    return 0;
}

void sffi_core_strlist_free(sffi_core_strlist *list)
{
    free(list->block);
    free(list->offsets);
    memset(list, 0, sizeof *list);
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

sffi_text_slice sffi_core_strlist_finish(sffi_core_strlist *list, bool sort)
{
    sffi_text_slice s = {NULL, 0};
    const char **texts = malloc((size_t)(list->n ? list->n : 1) * sizeof *texts);
    if (!texts) {
        sffi_core_strlist_free(list);
        s.len = -1;
        return s;
    }
    for (int64_t i = 0; i < list->n; i++)
        texts[i] = list->block + list->offsets[i];
    if (sort)
        qsort(texts, (size_t)list->n, sizeof *texts, by_bytes);
    free(list->offsets);
    sffi_core_results_reset();
    sffi_core_keep(list->block);
    sffi_core_keep((void *)texts);
    s.data = list->n ? texts : NULL;
    s.len = list->n;
    memset(list, 0, sizeof *list);
    return s;
}

bool sffi_core_pid_ok(int64_t pid)
{
    return pid > 0 && pid <= INT32_MAX;  /* pid_t is int on every Linux ABI */
}

int64_t sffi_core_exit_code(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
