/* path.c - rt_path_*: paths as text, by their components (no file system
 * access except rt_path_absolute / rt_file_canonicalize).
 *
 * parent, filename and extension follow Rust's std::path (Simple's
 * interpreter calls Path::parent, file_name and extension): repeated
 * separators and a trailing one are ignored, "." inside a path is skipped,
 * and a path without that part gives "" (Rust's None). normalize follows
 * Python's os.path.normpath (Simple's runtimes do not define it). */
/* realpath(3) is X/Open: the build defines _XOPEN_SOURCE (sffi.toml cppdefines); a
 * compile without the manifest's flags (tests/abiruntime.py) gets it here. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sffi_abi.h"
#include "core_internal.h"

/* A path cut into components, as Rust's Path::components: `root` for a
 * leading '/', then each non-empty segment, "." kept only first. */
typedef struct {
    bool root;
    int64_t n;
    const char **seg;
    size_t *len;
} components;

static bool split(const char *path, components *c)
{
    size_t cap = 1;
    for (const char *p = path; *p; p++)
        cap += *p == '/';
    c->root = path[0] == '/';
    c->n = 0;
    c->seg = malloc(cap * sizeof *c->seg);
    c->len = malloc(cap * sizeof *c->len);
    if (!c->seg || !c->len) {
        free(c->seg);
        free(c->len);
        return false;
    }
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        bool dot = len == 1 && p[0] == '.';
        if (len && (!dot || (c->n == 0 && !c->root && p == path))) {
            c->seg[c->n] = p;
            c->len[c->n++] = len;
        }
        p += len;
    }
    return true;
}

static void release(components *c)
{
    free(c->seg);
    free(c->len);
}

/* Writes root and the first `n` components joined by '/' into a kept result. */
static const char *join_first(const components *c, int64_t n)
{
    size_t total = 2;
    for (int64_t i = 0; i < n; i++)
        total += c->len[i] + 1;
    char *out = malloc(total), *o = out;
    if (!out)
        return NULL;
    if (c->root)
        *o++ = '/';
    for (int64_t i = 0; i < n; i++) {
        if (i)
            *o++ = '/';
        memcpy(o, c->seg[i], c->len[i]);
        o += c->len[i];
    }
    *o = '\0';
    return sffi_core_keep_text(out);
}

/* The last component when it is a name (not "..", not a leading "."), else NULL. */
static const char *last_name(const components *c, size_t *len)
{
    if (c->n == 0)
        return NULL;
    const char *s = c->seg[c->n - 1];
    *len = c->len[c->n - 1];
    if ((*len == 2 && s[0] == '.' && s[1] == '.') || (*len == 1 && s[0] == '.'))
        return NULL;
    return s;
}

static const char *copy_n(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    memcpy(out, s, len);
    out[len] = '\0';
    return sffi_core_keep_text(out);
}

/* `b` alone when it is absolute or `a` is empty; else `a`, a '/' unless `a`
 * ends with one, and `b` (Rust's Path::join, Python's os.path.join). */
const char *rt_path_join(const char *a, const char *b)
{
    if (b[0] == '/' || a[0] == '\0')
        return sffi_core_keep_copy(b);
    size_t la = strlen(a), lb = strlen(b);
    char *out = malloc(la + lb + 2);
    if (!out)
        return NULL;
    memcpy(out, a, la);
    size_t at = la;
    if (a[la - 1] != '/')
        out[at++] = '/';
    memcpy(out + at, b, lb + 1);
    return sffi_core_keep_text(out);
}

/* The path without its last component: "a/b" -> "a", "/a" -> "/", "a" -> "",
 * "/" -> "" (no parent), separators collapsed ("a//b/c/" -> "a//b" in Rust,
 * "a/b" here). */
const char *rt_path_parent(const char *path)
{
    components c;
    if (!split(path, &c))
        return NULL;
    const char *r = c.n == 0 ? sffi_core_keep_copy("") : join_first(&c, c.n - 1);
    release(&c);
    return r;
}

/* The last component when it is a name: "a/b.txt" -> "b.txt", "a/b/" -> "b";
 * "" for "/", "..", "a/..", "". */
const char *rt_path_filename(const char *path)
{
    components c;
    if (!split(path, &c))
        return NULL;
    size_t len = 0;
    const char *name = last_name(&c, &len);
    const char *r = name ? copy_n(name, len) : sffi_core_keep_copy("");
    release(&c);
    return r;
}

/* The filename's part after its last '.': "a.tar.gz" -> "gz", "a." -> "";
 * "" when there is no '.' or only a leading one (".bashrc"). */
const char *rt_path_extension(const char *path)
{
    components c;
    if (!split(path, &c))
        return NULL;
    size_t len = 0;
    const char *name = last_name(&c, &len);
    const char *dot = NULL;
    for (size_t i = 1; name && i < len; i++)
        if (name[i] == '.')
            dot = name + i;
    const char *r = dot ? copy_n(dot + 1, len - (size_t)(dot + 1 - name)) : sffi_core_keep_copy("");
    release(&c);
    return r;
}

const char *rt_path_basename(const char *path)
{
    return rt_path_filename(path);
}

const char *rt_path_dirname(const char *path)
{
    return rt_path_parent(path);
}

const char *rt_path_ext(const char *path)
{
    return rt_path_extension(path);
}

const char *rt_path_separator(void)
{
    return "/";
}

/* Lexical normalization, as Python's os.path.normpath: "." and empty
 * components dropped, "x/.." removed, ".." kept at the start of a relative
 * path and dropped at the root, "" -> "."; exactly two leading slashes are
 * kept (POSIX leaves their meaning to the system). */
const char *rt_path_normalize(const char *path)
{
    if (path[0] == '\0')
        return sffi_core_keep_copy(".");
    size_t slashes = path[0] != '/' ? 0 : path[1] == '/' && path[2] != '/' ? 2 : 1;
    components c;
    if (!split(path, &c))
        return NULL;
    int64_t kept = 0;  /* c.seg[0..kept) is the stack of kept components */
    for (int64_t i = 0; i < c.n; i++) {
        bool dot = c.len[i] == 1 && c.seg[i][0] == '.';
        bool dotdot = c.len[i] == 2 && c.seg[i][0] == '.' && c.seg[i][1] == '.';
        bool top_dotdot = kept > 0 && c.len[kept - 1] == 2 && c.seg[kept - 1][0] == '.' && c.seg[kept - 1][1] == '.';
        if (dot)
            continue;
        if (dotdot && kept > 0 && !top_dotdot) {
            kept--;
        } else if (!(dotdot && slashes)) {
            c.seg[kept] = c.seg[i];
            c.len[kept++] = c.len[i];
        }
    }
    size_t total = slashes + 2;
    for (int64_t i = 0; i < kept; i++)
        total += c.len[i] + 1;
    char *out = malloc(total), *o = out;
    if (out) {
        memset(o, '/', slashes);
        o += slashes;
        for (int64_t i = 0; i < kept; i++) {
            if (i)
                *o++ = '/';
            memcpy(o, c.seg[i], c.len[i]);
            o += c.len[i];
        }
        if (o == out)
            *o++ = '.';
        *o = '\0';
    }
    release(&c);
    return out ? sffi_core_keep_text(out) : NULL;
}

/* realpath(3) of `path`; when it does not resolve (missing), the current
 * directory joined with `path`, and `path` itself when even that fails:
 * Simple's interpreter does the same. */
const char *rt_file_canonicalize(const char *path)
{
    char *real = realpath(path, NULL);
    if (real)
        return sffi_core_keep_text(real);
    char cwd[4096];
    if (path[0] != '/' && getcwd(cwd, sizeof cwd)) {
        char *copy = strdup(cwd);
        if (!copy)
            return NULL;
        const char *joined = rt_path_join(copy, path);  /* resets results: copy is ours to free */
        free(copy);
        return joined;
    }
    return sffi_core_keep_copy(path);
}

const char *rt_path_absolute(const char *path)
{
    return rt_file_canonicalize(path);
}
