/* format.c - value printing. */
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fewest significant digits (1..17) that read back as `f`. */
static int shortest_digits(double f)
{
    char tmp[40];
    for (int digits = 1; digits < 17; digits++) {
        snprintf(tmp, sizeof tmp, "%.*e", digits - 1, f);
        if (strtod(tmp, NULL) == f)
            return digits;
    }
    return 17;
}

/* Like Python's repr: plain notation for decimal exponents -5..15, else
 * scientific; either way a '.' shows it is a float (2.0, 1.0e+20). */
void spl_format_float(char *buf, double f)
{
    if (isnan(f) || isinf(f)) {
        strcpy(buf, isnan(f) ? "nan" : f < 0 ? "-inf" : "inf");
        return;
    }
    int digits = shortest_digits(f);
    char sci[40];
    snprintf(sci, sizeof sci, "%.*e", digits - 1, f);
    char *e = strchr(sci, 'e');
    if (!e) { /* %e always writes one; be safe anyway */
        strcpy(buf, sci);
        return;
    }
    int exponent = atoi(e + 1);
    if (exponent >= -5 && exponent < 16) {
        int decimals = digits - 1 - exponent;
        snprintf(buf, 40, "%.*f", decimals > 0 ? decimals : 0, f);
        if (!strchr(buf, '.'))
            strcat(buf, ".0");
        return;
    }
    if (!strchr(sci, '.')) {
        memmove(e + 2, e, strlen(e) + 1);
        memcpy(e, ".0", 2);
    }
    strcpy(buf, sci);
}

static void add_quoted(StrBuf *sb, const Text *t)
{
    spl_sb_addc(sb, '"');
    for (int64_t i = 0; i < t->len; i++) {
        char c = t->data[i];
        switch (c) {
        case '"': spl_sb_add(sb, "\\\"", 2); break;
        case '\\': spl_sb_add(sb, "\\\\", 2); break;
        case '\n': spl_sb_add(sb, "\\n", 2); break;
        case '\t': spl_sb_add(sb, "\\t", 2); break;
        case '\r': spl_sb_add(sb, "\\r", 2); break;
        default: spl_sb_addc(sb, c);
        }
    }
    spl_sb_addc(sb, '"');
}

#define MAX_PRINT_DEPTH 100

static void format_nested(StrBuf *sb, Value v, bool quoted, int depth);

void spl_format_value(StrBuf *sb, Value v, bool quoted) { format_nested(sb, v, quoted, 0); }

/* (1, "x", 2.5); a 1-tuple as (1,) so it reads back as a tuple. */
static void format_tuple(StrBuf *sb, const Tuple *t, int depth)
{
    if (depth == MAX_PRINT_DEPTH) {
        spl_sb_adds(sb, "(...)");
        return;
    }
    spl_sb_addc(sb, '(');
    for (int64_t i = 0; i < t->len; i++) {
        if (i)
            spl_sb_add(sb, ", ", 2);
        format_nested(sb, t->items[i], true, depth + 1);
    }
    spl_sb_adds(sb, t->len == 1 ? ",)" : ")");
}

/* Arrays and tuples nested deeper than MAX_PRINT_DEPTH print as [...]/(...). */
static void format_nested(StrBuf *sb, Value v, bool quoted, int depth)
{
    char buf[40];
    switch ((ValueType)v.type) {
    case VT_NIL: spl_sb_add(sb, "nil", 3); return;
    case VT_BOOL: spl_sb_adds(sb, v.as.b ? "true" : "false"); return;
    case VT_INT:
        snprintf(buf, sizeof buf, "%lld", (long long)v.as.i);
        spl_sb_adds(sb, buf);
        return;
    case VT_FLOAT:
        spl_format_float(buf, v.as.f);
        spl_sb_adds(sb, buf);
        return;
    case VT_TEXT:
        if (quoted)
            add_quoted(sb, v.as.t);
        else
            spl_sb_add(sb, v.as.t->data, (size_t)v.as.t->len);
        return;
    case VT_ARRAY:
        if (depth == MAX_PRINT_DEPTH) {
            spl_sb_adds(sb, "[...]");
            return;
        }
        spl_sb_addc(sb, '[');
        for (int64_t i = 0; i < v.as.a->len; i++) {
            if (i)
                spl_sb_add(sb, ", ", 2);
            format_nested(sb, v.as.a->items[i], true, depth + 1);
        }
        spl_sb_addc(sb, ']');
        return;
    case VT_TUPLE:
        format_tuple(sb, v.as.tu, depth);
        return;
    case VT_BYTES:
        spl_sb_addc(sb, '[');
        for (int64_t i = 0; i < v.as.by->len; i++)
            spl_sb_printf(sb, i ? ", %u" : "%u", (unsigned)v.as.by->data[i]);
        spl_sb_addc(sb, ']');
        return;
    case VT_UNDEF: break;
    }
    spl_sb_adds(sb, "<undefined>");
}
