/* resolve.c - scopes, slots and call targets (see resolve.h). */
#include "resolve.h"

#include <stdlib.h>
#include <string.h>

#include "builtins.h"
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
    /* name -> index: in prog->funcs, prog->externs, prog->globals, and in
     * `scope` (the innermost binding of that name) */
    StrMap funcs, externs, globals, locals;
} Resolver;

static bool resolve_expr(Resolver *R, Node *n);
static bool resolve_block(Resolver *R, Node *block);

static Func *find_func(const Resolver *R, const char *name)
{
    int i = spl_strmap_get(&R->funcs, name);
    return i < 0 ? NULL : R->prog->funcs[i];
}

static ExternDecl *find_extern(const Resolver *R, const char *name)
{
    int i = spl_strmap_get(&R->externs, name);
    return i < 0 ? NULL : R->prog->externs[i];
}

static int find_global(const Resolver *R, const char *name) { return spl_strmap_get(&R->globals, name); }

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
        if (spl_strmap_get(&R->funcs, p->funcs[i]->name) < 0)
            spl_strmap_put(&R->funcs, p->funcs[i]->name, i);
    for (int i = 0; i < p->nexterns; i++)
        if (spl_strmap_get(&R->externs, p->externs[i]->name) < 0)
            spl_strmap_put(&R->externs, p->externs[i]->name, i);
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
    p->globals[p->nglobals] = (Global){spl_xstrdup(n->name), n->flag, n->line, n->col};
    spl_strmap_put(&R->globals, p->globals[p->nglobals].name, p->nglobals);
    n->global = true;
    n->slot = p->nglobals++;
    return true;
}

/* Turns N_NAME into N_LOCAL/N_GLOBAL; reports how the variable may be changed. */
static bool resolve_name(Resolver *R, Node *n, BindKind *kind, int *line)
{
    const Binding *b = find_local(R, n->name);
    if (b) {
        n->kind = N_LOCAL;
        n->slot = b->slot;
        *kind = b->kind;
        *line = b->line;
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
    if (find_func(R, n->name) || find_extern(R, n->name) || spl_builtin_find(n->name) >= 0)
        return FAIL(R, n, "'%s' is a function; call it with %s(...)", n->name, n->name);
    return FAIL(R, n, "undefined variable '%s'", n->name);
}

/* The target of an assignment or of push/pop: a variable or an element chain
 * rooted at one, which must not be a val or a loop variable. */
static bool resolve_target(Resolver *R, Node *target, const char *verb)
{
    Node *root = target;
    while (root->kind == N_INDEX) {
        if (!resolve_expr(R, root->b))
            return false;
        root = root->a;
    }
    if (root->kind != N_NAME) {
        spl_compile_error_set(R->err, target->line, target->col, "cannot %s this expression (only a variable or its elements)", verb);
        return false;
    }
    char *name = spl_xstrdup(root->name);
    BindKind kind;
    int line;
    bool ok = resolve_name(R, root, &kind, &line);
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

static bool resolve_call(Resolver *R, Node *n)
{
    Func *f = find_func(R, n->name);
    ExternDecl *e = f ? NULL : find_extern(R, n->name);
    int b = f || e ? -1 : spl_builtin_find(n->name);
    if (f) {
        n->kind = N_CALL_FN;
        n->target = f;
        if (!arity(R, n, "function", f->nparams))
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

static bool resolve_method(Resolver *R, Node *n)
{
    int nargs;
    int id = spl_method_find(n->name, &nargs);
    if (id < 0)
        return FAIL(R, n, "unknown method '%s' (arrays have push and pop)", n->name);
    n->op = (uint8_t)id;
    if (!arity(R, n, "method", nargs) || !resolve_list(R, &n->list))
        return false;
    return resolve_target(R, n->a, "modify");
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
    case N_INTERP:
    case N_ARRAY:
    case N_TUPLE:
    case N_CHAIN: return resolve_list(R, &n->list);
    default: break;
    }
    return (!n->a || resolve_expr(R, n->a)) && (!n->b || resolve_expr(R, n->b));
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
        return resolve_expr(R, n->a) && declare(R, n);
    case N_DESTRUCT:
        return resolve_expr(R, n->a) && declare_pattern(R, n->b);
    case N_ASSIGN:
        return resolve_expr(R, n->b) && resolve_target(R, n->a, "assign to");
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
    for (int i = 0; i < p->nfuncs; i++) {
        Func *f = p->funcs[i];
        Node at = {.line = f->line, .col = f->col};
        Func *first = find_func(R, f->name);
        ExternDecl *e = find_extern(R, f->name);
        if (first != f)
            return FAIL(R, &at, "function '%s' is already defined on line %d", f->name, first->line);
        if (e)
            return FAIL(R, &at, "function '%s' has the name of the extern declared on line %d", f->name, e->line);
        if (spl_builtin_find(f->name) >= 0)
            return FAIL(R, &at, "'%s' is a built-in function and cannot be redefined", f->name);
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

bool spl_resolve_program(Program *prog, CompileError *err)
{
    Resolver R = {.prog = prog, .err = err, .top_level = true, .depth = -1};
    index_definitions(&R);
    bool ok = check_definitions(&R) && resolve_block(&R, prog->top);
    prog->top_nslots = R.max_slots;
    for (int i = 0; ok && i < prog->nfuncs; i++)
        ok = resolve_func(&R, prog->funcs[i]);
    free(R.scope);
    spl_strmap_free(&R.funcs);
    spl_strmap_free(&R.externs);
    spl_strmap_free(&R.globals);
    spl_strmap_free(&R.locals);
    return ok;
}
