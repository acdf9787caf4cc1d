/* signals.c - rt_signal_install / rt_signal_check: a script polls for
 * signals (SIGINT, SIGTERM, SIGHUP...) instead of dying of them.
 *
 * install sets a handler that counts deliveries; check returns the count
 * since the last check and clears it. Signals a script must not catch are
 * refused: SIGKILL and SIGSTOP (cannot be), and the faults SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL (a counted fault would return into the fault). */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>

#include "sffi_abi.h"
#include "core_internal.h"

#define MAX_SIGNAL 64

static volatile sig_atomic_t counts[MAX_SIGNAL + 1];
static bool installed[MAX_SIGNAL + 1];

static void count(int sig)
{
    if (sig > 0 && sig <= MAX_SIGNAL)
        counts[sig]++;
}

static bool catchable(int64_t sig)
{
    return sig >= 1 && sig <= MAX_SIGNAL && sig != SIGKILL && sig != SIGSTOP && sig != SIGSEGV &&
           sig != SIGBUS && sig != SIGFPE && sig != SIGILL;
}

/* 0 when signal `signal_num` is now counted; -1 for a signal that cannot
 * or must not be caught, or when sigaction fails. */
int64_t rt_signal_install(int64_t signal_num)
{
    if (!catchable(signal_num))
        return -1;
    struct sigaction sa;
    sa.sa_handler = count;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction((int)signal_num, &sa, NULL) != 0)
        return -1;
    installed[signal_num] = true;
    return 0;
}

/* How many times `signal_num` arrived since the last check (then 0 again);
 * -1 when rt_signal_install has not installed it. */
int64_t rt_signal_check(int64_t signal_num)
{
    if (!catchable(signal_num) || !installed[signal_num])
        return -1;
    sigset_t one, old;
    sigemptyset(&one);
    sigaddset(&one, (int)signal_num);
    sigprocmask(SIG_BLOCK, &one, &old);
    int64_t n = counts[signal_num];
    counts[signal_num] = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    return n;
}
