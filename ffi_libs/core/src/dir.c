/* dir.c - rt_dir_create, rt_dir_list, rt_dir_exists: making and listing directories. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sffi_abi.h"
#include "core_internal.h"

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Creates `path` and its missing parents (as mkdir -p does). True when `path`
 * is a directory afterwards, so an existing directory is success; false when
 * a component is a file, permission is denied, or the path is empty. */
bool sffi_core_mkdirs(const char *path)
{
    size_t len = strlen(path);
    char *prefix = len ? malloc(len + 1) : NULL;
    if (!prefix)
        return false;
    memcpy(prefix, path, len + 1);
    for (char *p = prefix + 1; *p; p++) {
        if (*p != '/' || p[-1] == '/')
            continue;
        *p = '\0';
        (void)mkdir(prefix, 0777); /* EEXIST is fine; other failures show at the end */
        *p = '/';
    }
    (void)mkdir(prefix, 0777);
    free(prefix);
    return is_dir(path);
}

/* Simple's io.spl: recursive, as mkdir -p (above); else mkdir(2), which
 * fails (false) when anything is already there, as Rust's fs::create_dir. */
bool rt_dir_create(const char *path, bool recursive)
{
    return recursive ? sffi_core_mkdirs(path) : mkdir(path, 0777) == 0;
}

bool rt_dir_create_all(const char *path)
{
    return sffi_core_mkdirs(path);
}

bool rt_dir_exists(const char *path)
{
    return is_dir(path);
}

/* rt_dir_list's names, or an empty array (Simple's failure value) when
 * `path` cannot be listed. */
sffi_text_slice rt_file_list_dir(const char *path)
{
    sffi_text_slice s = {NULL, 0};
    DIR *d = opendir(path);
    if (!d)
        return s;
    closedir(d);
    return rt_dir_list(path);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names of the entries (not paths), `.` and `..` left out, and each name
 * stored in one malloc'd block (*block_out). NULL with errno on failure. */
static char **read_names(DIR *d, int64_t *count, char **block_out)
{
    size_t cap = 4096, used = 0;
    char *block = malloc(cap);
    int64_t n = 0;
    struct dirent *e;
    errno = 0;
    while (block && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t need = strlen(e->d_name) + 1;
        if (used + need > cap) {
            while (used + need > cap)
                cap *= 2;
            char *bigger = realloc(block, cap);
            if (!bigger) {
                free(block);
                block = NULL;
                break;
            }
            block = bigger;
        }
        memcpy(block + used, e->d_name, need);
        used += need;
        n++;
    }
    int saved = block ? errno : ENOMEM;
    char **names = block && !saved ? malloc((size_t)(n ? n : 1) * sizeof *names) : NULL;
    if (!names) {
        free(block);
        errno = saved ? saved : ENOMEM;
        return NULL;
    }
    for (int64_t k = 0, at = 0; k < n; k++, at += (int64_t)strlen(block + at) + 1)
        names[k] = block + at;
    *count = n;
    *block_out = block;
    return names;
}

/* The entry names in strcmp (byte) order, since readdir's order is the file
 * system's; a script error when `path` cannot be listed. */
sffi_text_slice rt_dir_list(const char *path)
{
    sffi_text_slice s = {NULL, 0};
    DIR *d = opendir(path);
    if (!d) {
        sffi_core_errorf("cannot list '%s': %s", path, strerror(errno));
        return s;
    }
    int64_t n = 0;
    char *block = NULL;
    char **names = read_names(d, &n, &block);
    int saved = errno;
    closedir(d);
    if (!names) {
        sffi_core_errorf("cannot list '%s': %s", path, strerror(saved));
        return s;
    }
    qsort(names, (size_t)n, sizeof *names, by_name);
    sffi_core_results_reset();
    sffi_core_keep(block);
    sffi_core_keep(names);
    s.data = n ? (const char *const *)names : NULL;
    s.len = n;
    return s;
}
