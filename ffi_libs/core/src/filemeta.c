/* filemeta.c - what a path is: size, times, mode, existence (and the
 * existence-probe window Simple's fs.spl declares). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <sys/stat.h>

#include "sffi_abi.h"
#include "core_internal.h"

/* Size in bytes of what `path` names (symbolic links followed), -1 when it
 * cannot be stat'd (Simple's interpreter: metadata().len(), -1). */
int64_t rt_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* Last modification, whole seconds since the Unix epoch; -1 when it cannot be stat'd. */
int64_t rt_file_modified_time(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)st.st_mtime : -1;
}

int64_t rt_file_modified(const char *path)
{
    return rt_file_modified_time(path);
}

/* The permission bits (mode & 07777, e.g. 420 for 0644); -1 when it cannot be stat'd. */
int64_t rt_file_mode(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)(st.st_mode & 07777) : -1;
}

/* The existence-probe window: between begin and end, every rt_file_exists
 * call is counted, and those that found nothing too. One window at a time. */
static int64_t probe_generation;
static bool probe_open;
static int64_t probe_total, probe_failed;

void sffi_core_probe_record(bool exists)
{
    if (!probe_open)
        return;
    if (probe_total < 0x7fffffff) {
        probe_total++;
        probe_failed += !exists;
    }
}

/* A new window's token (positive, never reused); -1 while one is open;
 * -3 when the tokens are used up (after 2^63-1 windows). */
int64_t rt_file_exists_probe_begin(void)
{
    if (probe_open)
        return -1;
    if (probe_generation == INT64_MAX)
        return -3;
    probe_generation++;
    probe_total = probe_failed = 0;
    probe_open = true;
    return probe_generation;
}

/* Ends the window `token` opened: (total << 32) | failed; -2 for a token
 * that is not the open window's (stale, made up, or already ended). */
int64_t rt_file_exists_probe_end(int64_t token)
{
    if (!probe_open || token <= 0 || token != probe_generation)
        return -2;
    probe_open = false;
    return (probe_total << 32) | probe_failed;
}

bool rt_file_exists_str(const char *path)
{
    return rt_file_exists(path);
}

bool rt_io_file_exists(const char *path)
{
    return rt_file_exists(path);
}
