/* types.c - whether values fit declared types, at calls and returns (see types.h). */
#include "types.h"

static bool kind_accepts(const TypeRef *t, Value *v)
{
    switch ((TypeKind)t->kind) {
    case TY_ANY:
    case TY_VOID: return true;
    case TY_INT: return v->type == VT_INT;
    case TY_FLOAT:
        if (v->type == VT_INT) {
            *v = value_float((double)v->as.i);
            return true;
        }
        return v->type == VT_FLOAT;
    case TY_BOOL: return v->type == VT_BOOL;
    case TY_TEXT: return v->type == VT_TEXT;
    case TY_ARRAY: return v->type == VT_ARRAY || v->type == VT_BYTES;
    case TY_TUPLE: return v->type == VT_TUPLE;
    case TY_RESULT: return v->type == VT_RESULT;
    case TY_FN: return v->type == VT_FUNC || v->type == VT_CLOSURE;
    case TY_NIL: return v->type == VT_NIL;
    case TY_NAMED:
        if (v->type == VT_OBJECT)
            return v->as.o->type == t->def;
        return v->type == VT_ENUM && v->as.td == t->def;
    }
    return true;
}

bool spl_type_accepts(const TypeRef *t, Value *v)
{
    return (t->optional && v->type == VT_NIL) || kind_accepts(t, v);
}

int spl_param_misfit(const Func *f, Value *frame)
{
    for (int i = 0; i < f->nparams; i++)
        if (f->ptypes[i].fast != frame[i].type && f->ptypes[i].kind != TY_ANY &&
            !spl_type_accepts(&f->ptypes[i], &frame[i]))
            return i;
    return -1;
}

bool spl_result_fits(const Func *f, Value *result)
{
    return f->rtype.fast == result->type || spl_type_accepts(&f->rtype, result);
}
