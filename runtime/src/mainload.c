/* mainload.c - dlopen requests of the script thread, served by the main thread (mainload.h). */
#define _POSIX_C_SOURCE 200809L
#include "mainload.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>

#include "util.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static bool serving, pending, finished;
static const char *req_path;
static int req_flags;
static void *req_handle;
static char *req_error;

/* dlopen here; the reason of a failure copied (dlerror is per thread). */
static void *open_here(const char *path, int flags, char **error)
{
    void *handle = dlopen(path, flags);
    const char *why = handle ? NULL : dlerror();
    *error = handle ? NULL : spl_xstrdup(why ? why : "unknown error");
    return handle;
}

void *spl_mainload_dlopen(const char *path, int flags, char **error)
{
    pthread_mutex_lock(&lock);
    if (!serving) {
        pthread_mutex_unlock(&lock);
        return open_here(path, flags, error);
    }
    while (pending) /* one request at a time */
        pthread_cond_wait(&changed, &lock);
    req_path = path;
    req_flags = flags;
    pending = true;
    pthread_cond_broadcast(&changed);
    while (pending)
        pthread_cond_wait(&changed, &lock);
    void *handle = req_handle;
    *error = req_error;
    req_error = NULL;
    pthread_mutex_unlock(&lock);
    return handle;
}

void spl_mainload_begin(void)
{
    pthread_mutex_lock(&lock);
    serving = true;
    finished = false;
    pthread_mutex_unlock(&lock);
}

void spl_mainload_serve(void)
{
    pthread_mutex_lock(&lock);
    while (!finished) {
        if (!pending) {
            pthread_cond_wait(&changed, &lock);
            continue;
        }
        pthread_mutex_unlock(&lock);
        char *error;
        void *handle = open_here(req_path, req_flags, &error);
        pthread_mutex_lock(&lock);
        req_handle = handle;
        req_error = error;
        pending = false;
        pthread_cond_broadcast(&changed);
    }
    serving = false;
    pthread_mutex_unlock(&lock);
}

void spl_mainload_end(void)
{
    pthread_mutex_lock(&lock);
    finished = true;
    serving = false;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}
