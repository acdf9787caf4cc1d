/* object.c - instances, fields and method lookup (see object.h). */
#include "object.h"

#include <string.h>

#include "format.h"
#include "types.h"

int spl_field_index(const Node *at, const Object *o)
{
    Node *cache = (Node *)at; /* the cache is not part of the node's meaning */
    if (cache->cache_type == o->type)
        return (int)cache->cache_slot;
    int i = spl_strmap_get(&o->type->field_map, at->name);
    if (i >= 0) {
        cache->cache_type = o->type;
        cache->cache_slot = i;
    }
    return i;
}

bool spl_eval_new(Interp *I, const Node *n, Value *out)
{
    const TypeDef *t = n->target;
    Object *o = spl_object_new(t, t->kind == TD_CLASS, t->nfields);
    for (int i = 0; i < t->nfields; i++) {
        const Node *e = n->list.items[i] ? n->list.items[i] : t->field_defaults[i];
        if (!spl_eval(I, e, &o->fields[i])) {
            value_release(value_object(o));
            return false;
        }
        if (!spl_type_accepts(&t->field_types[i], &o->fields[i])) {
            spl_fail(I, e, "%s(%s: ...): the field is declared %s, got %s", t->name, t->field_names[i],
                     t->field_types[i].spelling, spl_value_type_name(o->fields[i]));
            value_release(value_object(o));
            return false;
        }
    }
    *out = value_object(o);
    return true;
}

bool spl_eval_field(Interp *I, const Node *n, Value *out)
{
    Value v;
    if (!spl_eval(I, n->a, &v))
        return false;
    if (v.type != VT_OBJECT) {
        /* the message names the value's type: fail before releasing it */
        bool failed = spl_fail(I, n, "%s has no field '%s'", spl_value_type_name(v), n->name);
        value_release(v);
        return failed;
    }
    int i = spl_field_index(n, v.as.o);
    if (i < 0) {
        spl_fail(I, n, "%s has no field '%s'", v.as.o->type->name, n->name);
        value_release(v);
        return false;
    }
    *out = v.as.o->fields[i];
    value_retain(*out);
    value_release(v);
    return true;
}

bool spl_has_user_methods(Value v)
{
    return v.type == VT_OBJECT || v.type == VT_TYPE || v.type == VT_ENUM;
}

const Func *spl_find_method(Interp *I, const Node *call, Value self)
{
    const TypeDef *t = self.type == VT_OBJECT ? self.as.o->type : self.as.td;
    Node *cache = (Node *)call;
    const Func *f;
    if (cache->cache_type == t) {
        f = (const Func *)cache->cache_slot;
    } else {
        int i = spl_strmap_get(&t->method_map, call->name);
        if (i < 0) {
            spl_fail(I, call, "%s has no %s '%s'", t->name, self.type == VT_TYPE ? "static fn" : "method",
                     call->name);
            return NULL;
        }
        f = t->methods[i];
        cache->cache_type = t;
        cache->cache_slot = (intptr_t)f;
    }
    if (self.type == VT_TYPE && !f->is_static) {
        spl_fail(I, call, "%s.%s is a method of an instance: call it on one", t->name, call->name);
        return NULL;
    }
    return f;
}
