/* modfile.c - the ".sffi_module" section of an FFI module, read without loading it. */
#define _POSIX_C_SOURCE 200809L
#include "modfile.h"

#include <elf.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sffi_module.h"
#include "diag.h"
#include "abi.h"
#include "util.h"

#define SECTION_MAX (4u << 20)   /* a section beyond 4 MiB is not ours */

static char *reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *reason(const char *fmt, ...)
{
    StrBuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    spl_sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    return spl_sb_take(&sb);
}

/* Reads `n` bytes at `off` of a file of `size` bytes; a short file is "truncated". */
static char *read_at(int fd, off_t size, uint64_t off, void *buf, size_t n, const char *what)
{
    if (off > (uint64_t)size || n > (uint64_t)size - off)
        return reason("truncated: the file has %lld bytes, its %s end at byte %llu",
                      (long long)size, what, (unsigned long long)(off + n));
    if (pread(fd, buf, n, (off_t)off) != (ssize_t)n)
        return reason("cannot read its %s: %s", what, strerror(errno));
    return NULL;
}

static const char *file_kind(mode_t mode)
{
    return S_ISFIFO(mode) ? "a FIFO" : S_ISDIR(mode) ? "a directory" : S_ISCHR(mode) ? "a character device"
         : S_ISBLK(mode) ? "a block device" : S_ISSOCK(mode) ? "a socket" : "not a plain file";
}

static char *check_header(const Elf64_Ehdr *h, off_t size)
{
    if (size < (off_t)sizeof *h || memcmp(h->e_ident, ELFMAG, SELFMAG) != 0)
        return reason("not an ELF file (%s)", size < SELFMAG ? "shorter than an ELF header"
                                                             : "it does not start with \\x7fELF");
    if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_ident[EI_DATA] != ELFDATA2LSB)
        return reason("not a 64-bit little-endian ELF file, as this runtime is");
    if (h->e_type != ET_DYN)
        return reason("not a shared object (ELF type %u)", (unsigned)h->e_type);
    if (h->e_shentsize != sizeof(Elf64_Shdr) || h->e_shnum == 0 || h->e_shstrndx >= h->e_shnum)
        return reason("its ELF section header table is missing or malformed");
    return NULL;
}

/* The contents of the section named SFFI_MODULE_SECTION, NUL-terminated, in *out. */
static char *find_section(int fd, off_t size, char **out)
{
    Elf64_Ehdr h;
    char *err = read_at(fd, size, 0, &h, size < (off_t)sizeof h ? (size_t)size : sizeof h, "ELF header");
    if (err || (err = check_header(&h, size)))
        return err;
    Elf64_Shdr *sh = spl_xmalloc(h.e_shnum * sizeof *sh);
    char *names = NULL;
    if ((err = read_at(fd, size, h.e_shoff, sh, h.e_shnum * sizeof *sh, "section headers")))
        goto done;
    const Elf64_Shdr *strtab = &sh[h.e_shstrndx];
    if (strtab->sh_size > SECTION_MAX) {
        err = reason("its section name table is implausibly large");
        goto done;
    }
    names = spl_xcalloc(strtab->sh_size + 1, 1);
    if ((err = read_at(fd, size, strtab->sh_offset, names, strtab->sh_size, "section names")))
        goto done;
    for (int i = 0; i < h.e_shnum; i++) {
        if (sh[i].sh_name >= strtab->sh_size || strcmp(names + sh[i].sh_name, SFFI_MODULE_SECTION) != 0)
            continue;
        if (sh[i].sh_type == SHT_NOBITS || sh[i].sh_size == 0 || sh[i].sh_size > SECTION_MAX) {
            err = reason("its %s section is empty or too large", SFFI_MODULE_SECTION);
            goto done;
        }
        *out = spl_xcalloc(sh[i].sh_size + 1, 1);
        if ((err = read_at(fd, size, sh[i].sh_offset, *out, sh[i].sh_size, SFFI_MODULE_SECTION " section"))) {
            free(*out);
            *out = NULL;
        }
        goto done;
    }
    err = reason("it has no %s section: not an FFI module built by sffi", SFFI_MODULE_SECTION);
done:
    free(sh);
    free(names);
    return err;
}

/* "i64", "text?" or "[u8]" into a type code (maybe | SFFI_OPTIONAL), -1 if unknown. */
static int type_code(const char *spelling, size_t len, bool optional_ok)
{
    char buf[32];
    bool optional = len > 0 && spelling[len - 1] == '?';
    if (optional && !optional_ok)
        return -1;
    len -= optional;
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, spelling, len);
    buf[len] = '\0';
    int code = spl_sffi_type_code(buf);
    return code < 0 ? -1 : code | (optional ? SFFI_OPTIONAL : 0);
}

/* Splits "a, b, c" (no parentheses) into codes; false if a type is unknown or there are too many. */
static bool type_list(const char *s, size_t len, uint8_t *codes, uint8_t *n, int max, bool optional_ok)
{
    *n = 0;
    if (len == 0)
        return true;
    for (size_t start = 0;;) {
        const char *comma = memchr(s + start, ',', len - start);
        size_t end = comma ? (size_t)(comma - s) : len;
        int code = *n < max ? type_code(s + start, end - start, optional_ok) : -1;
        if (code < 0)
            return false;
        codes[(*n)++] = (uint8_t)code;
        if (!comma)
            return true;
        if (end + 2 > len || s[end + 1] != ' ')
            return false;
        start = end + 2;
    }
}

bool spl_modfile_parse_signature(const char *sig, ModEntry *e)
{
    /* "(P, P) -> R", "(P) -> (E, E)", "(P) -> [(E, E)]?" or "(P)": the canonical
     * form of docs/abi.md, as spl_sffi_result_text() spells results */
    size_t len = strlen(sig);
    const char *close = strchr(sig, ')');
    if (len < 2 || sig[0] != '(' || !close)
        return false;
    if (!type_list(sig + 1, (size_t)(close - sig - 1), e->params, &e->n_params, SFFI_MAX_PARAMS, false))
        return false;
    const char *rest = close + 1;
    e->n_items = 0;
    if (*rest == '\0') {
        e->result = SFFI_NONE;
        return true;
    }
    if (strncmp(rest, " -> ", 4) != 0)
        return false;
    rest += 4;
    size_t rlen = strlen(rest);
    bool optional = rlen > 0 && rest[rlen - 1] == '?';
    if (strncmp(rest, "[(", 2) == 0) { /* an array of tuples: "[(text, i64)]" or "[(...)]?" */
        size_t end = rlen - optional;
        if (end < 4 || strncmp(rest + end - 2, ")]", 2) != 0 || memchr(rest + 2, '(', end - 4) ||
            memchr(rest + 2, ')', end - 4))
            return false;
        e->result = SFFI_TUPLE_ARRAY | (optional ? SFFI_OPTIONAL : 0);
        return type_list(rest + 2, end - 4, e->items, &e->n_items, SFFI_MAX_TUPLE, true) && e->n_items > 0;
    }
    if (rest[0] == '(') {
        if (rlen < 2 || rest[rlen - 1] != ')' || memchr(rest + 1, '(', rlen - 2) || memchr(rest + 1, ')', rlen - 2))
            return false;
        e->result = SFFI_TUPLE;
        return type_list(rest + 1, rlen - 2, e->items, &e->n_items, SFFI_MAX_TUPLE, true) && e->n_items > 0;
    }
    int code = type_code(rest, rlen, true);
    e->result = code < 0 ? 0 : (uint8_t)code;
    return code > 0;
}

static char **field_slot(ModFacts *f, const char *key)
{
    static const char *const KEYS[] = {"library", "sffi_version", "digest", "build_id", "rebuild"};
    char **slots[] = {&f->library, &f->sffi_version, &f->digest, &f->build_id, &f->rebuild};
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++)
        if (strcmp(KEYS[i], key) == 0)
            return slots[i];
    return NULL;
}

static char *parse_line(ModFacts *f, char *line, int number, int *cap)
{
    char *value = strchr(line, ' ');
    if (!value)
        return reason("%s line %d is malformed", SFFI_MODULE_SECTION, number);
    *value++ = '\0';
    char **slot = field_slot(f, line);
    char *sig = strchr(value, ' ');
    if (strcmp(line, "entry") == 0 && sig) {
        spl_grow_array((void **)&f->entries, cap, f->n_entries + 1, sizeof *f->entries);
        ModEntry *e = &f->entries[f->n_entries++];
        memset(e, 0, sizeof *e);
        *sig = '\0';
        e->name = spl_escaped(value);
        e->signature = spl_escaped(sig + 1);
        if (!spl_modfile_parse_signature(sig + 1, e))
            return reason("%s line %d: the signature of %s, '%s', is not one this runtime reads",
                          SFFI_MODULE_SECTION, number, e->name, e->signature);
    } else if (strcmp(line, "abi_version") == 0) {
        f->abi_version = atoi(value);
    } else if (slot && !*slot) {
        *slot = spl_escaped(value);
    } else {
        char *shown = spl_escaped(line);
        char *why = reason("%s line %d: unexpected field '%.60s'", SFFI_MODULE_SECTION, number, shown);
        free(shown);
        return why;
    }
    return NULL;
}

static char *parse_text(char *text, ModFacts *f)
{
    char first[32];
    snprintf(first, sizeof first, "sffi-module %d", SFFI_MODULE_FORMAT);
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    if (!line || strcmp(line, first) != 0) {
        char *shown = spl_escaped(line ? line : "");
        char *why = reason("its %s section is not in format %d (it starts '%.40s')", SFFI_MODULE_SECTION,
                           SFFI_MODULE_FORMAT, shown);
        free(shown);
        return why;
    }
    int cap = 0, number = 1;
    char *err = NULL;
    while (!err && (line = strtok_r(NULL, "\n", &save)))
        err = parse_line(f, line, ++number, &cap);
    if (!err && (!f->library || !f->sffi_version || !f->digest || !f->build_id || !f->rebuild))
        err = reason("its %s section lacks a field (library, sffi_version, digest, build_id, rebuild)",
                     SFFI_MODULE_SECTION);
    /* Sorted, each name once: the loaded descriptor is compared with these
     * entry by entry and then searched by bsearch (modules.c). */
    for (int i = 1; !err && i < f->n_entries; i++)
        if (strcmp(f->entries[i - 1].name, f->entries[i].name) >= 0)
            err = reason("its %s section's entries are not sorted by name (%s before %s)", SFFI_MODULE_SECTION,
                         f->entries[i - 1].name, f->entries[i].name);
    return err;
}

char *spl_modfile_read(const char *path, ModFacts *facts)
{
    /* O_NONBLOCK: a FIFO (or a device) put on the search path must not block
     * the open; it is then refused as not a regular file (issue 24). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return reason("cannot open it: %s", strerror(errno));
    struct stat st;
    char *text = NULL, *err = NULL;
    if (fstat(fd, &st) != 0)
        err = reason("cannot stat it: %s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        err = reason("not a regular file (%s): only regular files are FFI modules", file_kind(st.st_mode));
    else if (!(err = find_section(fd, st.st_size, &text))) {
        ModFacts f = {0};
        if ((err = parse_text(text, &f)))
            spl_modfile_free(&f);
        else
            *facts = f;
    }
    free(text);
    close(fd);
    return err;
}

int spl_modfile_find(const ModFacts *facts, const char *name)
{
    for (int i = 0; i < facts->n_entries; i++)
        if (strcmp(facts->entries[i].name, name) == 0)
            return i;
    return -1;
}

void spl_modfile_free(ModFacts *f)
{
    for (int i = 0; i < f->n_entries; i++) {
        free(f->entries[i].name);
        free(f->entries[i].signature);
    }
    free(f->entries);
    free(f->library);
    free(f->sffi_version);
    free(f->digest);
    free(f->build_id);
    free(f->rebuild);
    memset(f, 0, sizeof *f);
}
