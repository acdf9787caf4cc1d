/* format.h - how values print (print, interpolation, str(), join()), and
 * the names of their types (type(), error messages).
 *
 * The format is Simple's own (its interpreter's Value::to_display_string):
 * text as is, also inside arrays; floats in the shortest digits that read
 * back as the same double, without an exponent and without ".0" for a whole
 * number (Rust's f64 Display: 2.5, 3, 0.1, 100000000000000000000); arrays
 * [a, b], tuples (a, b); every other value (instances, enum variants,
 * Results, functions, types) as Simple prints it, in Rust's Debug form:
 * `Object { class: "Point", fields: {"x": Int(1)} }`,
 * `Enum { enum_name: "Color", variant: "Red", payload: None }`
 * (fields in declaration order). docs/language.md, "Printing". */
#ifndef SIMPLE_FORMAT_H
#define SIMPLE_FORMAT_H

#include <stdbool.h>

#include "util.h"
#include "value.h"

/* Rust's f64 Display: 3.5, 2, 0.30000000000000004, inf, NaN. `buf` holds at least 400 bytes. */
void spl_format_float(char *buf, double f);
/* Appends `v` as print shows it. (`quoted` is unused, kept for callers.) */
void spl_format_value(StrBuf *sb, Value v, bool quoted);
/* The name of v's type as scripts and messages spell it: "int", "text",
 * "array", ..., or a struct/class/enum's own name (its TypeDef's, which is
 * why this lives here, above ast.h, and not in value.c). */
const char *spl_value_type_name(Value v);

#endif
