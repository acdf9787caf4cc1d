/* env.c - rt_env_*: read, set and remove variables; cwd, home, temp. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"

/* getenv's string stays valid until the environment changes, which only
 * rt_env_set (a call into this library) does: the ABI's lifetime rule holds. */
const char *rt_env_get(const char *key)
{
    return getenv(key);
}

/* 0 when `key` was set to `value`; else an errno value (EINVAL for an empty
 * name or one holding '=', which setenv would reject or misread). */
static int env_set(const char *key, const char *value)
{
    if (key[0] == '\0' || strchr(key, '=') != NULL)
        return EINVAL;
    return setenv(key, value, 1) == 0 ? 0 : errno;
}

bool rt_env_set(const char *key, const char *value)
{
    return env_set(key, value) == 0;
}

void rt_env_set_or_error(const char *key, const char *value)
{
    int err = env_set(key, value);
    if (err == EINVAL)
        sffi_core_errorf("invalid environment variable name '%s'", key);
    else if (err)
        sffi_core_errorf("cannot set environment variable '%s': %s", key, strerror(err));
}

/* The current directory, nil when it cannot be read (removed, or longer
 * than the system allows). Simple's std module env.spl declares it `text?`. */
const char *rt_env_cwd(void)
{
    size_t cap = 256;
    for (;;) {
        char *buf = malloc(cap);
        if (!buf)
            return NULL;
        if (getcwd(buf, cap))
            return sffi_core_keep_text(buf);
        int err = errno;
        free(buf);
        if (err != ERANGE || cap > (1u << 20))
            return NULL;
        cap *= 2;
    }
}

/* $HOME when set and not empty, else the password database's home of this
 * user, else "" (Simple's runtime gives "" when it has none). */
const char *rt_env_home(void)
{
    const char *home = getenv("HOME");
    if (home && *home)
        return home;
    struct passwd pw, *found = NULL;
    char buf[4096];
    if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &found) == 0 && found && found->pw_dir)
        return sffi_core_keep_copy(found->pw_dir);
    return "";
}

/* $TMPDIR when set and not empty, else "/tmp" (Rust's std::env::temp_dir). */
const char *rt_env_temp(void)
{
    const char *tmp = getenv("TMPDIR");
    return tmp && *tmp ? tmp : "/tmp";
}

/* Removes `key` from the environment: true when it is unset afterwards
 * (also when it was not set); false for a name setenv would reject. */
bool rt_env_remove(const char *key)
{
    if (key[0] == '\0' || strchr(key, '=') != NULL)
        return false;
    return unsetenv(key) == 0;
}

/* `key` read as a decimal i64 (an optional sign, digits, nothing else, as
 * Rust's str::parse::<i64>), else `default_value`: unset, empty, not a
 * number, or out of the i64 range. */
int64_t rt_env_get_i64(const char *key, int64_t default_value)
{
    const char *v = getenv(key);
    if (!v || !*v || isspace((unsigned char)v[0]))
        return default_value;
    errno = 0;
    char *end = NULL;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end != '\0')
        return default_value;
    return (int64_t)n;
}

extern char **environ;

/* Every (name, value) of the environment, in the environment's own order
 * (Rust's std::env::vars); an entry without '=' is skipped. Out of memory:
 * a script error. */
sffi_tuple_text_text_slice rt_env_vars(void)
{
    sffi_tuple_text_text_slice s = {NULL, 0};
    sffi_core_strlist list = {0};
    int err = 0;
    for (char **e = environ; e && *e && !err; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        err = sffi_core_strlist_add(&list, *e, (size_t)(eq - *e));
        if (!err)
            err = sffi_core_strlist_add(&list, eq + 1, strlen(eq + 1));
    }
    int64_t n = list.n / 2;
    sffi_tuple_text_text *pairs = err ? NULL : malloc((size_t)(n ? n : 1) * sizeof *pairs);
    if (!pairs) {
        sffi_core_strlist_free(&list);
        sffi_core_errorf("out of memory listing the environment");
        return s;
    }
    for (int64_t i = 0; i < n; i++) {
        pairs[i].f0 = list.block + list.offsets[2 * i];
        pairs[i].f1 = list.block + list.offsets[2 * i + 1];
    }
    free(list.offsets);
    sffi_core_results_reset();
    sffi_core_keep(list.block);
    sffi_core_keep(pairs);
    s.data = n ? pairs : NULL;
    s.len = n;
    return s;
}
