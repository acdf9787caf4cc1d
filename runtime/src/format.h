/* format.h - how values print (print, interpolation, str()). */
#ifndef SIMPLE_FORMAT_H
#define SIMPLE_FORMAT_H

#include <stdbool.h>

#include "util.h"
#include "value.h"

/* The shortest text that reads back as `f`, always with a '.' or exponent
 * mark: 3.5, 2.0, 1.0e+20, inf, nan. `buf` holds at least 40 bytes. */
void spl_format_float(char *buf, double f);
/* Appends `v`: text as is, or (quoted) as a "literal" when inside an array. */
void spl_format_value(StrBuf *sb, Value v, bool quoted);

#endif
