/*
 * object.h - the object model: instances of structs and classes, their
 * fields and methods, enum variants, and types as values
 * (docs/language.md, "Structs, classes and enums").
 *
 * An instance stores its fields in declaration order (value.h: Object). A
 * field or method name is found through the TypeDef's hash table once per
 * node and type: each N_FIELD / method call node caches the last type it
 * saw and the index or Func it found there.
 */
#ifndef SIMPLE_OBJECT_H
#define SIMPLE_OBJECT_H

#include "interp.h"

/* N_NEW: a new instance, each field from the call or its default. */
bool spl_eval_new(Interp *I, const Node *n, Value *out);
/* N_FIELD: the field's value (a new reference). */
bool spl_eval_field(Interp *I, const Node *n, Value *out);
/* Whether method calls on `v` look for the program's own methods: instances,
 * enum variants and types (their static fns). */
bool spl_has_user_methods(Value v);
/* The method or static fn `call->name` for `self`; NULL after an error naming what exists. */
const Func *spl_find_method(Interp *I, const Node *call, Value self);

#endif
