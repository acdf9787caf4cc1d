/*
 * main.c - the `simple` command line.
 *
 *   simple FILE.spl [ARGS...]    run a script (ARGS reach it through rt_args())
 *   simple -e CODE [ARGS...]     run CODE
 *   simple --check FILE.spl      load a script and its modules, run nothing; report
 *                                every extern no library of this runtime provides
 *   simple --externs [--json]    the extern table this runtime was built with
 *   simple --version             runtime version, ABI version, linked libraries
 *   --ffi-path DIR (before any of these, repeatable): search DIR for FFI modules
 *   first (docs/modules.md; then SIMPLE_FFI_PATH, then <bindir>/../lib/sffi)
 *   --lib DIR (before any of these, repeatable): a library directory for `use`
 *   (docs/language.md, "Modules"; then SIMPLE_LIB's directories)
 *
 * Exit status: the script's (0, or rt_exit's code); 1 after a runtime error;
 * 2 when the script cannot run (syntax, names, externs) or on bad usage;
 * 70 when memory runs out (util.c). `simple --help` lists them.
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
#include "loader.h"
#include "modpath.h"
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
    fputs("usage: simple [--lib DIR]... [--ffi-path DIR]... FILE.spl [ARGS...]\n"
          "       simple -e CODE [ARGS...]\n"
          "       simple --check FILE.spl\n"
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
          "  --check FILE    load FILE and the modules it uses without running anything; list every\n"
          "                  extern no FFI library of this runtime provides (status 2 if any)\n"
          "  --externs       the extern table this runtime was built with (--json: as JSON)\n"
          "  --version       runtime version, SFFI ABI version, linked FFI libraries, FFI modules\n"
          "  --ffi-path DIR  (first, repeatable) search DIR for FFI modules before\n"
          "                  SIMPLE_FFI_PATH and <bindir>/../lib/sffi (docs/modules.md)\n"
          "  --lib DIR       (first, repeatable) a library directory: `use std.x`, `use lib.x` and\n"
          "                  names not found beside the importing file are looked up there\n"
          "\n"
          "environment:\n"
          "  SIMPLE_FFI_PATH    more directories of FFI modules, colon-separated\n"
          "  SIMPLE_LIB         more library directories for `use`, colon-separated, after --lib\n"
          "  SIMPLE_FFI_TIMING  set: how long reading and loading each FFI module took, on stderr\n"
          "\n"
          "exit status:\n"
          "  0      the script ran to its end\n"
          "  N      the code the script gave to rt_exit(N), 0..255\n"
          "  1      a runtime error (reported on stderr with the line and the calls), such as\n"
          "         the call of an extern no FFI library of this runtime provides\n"
          "  2      the script cannot run: syntax error, unknown name, a module not found,\n"
          "         an import cycle, an extern declared with another signature than the\n"
          "         table's; --check: an extern no library provides; or bad usage\n"
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

static bool check_only; /* simple --check: load, report, run nothing */

/* simple --check after a load: every unbound extern was listed on stderr. */
static int check_report(const Loader *L, const Source *src)
{
    if (L->unbound.count) {
        fprintf(stderr, "simple --check: no FFI library of this runtime provides %d extern%s declared above; "
                        "a call of %s would fail\n", L->unbound.count, L->unbound.count == 1 ? "" : "s",
                L->unbound.count == 1 ? "it" : "any of them");
        return EXIT_LOAD_ERROR;
    }
    printf("%s: ok (%d module%s besides the script, %d extern declaration%s bound)\n", src->name, L->norder - 1,
           L->norder == 2 ? "" : "s", L->nexterns, L->nexterns == 1 ? "" : "s");
    return 0;
}

/* Loads the script and its modules (loader.h), then runs them on a stack of
 * `stack_size` bytes that begins about here; or only checks them. */
static int run_source(const Source *src, size_t stack_size)
{
    Loader L = {.err = stderr, .unbound = {.report = check_only}};
    int status = EXIT_LOAD_ERROR;
    if (spl_loader_load(&L, src)) {
        if (check_only) {
            status = check_report(&L, src);
        } else {
            Interp I;
            spl_interp_init(&I, spl_loader_script(&L), src);
            I.c_stack_limit = (uintptr_t)&I - stack_size + INTERP_STACK_RESERVE;
            status = spl_interp_run_units(&I, L.order, L.norder);
            spl_loader_release_values(&L);
            spl_interp_free(&I);
        }
    }
    spl_loader_free(&L);
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
    char *why = NULL;
    if (!spl_modpath_add_env(&why)) {
        fprintf(stderr, "simple: %s\n", why);
        free(why);
        return EXIT_LOAD_ERROR;
    }
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
    spl_modpath_reset();
    return status;
}

/* Takes the leading `--ffi-path DIR` and `--lib DIR` pairs off argv; false
 * (after a message) if DIR is missing, or is no directory for --lib. */
static bool take_paths(int *argc, char ***argv)
{
    while (*argc >= 2 && (strcmp((*argv)[1], "--ffi-path") == 0 || strcmp((*argv)[1], "--lib") == 0)) {
        const char *opt = (*argv)[1];
        if (*argc < 3) {
            fprintf(stderr, "simple: %s needs a directory\n", opt);
            return false;
        }
        char *why = NULL;
        if (strcmp(opt, "--ffi-path") == 0) {
            spl_modules_add_path((*argv)[2]);
        } else if (!spl_modpath_add_lib((*argv)[2], "--lib", &why)) {
            fprintf(stderr, "simple: %s\n", why);
            free(why);
            return false;
        }
        (*argv)[2] = (*argv)[0];
        *argc -= 2;
        *argv += 2;
    }
    return true;
}

int main(int argc, char **argv)
{
    if (!take_paths(&argc, &argv))
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
    if (strcmp(arg, "--check") == 0) {
        if (argc != 3) {
            fputs(argc < 3 ? "simple: --check needs the script to check\n" : "simple: --check takes one script\n",
                  stderr);
            return EXIT_LOAD_ERROR;
        }
        check_only = true;
        return run_script(argv[2], NULL, 0, argv + 3);
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
