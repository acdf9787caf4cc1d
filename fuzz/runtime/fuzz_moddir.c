/*
 * fuzz_moddir.c - libFuzzer target `runtime_moddir`: a hostile module directory
 * (issue 24 items 2-5).
 *
 * Each input is a program of operations on a fresh search directory: regular
 * files of any bytes, ELF shared objects whose .sffi_module section holds any
 * bytes, FIFOs, symbolic links (to each other, /dev/null, a directory, nowhere),
 * directories named like modules, file and directory permissions, owners (when
 * run as root) and names with control characters. Then the runtime indexes
 * the directory as `simple --externs [--json]` and `--version` do, and checks
 * two declarations against it (spl_modules_check: everything short of
 * dlopen, which is never called here). A hang (a FIFO opened blocking), a
 * sanitizer report or a leak is a finding; output goes to /dev/null.
 *
 * Operations (opcode modulo 8; NAME is one byte choosing one of N_NAMES names;
 * a missing operand ends the program):
 *   0 NAME LEN BYTES  a regular file         1 NAME LEN BYTES  an ELF with that section
 *   2 NAME            a FIFO                 3 NAME T          a symbolic link to target T
 *   4 NAME M          chmod NAME to MODES[M] 5 NAME            a directory
 *   6 WHICH M         chmod the directory (WHICH even) or its parent to MODES[M]
 *   7 NAME U          chown NAME to UIDS[U] (root only; else nothing)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "modules.h"
#include "parser.h"
#include "plantbug.h"

#define N_NAMES 6
static const char *const NAMES[N_NAMES] = {"libsffi_a.so", "libsffi_b.so", "libsffi_fz.so", "libsffi_c.so",
                                           "libsffi_\x1b[1m\xc2\x9b.so", "libsffi_\xff.so"};
static const mode_t MODES[] = {0644, 0600, 0666, 0664, 0755, 0777, 01777, 0775, 0, 0444};
#define N_MODES (sizeof MODES / sizeof MODES[0])
static const uid_t UIDS[] = {0, 12345, 65534};

static char base[64], parent[96], dir[128];
static FILE *devnull;
static Source decl_src;
static Program decls;

static const char DECLS[] = "extern fn rt_fz_a(a: i64) -> i64\n"
                            "extern fn rt_fz_b(t: text, n: [u8]) -> (i64, text?)\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(base, sizeof base, "%s/sffi-moddir-XXXXXX", tmp);
    if (!mkdtemp(base))
        abort();
    snprintf(parent, sizeof parent, "%s/p", base);
    snprintf(dir, sizeof dir, "%s/mods", parent);
    mkdir(parent, 0755);
    mkdir(dir, 0755);
    devnull = fopen("/dev/null", "w");
    unsetenv("SIMPLE_FFI_PATH");
    spl_source_from_string(&decl_src, "fuzz.spl", DECLS);
    CompileError err = {0};
    if (!spl_parse_program(&decl_src, &decls, &err))
        abort();
    return 0;
}

static void path_of(char *out, size_t size, int name)
{
    snprintf(out, size, "%s/%s", dir, NAMES[name % N_NAMES]);
}

static void write_file(const char *path, const void *data, size_t n)
{
    /* O_NONBLOCK: a FIFO of that name must not block the harness either */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0644);
    if (fd < 0)
        return; /* a FIFO without a reader or a directory of that name already: skip */
    if (write(fd, data, n) < 0)
        (void)0; /* a short or failed write is one more kind of file */
    close(fd);
}

/* A minimal ET_DYN ELF: header, the section's bytes, .shstrtab, 3 section headers. */
static void write_elf(const char *path, const uint8_t *section, size_t n)
{
    static const char names[] = "\0.sffi_module\0.shstrtab";
    size_t off_sec = sizeof(Elf64_Ehdr), off_names = off_sec + n, off_sh = (off_names + sizeof names + 7) & ~(size_t)7;
    size_t total = off_sh + 3 * sizeof(Elf64_Shdr);
    uint8_t *img = calloc(1, total);
    Elf64_Ehdr h = {.e_type = ET_DYN, .e_machine = EM_X86_64, .e_version = EV_CURRENT, .e_shoff = off_sh,
                    .e_ehsize = sizeof h, .e_shentsize = sizeof(Elf64_Shdr), .e_shnum = 3, .e_shstrndx = 2};
    memcpy(h.e_ident, ELFMAG, SELFMAG);
    h.e_ident[EI_CLASS] = ELFCLASS64;
    h.e_ident[EI_DATA] = ELFDATA2LSB;
    h.e_ident[EI_VERSION] = EV_CURRENT;
    memcpy(img, &h, sizeof h);
    memcpy(img + off_sec, section, n);
    memcpy(img + off_names, names, sizeof names);
    Elf64_Shdr sh[3] = {{0},
                        {.sh_name = 1, .sh_type = SHT_PROGBITS, .sh_offset = off_sec, .sh_size = n},
                        {.sh_name = 14, .sh_type = SHT_STRTAB, .sh_offset = off_names, .sh_size = sizeof names}};
    memcpy(img + off_sh, sh, sizeof sh);
    write_file(path, img, total);
    free(img);
}

static void symlink_to(const char *path, int target)
{
    char to[256];
    switch (target % 5) {
    case 0: snprintf(to, sizeof to, "%s", NAMES[(target / 5) % N_NAMES]); break; /* relative, a sibling */
    case 1: snprintf(to, sizeof to, "/dev/null"); break;
    case 2: snprintf(to, sizeof to, ".."); break;
    case 3: snprintf(to, sizeof to, "/nonexistent/libsffi_x.so"); break;
    default: snprintf(to, sizeof to, "%s/%s", parent, "outside.so"); break;
    }
    symlink(to, path);
}

/* Runs one operation; false when an operand is missing. */
static bool step(const uint8_t **p, const uint8_t *end)
{
    static const size_t NEED[8] = {2, 2, 1, 2, 2, 1, 2, 2};
    int op = **p % 8;
    (*p)++;
    if ((size_t)(end - *p) < NEED[op])
        return false;
    const uint8_t *arg = *p;
    *p += NEED[op];
    char path[256];
    path_of(path, sizeof path, arg[0]);
    size_t n = op <= 1 ? (arg[1] < (size_t)(end - *p) ? arg[1] : (size_t)(end - *p)) : 0;
    switch (op) {
    case 0: write_file(path, *p, n); break;
    case 1: write_elf(path, *p, n); break;
    case 2: mkfifo(path, 0644); break;
    case 3: symlink_to(path, arg[1]); break;
    case 4: chmod(path, MODES[arg[1] % N_MODES]); break;
    case 5: mkdir(path, 0755); break;
    case 6: chmod(arg[0] % 2 ? parent : dir, MODES[arg[1] % N_MODES]); break;
    case 7:
        if (geteuid() == 0)
            lchown(path, UIDS[arg[1] % 3], (gid_t)-1);
        break;
    }
    *p += n;
    return true;
}

static void clear_dir(void)
{
    chmod(parent, 0755);
    chmod(dir, 0755);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) != 0)
            unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
    }
    if (d)
        closedir(d);
    char outside[160];
    snprintf(outside, sizeof outside, "%s/outside.so", parent);
    unlink(outside);
}

/* The objects are built with the interpreter's work budget (SPL_FUZZ_BUDGET);
 * this target runs no script, so the hook is never called. */
bool spl_fuzz_step(void) { return true; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plant_bug(data, size);
    clear_dir();
    const uint8_t *p = data, *end = data + size;
    while (p < end && step(&p, end))
        ;
    spl_modules_reset();
    spl_modules_add_path(dir);
    spl_modules_list(devnull, false);
    spl_modules_list(devnull, true);
    spl_modules_version(devnull);
    for (int i = 0; i < decls.nexterns; i++)
        spl_modules_check(decls.externs[i], &decl_src, devnull);
    spl_modules_note_unreadable(devnull);
    spl_modules_reset();
    return 0;
}
