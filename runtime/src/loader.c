/* loader.c - a script and its modules, once each, in run order (loader.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "loader.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "externs.h"
#include "modpath.h"
#include "parser.h"
#include "resolve.h"
#include "util.h"

/* Loading recurses once per module of a chain of use lines (a uses b uses
 * c ...): bounded, so a hostile chain is an error, not the C stack used up. */
#define MAX_USE_DEPTH 2000

static bool load_module(Loader *L, SplModule *M);

/* Prints `file:line:col: msg`, the line and a caret; then `note` if any. */
static bool load_error(Loader *L, const SplModule *M, int line, int col, const char *note, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

static bool load_error(Loader *L, const SplModule *M, int line, int col, const char *note, const char *fmt, ...)
{
    StrBuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    spl_sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    fflush(stdout);
    spl_diag_print(L->err, M->src, line, col, "", sb.data, 1);
    if (note)
        fputs(note, L->err);
    spl_sb_free(&sb);
    return false;
}

/* Prints a compile error of M (from the parser, imports or the resolver). */
static bool compile_failed(Loader *L, const SplModule *M, CompileError *err)
{
    if (err->msg) {
        fflush(stdout);
        spl_diag_print(L->err, M->src, err->line, err->col, "", err->msg, err->show_line);
    }
    spl_compile_error_free(err);
    return false;
}

static SplModule *new_module(Loader *L, char *real, char *name)
{
    SplModule *M = spl_xcalloc(1, sizeof *M);
    M->real = real;
    M->name = name;
    M->src = &M->own_src;
    spl_grow_array((void **)&L->all, &L->all_cap, L->nall + 1, sizeof(SplModule *));
    if (*real) /* -e code has no path: nothing can use it */
        spl_strmap_put(&L->by_real, M->real, L->nall);
    L->all[L->nall++] = M;
    return M;
}

static SplModule *find_loaded(const Loader *L, const char *real)
{
    int i = spl_strmap_get(&L->by_real, real);
    return i < 0 ? NULL : L->all[i];
}

/* "name (file)" of a module, or its file alone when that is its name (the script). */
static void chain_link(StrBuf *sb, const SplModule *m, const char *then)
{
    if (strcmp(m->name, m->src->name) == 0)
        spl_sb_printf(sb, "%s%s", m->name, then);
    else
        spl_sb_printf(sb, "%s (%s)%s", m->name, m->src->name, then);
}

/* "a -> b -> a": the modules on the stack from `m` on, then `m` again. */
static bool cycle_error(Loader *L, const SplModule *M, const UseDecl *u, const SplModule *m)
{
    StrBuf chain = {0};
    int k = 0;
    while (k < L->nstack && L->stack[k] != m)
        k++;
    for (; k < L->nstack; k++)
        chain_link(&chain, L->stack[k], " -> ");
    chain_link(&chain, m, "");
    load_error(L, M, u->line, u->col, NULL, "import cycle: %s; a module cannot use itself, directly or through others",
               chain.data);
    spl_sb_free(&chain);
    return false;
}

/* "module 'a.b' not found" and every path tried (or that there was no library directory);
 * when `a` is a module, bare `use a.b` most likely meant its name b: say how to write that. */
static void not_found(Loader *L, const SplModule *M, const UseDecl *u, const char *name, const StrBuf *tried)
{
    StrBuf note = {0};
    if (tried->len)
        spl_sb_printf(&note, "  paths tried:\n%s", tried->data);
    else
        spl_sb_adds(&note, "  no library directory to look in: give simple --lib DIR or set SIMPLE_LIB\n");
    if (u->kind == USE_BARE && u->nsegments > 1) {
        UseDecl parent = *u;
        parent.nsegments--;
        StrBuf ignored = {0};
        char *dir = strcmp(M->real, "") == 0 ? spl_xstrdup(".") : spl_modpath_dirname(M->src->name);
        char *path = spl_modpath_find(&parent, dir, &ignored);
        if (path) {
            char *pname = spl_use_module_name(&parent);
            spl_sb_printf(&note, "  %s is module %s: to bind its name %s, write use %s.{%s}\n", pname, path,
                          u->segments[u->nsegments - 1], pname, u->segments[u->nsegments - 1]);
            free(pname);
        }
        free(path);
        free(dir);
        spl_sb_free(&ignored);
    }
    load_error(L, M, u->line, u->path_col, note.data, "module '%s' not found", name);
    spl_sb_free(&note);
}

/* Reads and loads the module at `path` (real path `real`), named `name` (taken). */
static SplModule *load_new(Loader *L, SplModule *M, const UseDecl *u, const char *path, const char *real, char *name)
{
    if (L->nstack >= MAX_USE_DEPTH) {
        load_error(L, M, u->line, u->path_col, NULL, "module '%s': modules use each other %d deep; "
                   "more than %d is refused", name, L->nstack, MAX_USE_DEPTH - 1);
        free(name);
        return NULL;
    }
    char *why = NULL;
    SplModule *m = new_module(L, spl_xstrdup(real), name);
    if (!spl_source_load_file(&m->own_src, path, &why)) {
        load_error(L, M, u->line, u->path_col, NULL, "module '%s': %s", m->name, why);
        free(why);
        return NULL;
    }
    return load_module(L, m) ? m : NULL;
}

/* The module that use line `u` of M names: found, loaded if new. NULL after an error. */
static SplModule *use_module(Loader *L, SplModule *M, const UseDecl *u)
{
    char *dir = strcmp(M->real, "") == 0 ? spl_xstrdup(".") : spl_modpath_dirname(M->src->name);
    StrBuf tried = {0};
    char *path = spl_modpath_find(u, dir, &tried);
    free(dir);
    char *name = spl_use_module_name(u);
    SplModule *m = NULL;
    char real[PATH_MAX];
    if (!path) {
        not_found(L, M, u, name, &tried);
    } else if (!realpath(path, real)) {
        load_error(L, M, u->line, u->path_col, NULL, "module '%s': cannot resolve %s", name, path);
    } else if ((m = find_loaded(L, real)) != NULL) {
        if (m->loading) /* still loading its own use lines: we came back round */
            m = (cycle_error(L, M, u, m), NULL);
    } else {
        m = load_new(L, M, u, path, real, name);
        name = NULL;
    }
    free(name);
    free(path);
    spl_sb_free(&tried);
    return m;
}

/* Parses M (its source is read); the first syntax error is printed. */
static bool parse_module(Loader *L, SplModule *M)
{
    CompileError err = {0};
    int line, col;
    if (spl_source_check_utf8(M->src, &line, &col)) {
        spl_compile_error_set(&err, line, col, "the file is not valid UTF-8 (or holds a NUL byte)");
        err.show_line = 0; /* do not echo the bad bytes */
        return compile_failed(L, M, &err);
    }
    if (!spl_parse_program(M->src, &M->prog, &err))
        return compile_failed(L, M, &err);
    return true;
}

/* Loads the modules of M's use lines; binds their names into M->scope. */
static bool load_uses(Loader *L, SplModule *M)
{
    const ModSyntax *syn = M->prog.mod;
    int n = syn ? syn->nuses : 0;
    SplModule **deps = spl_xcalloc((size_t)n + 1, sizeof *deps);
    bool ok = true;
    M->loading = true;
    spl_grow_array((void **)&L->stack, &L->stack_cap, L->nstack + 1, sizeof(SplModule *));
    L->stack[L->nstack++] = M;
    for (int i = 0; ok && i < n; i++)
        ok = (deps[i] = use_module(L, M, &syn->uses[i])) != NULL;
    L->nstack--;
    M->loading = false;
    CompileError err = {0};
    M->dep_exports = spl_xcalloc((size_t)n + 1, sizeof *M->dep_exports);
    for (int i = 0; ok && i < n; i++) {
        const SplModule *d = deps[i];
        M->dep_exports[i] = &d->exports;
        ok = spl_imports_bind(&M->scope, &syn->uses[i], d->name, d->src->name, &d->own, &d->exports, &err);
    }
    ok = ok && spl_imports_check_own(&M->scope, &M->prog, &err);
    free(deps);
    return ok || compile_failed(L, M, &err);
}

/* The unit of M for the interpreter: its functions run with its globals. */
static void make_unit(Loader *L, SplModule *M)
{
    SplUnit *u = &M->unit;
    u->src = M->src;
    u->prog = &M->prog;
    u->globals = spl_xcalloc((size_t)M->prog.nglobals + 1, sizeof(Value));
    for (int i = 0; i < M->prog.nglobals; i++)
        u->globals[i].type = VT_UNDEF;
    for (int i = 0; i < M->prog.nfuncs; i++)
        M->prog.funcs[i]->unit = u;
    spl_grow_array((void **)&L->order, &L->order_cap, L->norder + 1, sizeof(SplUnit *));
    L->order[L->norder++] = u;
}

static bool load_module(Loader *L, SplModule *M)
{
    if (!parse_module(L, M) || !load_uses(L, M))
        return false;
    if (!spl_externs_bind_lazy(&M->prog, M->src, L->err, &L->unbound))
        return false;
    L->nexterns += M->prog.nexterns;
    CompileError err = {0};
    spl_imports_add_globals(&M->scope, &M->prog, &M->unit);
    if (!spl_resolve_module(&M->prog, &M->scope, &err) ||
        !spl_exports_build(&M->own, &M->exports, &M->prog, &M->unit, &M->scope, M->dep_exports, &err))
        return compile_failed(L, M, &err);
    make_unit(L, M);
    return true;
}

bool spl_loader_load(Loader *L, const Source *script)
{
    char real[PATH_MAX];
    bool from_file = strcmp(script->name, "-e") != 0 && realpath(script->name, real);
    SplModule *M = new_module(L, spl_xstrdup(from_file ? real : ""), spl_xstrdup(script->name));
    M->src = (Source *)script; /* borrowed: never freed here */
    return load_module(L, M);
}

const Program *spl_loader_script(const Loader *L)
{
    return &L->all[0]->prog;
}

void spl_loader_release_values(Loader *L)
{
    for (int i = 0; i < L->nall; i++) {
        SplModule *M = L->all[i];
        for (int g = 0; M->unit.globals && g < M->prog.nglobals; g++) {
            value_release(M->unit.globals[g]);
            M->unit.globals[g] = value_nil();
        }
    }
}

void spl_loader_free(Loader *L)
{
    spl_loader_release_values(L);
    for (int i = 0; i < L->nall; i++) {
        SplModule *M = L->all[i];
        free(M->unit.globals);
        free(M->unit.copies);
        spl_import_scope_free(&M->scope);
        free(M->dep_exports);
        spl_export_table_free(&M->own);
        spl_export_table_free(&M->exports);
        spl_program_free(&M->prog);
        if (M->src == &M->own_src)
            spl_source_free(&M->own_src);
        free(M->real);
        free(M->name);
        free(M);
    }
    free(L->all);
    spl_strmap_free(&L->by_real);
    free(L->order);
    free(L->stack);
    memset(L, 0, sizeof *L);
}
