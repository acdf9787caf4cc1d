/* resolve.c - scopes, slots and call targets (see resolve.h). */
#include "resolve.h"

#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "imports.h"
#include "methods.h"
#include "strmap.h"
#include "util.h"

typedef enum BindKind { B_VAR, B_VAL, B_LOOP, B_PARAM } BindKind;

typedef struct Binding {
    const char *name;
    int slot;
    BindKind kind;
    int line;
    int prev;            /* the binding of the same name it shadows, or -1 */
} Binding;

typedef struct Resolver {
    Program *prog;
    CompileError *err;
    Binding *scope;      /* innermost last */
    int nscope, cap;
    int block_start;     /* index in `scope` where the current block starts */
    int next_slot, max_slots;
    bool top_level;      /* resolving the top-level statements */
    int depth;           /* block nesting; 0 = directly at the top level */
    /* name -> index: in prog->funcs, prog->externs, prog->globals, prog->types,
     * and in `scope` (the innermost binding of that name) */
    StrMap funcs, externs, globals, locals, types;
    /* lambdas: bindings from scope[fn_base] on are the lambda's own; those
     * from outer_base to fn_base belong to the function around it (captured) */
    Node *lambda;        /* the N_LAMBDA being resolved, or NULL */
    int fn_base, outer_base;
    const ImportScope *imports; /* names from `use` lines, or NULL (imports.h) */
} Resolver;

static bool resolve_expr(Resolver *R, Node *n);
static bool resolve_typeref(Resolver *R, TypeRef *t);
static bool resolve_block(Resolver *R, Node *block);

static Func *find_func(const Resolver *R, const char *name)
{
    int i = spl_strmap_get(&R->funcs, name);
    if (i < 0)
        return R->imports ? spl_imports_func(R->imports, name) : NULL;
    return R->prog->funcs[i];
}

static ExternDecl *find_extern(const Resolver *R, const char *name)
{
    int i = spl_strmap_get(&R->externs, name);
    if (i < 0)
        return R->imports ? spl_imports_extern(R->imports, name) : NULL;
    return R->prog->externs[i];
}

static int find_global(const Resolver *R, const char *name) { return spl_strmap_get(&R->globals, name); }

static TypeDef *find_type(const Resolver *R, const char *name)
{
    int i = spl_strmap_get(&R->types, name);
    if (i < 0)
        return R->imports ? spl_imports_type(R->imports, name) : NULL;
    return R->prog->types[i];
}

/* A plain name that is no variable but a struct, class or enum: `Point`, `Color`. */
static TypeDef *type_named(const Resolver *R, const Node *n)
{
    if (n->kind != N_NAME || spl_strmap_get(&R->locals, n->name) >= 0 || find_global(R, n->name) >= 0)
        return NULL;
    return find_type(R, n->name);
}

static const Binding *find_local(const Resolver *R, const char *name)
{
    int i = spl_strmap_get(&R->locals, name);
    return i < 0 ? NULL : &R->scope[i];
}

/* Ends the bindings from `scope[to]` on, uncovering the ones they shadowed. */
static void pop_scope(Resolver *R, int to)
{
    while (R->nscope > to) {
        const Binding *b = &R->scope[--R->nscope];
        spl_strmap_put(&R->locals, b->name, b->prev);
    }
}

/* The first definition of each function and extern name is the one calls reach. */
static void index_definitions(Resolver *R)
{
    const Program *p = R->prog;
    for (int i = 0; i < p->nfuncs; i++)
        if (!p->funcs[i]->owner && !p->funcs[i]->is_lambda && spl_strmap_get(&R->funcs, p->funcs[i]->name) < 0)
            spl_strmap_put(&R->funcs, p->funcs[i]->name, i);
    for (int i = 0; i < p->nexterns; i++)
        if (spl_strmap_get(&R->externs, p->externs[i]->name) < 0)
            spl_strmap_put(&R->externs, p->externs[i]->name, i);
    for (int i = 0; i < p->ntypes; i++)
        if (spl_strmap_get(&R->types, p->types[i]->name) < 0)
            spl_strmap_put(&R->types, p->types[i]->name, i);
    for (int i = 0; i < p->nglobals; i++) /* imported before resolution (imports.c) */
        spl_strmap_put(&R->globals, p->globals[i].name, i);
}

#define FAIL(R, at, ...) (spl_compile_error_set((R)->err, (at)->line, (at)->col, __VA_ARGS__), false)

static bool bind_local(Resolver *R, const Node *at, const char *name, BindKind kind, int *slot)
{
    int existing = spl_strmap_get(&R->locals, name);
    if (existing >= R->block_start)
        return FAIL(R, at, "'%s' is already declared in this block (line %d)", name, R->scope[existing].line);
    spl_grow_array((void **)&R->scope, &R->cap, R->nscope + 1, sizeof(Binding));
    *slot = R->next_slot++;
    if (R->next_slot > R->max_slots)
        R->max_slots = R->next_slot;
    R->scope[R->nscope] = (Binding){name, *slot, kind, at->line, existing};
    spl_strmap_put(&R->locals, name, R->nscope++);
    return true;
}

static bool declare(Resolver *R, Node *n)
{
    if (!R->top_level || R->depth > 0) {
        n->global = false;
        return bind_local(R, n, n->name, n->flag ? B_VAL : B_VAR, &n->slot);
    }
    int existing = find_global(R, n->name);
    if (existing >= 0)
        return FAIL(R, n, "'%s' is already declared at the top level (line %d)", n->name,
                    R->prog->globals[existing].line);
    Program *p = R->prog;
    spl_grow_array((void **)&p->globals, &p->globals_cap, p->nglobals + 1, sizeof(Global));
    p->globals[p->nglobals] = (Global){spl_xstrdup(n->name), n->flag, n->line, n->col, false};
    spl_strmap_put(&R->globals, p->globals[p->nglobals].name, p->nglobals);
    n->global = true;
    n->slot = p->nglobals++;
    return true;
}

/* Turns N_NAME into N_LOCAL/N_GLOBAL; reports how the variable may be changed. */
/* A local of the function around the lambda being resolved: the lambda
 * captures its value when it is made (N_LAMBDA's list), and reads it as
 * N_CAPTURE. */
static bool capture(Resolver *R, Node *n, const Binding *b)
{
    int index = (int)(b - R->scope);
    if (index < R->outer_base)
        return FAIL(R, n, "a lambda inside a lambda cannot use '%s' of the code around both", n->name);
    NodeList *caps = &R->lambda->list;
    int k = 0;
    while (k < caps->n && caps->items[k]->slot != b->slot)
        k++;
    if (k == caps->n) {
        Node *outer = spl_node_new(N_LOCAL, n->line, n->col);
        outer->slot = b->slot;
        outer->name = spl_xstrdup(n->name);
        spl_node_list_add(caps, outer);
    }
    n->kind = N_CAPTURE;
    n->slot = k;
    return true;
}

static bool resolve_name(Resolver *R, Node *n, BindKind *kind, int *line)
{
    const Binding *b = find_local(R, n->name);
    if (b) {
        *kind = b->kind;
        *line = b->line;
        if (R->lambda && b - R->scope < R->fn_base) {
            *kind = B_VAL; /* captured by value: the lambda cannot change it */
            return capture(R, n, b);
        }
        n->kind = N_LOCAL;
        n->slot = b->slot;
        return true;
    }
    int g = find_global(R, n->name);
    if (g >= 0) {
        n->kind = N_GLOBAL;
        n->slot = g;
        *kind = R->prog->globals[g].is_val ? B_VAL : B_VAR;
        *line = R->prog->globals[g].line;
        return true;
    }
    Func *f = find_func(R, n->name);
    TypeDef *t = f ? NULL : find_type(R, n->name);
    if (f || t) { /* a function or a type as a value */
        n->kind = N_CONST;
        n->value = f ? value_func(f) : value_type(t);
        *kind = B_VAL;
        *line = f ? f->line : t->line;
        return true;
    }
    if (find_extern(R, n->name) || spl_builtin_find(n->name) >= 0)
        return FAIL(R, n, "'%s' is a built-in or extern function; call it with %s(...) (only functions "
                          "defined with fn are values)", n->name, n->name);
    return FAIL(R, n, "undefined variable '%s'", n->name);
}

/* The target of an assignment or of push/pop: a variable or an element chain
 * rooted at one, which must not be a val or a loop variable. */
/* `verb` NULL: a method call that may change the receiver or not (the
 * interpreter checks a frozen root then). */
static bool resolve_target(Resolver *R, Node *target, const char *verb, int *frozen_line)
{
    bool decide_later = verb == NULL;
    if (!verb)
        verb = "modify";
    Node *root = target;
    bool through_field = false;
    while (root->kind == N_INDEX || root->kind == N_FIELD) {
        if (root->kind == N_INDEX && !resolve_expr(R, root->b))
            return false;
        through_field = through_field || root->kind == N_FIELD;
        root = root->a;
    }
    if (root->kind != N_NAME) {
        spl_compile_error_set(R->err, target->line, target->col,
                              "cannot %s this expression (only a variable, its elements or its fields)", verb);
        return false;
    }
    char *name = spl_xstrdup(root->name);
    BindKind kind;
    int line;
    bool ok = resolve_name(R, root, &kind, &line);
    if (ok && root->kind != N_LOCAL && root->kind != N_GLOBAL && root->kind != N_CAPTURE) {
        spl_compile_error_set(R->err, target->line, target->col, "cannot %s '%s' (a function or type)", verb, name);
        ok = false;
    }
    bool frozen = ok && (kind == B_VAL || kind == B_LOOP);
    *frozen_line = frozen ? line : 0;
    if (ok && root->kind == N_CAPTURE) {
        spl_compile_error_set(R->err, target->line, target->col,
                              "cannot %s '%s': a lambda captures the value of a local, not the variable", verb, name);
        ok = false;
    }
    if (frozen && (through_field || decide_later)) {
        /* `obj.f = v`, `obj.items.push(v)` on a val: allowed when the path
         * reaches a class instance (a reference) before changing a value;
         * the interpreter decides, knowing the values */
        free(name);
        return true;
    }
    if (ok && !through_field && root->kind == N_GLOBAL && R->prog->globals[root->slot].imported) {
        spl_compile_error_set(R->err, target->line, target->col, "cannot %s '%s': it is imported (line %d); a "
                              "module's variables change only through its own functions", verb, name, line);
        ok = false;
    }
    if (ok && (kind == B_VAL || kind == B_LOOP)) {
        spl_compile_error_set(R->err, target->line, target->col, "cannot %s %s '%s' (declared on line %d%s)", verb,
                          kind == B_VAL ? "val" : "loop variable", name, line,
                          kind == B_VAL ? "; use var for a variable that changes" : "");
        ok = false;
    }
    free(name);
    return ok;
}

static bool resolve_list(Resolver *R, NodeList *list)
{
    for (int i = 0; i < list->n; i++)
        if (!resolve_expr(R, list->items[i]))
            return false;
    return true;
}

static bool arity(Resolver *R, const Node *n, const char *what, int expected)
{
    if (n->list.n == expected)
        return true;
    spl_compile_error_set(R->err, n->line, n->col, "%s '%s' takes %d argument%s, got %d", what, n->name, expected,
                      expected == 1 ? "" : "s", n->list.n);
    return false;
}

/* Puts the arguments of `n` in the order of `names` (parameters or fields),
 * taking named arguments by name; with `defaults`, a missing one is NULL
 * (the interpreter uses the default) when it has a default. */
static bool order_args(Resolver *R, Node *n, const char *what, char *const *names, int count, int skip,
                       Node *const *defaults)
{
    bool named = false;
    for (int i = 0; i < n->list.n; i++)
        named = named || n->list.items[i]->kind == N_NAMEDARG;
    if (!named && !defaults)
        return arity(R, n, what, count - skip);
    Node **slots = spl_xcalloc((size_t)count + 1, sizeof(Node *));
    bool ok = true;
    int pos = skip;
    bool seen_named = false; /* items[] before i are freed as they are taken: remember, don't look back */
    for (int i = 0; ok && i < n->list.n; i++) {
        Node *arg = n->list.items[i];
        int at = pos;
        if (arg->kind == N_NAMEDARG) {
            seen_named = true;
            for (at = skip; at < count && strcmp(names[at], arg->name) != 0; at++)
                ;
            if (at == count)
                ok = FAIL(R, arg, "%s '%s' has no %s '%s'", what, n->name, defaults ? "field" : "parameter", arg->name);
        } else if (seen_named) {
            ok = FAIL(R, arg, "a positional argument after a named one");
        } else {
            pos++;
        }
        if (ok && at >= count)
            ok = FAIL(R, arg, "%s '%s' takes %d argument%s, got %d", what, n->name, count - skip,
                      count - skip == 1 ? "" : "s", n->list.n);
        if (ok && slots[at])
            ok = FAIL(R, arg, "'%s' is given twice", names[at]);
        if (ok) {
            slots[at] = arg->kind == N_NAMEDARG ? arg->a : arg;
            if (arg->kind == N_NAMEDARG) {
                arg->a = NULL;
                spl_node_free(arg);
            }
            n->list.items[i] = NULL;
        }
    }
    for (int i = skip; ok && i < count; i++)
        if (!slots[i] && !(defaults && defaults[i]))
            ok = FAIL(R, n, "%s '%s' needs %s '%s'", what, n->name, defaults ? "the field" : "the argument", names[i]);
    for (int i = 0; i < n->list.n; i++)
        spl_node_free(n->list.items[i]);
    n->list.n = 0;
    for (int i = skip; i < count; i++) {
        if (ok)
            spl_node_list_add(&n->list, slots[i]);
        else
            spl_node_free(slots[i]);
    }
    free(slots);
    return ok;
}

static bool no_named_args(Resolver *R, const Node *n)
{
    for (int i = 0; i < n->list.n; i++)
        if (n->list.items[i]->kind == N_NAMEDARG)
            return FAIL(R, n->list.items[i], "'%s' takes no named arguments", n->name ? n->name : "a function value");
    return true;
}

/* `Type(field: v, ...)`: a new instance; list: one node per field (NULL: its default). */
static bool resolve_new(Resolver *R, Node *n, TypeDef *t)
{
    if (t->kind == TD_ENUM)
        return FAIL(R, n, "enum %s has no constructor; name a variant: %s.%s", t->name, t->name,
                    t->nvariants ? t->variants[0] : "Variant");
    n->kind = N_NEW;
    n->target = t;
    if (!order_args(R, n, t->kind == TD_CLASS ? "class" : "struct", t->field_names, t->nfields, 0,
                    t->field_defaults))
        return false;
    for (int i = 0; i < n->list.n; i++)
        if (n->list.items[i] && !resolve_expr(R, n->list.items[i]))
            return false;
    return true;
}

/* `f(args)` where f is a variable: a function value or lambda, called. */
static bool resolve_call_value(Resolver *R, Node *n)
{
    Node *callee = spl_node_new(N_NAME, n->line, n->col);
    callee->name = spl_xstrdup(n->name);
    n->kind = N_CALL_VALUE;
    n->a = callee;
    BindKind kind;
    int line;
    return no_named_args(R, n) && resolve_name(R, callee, &kind, &line) && resolve_list(R, &n->list);
}

static bool resolve_call(Resolver *R, Node *n)
{
    if (spl_strmap_get(&R->locals, n->name) >= 0 || find_global(R, n->name) >= 0)
        return resolve_call_value(R, n);
    Func *f = find_func(R, n->name);
    ExternDecl *e = f ? NULL : find_extern(R, n->name);
    TypeDef *t = f || e ? NULL : find_type(R, n->name);
    int b = f || e || t ? -1 : spl_builtin_find(n->name);
    if (t)
        return resolve_new(R, n, t);
    if (f) {
        n->kind = N_CALL_FN;
        n->target = f;
        if (!order_args(R, n, "function", f->params, f->nparams, 0, NULL))
            return false;
    } else if (!no_named_args(R, n)) {
        return false;
    } else if (e) {
        n->kind = N_CALL_EXTERN;
        n->target = e;
        if (!arity(R, n, "extern function", e->nparams))
            return false;
    } else if (b >= 0) {
        n->kind = N_CALL_BUILTIN;
        n->slot = b;
        if (!arity(R, n, "built-in function", spl_builtin_get(b)->nargs))
            return false;
    } else {
        return FAIL(R, n, "unknown function '%s'", n->name);
    }
    return resolve_list(R, &n->list);
}

/* `Type.f(args)`: a static fn, called directly. */
static bool resolve_static_call(Resolver *R, Node *n, TypeDef *t)
{
    int i = spl_strmap_get(&t->method_map, n->name);
    if (i < 0)
        return FAIL(R, n, "%s has no static fn '%s'", t->name, n->name);
    Func *f = t->methods[i];
    if (!f->is_static)
        return FAIL(R, n, "%s.%s is a method of an instance: call it on one (%s has no static fn '%s')", t->name,
                    n->name, t->name, n->name);
    spl_node_free(n->a);
    n->a = NULL;
    free(n->name);
    n->name = spl_xstrdup(f->name);
    n->kind = N_CALL_FN;
    n->target = f;
    return order_args(R, n, "function", f->params, f->nparams, 0, NULL) && resolve_list(R, &n->list);
}

static bool user_method_named(const Resolver *R, const char *name)
{
    for (int i = 0; i < R->prog->ntypes; i++)
        if (spl_strmap_get(&R->prog->types[i]->method_map, name) >= 0)
            return true;
    return false;
}

static bool assignable(const Node *n)
{
    while (n->kind == N_INDEX || n->kind == N_FIELD)
        n = n->a;
    return n->kind == N_NAME;
}

/* `a.name(args)`: a static fn (a is a type's name), a method changing an
 * array in place (push, pop on a variable, element or field: N_METHOD), or
 * any other method, found by the value at run time (N_CALL_METHOD). */
static bool resolve_method(Resolver *R, Node *n)
{
    TypeDef *t = type_named(R, n->a);
    if (t)
        return resolve_static_call(R, n, t);
    if (!no_named_args(R, n))
        return false;
    const BuiltinMethod *m = NULL;
    int id = spl_method_find(n->name, &m);
    n->op = (uint8_t)(id < 0 ? METHOD_NONE : id);
    if (!resolve_list(R, &n->list))
        return false;
    if (m && m->mutates && assignable(n->a)) {
        /* a val root errs here unless the path goes through a field, or a
         * type of the program has a method of that name (then the
         * interpreter decides: a class instance may change) */
        return resolve_target(R, n->a, user_method_named(R, n->name) ? NULL : "modify", &n->slot);
    }
    n->kind = N_CALL_METHOD;
    return resolve_expr(R, n->a);
}

/* `a.name`: an enum's variant (a is the enum's name) or a field. */
static bool resolve_field(Resolver *R, Node *n)
{
    TypeDef *t = type_named(R, n->a);
    if (!t)
        return resolve_expr(R, n->a);
    for (int i = 0; t->kind == TD_ENUM && i < t->nvariants; i++) {
        if (strcmp(t->variants[i], n->name) == 0) {
            spl_node_free(n->a);
            n->a = NULL;
            n->kind = N_CONST;
            n->value = value_enum(t, (uint32_t)i);
            return true;
        }
    }
    if (t->kind == TD_ENUM)
        return FAIL(R, n, "enum %s has no variant '%s'", t->name, n->name);
    return FAIL(R, n, "%s.%s: a type has no fields, only its instances (static fns are called: %s.f())", t->name,
                n->name, t->name);
}

static bool resolve_lambda(Resolver *R, Node *n)
{
    Func *f = n->target;
    Node *saved_lambda = R->lambda;
    int saved_fn_base = R->fn_base, saved_outer = R->outer_base, saved_start = R->block_start;
    int saved_n = R->nscope, saved_slot = R->next_slot, saved_max = R->max_slots;
    bool saved_top = R->top_level;
    R->outer_base = R->lambda ? R->fn_base : 0;
    R->fn_base = R->block_start = R->nscope;
    R->next_slot = R->max_slots = 0;
    R->top_level = false;
    R->lambda = n;
    Node at = {.line = f->line, .col = f->col};
    bool ok = true;
    for (int i = 0; ok && i < f->nparams; i++) {
        int slot;
        ok = bind_local(R, &at, f->params[i], B_PARAM, &slot);
    }
    R->block_start = R->nscope;
    ok = ok && resolve_block(R, f->body);
    f->nslots = R->max_slots;
    pop_scope(R, saved_n);
    R->lambda = saved_lambda;
    R->fn_base = saved_fn_base;
    R->outer_base = saved_outer;
    R->block_start = saved_start;
    R->next_slot = saved_slot;
    R->max_slots = saved_max;
    R->top_level = saved_top;
    return ok;
}

static bool resolve_match(Resolver *R, Node *n)
{
    if (!resolve_expr(R, n->a))
        return false;
    for (int i = 0; i < n->list.n; i++) {
        Node *cs = n->list.items[i], *pat = cs->a;
        cs->slot = -1;
        if (pat->kind == N_PAT_VALUE) {
            if (!resolve_expr(R, pat->a))
                return false;
            if (pat->a->kind != N_CONST)
                return FAIL(R, pat->a, "a case pattern is '_', Ok(x), Err(x), a literal or an enum variant");
        }
        int saved_start = R->block_start, saved_n = R->nscope, saved_slot = R->next_slot;
        R->block_start = R->nscope;
        bool ok = !(pat->kind == N_PAT_RESULT && pat->name) || bind_local(R, pat, pat->name, B_VAL, &cs->slot);
        ok = ok && resolve_block(R, cs->b);
        R->block_start = saved_start;
        pop_scope(R, saved_n);
        R->next_slot = saved_slot;
        if (!ok)
            return false;
    }
    return true;
}

static bool resolve_expr(Resolver *R, Node *n)
{
    BindKind kind;
    int line;
    switch ((NodeKind)n->kind) {
    case N_CONST: return true;
    case N_NAME: return resolve_name(R, n, &kind, &line);
    case N_CALL: return resolve_call(R, n);
    case N_METHOD: return resolve_method(R, n);
    case N_FIELD: return resolve_field(R, n);
    case N_LAMBDA: return resolve_lambda(R, n);
    case N_CALL_VALUE: return no_named_args(R, n) && resolve_expr(R, n->a) && resolve_list(R, &n->list);
    case N_NAMEDARG: return FAIL(R, n, "a named argument '%s:' outside a call", n->name);
    case N_INTERP:
    case N_ARRAY:
    case N_TUPLE:
    case N_CHAIN:
    case N_COALESCE: return resolve_list(R, &n->list);
    case N_BLOCK_EXPR: return resolve_block(R, n); /* its own scope, like any block */
    default: break;
    }
    return (!n->a || resolve_expr(R, n->a)) && (!n->b || resolve_expr(R, n->b)) && (!n->c || resolve_expr(R, n->c));
}

static bool resolve_loop(Resolver *R, Node *n)
{
    if (!resolve_expr(R, n->a) || (n->b && !resolve_expr(R, n->b)))
        return false;
    /* The loop variable lives in a scope around the body. */
    int saved_start = R->block_start, saved_n = R->nscope, saved_slot = R->next_slot;
    R->block_start = R->nscope;
    bool ok = bind_local(R, n, n->name, B_LOOP, &n->slot) && resolve_block(R, n->c);
    R->block_start = saved_start;
    pop_scope(R, saved_n);
    R->next_slot = saved_slot;
    return ok;
}

/* Declares the names of a destructuring pattern, left to right; `_` binds nothing. */
static bool declare_pattern(Resolver *R, Node *pat)
{
    for (int i = 0; i < pat->list.n; i++) {
        Node *item = pat->list.items[i];
        bool ok = item->kind == N_PATTERN ? declare_pattern(R, item) : !item->name || declare(R, item);
        if (!ok)
            return false;
    }
    return true;
}

static bool resolve_stmt(Resolver *R, Node *n)
{
    switch ((NodeKind)n->kind) {
    case N_DECL:
        /* The value is resolved first: `val x = x` sees an outer x. */
        if (n->target && !resolve_typeref(R, n->target)) {
            spl_typeref_free(n->target); /* nothing the runtime can check */
            free(n->target);
            n->target = NULL;
        }
        return resolve_expr(R, n->a) && declare(R, n);
    case N_DESTRUCT:
        return resolve_expr(R, n->a) && declare_pattern(R, n->b);
    case N_ASSIGN:
        return resolve_expr(R, n->b) && resolve_target(R, n->a, "assign to", &n->slot);
    case N_MATCH:
        return resolve_match(R, n);
    case N_IF:
        for (int i = 0; i < n->list.n; i += 2)
            if (!resolve_expr(R, n->list.items[i]) || !resolve_block(R, n->list.items[i + 1]))
                return false;
        return !n->c || resolve_block(R, n->c);
    case N_WHILE:
        return resolve_expr(R, n->a) && resolve_block(R, n->b);
    case N_FOR_RANGE:
    case N_FOR_EACH:
        return resolve_loop(R, n);
    case N_BLOCK:
        return resolve_block(R, n);
    default:
        return !n->a || resolve_expr(R, n->a);
    }
}

static bool resolve_block(Resolver *R, Node *block)
{
    int saved_start = R->block_start, saved_n = R->nscope, saved_slot = R->next_slot;
    R->block_start = R->nscope;
    R->depth++;
    bool ok = true;
    for (int i = 0; ok && i < block->list.n; i++)
        ok = resolve_stmt(R, block->list.items[i]);
    R->depth--;
    R->block_start = saved_start;
    pop_scope(R, saved_n);
    R->next_slot = saved_slot;
    return ok;
}

static bool resolve_func(Resolver *R, Func *f)
{
    Node at = {.line = f->line, .col = f->col};
    pop_scope(R, 0);
    R->block_start = R->next_slot = R->max_slots = 0;
    R->top_level = false;
    for (int i = 0; i < f->nparams; i++) {
        int slot;
        if (!bind_local(R, &at, f->params[i], B_PARAM, &slot))
            return false;
    }
    R->block_start = R->nscope;
    bool ok = resolve_block(R, f->body);
    f->nslots = R->max_slots;
    return ok;
}

/* Duplicate and conflicting definitions of functions and externs. */
static bool check_definitions(Resolver *R)
{
    Program *p = R->prog;
    for (int i = 0; i < p->ntypes; i++) {
        TypeDef *t = p->types[i], *first = find_type(R, t->name);
        Node at = {.line = t->line, .col = t->col};
        if (first != t)
            return FAIL(R, &at, "type '%s' is already defined on line %d", t->name, first->line);
        if (find_func(R, t->name) || find_extern(R, t->name))
            return FAIL(R, &at, "type '%s' has the name of a function", t->name);
    }
    for (int i = 0; i < p->nfuncs; i++) {
        Func *f = p->funcs[i];
        if (f->owner || f->is_lambda)
            continue;
        Node at = {.line = f->line, .col = f->col};
        Func *first = find_func(R, f->name);
        ExternDecl *e = find_extern(R, f->name);
        if (first != f)
            return FAIL(R, &at, "function '%s' is already defined on line %d", f->name, first->line);
        if (e)
            return FAIL(R, &at, "function '%s' has the name of the extern declared on line %d", f->name, e->line);
        /* a function named like a built-in (Simple's modules define `join`,
         * `args`, ...) takes the name over in this program */
        if (strcmp(f->name, "main") == 0) {
            if (f->nparams != 0)
                return FAIL(R, &at, "fn %s() takes no parameters", f->name);
            p->main = f;
        }
    }
    for (int i = 0; i < p->nexterns; i++) {
        ExternDecl *e = p->externs[i], *first = find_extern(R, e->name);
        Node at = {.line = e->line, .col = e->col};
        bool same = first->nparams == e->nparams && first->result == e->result && first->n_items == e->n_items &&
                    memcmp(first->params, e->params, (size_t)e->nparams) == 0 &&
                    memcmp(first->items, e->items, (size_t)e->n_items) == 0;
        if (!same)
            return FAIL(R, &at, "extern '%s' is declared differently on line %d", e->name, first->line);
    }
    return true;
}

/* A written type: the kinds the runtime checks; a name becomes its
 * struct/class/enum, or unchecked (TY_ANY) when the program defines none
 * (a generic parameter, a type of a library this runtime does not model). */
static uint8_t fast_type(const TypeRef *t)
{
    switch ((TypeKind)t->kind) {
    case TY_INT: return VT_INT;
    case TY_FLOAT: return VT_FLOAT;
    case TY_BOOL: return VT_BOOL;
    case TY_TEXT: return VT_TEXT;
    case TY_ARRAY: return VT_ARRAY;
    case TY_TUPLE: return VT_TUPLE;
    case TY_RESULT: return VT_RESULT;
    default: return 255;
    }
}

static bool resolve_typeref(Resolver *R, TypeRef *t)
{
    t->fast = fast_type(t);
    if (t->kind != TY_NAMED)
        return t->kind != TY_ANY && t->kind != TY_VOID;
    const char *spelling = t->spelling, *dot = strrchr(spelling, '.');
    char *name = spl_xstrdup(dot ? dot + 1 : spelling);
    name[strcspn(name, "?")] = '\0';
    t->def = find_type(R, name);
    free(name);
    if (!t->def)
        t->kind = TY_ANY;
    return t->def != NULL;
}

static bool resolve_types(Resolver *R)
{
    Program *p = R->prog;
    for (int i = 0; i < p->nfuncs; i++) {
        Func *f = p->funcs[i];
        f->checks = false;
        for (int k = 0; f->ptypes && k < f->nparams; k++)
            f->checks = resolve_typeref(R, &f->ptypes[k]) || f->checks;
        f->checks_result = resolve_typeref(R, &f->rtype);
        f->slow_call = f->checks || f->checks_result || f->rtype.kind == TY_VOID || f->is_lambda;
    }
    for (int i = 0; i < p->ntypes; i++) {
        TypeDef *t = p->types[i];
        for (int k = 0; k < t->nfields; k++) {
            resolve_typeref(R, &t->field_types[k]);
            pop_scope(R, 0);
            R->block_start = R->next_slot = R->max_slots = 0;
            R->top_level = false;
            if (t->field_defaults[k] && !resolve_expr(R, t->field_defaults[k]))
                return false;
            if (R->max_slots > 0)
                return FAIL(R, t->field_defaults[k], "a field's default cannot declare variables");
        }
    }
    R->top_level = true;
    return true;
}

bool spl_resolve_program(Program *prog, CompileError *err)
{
    return spl_resolve_module(prog, NULL, err);
}

bool spl_resolve_module(Program *prog, const ImportScope *imports, CompileError *err)
{
    Resolver R = {.prog = prog, .err = err, .top_level = true, .depth = -1, .imports = imports};
    index_definitions(&R);
    bool ok = check_definitions(&R) && resolve_types(&R) && resolve_block(&R, prog->top);
    prog->top_nslots = R.max_slots;
    for (int i = 0; ok && i < prog->nfuncs; i++)
        if (!prog->funcs[i]->is_lambda)
            ok = resolve_func(&R, prog->funcs[i]);
    free(R.scope);
    spl_strmap_free(&R.funcs);
    spl_strmap_free(&R.externs);
    spl_strmap_free(&R.globals);
    spl_strmap_free(&R.locals);
    spl_strmap_free(&R.types);
    return ok;
}
