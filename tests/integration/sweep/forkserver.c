/*
 * forkserver.c - start a runtime once, run many scripts in forks of it.
 *
 * LD_PRELOAD=forkserver.so SFFI_FORKSERVER=1 simple
 *
 * A runtime linked with large libraries (libtorch) spends most of a second
 * loading and initialising them before main(). This preload wraps
 * __libc_start_main: once every constructor has run, instead of main() it
 * reads requests on stdin, one per line, "SCRIPT<TAB>STDOUT<TAB>STDERR", and
 * for each forks a child that redirects its output to those files and calls
 * the runtime's real main(argc 2: argv[0], SCRIPT). The answer on stdout is
 * "exit N" or "signal N" per request. Each script still runs in its own
 * process, so a crash is seen as one; a child gets SIGALRM after
 * SFFI_FORKSERVER_TIMEOUT seconds (default 300). Used by tests/integration/sweep/misuse.py.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef int (*main_fn)(int, char **, char **);
typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);

static main_fn real_main;

static void redirect(const char *path, int fd)
{
    int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f >= 0) {
        dup2(f, fd);
        close(f);
    }
}

static void child(char *script, char *out, char *err, char **argv, char **envp, unsigned timeout)
{
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    close(null);
    redirect(out, 1);
    redirect(err, 2);
    alarm(timeout);
    char *args[] = {argv[0], script, NULL};
    fflush(NULL);
    int status = real_main(2, args, envp);
    fflush(NULL);
    if (getenv("SFFI_FORKSERVER_EXIT")) /* run exit handlers (LeakSanitizer checks then) */
        exit(status);
    _exit(status); /* skips the large libraries' destructors: the script is done */
}

static int serve(int argc, char **argv, char **envp)
{
    (void)argc;
    const char *t = getenv("SFFI_FORKSERVER_TIMEOUT");
    unsigned timeout = t ? (unsigned)atoi(t) : 300;
    char line[8192];
    printf("ready\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        char *out = strchr(line, '\t'), *err = out ? strchr(out + 1, '\t') : NULL;
        if (!out || !err) {
            printf("bad request\n");
            fflush(stdout);
            continue;
        }
        *out++ = '\0';
        *err++ = '\0';
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0)
            child(line, out, err, argv, envp, timeout);
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) < 0)
            printf("exit 127\n");
        else if (WIFSIGNALED(status))
            printf("signal %d\n", WTERMSIG(status));
        else
            printf("exit %d\n", WEXITSTATUS(status));
        fflush(stdout);
    }
    return 0;
}

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
                      void (*rtld_fini)(void), void *stack_end)
{
    start_fn real = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");
    const char *on = getenv("SFFI_FORKSERVER");
    if (!on || strcmp(on, "1") != 0)
        return real(main, argc, argv, init, fini, rtld_fini, stack_end);
    real_main = main;
    unsetenv("LD_PRELOAD"); /* scripts that start processes do not get the server */
    return real(serve, argc, argv, init, fini, rtld_fini, stack_end);
}
