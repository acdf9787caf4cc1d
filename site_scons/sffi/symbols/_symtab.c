/* sffi.symbols._symtab: the per-symbol half of `sffi symbols` in C (docs/symbols.md, "The C path").
 *
 * sffi.symbols.bulk decodes a symbol table into byte strings (one 0/1 byte per entry saying
 * whether it is selected, one 8-byte key per entry); what Python cannot do fast is the work
 * per selected symbol: making a string per name, sorting them and joining the lines. Here:
 *
 *   check(entries, strings, keep, is64, little) -> None
 *       checks every entry's st_name against the string table (ValueError(index, offset)
 *       for the first bad one, as bulk._names reports it), and that each selected name
 *       ends with a NUL inside it.
 *   survey(entries, strings, keys, keep, is64, little) -> (attrs, max_size, empty_name, longest)
 *       checks as check does and tells, over the selected
 *       entries, the distinct key attributes (key >> 32), the largest st_size, whether
 *       a name is empty and the length of the longest name.
 *   render(entries, strings, keys, keep, is64, little, parts, width, text, sep) -> bytes
 *       the selected entries sorted by name (bytes, then table order: Python's stable sort
 *       of ASCII str), each row made of the three byte strings parts[key >> 32] = (a, b, c):
 *       text: a + st_size left-aligned in `width` + b + name + c; JSON: a + name + b +
 *       st_size + c; rows joined by `sep`.
 *
 * Every offset read from the file is checked against the buffer it indexes: entries are
 * whole (len(entries) // entsize of them, and keep/keys must cover that many), a name
 * starts inside `strings` and must end with a NUL inside it (else ValueError).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *entries, *strings, *keep, *keys;
    Py_ssize_t count, nstrings, entsize;
    int is64, little;
} Table;

static inline uint64_t load(const unsigned char *p, int width, int little)
{
    static const int host_little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
    if (little == host_little) {
        if (width == 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            return v;
        }
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    uint64_t v = 0;
    for (int i = 0; i < width; i++)
        v |= (uint64_t)p[little ? i : width - 1 - i] << (8 * i);
    return v;
}

static uint32_t st_name(const Table *t, Py_ssize_t i)
{
    return (uint32_t)load(t->entries + i * t->entsize, 4, t->little);
}

static uint64_t st_size(const Table *t, Py_ssize_t i)
{
    const unsigned char *e = t->entries + i * t->entsize;
    return t->is64 ? load(e + 16, 8, t->little) : load(e + 8, 4, t->little);
}

static uint64_t key_of(const Table *t, Py_ssize_t i)
{
    uint64_t k;
    memcpy(&k, t->keys + 8 * i, 8); /* host order, as bulk._key_bytes makes it */
    return k;
}

/* The name of entry i: its length in *len, NULL when it has no NUL inside the table. */
static const unsigned char *name_of(const Table *t, Py_ssize_t i, Py_ssize_t *len)
{
    uint32_t off = st_name(t, i);
    if ((Py_ssize_t)off >= t->nstrings) { /* only offset 0 of an empty table: survey checked */
        *len = 0;
        return (const unsigned char *)"";
    }
    const unsigned char *s = t->strings + off;
    const unsigned char *nul = memchr(s, 0, (size_t)(t->nstrings - off));
    if (nul == NULL)
        return NULL;
    *len = nul - s;
    return s;
}

static int no_nul(Py_ssize_t i)
{
    PyErr_Format(PyExc_ValueError, "name of symbol %zd has no NUL byte before the end of the string table",
                 i + 1);
    return -1;
}

/* Fill t from the buffers (views released by release()); -1 with an exception set. */
static int open_table(Table *t, Py_buffer *views, int nviews, int is64, int little)
{
    t->entsize = is64 ? 24 : 16;
    t->is64 = is64;
    t->little = little;
    t->entries = views[0].buf;
    t->count = views[0].len / t->entsize;
    t->strings = views[1].buf;
    t->nstrings = views[1].len;
    t->keep = views[2].buf;
    if (views[2].len < t->count) {
        PyErr_SetString(PyExc_ValueError, "keep is shorter than the table");
        return -1;
    }
    t->keys = NULL;
    if (nviews > 3) {
        t->keys = views[3].buf;
        if (views[3].len / 8 < t->count) {
            PyErr_SetString(PyExc_ValueError, "keys are shorter than the table");
            return -1;
        }
    }
    return 0;
}

static void release(Py_buffer *views, int n)
{
    for (int i = 0; i < n; i++)
        if (views[i].obj != NULL)
            PyBuffer_Release(&views[i]);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Every entry's st_name inside the string table (offset 0 always allowed), every selected
 * name ending with a NUL inside it: 0, or -1 with ValueError((index, offset)) / ValueError(text). */
static int check_names(const Table *t)
{
    for (Py_ssize_t i = 0; i < t->count; i++) {
        uint32_t off = st_name(t, i);
        if (off && (Py_ssize_t)off >= t->nstrings) {
            PyObject *where = Py_BuildValue("(nk)", i, (unsigned long)off);
            if (where != NULL) {
                PyErr_SetObject(PyExc_ValueError, where);
                Py_DECREF(where);
            }
            return -1;
        }
    }
    for (Py_ssize_t i = 0; i < t->count; i++) {
        Py_ssize_t len;
        if (t->keep[i] && name_of(t, i, &len) == NULL)
            return no_nul(i);
    }
    return 0;
}

static PyObject *check(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer v[3] = {{0}};
    int is64, little;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "y*y*y*pp:check", &v[0], &v[1], &v[2], &is64, &little))
        return NULL;
    Table t;
    if (open_table(&t, v, 3, is64, little) == 0 && check_names(&t) == 0)
        result = Py_NewRef(Py_None);
    release(v, 3);
    return result;
}

/* A set of 64-bit values: open addressing, linear probing, grown at half full. */
typedef struct {
    uint64_t *slots;
    unsigned char *used;
    size_t mask, count;
} Set;

static int set_init(Set *s, size_t capacity)
{
    s->slots = PyMem_Calloc(capacity, sizeof(uint64_t));
    s->used = PyMem_Calloc(capacity, 1);
    s->mask = capacity - 1;
    s->count = 0;
    if (s->slots == NULL || s->used == NULL) {
        PyMem_Free(s->slots);
        PyMem_Free(s->used);
        s->slots = NULL;
        s->used = NULL;
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void set_free(Set *s)
{
    PyMem_Free(s->slots);
    PyMem_Free(s->used);
}

static void set_put(Set *s, uint64_t v)
{
    size_t at = (size_t)((v * 0x9E3779B97F4A7C15ull) >> 20) & s->mask;
    while (s->used[at]) {
        if (s->slots[at] == v)
            return;
        at = (at + 1) & s->mask;
    }
    s->used[at] = 1;
    s->slots[at] = v;
    s->count++;
}

static int set_add(Set *s, uint64_t v)
{
    if (2 * (s->count + 1) > s->mask + 1) {
        Set bigger;
        if (set_init(&bigger, 2 * (s->mask + 1)) < 0)
            return -1;
        for (size_t i = 0; i <= s->mask; i++)
            if (s->used[i])
                set_put(&bigger, s->slots[i]);
        set_free(s);
        *s = bigger;
    }
    set_put(s, v);
    return 0;
}

static PyObject *survey(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer v[4] = {{0}};
    int is64, little;
    PyObject *result = NULL, *list = NULL;
    Set attrs = {0};
    if (!PyArg_ParseTuple(args, "y*y*y*y*pp:survey", &v[0], &v[1], &v[3], &v[2], &is64, &little))
        return NULL;
    /* argument order: entries, strings, keys, keep (views: entries, strings, keep, keys) */
    Table t;
    if (open_table(&t, v, 4, is64, little) < 0 || check_names(&t) < 0 || set_init(&attrs, 64) < 0)
        goto done;
    uint64_t largest = 0, last = 0;
    int empty = 0, any = 0;
    Py_ssize_t longest = 0;
    for (Py_ssize_t i = 0; i < t.count; i++) {
        if (!t.keep[i])
            continue;
        Py_ssize_t len;
        name_of(&t, i, &len); /* checked above */
        empty |= len == 0;
        if (len > longest)
            longest = len;
        uint64_t size = st_size(&t, i), attr = key_of(&t, i) >> 32;
        if (size > largest)
            largest = size;
        if ((!any || attr != last) && set_add(&attrs, attr) < 0)
            goto done;
        any = 1;
        last = attr;
    }
    /* the distinct attributes, sorted */
    uint64_t *sorted = PyMem_Malloc(sizeof(uint64_t) * (attrs.count ? attrs.count : 1));
    if (sorted == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    size_t n = 0;
    for (size_t i = 0; i <= attrs.mask; i++)
        if (attrs.used[i])
            sorted[n++] = attrs.slots[i];
    qsort(sorted, n, sizeof(uint64_t), cmp_u64);
    list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *value = PyLong_FromUnsignedLongLong(sorted[i]);
        if (value == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, value);
    }
    PyMem_Free(sorted);
    if (list != NULL)
        result = Py_BuildValue("(NKOn)", list, (unsigned long long)largest, empty ? Py_True : Py_False, longest);
done:
    set_free(&attrs);
    release(v, 4);
    return result;
}

/* A row to sort, with what its line needs, gathered in one pass in table order (read after
 * sorting, the entries would be read in random order: a cache miss each). Its name's first
 * 24 bytes are three big-endian integers (zero-padded: a name holds no NUL, so a shorter
 * name sorts first), which decide most comparisons without reading the string table. */
typedef struct {
    uint64_t head[3];
    uint64_t size;
    uint32_t name, len, index, part;
} Row;

#define HEAD ((Py_ssize_t)sizeof(((Row *)0)->head))

static void set_head(Row *r, const unsigned char *name)
{
    unsigned char buf[HEAD];
    memset(buf, 0, sizeof buf);
    memcpy(buf, name, (size_t)(r->len < HEAD ? r->len : HEAD));
    for (int h = 0; h < HEAD / 8; h++) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v = v << 8 | buf[8 * h + i];
        r->head[h] = v;
    }
}

/* Order of two rows whose names lie in the string table `strings`. */
static inline int cmp_row(const Row *x, const Row *y, const unsigned char *strings)
{
    for (int h = 0; h < HEAD / 8; h++)
        if (x->head[h] != y->head[h])
            return x->head[h] < y->head[h] ? -1 : 1;
    /* equal heads: both names shorter than HEAD bytes and equal, or both at least HEAD long */
    uint32_t n = x->len < y->len ? x->len : y->len;
    if (n > HEAD) {
        int c = memcmp(strings + x->name + HEAD, strings + y->name + HEAD, n - HEAD);
        if (c)
            return c;
    }
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Sort rows[0..n) (names in `strings`) by cmp_row: insertion sort of runs of 16, then bottom-up merges through
 * tmp (n rows); stable. Our own rather than qsort: the comparison inlined, the rows moved
 * whole (glibc's qsort moves large elements with memmove and compares through a pointer). */
static void sort_rows(Row *rows, Row *tmp, Py_ssize_t n, const unsigned char *strings)
{
    const Py_ssize_t run = 16;
    for (Py_ssize_t lo = 0; lo < n; lo += run) {
        Py_ssize_t hi = lo + run < n ? lo + run : n;
        for (Py_ssize_t i = lo + 1; i < hi; i++) {
            Row r = rows[i];
            Py_ssize_t j = i;
            for (; j > lo && cmp_row(&r, &rows[j - 1], strings) < 0; j--)
                rows[j] = rows[j - 1];
            rows[j] = r;
        }
    }
    Row *from = rows, *to = tmp;
    for (Py_ssize_t width = run; width < n; width *= 2) {
        for (Py_ssize_t lo = 0; lo < n; lo += 2 * width) {
            Py_ssize_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            Py_ssize_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                to[k++] = cmp_row(&from[j], &from[i], strings) < 0 ? from[j++] : from[i++];
            while (i < mid)
                to[k++] = from[i++];
            while (j < hi)
                to[k++] = from[j++];
        }
        Row *swap = from;
        from = to;
        to = swap;
    }
    if (from != rows)
        memcpy(rows, from, sizeof(Row) * (size_t)n);
}

typedef struct {
    uint64_t attr;
    const char *part[3];
    Py_ssize_t len[3];
} Parts;

static int cmp_parts(const void *a, const void *b)
{
    return cmp_u64(&((const Parts *)a)->attr, &((const Parts *)b)->attr);
}

/* parts (dict attr -> (bytes, bytes, bytes)) as a sorted array; NULL with an exception set. */
static Parts *read_parts(PyObject *dict, Py_ssize_t *count)
{
    Py_ssize_t n = PyDict_Size(dict), pos = 0, i = 0;
    PyObject *k, *value;
    Parts *p = PyMem_Malloc(sizeof(Parts) * (size_t)(n ? n : 1));
    if (p == NULL)
        return (Parts *)PyErr_NoMemory();
    while (PyDict_Next(dict, &pos, &k, &value)) {
        p[i].attr = PyLong_AsUnsignedLongLong(k);
        if (PyErr_Occurred())
            goto bad;
        if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 3) {
            PyErr_SetString(PyExc_TypeError, "parts values must be 3-tuples of bytes");
            goto bad;
        }
        for (int j = 0; j < 3; j++) {
            char *s;
            if (PyBytes_AsStringAndSize(PyTuple_GET_ITEM(value, j), &s, &p[i].len[j]) < 0)
                goto bad;
            p[i].part[j] = s;
        }
        i++;
    }
    qsort(p, (size_t)n, sizeof(Parts), cmp_parts);
    *count = n;
    return p;
bad:
    PyMem_Free(p);
    return NULL;
}

static PyObject *render(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer v[4] = {{0}};
    int is64, little, text;
    PyObject *dict, *result = NULL;
    Py_ssize_t width;
    const char *sep;
    Py_ssize_t nsep;
    Row *rows = NULL;
    Parts *parts = NULL;
    if (!PyArg_ParseTuple(args, "y*y*y*y*ppO!npy#:render", &v[0], &v[1], &v[3], &v[2], &is64, &little,
                          &PyDict_Type, &dict, &width, &text, &sep, &nsep))
        return NULL;
    Table t;
    Py_ssize_t nparts = 0, n = 0;
    if (open_table(&t, v, 4, is64, little) < 0 || (parts = read_parts(dict, &nparts)) == NULL)
        goto done;
    if (width < 0 || width > 64) {
        PyErr_SetString(PyExc_ValueError, "width out of range");
        goto done;
    }
    if (t.count > UINT32_MAX || t.nstrings > UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "table too large");
        goto done;
    }
    rows = PyMem_Malloc(2 * sizeof(Row) * (size_t)(t.count ? t.count : 1)); /* and the merge buffer */
    if (rows == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* The length of the output, summed before one allocation; each row's parts found once. */
    size_t total = 0;
    Parts *last = NULL;
    for (Py_ssize_t i = 0; i < t.count; i++) {
        if (!t.keep[i])
            continue;
        Row *r = &rows[n];
        Py_ssize_t len;
        const unsigned char *name = name_of(&t, i, &len);
        if (name == NULL) {
            no_nul(i);
            goto done;
        }
        r->name = (uint32_t)(name - t.strings); /* 0 for the empty name of an empty table: len 0 */
        r->len = (uint32_t)len;
        r->index = (uint32_t)i;
        r->size = st_size(&t, i);
        Parts wanted = {.attr = key_of(&t, i) >> 32};
        if (last == NULL || last->attr != wanted.attr)
            last = bsearch(&wanted, parts, (size_t)nparts, sizeof(Parts), cmp_parts);
        if (last == NULL) {
            PyErr_Format(PyExc_KeyError, "no parts for attribute %llu", (unsigned long long)wanted.attr);
            goto done;
        }
        r->part = (uint32_t)(last - parts);
        set_head(r, name);
        Py_ssize_t digits = 1;
        for (uint64_t size = r->size; size >= 10; size /= 10)
            digits++;
        total += (size_t)(last->len[0] + last->len[1] + last->len[2] + len + (text && digits < width ? width : digits)
                          + (n ? nsep : 0));
        n++;
    }
    sort_rows(rows, rows + n, n, t.strings);
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total); /* exactly: no resize */
    if (out == NULL)
        goto done;
    char *w = PyBytes_AS_STRING(out);
    for (Py_ssize_t r = 0; r < n; r++) {
        const Parts *p = &parts[rows[r].part];
        const unsigned char *name = t.strings + rows[r].name;
        char digits[24];
        int nd = 0;
        for (uint64_t size = rows[r].size; nd == 0 || size; size /= 10)
            digits[nd++] = (char)('0' + size % 10);
        if (r) {
            memcpy(w, sep, (size_t)nsep);
            w += nsep;
        }
        memcpy(w, p->part[0], (size_t)p->len[0]);
        w += p->len[0];
        if (text) {
            for (int d = nd - 1; d >= 0; d--)
                *w++ = digits[d];
            for (Py_ssize_t pad = nd; pad < width; pad++)
                *w++ = ' ';
            memcpy(w, p->part[1], (size_t)p->len[1]);
            w += p->len[1];
            memcpy(w, name, rows[r].len);
            w += rows[r].len;
        } else {
            memcpy(w, name, rows[r].len);
            w += rows[r].len;
            memcpy(w, p->part[1], (size_t)p->len[1]);
            w += p->len[1];
            for (int d = nd - 1; d >= 0; d--)
                *w++ = digits[d];
        }
        memcpy(w, p->part[2], (size_t)p->len[2]);
        w += p->len[2];
    }
    if (w - PyBytes_AS_STRING(out) != (Py_ssize_t)total) { /* cannot be: the lengths summed above */
        Py_DECREF(out);
        PyErr_SetString(PyExc_SystemError, "_symtab.render: output length mismatch");
        goto done;
    }
    result = out;
done:
    PyMem_Free(rows);
    PyMem_Free(parts);
    release(v, 4);
    return result;
}

static PyMethodDef methods[] = {
    {"check", check, METH_VARARGS, "check(entries, strings, keep, is64, little) -> None"},
    {"survey", survey, METH_VARARGS,
     "survey(entries, strings, keys, keep, is64, little) -> (attrs, max_size, empty_name, longest)"},
    {"render", render, METH_VARARGS,
     "render(entries, strings, keys, keep, is64, little, parts, width, text, sep) -> bytes"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_symtab",
    .m_doc = "The per-symbol half of sffi symbols in C (see _symtab.c).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__symtab(void)
{
    PyObject *m = PyModule_Create(&module);
    /* sffi.symbols.bulk.SYMTAB_VERSION: a module built from an older _symtab.c is not used */
    if (m != NULL && PyModule_AddIntConstant(m, "VERSION", 2) < 0)
        Py_CLEAR(m);
    return m;
}
