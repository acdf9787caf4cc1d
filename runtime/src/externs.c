/* externs.c - binding and calling externs through the generated table. */
#include "externs.h"

#include <stdlib.h>
#include <string.h>

#include "ffi_error.h"
#include "sffi_table.h"
#include "util.h"

const char *spl_sffi_type_name(int type)
{
    static const char *const names[] = {"none", "i64", "i32", "f64", "bool", "text", "[i64]", "[f64]", "[text]"};
    return type >= 0 && type <= SFFI_TEXT_ARRAY ? names[type] : "?";
}

void spl_extern_signature(const ExternDecl *d, char *buf, size_t size)
{
    StrBuf sb = {0};
    spl_sb_addc(&sb, '(');
    for (int i = 0; i < d->nparams; i++)
        spl_sb_printf(&sb, "%s%s", i ? ", " : "", spl_sffi_type_name(d->params[i]));
    spl_sb_addc(&sb, ')');
    if (d->result != SFFI_NONE)
        spl_sb_printf(&sb, " -> %s", spl_sffi_type_name(d->result));
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
    if (d->nparams != e->n_params || d->result != e->result)
        return false;
    for (int i = 0; i < d->nparams; i++)
        if (d->params[i] != e->params[i])
            return false;
    return true;
}

static void report_mismatch(const ExternDecl *d, const sffi_entry *e, const Source *src, FILE *err)
{
    char declared[256];
    spl_extern_signature(d, declared, sizeof declared);
    fprintf(err, "%s:%d:%d: extern function %s does not match this runtime's table\n"
                 "  declared here:     %s\n"
                 "  runtime provides:  %s  (FFI library '%s')\n",
            src->name, d->line, d->col, d->name, declared, e->signature, e->library);
}

bool spl_externs_bind(Program *prog, const Source *src, FILE *err)
{
    bool ok = true;
    StrBuf hinted = {0};
    for (int i = 0; i < prog->nexterns; i++) {
        ExternDecl *d = prog->externs[i];
        d->entry = table_find(d->name);
        if (!d->entry) {
            report_unknown(d, src, err, &hinted);
            ok = false;
        } else if (!signature_matches(d, d->entry)) {
            report_mismatch(d, d->entry, src, err);
            ok = false;
        }
    }
    spl_sb_free(&hinted);
    return ok;
}

/* ---- calling ---- */

static bool arg_error(Interp *I, const Node *call, const ExternDecl *d, int i, const char *what, Value v)
{
    return spl_fail(I, call->list.items[i], "%s: argument %d ('%s') must be %s, got %s",
                   d->name, i + 1, d->param_names[i], what, spl_value_type_name(v));
}

static size_t scratch_need(const ExternDecl *d, const Value *vals)
{
    size_t bytes = 0;
    for (int i = 0; i < d->nparams; i++)
        if (d->params[i] >= SFFI_I64_ARRAY && vals[i].type == VT_ARRAY)
            bytes += (size_t)vals[i].as.a->len * 8;
    return bytes;
}

/* Copies an array argument into a contiguous buffer at *cursor. */
static bool marshal_array(Interp *I, const Node *call, const ExternDecl *d, int i, Value v,
                          char **cursor, sffi_value *out)
{
    static const char *const what[] = {"[i64]", "[f64]", "[text]"};
    int kind = d->params[i] - SFFI_I64_ARRAY;
    if (v.type != VT_ARRAY)
        return arg_error(I, call, d, i, what[kind], v);
    const Array *a = v.as.a;
    for (int64_t k = 0; k < a->len; k++) {
        Value e = a->items[k];
        bool fits = kind == 0 ? e.type == VT_INT
                  : kind == 1 ? (e.type == VT_FLOAT || e.type == VT_INT) : e.type == VT_TEXT;
        if (!fits)
            return spl_fail(I, call->list.items[i], "%s: argument %d ('%s') must be %s, but element %lld is %s",
                           d->name, i + 1, d->param_names[i], what[kind], (long long)k, spl_value_type_name(e));
        if (kind == 0)
            ((int64_t *)*cursor)[k] = e.as.i;
        else if (kind == 1)
            ((double *)*cursor)[k] = e.type == VT_INT ? (double)e.as.i : e.as.f;
        else
            ((const char **)*cursor)[k] = e.as.t->data;
    }
    /* An empty array is (NULL, 0), as the ABI says for results. */
    const void *data = a->len ? *cursor : NULL;
    if (kind == 0)
        out->i64s = (sffi_i64_slice){data, a->len};
    else if (kind == 1)
        out->f64s = (sffi_f64_slice){data, a->len};
    else
        out->texts = (sffi_text_slice){data, a->len};
    *cursor += (size_t)a->len * 8;
    return true;
}

static bool marshal(Interp *I, const Node *call, const ExternDecl *d, const Value *vals, sffi_value *args)
{
    size_t need = scratch_need(d, vals);
    if (need > I->scratch_cap) {
        I->scratch = spl_xrealloc(I->scratch, need);
        I->scratch_cap = need;
    }
    char *cursor = I->scratch;
    for (int i = 0; i < d->nparams; i++) {
        Value v = vals[i];
        switch (d->params[i]) {
        case SFFI_I64:
            if (v.type != VT_INT)
                return arg_error(I, call, d, i, "i64", v);
            args[i].i64 = v.as.i;
            break;
        case SFFI_I32:
            if (v.type != VT_INT)
                return arg_error(I, call, d, i, "i32", v);
            if (v.as.i < INT32_MIN || v.as.i > INT32_MAX)
                return spl_fail(I, call->list.items[i], "%s: argument %d ('%s') is %lld, out of the range of i32",
                               d->name, i + 1, d->param_names[i], (long long)v.as.i);
            args[i].i32 = (int32_t)v.as.i;
            break;
        case SFFI_F64:
            if (v.type != VT_FLOAT && v.type != VT_INT)
                return arg_error(I, call, d, i, "f64", v);
            args[i].f64 = v.type == VT_INT ? (double)v.as.i : v.as.f;
            break;
        case SFFI_BOOL:
            if (v.type != VT_BOOL)
                return arg_error(I, call, d, i, "bool", v);
            args[i].b = v.as.b;
            break;
        case SFFI_TEXT:
            if (v.type != VT_TEXT)
                return arg_error(I, call, d, i, "text", v);
            args[i].text = v.as.t->data;
            break;
        default:
            if (!marshal_array(I, call, d, i, v, &cursor, &args[i]))
                return false;
        }
    }
    return true;
}

static bool bad_slice(Interp *I, const Node *call, const ExternDecl *d, const void *data, int64_t len)
{
    if (len >= 0 && (data != NULL || len == 0))
        return false;
    spl_fail(I, call, "%s returned an invalid array (data %s, length %lld)", d->name,
            data ? "set" : "NULL", (long long)len);
    return true;
}

static bool unmarshal(Interp *I, const Node *call, const ExternDecl *d, const sffi_value *r, Value *out)
{
    switch (d->result) {
    case SFFI_NONE: *out = value_nil(); return true;
    case SFFI_I64: *out = value_int(r->i64); return true;
    case SFFI_I32: *out = value_int(r->i32); return true;
    case SFFI_F64: *out = value_float(r->f64); return true;
    case SFFI_BOOL: *out = value_bool(r->b); return true;
    case SFFI_TEXT: *out = r->text ? value_text(spl_text_from_cstr(r->text)) : value_nil(); return true;
    default: break;
    }
    const void *data = d->result == SFFI_I64_ARRAY ? (const void *)r->i64s.data
                     : d->result == SFFI_F64_ARRAY ? (const void *)r->f64s.data : (const void *)r->texts.data;
    int64_t len = r->i64s.len; /* the three slices share their layout */
    if (bad_slice(I, call, d, data, len))
        return false;
    Array *a = spl_array_new(len);
    for (int64_t k = 0; k < len; k++) {
        if (d->result == SFFI_I64_ARRAY)
            a->items[k] = value_int(r->i64s.data[k]);
        else if (d->result == SFFI_F64_ARRAY)
            a->items[k] = value_float(r->f64s.data[k]);
        else
            a->items[k] = r->texts.data[k] ? value_text(spl_text_from_cstr(r->texts.data[k])) : value_nil();
    }
    a->len = len;
    *out = value_array(a);
    return true;
}

/* Libraries often start their message with the extern's name ("rt_x: ...");
 * the runtime names it already, so drop that prefix rather than say it twice. */
static const char *without_name(const char *msg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(msg, name, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg;
}

static bool extern_failed(Interp *I, const Node *call, const ExternDecl *d)
{
    if (spl_ffi_pending == FFI_EXIT) {
        I->exiting = true;
        I->exit_code = spl_ffi_exit_code();
        spl_ffi_clear();
        return false;
    }
    spl_fail(I, call, "%s failed: %s", d->name, without_name(spl_ffi_error_message(), d->name));
    spl_ffi_clear();
    return false;
}

bool spl_call_extern(Interp *I, const Node *call, Value *out)
{
    const ExternDecl *d = call->target;
    Value vals[SFFI_MAX_PARAMS];
    sffi_value args[SFFI_MAX_PARAMS];
    int n = 0;
    bool ok = true;
    for (; n < d->nparams; n++) {
        if (!spl_eval(I, call->list.items[n], &vals[n])) {
            ok = false;
            break;
        }
    }
    if (ok && marshal(I, call, d, vals, args)) {
        sffi_value result;
        d->entry->thunk(args, &result);
        ok = spl_ffi_pending == FFI_OK ? unmarshal(I, call, d, &result, out) : extern_failed(I, call, d);
    } else {
        ok = false;
    }
    for (int i = 0; i < n; i++)
        value_release(vals[i]);
    return ok;
}

/* ---- listing ---- */

static void json_string(FILE *out, const char *s)
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
        json_string(out, sffi_libraries[i]);
    }
    fputs("],\n  \"externs\": [", out);
    for (size_t i = 0; i < sffi_table_len; i++) {
        const sffi_entry *e = &sffi_table[i];
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
        json_string(out, e->name);
        fputs(", \"library\": ", out);
        json_string(out, e->library);
        fputs(", \"signature\": ", out);
        json_string(out, e->signature);
        fputc('}', out);
    }
    fputs(sffi_table_len ? "\n  ]\n}\n" : "]\n}\n", out);
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
}
