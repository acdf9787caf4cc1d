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
#include "modtrust.h"
#include "diag.h"
#include "sffi_module.h"
#include "util.h"

typedef enum { ST_UNLOADED, ST_LOADED, ST_FAILED } ModState;

typedef struct Module {
    char *path;           /* as found: directory on the path + file name (for open, dlopen) */
    char *shown;          /* the same, control characters escaped (for messages) */
    char *file_library;   /* <lib> of libsffi_<lib>.so, escaped */
    ModFacts facts;       /* read from its section (valid unless `unreadable` or `untrusted`) */
    char *unreadable;     /* why its section could not be read */
    char *untrusted;      /* why it may not be trusted (modtrust.h): then it is not even opened */
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

/* Trust first (modtrust.h), then only a trusted regular file is opened and
 * its section read (modfile.c): an untrusted file, a FIFO or a device on the
 * path is never read, and nothing blocks (issue 24). */
static void index_module(const char *dir, const char *file, char *dir_problem)
{
    size_t len = strlen(file);
    char *raw = spl_xstrndup(file + 8, len - 8 - 3); /* libsffi_ ... .so */
    char *library = spl_escaped(raw);
    free(raw);
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
    m->shown = spl_escaped(m->path);
    m->file_library = library;
    m->untrusted = dir_problem ? spl_xstrdup(dir_problem) : spl_trust_problem(m->path, true);
    if (!m->untrusted)
        m->unreadable = spl_modfile_read(m->path, &m->facts);
}

/* Whether the section of `m` was read and may be believed. */
static bool readable(const Module *m)
{
    return !m->unreadable && !m->untrusted;
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
    if (n) /* qsort(NULL, 0, ...) is undefined (UBSan, runtime_moddir) */
        qsort(names, (size_t)n, sizeof *names, cmp_str);
    char *dir_problem = n ? spl_trust_problem(dir, false) : NULL;
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

/* ---- checking and loading ----
 *
 * The order (docs/modules.md, "What runs when"): trust and the section were
 * settled by the index, before any file was opened; spl_modules_check() then
 * checks everything the section proves for each declaration (ABI version,
 * library, the entry's signature), for every extern of the script, and only
 * when all passed does spl_modules_bind() dlopen a module (its constructors
 * run here, and never before), compare the loaded descriptor with the section
 * field by field and entry by entry, and call its attach(). */

static void refuse(Module *m, const ExternDecl *d, const Source *src, FILE *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void refuse(Module *m, const ExternDecl *d, const Source *src, FILE *err, const char *fmt, ...)
{
    fprintf(err, "%s:%d:%d: extern function %s: FFI module %s refused\n  ", src->name, d->line, d->col,
            d->name, m->shown);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fprintf(err, "\n  rebuild it with: %s\n", m->facts.rebuild);
    m->state = ST_FAILED;
}

/* The checks of the module as a whole that need only the section. */
static bool check_facts(Module *m, const ExternDecl *d, const Source *src, FILE *err)
{
    const ModFacts *f = &m->facts;
    const char *expected = spl_catalog_library(d->name);
    if (f->abi_version != SFFI_ABI_VERSION)
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

/* The types of one signature, from a loaded entry or from the section. */
typedef struct Sig {
    int n_params, result, n_items;
    const uint8_t *params, *items;
} Sig;

static Sig sig_of_entry(const sffi_entry *e)
{
    return (Sig){e->n_params, e->result, e->n_items, e->params, e->items};
}

static Sig sig_of_section(const ModEntry *e)
{
    return (Sig){e->n_params, e->result, e->n_items, e->params, e->items};
}

static bool sig_equal(Sig a, Sig b)
{
    return a.n_params == b.n_params && a.result == b.result && a.n_items == b.n_items &&
           memcmp(a.params, b.params, (size_t)a.n_params) == 0 && memcmp(a.items, b.items, (size_t)a.n_items) == 0;
}

/* The loaded descriptor must say what the section said, entry by entry. */
static bool check_descriptor(Module *m, const ExternDecl *d, const Source *src, FILE *err)
{
    const sffi_module_desc *desc = m->desc;
    if (memcmp(desc->magic, SFFI_MODULE_MAGIC, sizeof desc->magic) != 0)
        refuse(m, d, src, err, "field magic: %s does not start with \"%s\"", SFFI_MODULE_SYMBOL,
               SFFI_MODULE_MAGIC);
    else if (desc->descriptor_size != sizeof *desc)
        refuse(m, d, src, err, "field descriptor_size: the module has %u, this runtime %zu",
               desc->descriptor_size, sizeof *desc);
    else if ((int)desc->abi_version != m->facts.abi_version || !desc->library ||
             strcmp(desc->library, m->facts.library) != 0 || desc->n_entries != (size_t)m->facts.n_entries ||
             (desc->n_entries && !desc->entries)) {
        char *library = spl_escaped(desc->library ? desc->library : "(null)");
        refuse(m, d, src, err, "its descriptor (ABI %u, library '%s', %zu externs) differs from its %s "
               "section (ABI %d, library '%s', %d externs)", desc->abi_version, library,
               desc->n_entries, SFFI_MODULE_SECTION, m->facts.abi_version, m->facts.library,
               m->facts.n_entries);
        free(library);
    }
    for (size_t i = 0; m->state != ST_FAILED && i < desc->n_entries; i++) {
        const sffi_entry *e = &desc->entries[i];
        const ModEntry *f = &m->facts.entries[i];
        if (e->name && e->signature && strcmp(e->name, f->name) == 0 && strcmp(e->signature, f->signature) == 0 &&
            sig_equal(sig_of_entry(e), sig_of_section(f)) && e->thunk)
            continue;
        char *name = spl_escaped(e->name ? e->name : "(null)");
        char *signature = spl_escaped(e->signature ? e->signature : "(null)");
        refuse(m, d, src, err, "its descriptor's entry %zu (%s %s) differs from its %s section (%s %s)", i + 1,
               name, signature, SFFI_MODULE_SECTION, f->name, f->signature);
        free(name);
        free(signature);
    }
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
            ok, now_ms() - t0, dlopen_ms, m->shown);
    return ok;
}

static bool load_checked(Module *m, const ExternDecl *d, const Source *src, FILE *err, double *dlopen_ms)
{
    if (m->state == ST_LOADED)
        return true;
    if (m->state == ST_FAILED) {
        fprintf(err, "%s:%d:%d: extern function %s: FFI module %s cannot be used (see above)\n",
                src->name, d->line, d->col, d->name, m->shown);
        return false;
    }
    /* The module is linked -z now, so its own references are all bound here (a
     * missing one fails dlopen, cleanly); its dependencies (libtorch) bind
     * lazily, as they do in a runtime that links them: RTLD_NOW would bind
     * libtorch's ~45k PLT slots too and cost ~150 ms (docs/modules.md). On the
     * main thread, where a linked runtime runs libtorch's constructors (mainload.h).
     * The file was trusted (modtrust.h): nobody else can have replaced it since
     * its section was read. */
    double t0 = dlopen_ms ? now_ms() : 0;
    char *why = NULL;
    void *handle = spl_mainload_dlopen(m->path, RTLD_LAZY | RTLD_LOCAL, &why);
    if (dlopen_ms)
        *dlopen_ms = now_ms() - t0;
    if (!handle) {
        char *shown = spl_escaped(why);
        fprintf(err, "%s:%d:%d: extern function %s: cannot load FFI module %s: %s\n", src->name, d->line,
                d->col, d->name, m->shown, shown);
        free(shown);
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
static int field_differences(const ExternDecl *d, Sig e, StrBuf *sb)
{
    int n = 0;
    if (d->nparams != e.n_params) {
        spl_sb_printf(sb, "  field parameters: declared %d, the module has %d\n", d->nparams, e.n_params);
        n++;
    }
    for (int i = 0; i < d->nparams && i < e.n_params; i++) {
        if (d->params[i] == e.params[i])
            continue;
        spl_sb_printf(sb, "  field parameter %d (%s): declared ", i + 1, d->param_names[i]);
        type_text(sb, d->params[i]);
        spl_sb_adds(sb, ", the module has ");
        type_text(sb, e.params[i]);
        spl_sb_addc(sb, '\n');
        n++;
    }
    if (!spl_result_binds(d, e.result, e.n_items, e.items)) {
        spl_sb_adds(sb, "  field result: declared ");
        spl_sffi_result_text(sb, d->result, d->n_items, d->items);
        spl_sb_adds(sb, ", the module has ");
        spl_sffi_result_text(sb, e.result, e.n_items, e.items);
        spl_sb_addc(sb, '\n');
        n++;
    }
    return n;
}

/* The declaration against the section's entry for it, before anything is loaded. */
static bool check_section_entry(const Module *m, const ExternDecl *d, const Source *src, FILE *err)
{
    const ModEntry *e = &m->facts.entries[spl_modfile_find(&m->facts, d->name)];
    StrBuf sb = {0};
    if (!field_differences(d, sig_of_section(e), &sb))
        return true;
    char declared[512];
    spl_extern_signature(d, declared, sizeof declared);
    fprintf(err, "%s:%d:%d: extern function %s does not match FFI module %s\n%s"
                 "  declared here:    %s\n"
                 "  module provides:  %s  (library '%s', build %s)\n"
                 "  fix the declaration, or rebuild the module with: %s\n",
            src->name, d->line, d->col, d->name, m->shown, sb.data, declared, e->signature,
            m->facts.library, m->facts.build_id, m->facts.rebuild);
    spl_sb_free(&sb);
    return false;
}

static int compare_entry(const void *key, const void *element)
{
    return strcmp((const char *)key, ((const sffi_entry *)element)->name);
}

/* After the descriptor matched the section: the entry for `d` (whose types
 * check_section_entry() held to the declaration: spl_result_binds). */
static bool bind_entry(Module *m, ExternDecl *d, const Source *src, FILE *err)
{
    const sffi_entry *e = bsearch(d->name, m->desc->entries, m->desc->n_entries, sizeof *e, compare_entry);
    if (!e) { /* unreachable: the descriptor's entries are the section's (check_descriptor) */
        fprintf(err, "%s:%d:%d: extern function %s: FFI module %s: its descriptor disagrees with its %s "
                     "section\n  rebuild it with: %s\n",
                src->name, d->line, d->col, d->name, m->shown, SFFI_MODULE_SECTION, m->facts.rebuild);
        return false;
    }
    d->entry = e;
    return true;
}

/* The one readable module whose section lists `d`, in *found; MOD_REFUSED
 * (printed) when two do. */
static ModBind find_provider(const ExternDecl *d, const Source *src, FILE *err, Module **found)
{
    build_index();
    Module *other = NULL;
    *found = NULL;
    for (int i = 0; i < n_mods && !other; i++) {
        if (!readable(&mods[i]) || spl_modfile_find(&mods[i].facts, d->name) < 0)
            continue;
        if (*found)
            other = &mods[i];
        else
            *found = &mods[i];
    }
    if (!*found)
        return MOD_ABSENT;
    if (other) {
        fprintf(err, "%s:%d:%d: extern function %s is provided by two FFI modules:\n"
                     "  %s (library '%s')\n  %s (library '%s')\n"
                     "  remove one of them from the search path (see: simple --externs)\n",
                src->name, d->line, d->col, d->name, (*found)->shown, (*found)->facts.library, other->shown,
                other->facts.library);
        return MOD_REFUSED;
    }
    return MOD_BOUND;
}

ModBind spl_modules_check(const ExternDecl *d, const Source *src, FILE *err)
{
    Module *m;
    ModBind found = find_provider(d, src, err, &m);
    if (found != MOD_BOUND)
        return found;
    if (m->state == ST_FAILED) {
        fprintf(err, "%s:%d:%d: extern function %s: FFI module %s cannot be used (see above)\n",
                src->name, d->line, d->col, d->name, m->shown);
        return MOD_REFUSED;
    }
    return check_facts(m, d, src, err) && check_section_entry(m, d, src, err) ? MOD_BOUND : MOD_REFUSED;
}

ModBind spl_modules_bind(ExternDecl *d, const Source *src, FILE *err)
{
    Module *m;
    ModBind found = find_provider(d, src, err, &m);
    if (found != MOD_BOUND)
        return found;
    return load(m, d, src, err) && bind_entry(m, d, src, err) ? MOD_BOUND : MOD_REFUSED;
}

void spl_modules_note_unreadable(FILE *err)
{
    if (noted)
        return;
    noted = true;
    for (int i = 0; i < n_mods; i++) {
        if (mods[i].untrusted)
            fprintf(err, "note: FFI module %s was not read: %s\n", mods[i].shown, mods[i].untrusted);
        else if (mods[i].unreadable)
            fprintf(err, "note: FFI module %s could not be read: %s\n", mods[i].shown, mods[i].unreadable);
    }
}

/* ---- listing ---- */

static void list_text(FILE *out)
{
    if (n_mods == 0)
        return;
    fprintf(out, "\nFFI modules (loaded when a script declares one of their externs):\n");
    for (int i = 0; i < n_mods; i++) {
        const Module *m = &mods[i];
        if (m->untrusted) {
            fprintf(out, "%s  refused (not read): %s\n", m->shown, m->untrusted);
            continue;
        }
        if (m->unreadable) {
            fprintf(out, "%s  unreadable: %s\n", m->shown, m->unreadable);
            continue;
        }
        fprintf(out, "%s  library %s, ABI version %d, %d externs\n", m->shown, m->facts.library,
                m->facts.abi_version, m->facts.n_entries);
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
        spl_json_string(out, m->shown);
        if (m->unreadable || m->untrusted) {
            fputs(", \"problem\": ", out);
            spl_json_string(out, m->untrusted ? m->untrusted : m->unreadable);
        }
        if (readable(m)) {
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
        fprintf(out, "%s %s (%s)", i ? "," : "", readable(&mods[i]) ? mods[i].facts.library : "?", mods[i].shown);
    if (n_mods == 0) {
        fprintf(out, " none on the search path (");
        for (int i = 0; i < n_dirs; i++) {
            char *shown = spl_escaped(dirs[i]);
            fprintf(out, "%s%s", i ? ":" : "", shown);
            free(shown);
        }
        fputc(')', out);
    }
    fputc('\n', out);
}

void spl_modules_reset(void)
{
    for (int i = 0; i < n_cli_dirs; i++)
        free(cli_dirs[i]);
    for (int i = 0; i < n_dirs; i++)
        free(dirs[i]);
    for (int i = 0; i < n_mods; i++) {
        Module *m = &mods[i];
        spl_modfile_free(&m->facts);
        free(m->path);
        free(m->shown);
        free(m->file_library);
        free(m->unreadable);
        free(m->untrusted);
    }
    free(cli_dirs);
    free(dirs);
    free(mods);
    cli_dirs = dirs = NULL;
    mods = NULL;
    n_cli_dirs = cap_cli_dirs = n_dirs = cap_dirs = n_mods = cap_mods = 0;
    indexed = noted = false;
}
