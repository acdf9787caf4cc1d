/*
 * types.h - the runtime's checks of type annotations (docs/language.md, "Types").
 *
 * Where a function's parameter or result has a type the runtime can know
 * from a value (bool, int and float types, text, arrays, tuples, Result,
 * functions, nil, a struct/class/enum of the program), a call passing or
 * returning a value of another type is a runtime error naming the function,
 * the parameter and both types. An int passed where a float type is written
 * becomes that float (as an extern's f64 parameter takes it).
 *
 * These functions only answer whether a value fits; the interpreter reports
 * the error (interp.c, object.c), so this unit sits below it and needs
 * nothing of it.
 */
#ifndef SIMPLE_TYPES_H
#define SIMPLE_TYPES_H

#include <stdbool.h>

#include "ast.h"
#include "value.h"

/* Whether `*v` fits `t`; an int for a float type is converted in place. */
bool spl_type_accepts(const TypeRef *t, Value *v);
/* The index of the first of frame[0 .. f->nparams) that does not fit f's
 * parameter type, or -1 when all fit (ints for float types converted in place). */
int spl_param_misfit(const Func *f, Value *frame);
/* Whether `*result` fits f's result type (an int for a float type converted in place). */
bool spl_result_fits(const Func *f, Value *result);

#endif
