/* externs.c - binding externs to the generated table (calling them: marshal.c). */
#include "externs.h"

#include <stdlib.h>
#include <string.h>

#include "modules.h"
#include "sffi_table.h"
#include "util.h"

/* ---- binding ---- */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "sqlite,torch": the selected libraries but core, plus `lib`, sorted. */
static void with_list(const char *lib, StrBuf *sb)
{
    const char **names = spl_xmalloc((sffi_libraries_len + 1) * sizeof(char *));
    size_t n = 0;
    for (size_t i = 0; i < sffi_libraries_len; i++)
        if (strcmp(sffi_libraries[i], "core") != 0 && strcmp(sffi_libraries[i], lib) != 0)
            names[n++] = sffi_libraries[i];
    names[n++] = lib;
    qsort(names, n, sizeof(char *), cmp_names);
    for (size_t i = 0; i < n; i++)
        spl_sb_printf(sb, "%s%s", i ? "," : "", names[i]);
    free(names);
}

/* `hinted` collects the libraries whose rebuild command was already shown. */
static void report_unknown(const ExternDecl *d, const Source *src, FILE *err, StrBuf *hinted)
{
    fprintf(err, "%s:%d:%d: unknown extern function %s\n", src->name, d->line, d->col, d->name);
    const sffi_catalog_entry *c = spl_catalog_find(d->name);
    if (!c) {
        fprintf(err, "no FFI library known to this runtime provides it (see: simple --externs)\n");
        return;
    }
    char key[128];
    snprintf(key, sizeof key, "\n%s\n", c->library);
    if (hinted->data && strstr(hinted->data, key)) {
        fprintf(err, "provided by FFI library '%s' (see above)\n", c->library);
        return;
    }
    spl_sb_printf(hinted, "%s", key);
    StrBuf with = {0};
    with_list(c->library, &with);
    fprintf(err, "provided by FFI library '%s', which this runtime was built without; "
                 "rebuild with: scons runtime --with=%s\n", c->library, with.data);
    spl_sb_free(&with);
}

static bool signature_matches(const ExternDecl *d, const sffi_entry *e)
{
    if (d->nparams != e->n_params || !spl_result_binds(d, e->result, e->n_items, e->items))
        return false;
    for (int i = 0; i < d->nparams; i++)
        if (d->params[i] != e->params[i])
            return false;
    return true;
}

static void report_mismatch(const ExternDecl *d, const sffi_entry *e, const Source *src, FILE *err)
{
    char declared[512];
    spl_extern_signature(d, declared, sizeof declared);
    fprintf(err, "%s:%d:%d: extern function %s does not match this runtime's table\n"
                 "  declared here:     %s\n"
                 "  runtime provides:  %s  (FFI library '%s')\n",
            src->name, d->line, d->col, d->name, declared, e->signature, e->library);
}

/* Two passes, so that no module's code runs unless every declaration passed
 * every check the files allow (issue 24, docs/modules.md "What runs when"):
 * first each declaration against the table, or against the section of the
 * module that provides it (nothing loaded); then, only if all passed, the
 * modules are loaded and those declarations bound to their entries. With
 * `lazy`, an extern that neither the table nor any module provides is left
 * unbound (counted; its first call fails: spl_extern_unbound), and the second
 * pass passes over it. */
bool spl_externs_bind(Program *prog, const Source *src, FILE *err)
{
    return spl_externs_bind_lazy(prog, src, err, NULL);
}

bool spl_externs_bind_lazy(Program *prog, const Source *src, FILE *err, Unbound *lazy)
{
    bool ok = true, any_module = false;
    bool *left_unbound = prog->nexterns ? spl_xcalloc((size_t)prog->nexterns, sizeof *left_unbound) : NULL;
    StrBuf hinted = {0};
    for (int i = 0; i < prog->nexterns; i++) {
        ExternDecl *d = prog->externs[i];
        if (!d->file)
            d->file = src->name;
        d->entry = spl_table_find(d->name);
        ModBind checked = d->entry ? MOD_BOUND : spl_modules_check(d, src, err); /* modules.c */
        if (checked == MOD_ABSENT && lazy) {
            /* no library provides it: its first call fails (spl_extern_unbound) */
            left_unbound[i] = true;
            lazy->count++;
            if (lazy->report)
                report_unknown(d, src, err, &hinted);
            spl_modules_note_unreadable(err); /* a damaged module may be why: said now, once */
            continue;
        }
        any_module |= !d->entry;
        if (checked == MOD_ABSENT) {
            report_unknown(d, src, err, &hinted);
            spl_modules_note_unreadable(err);
        }
        if (checked != MOD_BOUND) {
            ok = false;
        } else if (d->entry && !signature_matches(d, d->entry)) {
            report_mismatch(d, d->entry, src, err);
            ok = false;
        } else if (d->entry) {
            d->fast_result = d->result == d->entry->result ? d->result : SPL_RESULT_GENERAL;
        }
    }
    for (int i = 0; ok && any_module && i < prog->nexterns; i++) {
        ExternDecl *d = prog->externs[i];
        if (d->entry || left_unbound[i])
            continue;
        ok = spl_modules_bind(d, src, err) == MOD_BOUND; /* sets d->entry (checked in pass 1) */
        if (ok)
            d->fast_result = d->result == d->entry->result ? d->result : SPL_RESULT_GENERAL;
    }
    free(left_unbound);
    spl_sb_free(&hinted);
    return ok;
}

bool spl_extern_unbound(Interp *I, const Node *call, const ExternDecl *d)
{
    const sffi_catalog_entry *c = spl_catalog_find(d->name);
    if (!c)
        return spl_fail(I, call, "unknown extern function %s: no FFI library known to this runtime provides it "
                        "(see: simple --externs)", d->name);
    StrBuf with = {0};
    with_list(c->library, &with);
    spl_fail(I, call, "unknown extern function %s: provided by FFI library '%s', which this runtime was built "
             "without; rebuild with: scons runtime --with=%s", d->name, c->library, with.data);
    spl_sb_free(&with);
    return false;
}

/* Calling a bound extern: marshal.c. */

/* ---- listing ---- */

static void list_json(FILE *out)
{
    fprintf(out, "{\n  \"abi_version\": %d,\n  \"libraries\": [", SFFI_ABI_VERSION);
    for (size_t i = 0; i < sffi_libraries_len; i++) {
        fputs(i ? ", " : "", out);
        spl_json_string(out, sffi_libraries[i]);
    }
    fputs("],\n  \"externs\": [", out);
    for (size_t i = 0; i < sffi_table_len; i++) {
        const sffi_entry *e = &sffi_table[i];
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
        spl_json_string(out, e->name);
        fputs(", \"library\": ", out);
        spl_json_string(out, e->library);
        fputs(", \"signature\": ", out);
        spl_json_string(out, e->signature);
        fputc('}', out);
    }
    fputs(sffi_table_len ? "\n  ],\n  \"modules\": " : "],\n  \"modules\": ", out);
    spl_modules_list(out, true);
    fputs("\n}\n", out);
}

void spl_externs_list(FILE *out, bool json)
{
    if (json) {
        list_json(out);
        return;
    }
    int wname = 4, wlib = 7;
    for (size_t i = 0; i < sffi_table_len; i++) {
        int n = (int)strlen(sffi_table[i].name), l = (int)strlen(sffi_table[i].library);
        wname = n > wname ? n : wname;
        wlib = l > wlib ? l : wlib;
    }
    fprintf(out, "%-*s  %-*s  %s\n", wname, "NAME", wlib, "LIBRARY", "SIGNATURE");
    for (size_t i = 0; i < sffi_table_len; i++)
        fprintf(out, "%-*s  %-*s  %s\n", wname, sffi_table[i].name, wlib, sffi_table[i].library,
                sffi_table[i].signature);
    spl_modules_list(out, false);
}
