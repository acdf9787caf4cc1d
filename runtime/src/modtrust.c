/* modtrust.c - StrictModes for FFI modules: the real path and every directory up to /. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "modtrust.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "util.h"

typedef enum { AT_FILE, AT_DIR, AT_PARENT } Place; /* the module, its directory, one above */

static const char *place_name(Place place, bool via_link)
{
    if (place == AT_FILE)
        return via_link ? "file (the target of a symbolic link)" : "file";
    if (place == AT_DIR)
        return "directory";
    return "parent directory";
}

/* The problem with one path component by the rule, or NULL. `shown` is escaped. */
static char *component_problem(const char *path, Place place, bool via_link)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return NULL; /* resolved a moment ago; opening it will say what is wrong */
    StrBuf sb = {0};
    char *shown = spl_escaped(path);
    const char *what = place_name(place, via_link);
    bool shared_sticky = place == AT_PARENT && (st.st_mode & S_ISVTX) && st.st_uid == 0;
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !shared_sticky)
        spl_sb_printf(&sb, "its %s %s is writable by %s (permissions %04o are too open); an FFI module is "
                           "loaded only where nobody else can write: chmod go-w %s",
                      what, shown, st.st_mode & S_IWOTH ? "others" : "its group",
                      (unsigned)(st.st_mode & 07777), shown);
    else if (st.st_uid != getuid() && st.st_uid != 0)
        spl_sb_printf(&sb, "its %s %s belongs to uid %u, neither you (uid %u) nor root; an FFI module is "
                           "loaded only from files and directories you or root own: chown %u %s",
                      what, shown, (unsigned)st.st_uid, (unsigned)getuid(), (unsigned)getuid(), shown);
    free(shown);
    return sb.data;
}

char *spl_trust_problem(const char *path, bool is_file)
{
    char *real = realpath(path, NULL);
    if (!real)
        return NULL;
    struct stat st;
    bool via_link = is_file && lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
    char *problem = component_problem(real, is_file ? AT_FILE : AT_DIR, via_link);
    /* Up to "/": cut the last component off in place, one level at a time. */
    Place place = is_file ? AT_DIR : AT_PARENT;
    for (char *slash; !problem && (slash = strrchr(real, '/'));) {
        if (slash == real) {
            if (real[1] == '\0')
                break; /* "/" itself was just checked */
            slash[1] = '\0';
        } else {
            *slash = '\0';
        }
        problem = component_problem(real, place, false);
        place = AT_PARENT;
    }
    free(real);
    return problem;
}
