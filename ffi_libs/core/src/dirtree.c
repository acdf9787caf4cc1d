/* dirtree.c - whole directory trees: remove, walk, find by extension, glob. */
/* realpath(3) is X/Open: the build defines _XOPEN_SOURCE (sffi.toml cppdefines); a
 * compile without the manifest's flags (tests/abiruntime.py) gets it here. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"

/* Removes everything inside the directory open as `fd` (which it closes),
 * never following a symbolic link: a link is removed, not what it names.
 * 0, or the first errno value met. */
static int empty_dir(int fd)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return errno;
    }
    int err = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            err = err ? err : errno;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            int e2 = sub < 0 ? errno : empty_dir(sub);
            if (!e2 && unlinkat(fd, e->d_name, AT_REMOVEDIR) != 0)
                e2 = errno;
            err = err ? err : e2;
        } else if (unlinkat(fd, e->d_name, 0) != 0) {
            err = err ? err : errno;
        }
    }
    closedir(d);
    return err;
}

/* Removes the directory `path` and all it holds; false when `path` is not
 * a directory (a symbolic link to one is not), or anything stays. */
static bool remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || empty_dir(fd) != 0)
        return false;
    return rmdir(path) == 0;
}

/* rmdir(2): an empty directory only. */
bool rt_dir_delete(const char *path)
{
    return rmdir(path) == 0;
}

/* Simple's io.spl: recursive, the directory and all it holds; else an empty directory only. */
bool rt_dir_remove(const char *path, bool recursive)
{
    return recursive ? remove_tree(path) : rmdir(path) == 0;
}

/* Whether a resolved absolute path is one Simple's rt_dir_remove_all
 * refuses: the root or a directory just under it ("/usr", "/tmp"...), and
 * $HOME itself. */
static bool protected_path(const char *real)
{
    int depth = 0;
    for (const char *p = real; *p; p++)
        depth += *p == '/' && p[1] != '\0';
    if (depth <= 1)
        return true;
    const char *home = getenv("HOME");
    char *real_home = home && *home ? realpath(home, NULL) : NULL;
    bool is_home = real_home && strcmp(real_home, real) == 0;
    free(real_home);
    return is_home;
}

/* Removes a whole tree as rt_dir_remove(path, true) does, after resolving
 * `path` (realpath): false when it does not resolve, or resolves to "/", a
 * directory directly under "/", or $HOME (Simple refuses those too). */
bool rt_dir_remove_all(const char *path)
{
    char *real = realpath(path, NULL);
    if (!real)
        return false;
    bool ok = !protected_path(real) && remove_tree(real);
    free(real);
    return ok;
}

/* Whether `name` has the extension `ext` ("spl" or ".spl"; "" matches every name). */
static bool has_ext(const char *name, const char *ext)
{
    if (ext[0] == '.')
        ext++;
    if (ext[0] == '\0')
        return true;
    const char *dot = strrchr(name, '.');
    return dot && dot != name && strcmp(dot + 1, ext) == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends to `list` the path of every entry under `dir` that is not a
 * directory (symbolic links are listed, not followed), depth first, each
 * directory's entries in byte order, and matching `ext` when given.
 * 0 or ENOMEM; unreadable directories are skipped, as Simple's walk does. */
static int walk(const char *dir, const char *ext, sffi_core_strlist *list, int depth)
{
    if (depth > 256)  /* deeper than any real tree: a loop of bind mounts */
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    sffi_core_strlist names = {0};
    struct dirent *e;
    int err = 0;
    while (!err && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            err = sffi_core_strlist_add(&names, e->d_name, strlen(e->d_name));
    closedir(d);
    char **sorted = err || !names.n ? NULL : malloc((size_t)names.n * sizeof *sorted);
    if (names.n && !sorted)
        err = ENOMEM;
    for (int64_t i = 0; sorted && i < names.n; i++)
        sorted[i] = names.block + names.offsets[i];
    if (sorted)
        qsort(sorted, (size_t)names.n, sizeof *sorted, by_name);
    size_t dlen = strlen(dir);
    bool slash = dlen > 0 && dir[dlen - 1] == '/';
    for (int64_t i = 0; sorted && !err && i < names.n; i++) {
        char *child = malloc(dlen + strlen(sorted[i]) + 2);
        if (!child) {
            err = ENOMEM;
            break;
        }
        strcpy(child, dir);
        if (!slash)
            strcat(child, "/");
        strcat(child, sorted[i]);
        struct stat st;
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
            err = walk(child, ext, list, depth + 1);
        else if (!ext || has_ext(sorted[i], ext))
            err = sffi_core_strlist_add(list, child, strlen(child));
        free(child);
    }
    free(sorted);
    sffi_core_strlist_free(&names);
    return err;
}

static sffi_text_slice walk_result(const char *path, const char *ext)
{
    sffi_core_strlist list = {0};
    sffi_text_slice s = {NULL, 0};
    if (walk(path, ext, &list, 0) != 0) {
        sffi_core_strlist_free(&list);
        sffi_core_errorf("out of memory walking '%s'", path);
        return s;
    }
    s = sffi_core_strlist_finish(&list, false);
    if (s.len < 0) {
        sffi_core_errorf("out of memory walking '%s'", path);
        s.len = 0;
    }
    return s;
}

/* Every file under `path` (not the directories themselves), as
 * "path/sub/name", depth first in byte order; [] when `path` cannot be read. */
sffi_text_slice rt_dir_walk(const char *path)
{
    return walk_result(path, NULL);
}

/* rt_dir_walk's files whose extension is `ext` ("spl" or ".spl"; "" for all). */
sffi_text_slice rt_list_dir_recursive(const char *path, const char *ext)
{
    return walk_result(path, ext);
}

/* The paths matching the shell pattern `pattern` (glob(3): * ? [...],
 * no ~ or {}), sorted; [] when nothing matches. */
sffi_text_slice rt_dir_glob(const char *pattern)
{
    sffi_text_slice s = {NULL, 0};
    glob_t g;
    int rc = glob(pattern, 0, NULL, &g);
    if (rc == GLOB_NOMATCH || rc == GLOB_ABORTED)
        return s;
    if (rc != 0) {
        sffi_core_errorf("out of memory matching '%.200s'", pattern);
        return s;
    }
    sffi_core_strlist list = {0};
    int err = 0;
    for (size_t i = 0; !err && i < g.gl_pathc; i++)
        err = sffi_core_strlist_add(&list, g.gl_pathv[i], strlen(g.gl_pathv[i]));
    globfree(&g);
    s = err ? (sffi_text_slice){NULL, -1} : sffi_core_strlist_finish(&list, true);
    if (s.len < 0) {
        sffi_core_strlist_free(&list);
        sffi_core_errorf("out of memory matching '%.200s'", pattern);
        s.len = 0;
        s.data = NULL;
    }
    return s;
}
