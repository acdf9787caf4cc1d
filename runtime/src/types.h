/*
 * types.h - the runtime's checks of type annotations (docs/language.md, "Types").
 *
 * Where a function's parameter or result has a type the runtime can know
 * from a value (bool, int and float types, text, arrays, tuples, Result,
 * functions, nil, a struct/class/enum of the program), a call passing or
 * returning a value of another type is a runtime error naming the function,
 * the parameter and both types. An int passed where a float type is written
 * becomes that float (as an extern's f64 parameter takes it).
 */
#ifndef SIMPLE_TYPES_H
#define SIMPLE_TYPES_H

#include <stdbool.h>

#include "interp.h"

/* Whether `*v` fits `t`; an int for a float type is converted in place. */
bool spl_type_accepts(const TypeRef *t, Value *v);
/* Checks frame[0 .. f->nparams) against f's parameter types (the error at `call`). */
bool spl_check_params(Interp *I, const Func *f, Value *frame, const Node *call);
/* Checks a result against f's result type. */
bool spl_check_result(Interp *I, const Func *f, Value *result, const Node *call);

#endif
