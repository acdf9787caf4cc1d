/*
 * marshal.h - calling externs: script values to the SFFI ABI v2 and back (docs/abi.md).
 *
 * Arguments: ints are range-checked against narrow and unsigned parameter
 * types (out of range is a script error naming the extern, the parameter and
 * the range), f32 rounds to nearest as a C conversion does, array arguments
 * are copied into the interpreter's one scratch buffer, except bytes passed to
 * a [u8] parameter, which go as they are. Results are copied at once (the
 * library owns them): texts, arrays ([u8] as a bytes value), optional results
 * (nil for NULL, len -1 or present == false) and tuples of them.
 */
#ifndef SIMPLE_MARSHAL_H
#define SIMPLE_MARSHAL_H

#include <stdbool.h>

#include "ast.h"
#include "interp.h"

/* A call of a bound extern (N_CALL_EXTERN): evaluates the arguments, marshals
 * them, calls the entry's thunk and converts the result; false after a script error. */
bool spl_call_extern(Interp *I, const Node *call, Value *out);

#endif
