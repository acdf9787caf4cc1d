/*
 * fuzz_runtime.c - libFuzzer targets for the runtime's front end and interpreter.
 *
 * One source, four targets, chosen with -DFUZZ_STAGE=N when it is compiled
 * (fuzz/build.py builds each with ASan + UBSan):
 *   1 runtime_lex      UTF-8 check, then spl_lex() over the whole input
 *   2 runtime_parse    spl_parse_program()
 *   3 runtime_resolve  parse, bind externs against fuzzlib's table, resolve names
 *   4 runtime_interp   all of that, then run the script under a work budget
 * The input is the script text. The interpreter's budget (SPL_FUZZ_BUDGET, see
 * interp.h) stops a script after FUZZ_STEPS statements and expressions, or once
 * it holds FUZZ_MEMORY bytes more than when it started, so an endless loop or an
 * exponential string is a script error, not a timeout or an out-of-memory.
 * These limits are for throughput (a fuzzer wants thousands of short inputs a
 * second), not to avoid known bugs: every input is run, leaks included.
 */
#include <sanitizer/allocator_interface.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "externs.h"
#include "interp.h"
#include "lexer.h"
#include "parser.h"
#include "resolve.h"

#ifndef FUZZ_STAGE
#error "compile with -DFUZZ_STAGE=1..4"
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
        else
            load_and_run(&src);
    }
    spl_source_free(&src);
    return 0;
}
