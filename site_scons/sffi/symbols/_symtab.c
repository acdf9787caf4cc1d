/* sffi.symbols._symtab: symbol tables read in C, and the per-symbol half of `sffi symbols` and
 * `sffi diff` (docs/symbols.md, "The C path").
 *
 * sffi.symbols.symtab hands over a symbol table's bytes (the entries after the null one), its
 * string table and .gnu.version; this module decodes them (Elf32_Sym/Elf64_Sym, either byte
 * order) into one 0/1 byte per entry saying whether it is selected and one 8-byte key per entry,
 * and does the work per selected symbol that Python cannot do fast: making a string per name,
 * sorting them and joining the lines. Here:
 *
 *   decode(entries, strings, versym, is64, little, selection) -> (keep, keys, exact)
 *       the selection (0 all, 1 exports, 2 undefined) and the keys of every entry (see decode()
 *       below), whether every st_size is below 2**32; then checks as check does.
 *   names(entries, strings, keep, is64, little) -> list[str]
 *       the selected names, one string per distinct offset (UTF-8, errors replaced).
 *   column(entries, keep, is64, little, field) -> list[int]
 *       st_value (0), st_size (1) or st_name (2) of the selected entries.
 *   entries(entries, strings, is64, little, indexes) -> list[(name, st_size, st_value)]
 *       those of some entries (sffi diff's differing names).
 *   check(entries, strings, keep, is64, little) -> None
 *       checks every entry's st_name against the string table (ValueError(index, offset)
 *       for the first bad one; sffi.symbols.symtab words the message), and that each selected name
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
 *   diff(side_a, side_b, vnames, common, variable, limit) -> None | (changed, ignored, corrupt, functions)
 *       sffi diff's comparison of two shared objects' exports (docs/symbols.md, "The C path"):
 *       each side (entries, strings, keys, keep, is64, little, vids) is reduced to its
 *       interfaces, sorted by name and the two merge-walked; only the names whose export
 *       differs come back (see diff() below).
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

/* A 16-bit field (st_shndx, a .gnu.version index) in the file's byte order. */
static inline uint32_t load16(const unsigned char *p, int little)
{
    return little ? (uint32_t)(p[0] | p[1] << 8) : (uint32_t)(p[0] << 8 | p[1]);
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
    memcpy(&k, t->keys + 8 * i, 8); /* host order, as decode() makes it */
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

/* ------------------------------------------------------------------ decode: the table itself */

#define SHN_COMMON 0xFFF2u
enum { SELECT_ALL, SELECT_EXPORTS, SELECT_UNDEFINED };

/* Whether an entry of st_info `info`, st_other `other`, defined or not, is selected: never a
 * section or file symbol; exports: bound global, weak or unique (STB_GNU_UNIQUE), visibility
 * default or protected, defined (sffi.symbols.model.Symbol.is_export); undefined: SHN_UNDEF. */
static int selected(unsigned info, unsigned other, int defined, int selection)
{
    unsigned type = info & 15, bind = info >> 4, vis = other & 3;
    if (type == 3 || type == 4) /* STT_SECTION, STT_FILE */
        return 0;
    if (selection == SELECT_EXPORTS)
        return defined && (bind == 1 || bind == 2 || bind == 10) && (vis == 0 || vis == 3);
    if (selection == SELECT_UNDEFINED)
        return !defined;
    return 1;
}

/* The .gnu.version index of entry i: versym holds the indexes from entry 1 on (2 bytes each, the
 * file's byte order); past the end of a short section, or without one, 0. */
static uint32_t versym_of(const unsigned char *versym, Py_ssize_t nversym, Py_ssize_t i, int little)
{
    if (versym == NULL || 2 * i + 2 > nversym)
        return 0;
    return load16(versym + 2 * i, little);
}

/* decode(entries, strings, versym, is64, little, selection) -> (keep, keys, exact): the selected
 * entries (one 0/1 byte each), the key of every entry (8 bytes each, host order: bits 0-31 the low
 * 32 bits of st_size, 32-39 st_info, 40-41 st_other & 3, 42 SHN_COMMON, 43 defined, 48-63 the
 * .gnu.version index) and whether every st_size is below 2**32; then check_names. */
static PyObject *decode(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer v[3] = {{0}}, vs = {0};
    PyObject *versym, *keep = NULL, *keys = NULL, *result = NULL;
    int is64, little, selection;
    if (!PyArg_ParseTuple(args, "y*y*Oppi:decode", &v[0], &v[1], &versym, &is64, &little, &selection))
        return NULL;
    if (selection < SELECT_ALL || selection > SELECT_UNDEFINED) {
        PyErr_SetString(PyExc_ValueError, "selection must be 0 (all), 1 (exports) or 2 (undefined)");
        goto done;
    }
    if (versym != Py_None && PyObject_GetBuffer(versym, &vs, PyBUF_SIMPLE) < 0)
        goto done;
    Py_ssize_t entsize = is64 ? 24 : 16, count = v[0].len / entsize;
    keep = PyBytes_FromStringAndSize(NULL, count);
    keys = PyByteArray_FromStringAndSize(NULL, 8 * count);
    if (keep == NULL || keys == NULL)
        goto done;
    unsigned char *kp = (unsigned char *)PyBytes_AS_STRING(keep), *kk = (unsigned char *)PyByteArray_AS_STRING(keys);
    /* the entries alone, for st_size(); open_table() below adds the rest */
    Table t = {.entries = v[0].buf, .entsize = entsize, .is64 = is64, .little = little, .count = count};
    const unsigned char *e = t.entries;
    int exact = 1;
    for (Py_ssize_t i = 0; i < count; i++, e += entsize) {
        unsigned info = is64 ? e[4] : e[12], other = is64 ? e[5] : e[13];
        uint32_t shndx = load16(e + (is64 ? 6 : 14), little);
        uint64_t size = st_size(&t, i);
        int defined = shndx != 0;
        exact &= size >> 32 == 0;
        kp[i] = (unsigned char)selected(info, other, defined, selection);
        uint64_t key = (size & 0xFFFFFFFFu) | (uint64_t)info << 32 | (uint64_t)(other & 3) << 40
                       | (uint64_t)(shndx == SHN_COMMON) << 42 | (uint64_t)defined << 43
                       | (uint64_t)versym_of(vs.obj ? vs.buf : NULL, vs.len, i, little) << 48;
        memcpy(kk + 8 * i, &key, 8);
    }
    Py_buffer tv[4] = {v[0], v[1], {.buf = kp, .len = count}, {.buf = kk, .len = 8 * count}};
    if (open_table(&t, tv, 4, is64, little) < 0 || check_names(&t) < 0)
        goto done;
    result = Py_BuildValue("(OOO)", keep, keys, exact ? Py_True : Py_False);
done:
    Py_XDECREF(keep);
    Py_XDECREF(keys);
    release(v, 3);
    if (vs.obj != NULL)
        PyBuffer_Release(&vs);
    return result;
}

/* A map from name offsets to the strings made for them: open addressing, never full (twice the
 * entries it will hold), so that N entries naming one offset share one string (issue 24). */
typedef struct {
    uint32_t *offset;
    PyObject **name;
    size_t mask;
} Names;

static PyObject **names_slot(Names *m, uint32_t off)
{
    size_t at = (size_t)(((uint64_t)off * 0x9E3779B97F4A7C15ull) >> 20) & m->mask;
    while (m->name[at] != NULL && m->offset[at] != off)
        at = (at + 1) & m->mask;
    m->offset[at] = off;
    return &m->name[at];
}

/* names(entries, strings, keep, is64, little) -> list[str]: the selected entries' names, in table
 * order, decoded as UTF-8 with replacement (as pyelftools does); one string per distinct offset. */
static PyObject *names(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer v[3] = {{0}};
    int is64, little;
    PyObject *list = NULL, *result = NULL;
    Names m = {0};
    if (!PyArg_ParseTuple(args, "y*y*y*pp:names", &v[0], &v[1], &v[2], &is64, &little))
        return NULL;
    Table t;
    if (open_table(&t, v, 3, is64, little) < 0)
        goto done;
    Py_ssize_t n = 0;
    for (Py_ssize_t i = 0; i < t.count; i++)
        n += t.keep[i] != 0;
    size_t capacity = 16;
    while (capacity < 2 * (size_t)n)
        capacity *= 2;
    m.offset = PyMem_Calloc(capacity, sizeof(uint32_t));
    m.name = PyMem_Calloc(capacity, sizeof(PyObject *));
    m.mask = capacity - 1;
    if (m.offset == NULL || m.name == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if ((list = PyList_New(n)) == NULL)
        goto done;
    for (Py_ssize_t i = 0, k = 0; i < t.count; i++) {
        if (!t.keep[i])
            continue;
        PyObject **slot = names_slot(&m, st_name(&t, i));
        if (*slot == NULL) {
            Py_ssize_t len;
            const unsigned char *s = name_of(&t, i, &len);
            if (s == NULL) {
                no_nul(i);
                goto done;
            }
            if ((*slot = PyUnicode_DecodeUTF8((const char *)s, len, "replace")) == NULL)
                goto done;
        }
        PyList_SET_ITEM(list, k++, Py_NewRef(*slot));
    }
    result = Py_NewRef(list);
done:
    for (size_t i = 0; m.name != NULL && i <= m.mask; i++)
        Py_XDECREF(m.name[i]);
    PyMem_Free(m.offset);
    PyMem_Free(m.name);
    Py_XDECREF(list);
    release(v, 3);
    return result;
}

/* One field of entry i: 0 st_value, 1 st_size, 2 st_name. */
static uint64_t field_of(const Table *t, Py_ssize_t i, int field)
{
    const unsigned char *e = t->entries + i * t->entsize;
    if (field == 2)
        return st_name(t, i);
    if (field == 1)
        return st_size(t, i);
    return t->is64 ? load(e + 8, 8, t->little) : load(e + 4, 4, t->little);
}

/* column(entries, keep, is64, little, field) -> list[int]: field (0 st_value, 1 st_size, 2 st_name)
 * of the selected entries, in full, in table order. */
static PyObject *column(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer v[3] = {{0}};
    int is64, little, field;
    PyObject *list = NULL;
    if (!PyArg_ParseTuple(args, "y*y*ppi:column", &v[0], &v[2], &is64, &little, &field))
        return NULL;
    /* no string table: views 0 (entries) and 2 (keep) */
    Table t;
    if (field < 0 || field > 2) {
        PyErr_SetString(PyExc_ValueError, "field must be 0 (st_value), 1 (st_size) or 2 (st_name)");
        goto done;
    }
    if (open_table(&t, v, 3, is64, little) < 0)
        goto done;
    if ((list = PyList_New(0)) == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < t.count; i++) {
        if (!t.keep[i])
            continue;
        PyObject *value = PyLong_FromUnsignedLongLong(field_of(&t, i, field));
        if (value == NULL || PyList_Append(list, value) < 0) {
            Py_XDECREF(value);
            Py_CLEAR(list);
            goto done;
        }
        Py_DECREF(value);
    }
done:
    release(v, 3);
    return list;
}

/* entries(entries, strings, is64, little, indexes) -> list[(name, st_size, st_value)]: those of the
 * entries `indexes` (a sequence of ints, each below the entry count), names as names() decodes them. */
static PyObject *entries_at(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer v[3] = {{0}};
    int is64, little;
    PyObject *indexes, *seq = NULL, *list = NULL;
    if (!PyArg_ParseTuple(args, "y*y*ppO:entries", &v[0], &v[1], &is64, &little, &indexes))
        return NULL;
    Table t = {.entries = v[0].buf, .strings = v[1].buf, .nstrings = v[1].len, .entsize = is64 ? 24 : 16,
               .is64 = is64, .little = little};
    t.count = v[0].len / t.entsize;
    if ((seq = PySequence_Fast(indexes, "indexes must be a sequence")) == NULL)
        goto done;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if ((list = PyList_New(n)) == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t i = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(seq, k)), len;
        if (i == -1 && PyErr_Occurred())
            goto bad;
        if (i < 0 || i >= t.count) {
            PyErr_Format(PyExc_IndexError, "entry %zd of a table of %zd", i, t.count);
            goto bad;
        }
        const unsigned char *s = name_of(&t, i, &len);
        if (s == NULL) {
            no_nul(i);
            goto bad;
        }
        PyObject *item = Py_BuildValue("(NKK)", PyUnicode_DecodeUTF8((const char *)s, len, "replace"),
                                       (unsigned long long)field_of(&t, i, 1), (unsigned long long)field_of(&t, i, 0));
        if (item == NULL)
            goto bad;
        PyList_SET_ITEM(list, k, item);
    }
    goto done;
bad:
    Py_CLEAR(list);
done:
    Py_XDECREF(seq);
    release(v, 2);
    return list;
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
    if (n > HEAD && x->name != y->name) { /* one offset: one name (N symbols naming one long string) */
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

/* ------------------------------------------------------------------ diff: sffi diff's comparison */

/* The attribute of a key (key >> 32, Row.part): st_info in bits 0-7, the flags of decode()
 * (visibility, SHN_COMMON, defined) in 8-11, the .gnu.version index in 16-31. */
#define ATTR_COMMON (1u << 10)
#define ATTR_DEFINED (1u << 11)
#define VERSYM_HIDDEN 0x8000u
#define NVIDS 32768 /* .gnu.version indexes without the hidden bit */
#define VID_CORRUPT (1u << 31)

/* One side of diff(): its table, the version id of each .gnu.version index (vids, 4 bytes each in
 * host order: the position of its version's name in `vnames`, 0 for none; bit 31 set for an index
 * naming no version) and its interfaces as rows, sorted by name. */
typedef struct {
    Table t;
    const unsigned char *vids;
    Row *rows;
    Py_ssize_t n, ignored, corrupt;
} Side;

/* The version names both sides' ids index, as (pointer, length) pairs. */
typedef struct {
    const char **name;
    Py_ssize_t *len, count;
} Vnames;

static uint32_t vid_of(const Side *s, uint32_t attr)
{
    uint32_t index = attr >> 16 & (NVIDS - 1), vid;
    if (index <= 1) /* VER_NDX_LOCAL, VER_NDX_GLOBAL: unversioned */
        return 0;
    memcpy(&vid, s->vids + 4 * (size_t)index, 4);
    return vid;
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* diff_inputs._RUST_HASHED, ^(_ZN.*17h[0-9a-f]{16}E|_R[NCMXYIB].*)$, for a name without a
 * newline (the caller's precondition: `.` and `$` then need no special case). */
static int rust_hashed(const unsigned char *s, Py_ssize_t len)
{
    if (len >= 3 && s[0] == '_' && s[1] == 'R' && memchr("NCMXYIB", s[2], 7) != NULL)
        return 1;
    if (len < 23 || memcmp(s, "_ZN", 3) != 0 || s[len - 1] != 'E' || memcmp(s + len - 20, "17h", 3) != 0)
        return 0;
    for (Py_ssize_t i = len - 17; i < len - 1; i++)
        if (!is_hex(s[i]))
            return 0;
    return 1;
}

/* The interfaces of one side as rows (diff_inputs._collect, _interfaces): the selected defined
 * entries but a version node's symbol (its name is its version's) and Rust-hashed names
 * (counted in ignored); corrupt version indexes of every selected entry counted. 0; 1 when the
 * names total more than `limit` bytes (the caller takes the Python path); -1 with an exception. */
static int gather(Side *s, const Vnames *vn, Py_ssize_t limit)
{
    const Table *t = &s->t;
    Py_ssize_t total = 0;
    s->rows = PyMem_Malloc(2 * sizeof(Row) * (size_t)(t->count ? t->count : 1)); /* and the merge buffer */
    if (s->rows == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < t->count; i++) {
        if (!t->keep[i])
            continue;
        uint32_t attr = (uint32_t)(key_of(t, i) >> 32), vid = vid_of(s, attr);
        s->corrupt += (vid & VID_CORRUPT) != 0;
        vid &= ~VID_CORRUPT;
        if (vid >= (uint32_t)vn->count) {
            PyErr_Format(PyExc_ValueError, "version id %lu out of range", (unsigned long)vid);
            return -1;
        }
        if (!(attr & ATTR_DEFINED))
            continue;
        Py_ssize_t len;
        const unsigned char *name = name_of(t, i, &len);
        if (name == NULL)
            return no_nul(i);
        if (len && vid && vn->len[vid] == len && memcmp(vn->name[vid], name, (size_t)len) == 0)
            continue;
        if (rust_hashed(name, len)) {
            s->ignored++;
            continue;
        }
        total += len;
        if (total > limit)
            return 1;
        Row *r = &s->rows[s->n++];
        r->name = len ? (uint32_t)(name - t->strings) : 0;
        r->len = (uint32_t)len;
        r->index = (uint32_t)i;
        r->size = st_size(t, i);
        r->part = attr;
        set_head(r, name);
    }
    sort_rows(s->rows, s->rows + s->n, s->n, t->strings);
    return 0;
}

/* Order of two names, x's in sx and y's in sy (cmp_row without the table order). */
static int cmp_names(const Row *x, const unsigned char *sx, const Row *y, const unsigned char *sy)
{
    for (int h = 0; h < HEAD / 8; h++)
        if (x->head[h] != y->head[h])
            return x->head[h] < y->head[h] ? -1 : 1;
    uint32_t n = x->len < y->len ? x->len : y->len;
    if (n > HEAD) {
        int c = memcmp(sx + x->name + HEAD, sy + y->name + HEAD, n - HEAD);
        if (c)
            return c;
    }
    return x->len < y->len ? -1 : x->len > y->len;
}

/* STB_GLOBAL, STB_GNU_UNIQUE, STB_WEAK: the export bindings, strongest first (diff_inputs._BINDING_RANK); -1 else. */
static int rank_of(uint32_t attr)
{
    switch (attr >> 4 & 15) {
    case 1: return 0;
    case 10: return 1;
    case 2: return 2;
    default: return -1;
    }
}

/* The export (binding global, unique or weak; visibility default or protected) of a run of rows of one
 * name, the strongest binding first in table order; and the first private one (local or of an export
 * binding, not exported): diff_inputs._collect's choices. */
static void pick(const Row *rows, Py_ssize_t n, const Row **export, const Row **private)
{
    *export = *private = NULL;
    int best = 3;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint32_t attr = rows[i].part, vis = attr >> 8 & 3;
        int rank = rank_of(attr);
        if (rank >= 0 && (vis == 0 || vis == 3)) {
            if (rank < best) {
                best = rank;
                *export = &rows[i];
            }
        } else if (*private == NULL && (rank >= 0 || (attr >> 4 & 15) == 0)) {
            *private = &rows[i];
        }
    }
}

/* The end of the run of rows named as rows[at], within n. */
static Py_ssize_t run_end(const Row *rows, Py_ssize_t at, Py_ssize_t n, const unsigned char *strings)
{
    Py_ssize_t end = at + 1;
    while (end < n && (rows[end].name == rows[at].name && rows[end].len == rows[at].len
                       ? 1 : cmp_names(&rows[end], strings, &rows[at], strings) == 0))
        end++;
    return end;
}

typedef struct {
    int common;                    /* the st_info type that SHN_COMMON is spelled as */
    const unsigned char *variable; /* 16 bytes: whether a type is a variable's (diff._VARIABLE_TYPES) */
} Types;

/* Whether two exports differ in what diff._COMPARED reads: type, binding, visibility, size,
 * version, hidden version. */
static int exports_differ(const Row *a, const Side *sa, const Row *b, const Side *sb, const Types *ty)
{
    uint32_t x = a->part, y = b->part, vx = vid_of(sa, x) & ~VID_CORRUPT, vy = vid_of(sb, y) & ~VID_CORRUPT;
    int tx = x & ATTR_COMMON ? ty->common : (int)(x & 15), ty_ = y & ATTR_COMMON ? ty->common : (int)(y & 15);
    int hx = (x >> 16 & VERSYM_HIDDEN) && vx, hy = (y >> 16 & VERSYM_HIDDEN) && vy;
    return tx != ty_ || (x >> 4 & 15) != (y >> 4 & 15) || (x >> 8 & 3) != (y >> 8 & 3) || a->size != b->size
           || vx != vy || hx != hy;
}

static int is_variable(const Row *r, const Types *ty)
{
    return ty->variable[r->part & ATTR_COMMON ? ty->common : (int)(r->part & 15)];
}

static PyObject *index_or_none(const Row *r)
{
    return r ? PyLong_FromUnsignedLong(r->index) : Py_NewRef(Py_None);
}

/* Append (export a, export b, private a, private b) (entry indexes or None) to out: -1 on error. */
static int add_change(PyObject *out, const Row *ea, const Row *eb, const Row *pa, const Row *pb)
{
    PyObject *item = Py_BuildValue("(NNNN)", index_or_none(ea), index_or_none(eb), index_or_none(pa),
                                   index_or_none(pb));
    if (item == NULL)
        return -1;
    int rc = PyList_Append(out, item);
    Py_DECREF(item);
    return rc;
}

/* Merge-walk the sorted interfaces of a and b: the changes into out, the functions both export. */
static int walk(const Side *a, const Side *b, const Types *ty, PyObject *out, Py_ssize_t *functions)
{
    Py_ssize_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        int c = i == a->n ? 1 : j == b->n ? -1 : cmp_names(&a->rows[i], a->t.strings, &b->rows[j], b->t.strings);
        const Row *ea = NULL, *pa = NULL, *eb = NULL, *pb = NULL;
        if (c <= 0) {
            Py_ssize_t end = run_end(a->rows, i, a->n, a->t.strings);
            pick(a->rows + i, end - i, &ea, &pa);
            i = end;
        }
        if (c >= 0) {
            Py_ssize_t end = run_end(b->rows, j, b->n, b->t.strings);
            pick(b->rows + j, end - j, &eb, &pb);
            j = end;
        }
        if (ea && eb && !is_variable(ea, ty) && !is_variable(eb, ty))
            ++*functions;
        if ((ea || eb) && (!ea || !eb || exports_differ(ea, a, eb, b, ty)) && add_change(out, ea, eb, pa, pb) < 0)
            return -1;
    }
    return 0;
}

/* vnames (a list of bytes) as pointers and lengths; -1 with an exception set. */
static int read_vnames(PyObject *list, Vnames *vn)
{
    vn->count = PyList_GET_SIZE(list);
    vn->name = PyMem_Malloc(sizeof(char *) * (size_t)(vn->count ? vn->count : 1));
    vn->len = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(vn->count ? vn->count : 1));
    if (vn->name == NULL || vn->len == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < vn->count; i++) {
        char *s;
        if (PyBytes_AsStringAndSize(PyList_GET_ITEM(list, i), &s, &vn->len[i]) < 0)
            return -1;
        vn->name[i] = s;
    }
    return 0;
}

static int open_side(Side *s, Py_buffer *v, int is64, int little)
{
    if (open_table(&s->t, v, 4, is64, little) < 0)
        return -1;
    if (v[4].len < 4 * NVIDS) {
        PyErr_SetString(PyExc_ValueError, "vids are shorter than 32768 entries");
        return -1;
    }
    if (s->t.count > UINT32_MAX || s->t.nstrings > UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "table too large");
        return -1;
    }
    s->vids = v[4].buf;
    return 0;
}

static PyObject *diff(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer va[5] = {{0}}, vb[5] = {{0}}, vv = {0};
    int is64a, littlea, is64b, littleb, common;
    Py_ssize_t limit, functions = 0;
    PyObject *vlist, *out = NULL, *result = NULL;
    Side a = {0}, b = {0};
    Vnames vn = {0};
    if (!PyArg_ParseTuple(args, "(y*y*y*y*ppy*)(y*y*y*y*ppy*)O!iy*n:diff",
                          &va[0], &va[1], &va[3], &va[2], &is64a, &littlea, &va[4],
                          &vb[0], &vb[1], &vb[3], &vb[2], &is64b, &littleb, &vb[4],
                          &PyList_Type, &vlist, &common, &vv, &limit))
        return NULL;
    /* argument order per side: entries, strings, keys, keep, is64, little, vids */
    if (common < 0 || common > 15 || vv.len < 16) {
        PyErr_SetString(PyExc_ValueError, "common must be a type (0-15), variable 16 bytes");
        goto done;
    }
    Types ty = {common, vv.buf};
    if (open_side(&a, va, is64a, littlea) < 0 || open_side(&b, vb, is64b, littleb) < 0 || read_vnames(vlist, &vn) < 0)
        goto done;
    int ra = gather(&a, &vn, limit), rb = ra ? ra : gather(&b, &vn, limit);
    if (ra < 0 || rb < 0)
        goto done;
    if (ra || rb) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    if ((out = PyList_New(0)) == NULL || walk(&a, &b, &ty, out, &functions) < 0)
        goto done;
    result = Py_BuildValue("(O(nn)(nn)n)", out, a.ignored, b.ignored, a.corrupt, b.corrupt, functions);
done:
    Py_XDECREF(out);
    PyMem_Free(a.rows);
    PyMem_Free(b.rows);
    PyMem_Free(vn.name);
    PyMem_Free(vn.len);
    release(va, 5);
    release(vb, 5);
    if (vv.obj != NULL)
        PyBuffer_Release(&vv);
    return result;
}

static PyMethodDef methods[] = {
    {"check", check, METH_VARARGS, "check(entries, strings, keep, is64, little) -> None"},
    {"decode", decode, METH_VARARGS,
     "decode(entries, strings, versym, is64, little, selection) -> (keep, keys, exact)"},
    {"names", names, METH_VARARGS, "names(entries, strings, keep, is64, little) -> list[str]"},
    {"column", column, METH_VARARGS, "column(entries, keep, is64, little, field) -> list[int]"},
    {"entries", entries_at, METH_VARARGS,
     "entries(entries, strings, is64, little, indexes) -> list[(name, size, value)]"},
    {"survey", survey, METH_VARARGS,
     "survey(entries, strings, keys, keep, is64, little) -> (attrs, max_size, empty_name, longest)"},
    {"render", render, METH_VARARGS,
     "render(entries, strings, keys, keep, is64, little, parts, width, text, sep) -> bytes"},
    {"diff", diff, METH_VARARGS,
     "diff((entries, strings, keys, keep, is64, little, vids) * 2, vnames, common, variable, limit) -> None | "
     "(changes, (ignored a, b), (corrupt a, b), functions)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_symtab",
    .m_doc = "The per-symbol half of sffi symbols and sffi diff in C (see _symtab.c).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__symtab(void)
{
    PyObject *m = PyModule_Create(&module);
    /* sffi.symbols.symtab.SYMTAB_VERSION: a module built from an older _symtab.c is not used */
    if (m != NULL && PyModule_AddIntConstant(m, "VERSION", 4) < 0)
        Py_CLEAR(m);
    return m;
}
