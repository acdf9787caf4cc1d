/* modpath.c - module names to files (modpath.h). */
#define _POSIX_C_SOURCE 200809L
#include "modpath.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char **lib_dirs;
static int nlib_dirs, lib_dirs_cap;

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool spl_modpath_add_lib(const char *dir, const char *origin, char **err)
{
    if (!is_dir(dir)) {
        StrBuf sb = {0};
        spl_sb_printf(&sb, "%s directory '%s' does not exist (or is not a directory)", origin, dir);
        *err = spl_sb_take(&sb);
        return false;
    }
    spl_grow_array((void **)&lib_dirs, &lib_dirs_cap, nlib_dirs + 1, sizeof(char *));
    lib_dirs[nlib_dirs++] = spl_xstrdup(dir);
    return true;
}

bool spl_modpath_add_env(char **err)
{
    const char *env = getenv("SIMPLE_LIB");
    if (!env)
        return true;
    char *copy = spl_xstrdup(env), *dir = copy;
    bool ok = true;
    while (ok && dir) {
        char *colon = strchr(dir, ':');
        if (colon)
            *colon = '\0';
        if (*dir) /* "a::b", a leading or a trailing colon: no directory there */
            ok = spl_modpath_add_lib(dir, "SIMPLE_LIB", err);
        dir = colon ? colon + 1 : NULL;
    }
    free(copy);
    return ok;
}

void spl_modpath_reset(void)
{
    for (int i = 0; i < nlib_dirs; i++)
        free(lib_dirs[i]);
    free(lib_dirs);
    lib_dirs = NULL;
    nlib_dirs = lib_dirs_cap = 0;
}

char *spl_modpath_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return spl_xstrdup(".");
    if (slash == path)
        return spl_xstrdup("/");
    char *dir = spl_xstrdup(path);
    dir[slash - path] = '\0';
    return dir;
}

/* root/a/b/c (no suffix); segments from `first` on. "." as root adds nothing. */
static void stem(StrBuf *sb, const char *root, const UseDecl *u, int first)
{
    sb->len = 0;
    if (strcmp(root, ".") != 0)
        spl_sb_printf(sb, "%s%s", root, root[strlen(root) - 1] == '/' ? "" : "/");
    for (int i = first; i < u->nsegments; i++)
        spl_sb_printf(sb, "%s%s", i > first ? "/" : "", u->segments[i]);
}

/* Tries the three candidates under `root`; the first that exists, or NULL. */
static char *try_root(const char *root, const UseDecl *u, int first, StrBuf *tried)
{
    static const char *const SUFFIXES[] = {".spl", "/__init__.spl", "/mod.spl"};
    StrBuf path = {0};
    char *found = NULL;
    for (int i = 0; !found && i < 3; i++) {
        stem(&path, root, u, first);
        spl_sb_adds(&path, SUFFIXES[i]);
        spl_sb_printf(tried, "    %s\n", path.data);
        if (is_file(path.data))
            found = spl_xstrdup(path.data);
    }
    spl_sb_free(&path);
    return found;
}

char *spl_modpath_find(const UseDecl *u, const char *importer_dir, StrBuf *tried)
{
    bool library = u->nsegments > 1 && (strcmp(u->segments[0], "std") == 0 || strcmp(u->segments[0], "lib") == 0);
    int first = library ? 1 : 0;
    char *found = library ? NULL : try_root(importer_dir, u, first, tried);
    for (int i = 0; !found && i < nlib_dirs; i++)
        found = try_root(lib_dirs[i], u, first, tried);
    return found;
}
