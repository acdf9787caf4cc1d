/* sysinfo.c - the machine and this process: hostname, CPUs, target code,
 * UUIDs (libuuid), sleeping. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "sffi_abi.h"
#include "core_internal.h"

/* gethostname(2); "localhost" when it fails, as Simple's hosted runtime. */
const char *rt_hostname(void)
{
    char buf[256];
    if (gethostname(buf, sizeof buf) != 0)
        return "localhost";
    buf[sizeof buf - 1] = '\0';
    return sffi_core_keep_copy(buf);
}

/* Processors online (sysconf _SC_NPROCESSORS_ONLN, as Simple's hosted
 * runtime and Python's os.cpu_count()); -1 when unknown. */
int64_t rt_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : -1;
}

/* Simple's backend code of the host: 0 x86_64, 1 aarch64, 2 riscv64
 * (another architecture: 0, Simple's default). */
int64_t rt_get_host_target_code(void)
{
#if defined(__aarch64__)
    return 1;
#elif defined(__riscv) && __riscv_xlen == 64
    return 2;
#else
    return 0;
#endif
}

/* A random (version 4, RFC 4122) UUID, lowercase "8-4-4-4-12" (libuuid). */
const char *rt_uuid_v4(void)
{
    uuid_t id;
    char buf[37];
    uuid_generate_random(id);
    uuid_unparse_lower(id, buf);
    return sffi_core_keep_copy(buf);
}

#define MAX_SLEEP_MS (86400LL * 1000)  /* one day */

/* nanosleep for `ms`, resumed after a signal. A negative duration or one
 * over a day is a script error: Simple would cast it to an unsigned
 * duration and sleep for centuries, which no script means. */
static void sleep_ms(int64_t ms, const char *unit, int64_t given)
{
    if (ms < 0 || ms > MAX_SLEEP_MS) {
        sffi_core_errorf("sleep of %lld %s is outside 0 .. one day", (long long)given, unit);
        return;
    }
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void rt_sleep_ms(int64_t milliseconds)
{
    sleep_ms(milliseconds, "ms", milliseconds);
}

void rt_sleep_secs(int64_t seconds)
{
    sleep_ms(seconds < 0 || seconds > MAX_SLEEP_MS / 1000 ? -1 : seconds * 1000, "s", seconds);
}
