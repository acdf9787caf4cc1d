/* externs.c - binding and calling externs through the generated table. */
#include "externs.h"

#include <stdlib.h>
#include <string.h>

#include "modules.h"
#include "sffi_table.h"
#include "util.h"

/* The runtime's type table: code -> .spl spelling. tests/toolkit/test_abi_source.py
 * holds it (and the sffi_type enum) to site_scons/sffi/abi.py. */
static const char *const TYPE_NAMES[] = {
    [SFFI_NONE] = "none",
    [SFFI_I64] = "i64",
    [SFFI_I32] = "i32",
    [SFFI_F64] = "f64",
    [SFFI_BOOL] = "bool",
    [SFFI_TEXT] = "text",
    [SFFI_I64_ARRAY] = "[i64]",
    [SFFI_F64_ARRAY] = "[f64]",
    [SFFI_TEXT_ARRAY] = "[text]",
    [SFFI_I8] = "i8",
    [SFFI_I16] = "i16",
    [SFFI_U8] = "u8",
    [SFFI_U16] = "u16",
    [SFFI_U32] = "u32",
    [SFFI_U64] = "u64",
    [SFFI_F32] = "f32",
    [SFFI_I8_ARRAY] = "[i8]",
    [SFFI_I16_ARRAY] = "[i16]",
    [SFFI_I32_ARRAY] = "[i32]",
    [SFFI_U8_ARRAY] = "[u8]",
    [SFFI_U16_ARRAY] = "[u16]",
    [SFFI_U32_ARRAY] = "[u32]",
    [SFFI_U64_ARRAY] = "[u64]",
    [SFFI_F32_ARRAY] = "[f32]",
    [SFFI_BOOL_ARRAY] = "[bool]",
};
#define N_TYPE_NAMES ((int)(sizeof TYPE_NAMES / sizeof TYPE_NAMES[0]))

const char *spl_sffi_type_name(int type)
{
    return type >= 0 && type < N_TYPE_NAMES && TYPE_NAMES[type] ? TYPE_NAMES[type] : "?";
}

int spl_sffi_type_code(const char *spelling)
{
    for (int i = 1; i < N_TYPE_NAMES; i++)
        if (TYPE_NAMES[i] && strcmp(TYPE_NAMES[i], spelling) == 0)
            return i;
    return -1;
}

static void add_type(StrBuf *sb, int type)
{
    spl_sb_printf(sb, "%s%s", spl_sffi_type_name(type & ~SFFI_OPTIONAL), type & SFFI_OPTIONAL ? "?" : "");
}

void spl_extern_signature(const ExternDecl *d, char *buf, size_t size)
{
    StrBuf sb = {0};
    spl_sb_addc(&sb, '(');
    for (int i = 0; i < d->nparams; i++) {
        spl_sb_adds(&sb, i ? ", " : "");
        add_type(&sb, d->params[i]);
    }
    spl_sb_addc(&sb, ')');
    if (d->result == SFFI_TUPLE) {
        spl_sb_adds(&sb, " -> (");
        for (int i = 0; i < d->n_items; i++) {
            spl_sb_adds(&sb, i ? ", " : "");
            add_type(&sb, d->items[i]);
        }
        spl_sb_addc(&sb, ')');
    } else if (d->result != SFFI_NONE) {
        spl_sb_adds(&sb, " -> ");
        add_type(&sb, d->result);
    }
    snprintf(buf, size, "%s", sb.data);
    spl_sb_free(&sb);
}

/* ---- binding ---- */

/* Both arrays are sorted by name (strcmp order) and begin each element with
 * `const char *name`, so one comparator serves bsearch over either. */
static int compare_name(const void *key, const void *element)
{
    return strcmp((const char *)key, *(const char *const *)element);
}

static const sffi_entry *table_find(const char *name)
{
    return bsearch(name, sffi_table, sffi_table_len, sizeof sffi_table[0], compare_name);
}

static const sffi_catalog_entry *catalog_find(const char *name)
{
    return bsearch(name, sffi_catalog, sffi_catalog_len, sizeof sffi_catalog[0], compare_name);
}

const char *spl_catalog_library(const char *name)
{
    const sffi_catalog_entry *c = catalog_find(name);
    return c ? c->library : NULL;
}

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
    const sffi_catalog_entry *c = catalog_find(d->name);
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
    if (d->nparams != e->n_params || d->result != e->result || d->n_items != e->n_items)
        return false;
    for (int i = 0; i < d->n_items; i++)
        if (d->items[i] != e->items[i])
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
 * modules are loaded and those declarations bound to their entries. */
bool spl_externs_bind(Program *prog, const Source *src, FILE *err)
{
    bool ok = true, any_module = false;
    StrBuf hinted = {0};
    for (int i = 0; i < prog->nexterns; i++) {
        ExternDecl *d = prog->externs[i];
        d->entry = table_find(d->name);
        ModBind checked = d->entry ? MOD_BOUND : spl_modules_check(d, src, err); /* modules.c */
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
        }
    }
    for (int i = 0; ok && any_module && i < prog->nexterns; i++)
        if (!prog->externs[i]->entry)
            ok = spl_modules_bind(prog->externs[i], src, err) == MOD_BOUND;
    spl_sb_free(&hinted);
    return ok;
}

/* Calling a bound extern: marshal.c. */

/* ---- listing ---- */

void spl_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(out, "\\u%04x", *s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

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
