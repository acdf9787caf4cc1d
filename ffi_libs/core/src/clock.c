/* clock.c - wall-clock time, calendar fields and timestamps (Simple's system.spl).
 *
 * Units, as Simple's hosted runtime pins them: rt_time_now is whole seconds
 * since the Unix epoch; rt_time_now_unix_millis and rt_time_millis are
 * wall-clock milliseconds; a timestamp (rt_timestamp_*) is microseconds
 * since the epoch, UTC; rt_time_year..second are the local time's fields
 * now. Calendar arithmetic is integer civil-calendar math (Howard Hinnant's
 * days_from_civil / civil_from_days), so every i64 works, before 1970 too. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sffi_abi.h"
#include "core_internal.h"

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t rt_time_now(void)
{
    return floor_div(rt_time_now_unix_micros(), 1000000);
}

int64_t rt_time_now_unix_millis(void)
{
    return floor_div(rt_time_now_unix_micros(), 1000);
}

int64_t rt_time_millis(void)
{
    return rt_time_now_unix_millis();
}

/* The local time now; false where localtime_r fails. */
static bool local_now(struct tm *t)
{
    time_t now = time(NULL);
    return now != (time_t)-1 && localtime_r(&now, t) != NULL;
}

int64_t rt_time_year(void)
{
    struct tm t;
    return local_now(&t) ? t.tm_year + 1900 : -1;
}

int64_t rt_time_month(void)
{
    struct tm t;
    return local_now(&t) ? t.tm_mon + 1 : -1;
}

int64_t rt_time_day(void)
{
    struct tm t;
    return local_now(&t) ? t.tm_mday : -1;
}

int64_t rt_time_hour(void)
{
    struct tm t;
    return local_now(&t) ? t.tm_hour : -1;
}

int64_t rt_time_minute(void)
{
    struct tm t;
    return local_now(&t) ? t.tm_min : -1;
}

int64_t rt_time_second(void)
{
    struct tm t;
    return local_now(&t) ? t.tm_sec : -1;
}

static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD<sep>HH:MM:SS", ".ffffff" when there are microseconds, "Z" when `zone`. */
static const char *format(int64_t micros, char sep, bool zone)
{
    /* days and time of day without computing days * 86400e6 (it overflows at -2^63). */
    int64_t days = micros / 86400000000LL, tod = micros % 86400000000LL, y, m, d;
    if (tod < 0) {
        tod += 86400000000LL;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    char buf[96];
    int n = snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld%c%02lld:%02lld:%02lld", (long long)y, (long long)m,
                     (long long)d, sep, (long long)(tod / 3600000000LL), (long long)(tod / 60000000LL % 60),
                     (long long)(tod / 1000000 % 60));
    if (tod % 1000000)
        n += snprintf(buf + n, sizeof buf - (size_t)n, ".%06lld", (long long)(tod % 1000000));
    if (zone)
        snprintf(buf + n, sizeof buf - (size_t)n, "Z");
    return sffi_core_keep_copy(buf);
}

/* A timestamp (µs since the epoch) as ISO 8601 UTC: "2024-02-29T12:00:00Z",
 * with ".ffffff" before the Z when it has microseconds. */
const char *rt_timestamp_to_iso(int64_t ts)
{
    return format(ts, 'T', true);
}

/* The same as "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC, no zone letter). */
const char *rt_timestamp_to_string(int64_t ts)
{
    return format(ts, ' ', false);
}

/* Now, to the whole second, as rt_timestamp_to_iso writes it. */
const char *rt_time_now_iso(void)
{
    return format(floor_div(rt_time_now_unix_micros(), 1000000) * 1000000, 'T', true);
}

static bool digits(const char **p, int min, int max, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (n < max && **p >= '0' && **p <= '9') {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return n >= min;
}

static bool expect(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

/* Parses "YYYY-MM-DD", optionally ('T'|'t'|' ') "HH:MM:SS", optionally
 * ".fraction" (cut to µs), optionally 'Z'|'z' or an offset "+HH:MM" /
 * "-HHMM" / "+HH" (applied); a '-' before the year for years before 0.
 * Microseconds since the epoch, or -1 for anything else (also a date
 * beyond the i64 range of µs). Simple's hosted runtime's grammar. */
int64_t rt_timestamp_from_iso(const char *s)
{
    const char *p = s;
    int64_t y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, offset = 0;
    bool neg = *p == '-';
    p += neg;
    if (!digits(&p, 4, 6, &y) || !expect(&p, '-') || !digits(&p, 2, 2, &mo) || !expect(&p, '-') ||
        !digits(&p, 2, 2, &d))
        return -1;
    y = neg ? -y : y;
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1)
        return -1;
    bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    if (d > mdays[mo - 1] + (mo == 2 && leap))
        return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, 2, &h) || !expect(&p, ':') || !digits(&p, 2, 2, &mi) || !expect(&p, ':') ||
            !digits(&p, 2, 2, &sec) || h > 23 || mi > 59 || sec > 60)
            return -1;
        if (*p == '.') {
            p++;
            int n = 0;
            for (int64_t scale = 100000; *p >= '0' && *p <= '9'; p++, n++, scale /= 10)
                if (n < 6)
                    frac += (*p - '0') * scale;
            if (n == 0)
                return -1;
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int64_t sign = *p == '+' ? 1 : -1, oh, om = 0;
        p++;
        if (!digits(&p, 2, 2, &oh))
            return -1;
        if (*p == ':' ? (p++, !digits(&p, 2, 2, &om)) : (*p >= '0' && *p <= '9' && !digits(&p, 2, 2, &om)))
            return -1;
        if (oh > 23 || om > 59)
            return -1;
        offset = sign * (oh * 3600 + om * 60);
    }
    if (*p != '\0')
        return -1;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset, us;
    if (__builtin_mul_overflow(secs, 1000000, &us) || __builtin_add_overflow(us, frac, &us))
        return -1;
    return us;
}

int64_t rt_timestamp_parse(const char *s)
{
    return rt_timestamp_from_iso(s);
}

/* Whole seconds from `b` to `a` (µs timestamps), rounded down. */
int64_t rt_timestamp_diff_seconds(int64_t a, int64_t b)
{
    __int128 diff = (__int128)a - b, q = diff / 1000000;
    if (diff % 1000000 != 0 && diff < 0)
        q--;
    return (int64_t)q;  /* |a - b| / 10^6 < 2^64 / 10^6: always fits */
}
