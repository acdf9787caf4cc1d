/* modules.c - the module search path, the index, trust, loading and the per-extern check. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "modules.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"
#include "ffi_error.h"
#include "mainload.h"
#include "modfile.h"
#include "sffi_module.h"
#include "util.h"

typedef enum { ST_UNLOADED, ST_LOADED, ST_FAILED } ModState;

typedef struct Module {
    char *path;
    char *file_library;   /* <lib> of libsffi_<lib>.so */
    ModFacts facts;       /* read from its section (valid unless `unreadable`) */
    char *unreadable;     /* why its section could not be read */
    char *untrusted;      /* why it may not be loaded (permissions) */
    ModState state;
    const sffi_module_desc *desc;
} Module;

static char **cli_dirs;
static int n_cli_dirs, cap_cli_dirs;
static char **dirs;          /* the search path, once built */
static int n_dirs, cap_dirs;
static Module *mods;
static int n_mods, cap_mods;
static bool indexed, noted;

/* SIMPLE_FFI_TIMING set and not empty: each index and module load says on
 * stderr how long it took (docs/modules.md, "Timing"); read once. */
static int timing = -1;

static bool timing_on(void)
{
    if (timing < 0) {
        const char *v = getenv("SIMPLE_FFI_TIMING");
        timing = v && *v;
    }
    return timing;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void spl_modules_add_path(const char *dir)
{
    spl_grow_array((void **)&cli_dirs, &cap_cli_dirs, n_cli_dirs + 1, sizeof *cli_dirs);
    cli_dirs[n_cli_dirs++] = spl_xstrdup(dir);
}

static void add_dir(const char *dir, size_t len)
{
    if (len == 0)
        return; /* an empty SIMPLE_FFI_PATH entry is not the current directory */
    spl_grow_array((void **)&dirs, &cap_dirs, n_dirs + 1, sizeof *dirs);
    dirs[n_dirs++] = spl_xstrndup(dir, len);
}

/* <directory of the running binary>/../lib/sffi, resolved when it exists. */
static void add_default_dir(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    StrBuf sb = {0};
    spl_sb_printf(&sb, "%.*s/../lib/sffi", (int)(slash - exe), exe);
    char *real = realpath(sb.data, NULL);
    add_dir(real ? real : sb.data, strlen(real ? real : sb.data));
    free(real);
    spl_sb_free(&sb);
}

static void build_path(void)
{
    for (int i = 0; i < n_cli_dirs; i++)
        add_dir(cli_dirs[i], strlen(cli_dirs[i]));
    const char *env = getenv("SIMPLE_FFI_PATH");
    for (const char *p = env; p && *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        add_dir(p, len);
        p = colon ? colon + 1 : p + len;
    }
    add_default_dir();
}

/* ssh's rule for keys: owned by us (or root), writable by nobody else. */
static char *trust_problem(const char *path, const char *what)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return NULL; /* reading it reports the problem */
    StrBuf sb = {0};
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        spl_sb_printf(&sb, "its %s %s is writable by %s (permissions %04o are too open); "
                           "an FFI module is loaded only where nobody else can write: chmod go-w %s",
                      what, path, st.st_mode & S_IWOTH ? "others" : "its group",
                      (unsigned)(st.st_mode & 07777), path);
    else if (st.st_uid != getuid() && st.st_uid != 0)
        spl_sb_printf(&sb, "its %s %s belongs to uid %u, neither you nor root", what, path,
                      (unsigned)st.st_uid);
    return sb.data;
}

static bool shadowed(const char *library)
{
    for (int i = 0; i < n_mods; i++)
        if (strcmp(mods[i].file_library, library) == 0)
            return true;
    return false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void index_module(const char *dir, const char *file, char *dir_problem)
{
    size_t len = strlen(file);
    char *library = spl_xstrndup(file + 8, len - 8 - 3); /* libsffi_ ... .so */
    if (shadowed(library)) { /* an earlier directory on the path has this library */
        free(library);
        return;
    }
    spl_grow_array((void **)&mods, &cap_mods, n_mods + 1, sizeof *mods);
    Module *m = &mods[n_mods++];
    memset(m, 0, sizeof *m);
    StrBuf sb = {0};
    spl_sb_printf(&sb, "%s/%s", dir, file);
    m->path = spl_sb_take(&sb);
    m->file_library = library;
    m->unreadable = spl_modfile_read(m->path, &m->facts);
    m->untrusted = dir_problem ? spl_xstrdup(dir_problem) : trust_problem(m->path, "file");
}

static bool is_module_name(const char *name)
{
    size_t n = strlen(name);
    return n > 11 && strncmp(name, "libsffi_", 8) == 0 && strcmp(name + n - 3, ".so") == 0;
}

static void index_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return; /* a directory that is not there provides nothing */
    char **names = NULL;
    int n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (is_module_name(e->d_name)) {
            spl_grow_array((void **)&names, &cap, n + 1, sizeof *names);
            names[n++] = spl_xstrdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    char *dir_problem = n ? trust_problem(dir, "directory") : NULL;
    for (int i = 0; i < n; i++) {
        index_module(dir, names[i], dir_problem);
        free(names[i]);
    }
    free(dir_problem);
    free(names);
}

static void build_index(void)
{
    if (indexed)
        return;
    indexed = true;
    double t0 = timing_on() ? now_ms() : 0;
    build_path();
    for (int i = 0; i < n_dirs; i++)
        index_dir(dirs[i]);
    if (timing_on())
        fprintf(stderr, "sffi-timing index dirs=%d modules=%d ms=%.3f\n", n_dirs, n_mods, now_ms() - t0);
}

/* ---- checking and loading ---- */

static void refuse(Module *m, const ExternDecl *d, const Source *src, FILE *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void refuse(Module *m, const ExternDecl *d, const Source *src, FILE *err, const char *fmt, ...)
{
    fprintf(err, "%s:%d:%d: extern function %s: FFI module %s refused\n  ", src->name, d->line, d->col,
            d->name, m->path);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fprintf(err, "\n  rebuild it with: %s\n", m->facts.rebuild);
    m->state = ST_FAILED;
}

/* The checks that need only the section: made before anything is loaded. */
static bool check_facts(Module *m, const ExternDecl *d, const Source *src, FILE *err)
{
    const ModFacts *f = &m->facts;
    const char *expected = spl_catalog_library(d->name);
    if (m->untrusted)
        refuse(m, d, src, err, "%s", m->untrusted);
    else if (f->abi_version != SFFI_ABI_VERSION)
        refuse(m, d, src, err, "field abi_version: the module has %d, this runtime supports %d",
               f->abi_version, SFFI_ABI_VERSION);
    else if (strcmp(f->library, m->file_library) != 0)
        refuse(m, d, src, err, "field library: the module has '%s', its file name says '%s'", f->library,
               m->file_library);
    else if (expected && strcmp(expected, f->library) != 0)
        refuse(m, d, src, err, "field library: the module has '%s', this runtime knows %s as an extern "
               "of library '%s'", f->library, d->name, expected);
    return m->state != ST_FAILED;
}

/* The loaded descriptor must say what the section said. */
static bool check_descriptor(Module *m, const ExternDecl *d, const Source *src, FILE *err)
{
    const sffi_module_desc *desc = m->desc;
    if (memcmp(desc->magic, SFFI_MODULE_MAGIC, sizeof desc->magic) != 0)
        refuse(m, d, src, err, "field magic: %s does not start with \"%s\"", SFFI_MODULE_SYMBOL,
               SFFI_MODULE_MAGIC);
    else if (desc->descriptor_size != sizeof *desc)
        refuse(m, d, src, err, "field descriptor_size: the module has %u, this runtime %zu",
               desc->descriptor_size, sizeof *desc);
    else if ((int)desc->abi_version != m->facts.abi_version || strcmp(desc->library, m->facts.library) != 0 ||
             desc->n_entries != (size_t)m->facts.n_entries)
        refuse(m, d, src, err, "its descriptor (ABI %u, library '%s', %zu externs) differs from its %s "
               "section (ABI %d, library '%s', %d externs)", desc->abi_version, desc->library,
               desc->n_entries, SFFI_MODULE_SECTION, m->facts.abi_version, m->facts.library,
               m->facts.n_entries);
    for (size_t i = 1; m->state != ST_FAILED && i < desc->n_entries; i++)
        if (strcmp(desc->entries[i - 1].name, desc->entries[i].name) >= 0)
            refuse(m, d, src, err, "its entries are not sorted by name (%s before %s)",
                   desc->entries[i - 1].name, desc->entries[i].name);
    return m->state != ST_FAILED;
}

static bool load_checked(Module *m, const ExternDecl *d, const Source *src, FILE *err, double *dlopen_ms);

/* Loads and checks `m` once; with SIMPLE_FFI_TIMING, one line for its first load. */
static bool load(Module *m, const ExternDecl *d, const Source *src, FILE *err)
{
    if (m->state != ST_UNLOADED || !timing_on())
        return load_checked(m, d, src, err, NULL);
    double dlopen_ms = 0, t0 = now_ms();
    bool ok = load_checked(m, d, src, err, &dlopen_ms);
    fprintf(stderr, "sffi-timing load library=%s ok=%d ms=%.3f dlopen_ms=%.3f path=%s\n", m->file_library,
            ok, now_ms() - t0, dlopen_ms, m->path);
    return ok;
}

static bool load_checked(Module *m, const ExternDecl *d, const Source *src, FILE *err, double *dlopen_ms)
{
    if (m->state == ST_LOADED)
        return true;
    if (m->state == ST_FAILED) {
        fprintf(err, "%s:%d:%d: extern function %s: FFI module %s cannot be used (see above)\n",
                src->name, d->line, d->col, d->name, m->path);
        return false;
    }
    if (!check_facts(m, d, src, err))
        return false;
    /* The module is linked -z now, so its own references are all bound here (a
     * missing one fails dlopen, cleanly); its dependencies (libtorch) bind
     * lazily, as they do in a runtime that links them: RTLD_NOW would bind
     * libtorch's ~45k PLT slots too and cost ~150 ms (docs/modules.md). On the
     * main thread, where a linked runtime runs libtorch's constructors (mainload.h). */
    double t0 = dlopen_ms ? now_ms() : 0;
    char *why = NULL;
    void *handle = spl_mainload_dlopen(m->path, RTLD_LAZY | RTLD_LOCAL, &why);
    if (dlopen_ms)
        *dlopen_ms = now_ms() - t0;
    if (!handle) {
        fprintf(err, "%s:%d:%d: extern function %s: cannot load FFI module %s: %s\n", src->name, d->line,
                d->col, d->name, m->path, why);
        free(why);
        m->state = ST_FAILED;
        return false;
    }
    m->desc = dlsym(handle, SFFI_MODULE_SYMBOL);
    if (!m->desc) {
        refuse(m, d, src, err, "it does not define %s", SFFI_MODULE_SYMBOL);
        return false; /* left loaded: unloading code that may have run is not safe */
    }
    if (!check_descriptor(m, d, src, err))
        return false;
    sffi_module_host host = {sffi_set_error};
    m->desc->attach(&host);
    m->state = ST_LOADED;
    return true;
}

/* A type or result code as its spelling: "i64", "text?", "(text, i64)". */
static void type_text(StrBuf *sb, int type)
{
    spl_sffi_result_text(sb, type, 0, NULL);
}

/* One line per field of `d` that differs from `e`; returns how many. */
static int field_differences(const ExternDecl *d, const sffi_entry *e, StrBuf *sb)
{
    int n = 0;
    if (d->nparams != e->n_params) {
        spl_sb_printf(sb, "  field parameters: declared %d, the module has %d\n", d->nparams, e->n_params);
        n++;
    }
    for (int i = 0; i < d->nparams && i < e->n_params; i++) {
        if (d->params[i] == e->params[i])
            continue;
        spl_sb_printf(sb, "  field parameter %d (%s): declared ", i + 1, d->param_names[i]);
        type_text(sb, d->params[i]);
        spl_sb_adds(sb, ", the module has ");
        type_text(sb, e->params[i]);
        spl_sb_addc(sb, '\n');
        n++;
    }
    if (!spl_result_binds(d, e->result, e->n_items, e->items)) {
        spl_sb_adds(sb, "  field result: declared ");
        spl_sffi_result_text(sb, d->result, d->n_items, d->items);
        spl_sb_adds(sb, ", the module has ");
        spl_sffi_result_text(sb, e->result, e->n_items, e->items);
        spl_sb_addc(sb, '\n');
        n++;
    }
    return n;
}

static int compare_entry(const void *key, const void *element)
{
    return strcmp((const char *)key, ((const sffi_entry *)element)->name);
}

static bool bind_entry(Module *m, ExternDecl *d, const Source *src, FILE *err)
{
    const sffi_entry *e = bsearch(d->name, m->desc->entries, m->desc->n_entries, sizeof *e, compare_entry);
    if (!e) {
        fprintf(err, "%s:%d:%d: extern function %s: FFI module %s lists it in its %s section but its "
                     "descriptor has no entry for it\n  rebuild it with: %s\n",
                src->name, d->line, d->col, d->name, m->path, SFFI_MODULE_SECTION, m->facts.rebuild);
        return false;
    }
    StrBuf sb = {0};
    if (field_differences(d, e, &sb)) {
        char declared[512];
        spl_extern_signature(d, declared, sizeof declared);
        fprintf(err, "%s:%d:%d: extern function %s does not match FFI module %s\n%s"
                     "  declared here:    %s\n"
                     "  module provides:  %s  (library '%s', build %s)\n"
                     "  fix the declaration, or rebuild the module with: %s\n",
                src->name, d->line, d->col, d->name, m->path, sb.data, declared, e->signature,
                m->facts.library, m->facts.build_id, m->facts.rebuild);
        spl_sb_free(&sb);
        return false;
    }
    d->entry = e;
    return true;
}

ModBind spl_modules_bind(ExternDecl *d, const Source *src, FILE *err)
{
    build_index();
    Module *found = NULL, *other = NULL;
    for (int i = 0; i < n_mods && !other; i++) {
        if (mods[i].unreadable || spl_modfile_find(&mods[i].facts, d->name) < 0)
            continue;
        if (found)
            other = &mods[i];
        else
            found = &mods[i];
    }
    if (!found)
        return MOD_ABSENT;
    if (other) {
        fprintf(err, "%s:%d:%d: extern function %s is provided by two FFI modules:\n"
                     "  %s (library '%s')\n  %s (library '%s')\n"
                     "  remove one of them from the search path (see: simple --externs)\n",
                src->name, d->line, d->col, d->name, found->path, found->facts.library, other->path,
                other->facts.library);
        return MOD_REFUSED;
    }
    return load(found, d, src, err) && bind_entry(found, d, src, err) ? MOD_BOUND : MOD_REFUSED;
}

void spl_modules_note_unreadable(FILE *err)
{
    if (noted)
        return;
    noted = true;
    for (int i = 0; i < n_mods; i++)
        if (mods[i].unreadable)
            fprintf(err, "note: FFI module %s could not be read: %s\n", mods[i].path, mods[i].unreadable);
}

/* ---- listing ---- */

static void list_text(FILE *out)
{
    if (n_mods == 0)
        return;
    fprintf(out, "\nFFI modules (loaded when a script declares one of their externs):\n");
    for (int i = 0; i < n_mods; i++) {
        const Module *m = &mods[i];
        if (m->unreadable) {
            fprintf(out, "%s  unreadable: %s\n", m->path, m->unreadable);
            continue;
        }
        fprintf(out, "%s  library %s, ABI version %d, %d externs%s%s\n", m->path, m->facts.library,
                m->facts.abi_version, m->facts.n_entries, m->untrusted ? "; refused: " : "",
                m->untrusted ? m->untrusted : "");
        for (int k = 0; k < m->facts.n_entries; k++)
            fprintf(out, "  %s  %s\n", m->facts.entries[k].name, m->facts.entries[k].signature);
    }
}

static void list_json(FILE *out)
{
    fputc('[', out);
    for (int i = 0; i < n_mods; i++) {
        const Module *m = &mods[i];
        fputs(i ? ",\n    {\"path\": " : "\n    {\"path\": ", out);
        spl_json_string(out, m->path);
        if (m->unreadable || m->untrusted) {
            fputs(", \"problem\": ", out);
            spl_json_string(out, m->unreadable ? m->unreadable : m->untrusted);
        }
        if (!m->unreadable) {
            fprintf(out, ", \"library\": ");
            spl_json_string(out, m->facts.library);
            fprintf(out, ", \"abi_version\": %d, \"externs\": [", m->facts.abi_version);
            for (int k = 0; k < m->facts.n_entries; k++) {
                fputs(k ? ", {\"name\": " : "{\"name\": ", out);
                spl_json_string(out, m->facts.entries[k].name);
                fputs(", \"signature\": ", out);
                spl_json_string(out, m->facts.entries[k].signature);
                fputc('}', out);
            }
            fputc(']', out);
        }
        fputc('}', out);
    }
    fputs(n_mods ? "\n  ]" : "]", out);
}

void spl_modules_list(FILE *out, bool json)
{
    build_index();
    if (json)
        list_json(out);
    else
        list_text(out);
}

void spl_modules_version(FILE *out)
{
    build_index();
    fprintf(out, "FFI modules:");
    for (int i = 0; i < n_mods; i++)
        fprintf(out, "%s %s (%s)", i ? "," : "", mods[i].unreadable ? "?" : mods[i].facts.library, mods[i].path);
    if (n_mods == 0) {
        fprintf(out, " none on the search path (");
        for (int i = 0; i < n_dirs; i++)
            fprintf(out, "%s%s", i ? ":" : "", dirs[i]);
        fputc(')', out);
    }
    fputc('\n', out);
}
