/*
 * main.c - the `simple` command line.
 *
 *   simple FILE.spl [ARGS...]    run a script (ARGS reach it through rt_args())
 *   simple -e CODE [ARGS...]     run CODE
 *   simple --externs [--json]    the extern table this runtime was built with
 *   simple --version             runtime version, ABI version, linked libraries
 *   --ffi-path DIR (before any of these, repeatable): search DIR for FFI modules
 *   first (docs/modules.md; then SIMPLE_FFI_PATH, then <bindir>/../lib/sffi)
 *
 * Exit status: the script's (0, or rt_exit's code); 1 after a runtime error;
 * 2 when the script cannot run (syntax, names, externs) or on bad usage;
 * 70 when memory runs out (diag.c). `simple --help` lists them.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sffi_host.h"
#include "diag.h"
#include "externs.h"
#include "ffi_error.h"
#include "interp.h"
#include "modules.h"
#include "parser.h"
#include "mainload.h"
#include "resolve.h"
#include "sffi_table.h"
#include "version.h"

#define EXIT_LOAD_ERROR 2
/* The interpreter recurses on the C stack: scripts run on a thread with a
 * stack large enough for INTERP_MAX_DEPTH nested calls (about 16 MiB at -O2,
 * 32 MiB with sanitizers at -O0), and every call checks that a reserve is
 * left (interp.h), so running out is a script error, never a crash. */
#define INTERP_THREAD_STACK (64u << 20)
#define MAIN_THREAD_STACK (8u << 20)  /* assumed when no thread could be made */

static void usage(FILE *out)
{
    fputs("usage: simple FILE.spl [ARGS...]\n"
          "       simple -e CODE [ARGS...]\n"
          "       simple --externs [--json]\n"
          "       simple --version\n",
          out);
}

static void help(void)
{
    usage(stdout);
    fputs("\n"
          "  FILE.spl        run a script; ARGS reach it through rt_args()\n"
          "  -e CODE         run CODE (messages name the file \"-e\")\n"
          "  --externs       the extern table this runtime was built with (--json: as JSON)\n"
          "  --version       runtime version, SFFI ABI version, linked FFI libraries, FFI modules\n"
          "  --ffi-path DIR  (first, repeatable) search DIR for FFI modules before\n"
          "                  SIMPLE_FFI_PATH and <bindir>/../lib/sffi (docs/modules.md)\n"
          "\n"
          "environment:\n"
          "  SIMPLE_FFI_PATH    more directories of FFI modules, colon-separated\n"
          "  SIMPLE_FFI_TIMING  set: how long reading and loading each FFI module took, on stderr\n"
          "\n"
          "exit status:\n"
          "  0      the script ran to its end\n"
          "  N      the code the script gave to rt_exit(N), 0..255\n"
          "  1      a runtime error (reported on stderr with the line and the calls)\n"
          "  2      the script cannot run: syntax error, unknown name, an extern missing\n"
          "         from the table or declared with another signature; or bad usage\n"
          "  70     out of memory (\"simple: out of memory\" on stderr)\n"
          "\n"
          "language and externs: docs/language.md\n",
          stdout);
}

static void print_version(void)
{
    printf("simple %s (sffi reference runtime)\n", SIMPLE_RUNTIME_VERSION);
    printf("SFFI ABI version %d\n", SFFI_ABI_VERSION);
    printf("FFI libraries:");
    for (size_t i = 0; i < sffi_libraries_len; i++)
        printf("%s %s", i ? "," : "", sffi_libraries[i]);
    printf("\n");
    spl_modules_version(stdout);
}

/* Parses the script, binds its externs and resolves its names; prints the
 * first problem on stderr and returns false if it cannot run. */
static bool load(const Source *src, Program *prog)
{
    CompileError err = {0};
    int line, col;
    bool ok = false;
    if (spl_source_check_utf8(src, &line, &col)) {
        spl_compile_error_set(&err, line, col, "the file is not valid UTF-8 (or holds a NUL byte)");
        err.show_line = 0; /* do not echo the bad bytes */
    } else if (spl_parse_program(src, prog, &err) && spl_externs_bind(prog, src, stderr)) {
        ok = spl_resolve_program(prog, &err);
    }
    if (err.msg) {
        fflush(stdout);
        spl_diag_print(stderr, src, err.line, err.col, "", err.msg, err.show_line);
    }
    spl_compile_error_free(&err);
    return ok;
}

/* Loads and runs a script on a stack of `stack_size` bytes that begins about here. */
static int run_source(const Source *src, size_t stack_size)
{
    Program prog = {0};
    int status = EXIT_LOAD_ERROR;
    if (load(src, &prog)) {
        Interp I;
        spl_interp_init(&I, &prog, src);
        I.c_stack_limit = (uintptr_t)&I - stack_size + INTERP_STACK_RESERVE;
        status = spl_interp_run(&I);
        spl_interp_free(&I);
    }
    spl_program_free(&prog);
    return status;
}

typedef struct Job {
    const Source *src;
    size_t stack_size;
    int status;
} Job;

static void *run_job(void *arg)
{
    Job *job = arg;
    job->status = run_source(job->src, job->stack_size);
    sffi_host_shutdown(); /* frees this thread's result buffers */
    spl_mainload_end();
    return NULL;
}

static int run_in_thread(const Source *src)
{
    Job job = {src, INTERP_THREAD_STACK, 0};
    pthread_attr_t attr;
    pthread_t thread;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, INTERP_THREAD_STACK);
    spl_mainload_begin(); /* modules are loaded on this thread (mainload.h) */
    int rc = pthread_create(&thread, &attr, run_job, &job);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        spl_mainload_end();
        job.stack_size = MAIN_THREAD_STACK; /* no thread: run on the main stack */
        run_job(&job);
        return job.status;
    }
    spl_mainload_serve();
    pthread_join(thread, NULL);
    return job.status;
}

static int run_script(const char *path, const char *code, int argc, char **argv)
{
    Source src;
    if (code) {
        spl_source_from_string(&src, "-e", code);
    } else {
        char *err = NULL;
        if (!spl_source_load_file(&src, path, &err)) {
            fprintf(stderr, "simple: %s\n", err);
            free(err);
            return EXIT_LOAD_ERROR;
        }
    }
    sffi_host_set_args(argc, argv);
    sffi_host_set_exit_handler(spl_ffi_request_exit);
    int status = run_in_thread(&src);
    spl_source_free(&src);
    return status;
}

/* Takes the leading `--ffi-path DIR` pairs off argv; false if DIR is missing. */
static bool take_ffi_paths(int *argc, char ***argv)
{
    while (*argc >= 2 && strcmp((*argv)[1], "--ffi-path") == 0) {
        if (*argc < 3) {
            fputs("simple: --ffi-path needs a directory\n", stderr);
            return false;
        }
        spl_modules_add_path((*argv)[2]);
        (*argv)[2] = (*argv)[0];
        *argc -= 2;
        *argv += 2;
    }
    return true;
}

int main(int argc, char **argv)
{
    if (!take_ffi_paths(&argc, &argv))
        return EXIT_LOAD_ERROR;
    if (argc < 2) {
        usage(stderr);
        return EXIT_LOAD_ERROR;
    }
    const char *arg = argv[1];
    if (strcmp(arg, "--version") == 0 && argc == 2) {
        print_version();
        return 0;
    }
    if (strcmp(arg, "--externs") == 0 && (argc == 2 || (argc == 3 && strcmp(argv[2], "--json") == 0))) {
        spl_externs_list(stdout, argc == 3);
        return 0;
    }
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
        help();
        return 0;
    }
    if (strcmp(arg, "-e") == 0) {
        if (argc < 3) {
            fputs("simple: -e needs the code to run\n", stderr);
            return EXIT_LOAD_ERROR;
        }
        return run_script(NULL, argv[2], argc - 3, argv + 3);
    }
    if (strcmp(arg, "--version") == 0 || strcmp(arg, "--externs") == 0) {
        /* a known option with an argument it does not take */
        int extra = strcmp(arg, "--externs") == 0 && strcmp(argv[2], "--json") == 0 ? 3 : 2;
        fprintf(stderr, "simple: unexpected argument %s after %s\n", argv[extra], arg);
        usage(stderr);
        return EXIT_LOAD_ERROR;
    }
    if (arg[0] == '-' && arg[1] != '\0') {
        fprintf(stderr, "simple: unknown option %s\n", arg);
        usage(stderr);
        return EXIT_LOAD_ERROR;
    }
    return run_script(arg, NULL, argc - 2, argv + 2);
}
