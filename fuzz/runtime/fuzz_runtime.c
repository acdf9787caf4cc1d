/*
 * fuzz_runtime.c - libFuzzer targets for the runtime's front end and interpreter.
 *
 * One source, five targets, chosen with -DFUZZ_STAGE=N when it is compiled
 * (fuzz/build.py builds each with ASan + UBSan):
 *   1 runtime_lex      UTF-8 check, then spl_lex() over the whole input
 *   2 runtime_parse    spl_parse_program()
 *   3 runtime_resolve  parse, bind externs against fuzzlib's table, resolve names
 *   4 runtime_interp   all of that, then run the script under a work budget
 *   5 runtime_modules  the input split into files at `#file PATH` lines (main.spl
 *                      first), written to a private directory; the module loader
 *                      (loader.h: use, export, cycles, clashes) loads main.spl,
 *                      which then runs under the same budget
 * The input is the script text. The interpreter's budget (SPL_FUZZ_BUDGET, see
 * interp.h) stops a script after FUZZ_STEPS statements and expressions, or once
 * it holds FUZZ_MEMORY bytes more than when it started, so an endless loop or an
 * exponential string is a script error, not a timeout or an out-of-memory.
 * These limits are for throughput (a fuzzer wants thousands of short inputs a
 * second), not to avoid known bugs: every input is run, leaks included.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, strdup */
#include <sanitizer/allocator_interface.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "externs.h"
#include "interp.h"
#include "lexer.h"
#include "loader.h"
#include "parser.h"
#include "resolve.h"

#ifndef FUZZ_STAGE
#error "compile with -DFUZZ_STAGE=1..5"
#endif

#define FUZZ_STEPS 20000
#define FUZZ_MEMORY (64u << 20)
#define FUZZ_C_STACK (4u << 20) /* of libFuzzer's 8 MiB main-thread stack */

static bool selftest; /* SFFI_FUZZ_SELFTEST=1: an input "selftest" reads out of bounds */
static FILE *devnull;
static long steps_left;
static size_t memory_limit;

bool spl_fuzz_step(void)
{
    return --steps_left >= 0 && __sanitizer_get_current_allocated_bytes() <= memory_limit;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *self = getenv("SFFI_FUZZ_SELFTEST");
    selftest = self && strcmp(self, "1") == 0;
    devnull = fopen("/dev/null", "w");
    return 0;
}

static void lex_all(const Source *src)
{
    TokenList toks = {0};
    CompileError err = {0};
    spl_lex(src, 0, src->len, 1, 1, false, &toks, &err);
    spl_token_list_free(&toks);
    spl_compile_error_free(&err);
}

static void run(const Program *prog, const Source *src)
{
    Interp I;
    char probe;
    spl_interp_init(&I, prog, src);
    I.c_stack_limit = (uintptr_t)&probe - FUZZ_C_STACK;
    steps_left = FUZZ_STEPS;
    memory_limit = __sanitizer_get_current_allocated_bytes() + FUZZ_MEMORY;
    spl_interp_run(&I);
    spl_interp_free(&I);
}

static void load_and_run(const Source *src)
{
    Program prog = {0};
    CompileError err = {0};
    bool parsed = spl_parse_program(src, &prog, &err);
    if (FUZZ_STAGE >= 3 && parsed && spl_externs_bind(&prog, src, devnull) &&
        spl_resolve_program(&prog, &err) && FUZZ_STAGE >= 4)
        run(&prog, src);
    spl_compile_error_free(&err);
    spl_program_free(&prog);
}

/* ---- stage 5: a script and its modules ---- */

#define MAX_FILES 16
static char work_dir[64];           /* mkdtemp'ed once; emptied after every input */
static char *made[MAX_FILES * 3];   /* files and directories made for one input */
static int nmade;

/* A PATH of `#file PATH` may be a/b.spl at most two deep, lower-case names. */
static bool safe_path(const char *p, size_t n)
{
    int slashes = 0;
    if (n < 5 || n > 40 || memcmp(p + n - 4, ".spl", 4) != 0 || p[0] == '/')
        return false;
    for (size_t i = 0; i < n - 4; i++) {
        char c = p[i];
        if (c == '/' && (i == 0 || p[i - 1] == '/' || ++slashes > 2))
            return false;
        if (c != '/' && c != '_' && (c < 'a' || c > 'z'))
            return false;
    }
    return p[n - 5] != '/';
}

static void remember(const char *path)
{
    if (nmade < MAX_FILES * 3)
        made[nmade++] = strdup(path);
}

static void write_file(const char *rel, size_t n, const char *text, size_t len)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%.*s", work_dir, (int)n, rel);
    for (char *s = path + strlen(work_dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        if (mkdir(path, 0700) == 0)
            remember(path);
        *s = '/';
    }
    FILE *f = fopen(path, "wbx"); /* the first part of that name wins */
    if (!f)
        return;
    remember(path);
    fwrite(text, 1, len, f);
    fclose(f);
}

/* Writes main.spl and the `#file` parts of `code` into work_dir. */
static void split_files(const char *code, size_t len)
{
    const char *part = code, *name = "main.spl";
    size_t name_len = 8;
    bool first = true;
    int files = 0;
    for (const char *s = code; s <= code + len; s++) {
        bool at_line = s == code + len || ((s == code || s[-1] == '\n') && strncmp(s, "#file ", 6) == 0);
        if (!at_line)
            continue;
        if (files++ < MAX_FILES && (first || safe_path(name, name_len)))
            write_file(name, name_len, part, (size_t)(s - part));
        first = false;
        if (s == code + len)
            break;
        name = s + 6;
        const char *eol = memchr(name, '\n', (size_t)(code + len - name));
        name_len = (size_t)((eol ? eol : code + len) - name);
        part = eol ? eol + 1 : code + len;
        s = part - 1;
    }
}

static void clean_files(void)
{
    while (nmade > 0) {
        char *p = made[--nmade];
        remove(p);
        free(p);
    }
}

static void remove_work_dir(void)
{
    rmdir(work_dir);
}

static void load_modules(const char *code, size_t len)
{
    if (!work_dir[0]) {
        snprintf(work_dir, sizeof work_dir, "/tmp/fuzz_modules_XXXXXX");
        if (!mkdtemp(work_dir))
            abort();
        atexit(remove_work_dir);
    }
    split_files(code, len);
    char main_path[96];
    snprintf(main_path, sizeof main_path, "%s/main.spl", work_dir);
    Source src;
    char *why = NULL;
    if (spl_source_load_file(&src, main_path, &why)) {
        Loader L = {.err = devnull};
        if (spl_loader_load(&L, &src)) {
            Interp I;
            char probe;
            spl_interp_init(&I, spl_loader_script(&L), &src);
            I.c_stack_limit = (uintptr_t)&probe - FUZZ_C_STACK;
            steps_left = FUZZ_STEPS;
            memory_limit = __sanitizer_get_current_allocated_bytes() + FUZZ_MEMORY;
            spl_interp_run_units(&I, L.order, L.norder);
            spl_loader_release_values(&L);
            spl_interp_free(&I);
        }
        spl_loader_free(&L);
        spl_source_free(&src);
    }
    free(why);
    clean_files();
}

/* Proves the build catches memory errors (tests/fuzz): a heap over-read. */
static void plant_bug(const uint8_t *data, size_t size)
{
    if (size >= 8 && memcmp(data, "selftest", 8) == 0) {
        char *p = malloc(8);
        memcpy(p, data, 8);
        volatile char past = p[(size_t)data[size - 1] % 2 + 8];
        (void)past;
        free(p);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (selftest)
        plant_bug(data, size);
    char *code = malloc(size + 1);
    memcpy(code, data, size);
    code[size] = '\0'; /* a NUL inside ends the script, as for `simple -e` */
    Source src;
    spl_source_from_string(&src, "fuzz.spl", code);
    free(code);
    int line, col;
    if (spl_source_check_utf8(&src, &line, &col) == 0) {
        if (FUZZ_STAGE == 1)
            lex_all(&src);
        else if (FUZZ_STAGE == 5)
            load_modules(src.text, src.len);
        else
            load_and_run(&src);
    }
    spl_source_free(&src);
    return 0;
}
