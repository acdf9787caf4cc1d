/* parse_object.c - `struct`, `class` and `enum` definitions (docs/language.md,
 * "Structs, classes and enums").
 *
 *     class Counter:
 *         """A docstring."""
 *         count: i64
 *         step: i64 = 1              # a default, used when construction leaves it out
 *         static fn new() -> Counter:
 *             Counter(count: 0)
 *         fn bump():                 # an instance method: `self` is implicit
 *             self.count = self.count + self.step
 *
 *     enum Color:
 *         Red
 *         Green
 */
#include <stdlib.h>
#include <string.h>

#include "parse_internal.h"
#include "util.h"

static TypeDef *new_typedef(Parser *P, const Token *at, char *name, TypeDefKind k)
{
    Program *prog = P->prog;
    TypeDef *t = spl_xcalloc(1, sizeof *t);
    t->name = name;
    t->kind = (uint8_t)k;
    t->line = at->line;
    t->col = at->col;
    spl_grow_array((void **)&prog->types, &prog->types_cap, prog->ntypes + 1, sizeof(TypeDef *));
    prog->types[prog->ntypes++] = t;
    return t;
}

#define FAIL_AT(P, t, ...) (spl_compile_error_set((P)->err, (t)->line, (t)->col, __VA_ARGS__), false)

/* `name: type [= default]` (optionally after val/var) in a struct or class body. */
static bool parse_field(Parser *P, TypeDef *t)
{
    if (kind(P) == T_VAL || kind(P) == T_VAR)
        next(P);
    Token *at = cur(P);
    char *name = spl_parse_name(P, "a field name, 'fn' or 'static fn'");
    if (!name)
        return false;
    if (spl_strmap_get(&t->field_map, name) >= 0) {
        spl_compile_error_set(P->err, at->line, at->col, "field '%s' is already declared in %s", name, t->name);
        free(name);
        return false;
    }
    int i = t->nfields, cap = t->fields_cap;
    spl_grow_array((void **)&t->field_names, &cap, i + 1, sizeof(char *));
    cap = t->fields_cap;
    spl_grow_array((void **)&t->field_types, &cap, i + 1, sizeof(TypeRef));
    cap = t->fields_cap;
    spl_grow_array((void **)&t->field_defaults, &cap, i + 1, sizeof(Node *));
    t->fields_cap = cap;
    t->field_names[i] = name;
    t->field_types[i] = (TypeRef){0};
    t->field_defaults[i] = NULL;
    t->nfields++;
    spl_strmap_put(&t->field_map, name, i);
    if (!spl_parse_expect(P, T_COLON, "':' and the field's type") || !spl_parse_typeref(P, &t->field_types[i]))
        return false;
    if (accept(P, T_ASSIGN) && !(t->field_defaults[i] = spl_parse_expr(P)))
        return false;
    return spl_parse_expect(P, T_NEWLINE, "end of line after the field");
}

/* `Name` of an enum body; variants with a payload are not in this subset. */
static bool parse_variant(Parser *P, TypeDef *t)
{
    Token *at = cur(P);
    char *name = spl_parse_name(P, "a variant name");
    if (!name)
        return false;
    spl_grow_array((void **)&t->variants, &t->variants_cap, t->nvariants + 1, sizeof(char *));
    t->variants[t->nvariants++] = name;
    if (kind(P) == T_LPAREN)
        return FAIL_AT(P, cur(P), "enum variants with a payload are not supported by this runtime: write "
                                  "'%s' as a unit variant, without '(...)'", name);
    for (int i = 0; i < t->nvariants - 1; i++)
        if (strcmp(t->variants[i], name) == 0)
            return FAIL_AT(P, at, "variant '%s' is already declared in enum %s", name, t->name);
    if (accept(P, T_COMMA) && kind(P) == T_NEWLINE)
        next(P);
    else if (kind(P) != T_NAME && !spl_parse_expect(P, T_NEWLINE, "end of line after the variant"))
        return false;
    return true;
}

static bool add_method(Parser *P, TypeDef *t, bool is_static)
{
    Token *at = cur(P);
    Func *f = spl_parse_fn(P, t, is_static);
    if (!f)
        return false;
    const char *short_name = strchr(f->name, '.') + 1;
    if (spl_strmap_get(&t->method_map, short_name) >= 0)
        return FAIL_AT(P, at, "'%s' is already defined in %s", short_name, t->name);
    spl_grow_array((void **)&t->methods, &t->methods_cap, t->nmethods + 1, sizeof(Func *));
    t->methods[t->nmethods] = f;
    spl_strmap_put(&t->method_map, short_name, t->nmethods++);
    return true;
}

static bool parse_member(Parser *P, TypeDef *t)
{
    while (kind(P) == T_NAME && cur(P)->len == 3 && memcmp(cur(P)->start, "pub", 3) == 0 &&
           P->pos + 1 < P->toks.n && P->toks.items[P->pos + 1].kind != T_COLON)
        next(P); /* visibility means nothing to a script */
    switch (kind(P)) {
    case T_AT:
        return spl_parse_skip_attribute(P);
    case T_TEXT: /* a docstring */
    case T_PASS:
        next(P);
        return spl_parse_expect(P, T_NEWLINE, "end of line");
    case T_FN:
        return add_method(P, t, false);
    case T_STATIC:
        next(P);
        if (kind(P) != T_FN)
            return spl_parse_error(P, "'fn' after 'static'"), false;
        return add_method(P, t, true);
    default:
        break;
    }
    return t->kind == TD_ENUM ? parse_variant(P, t) : parse_field(P, t);
}

bool spl_parse_typedef(Parser *P)
{
    Token *kw = next(P);
    TypeDefKind k = kw->kind == T_STRUCT ? TD_STRUCT : kw->kind == T_CLASS ? TD_CLASS : TD_ENUM;
    Token *at = cur(P);
    char *name = spl_parse_name(P, "the type's name");
    if (!name)
        return false;
    TypeDef *t = new_typedef(P, at, name, k);
    if (accept(P, T_LT)) { /* generic parameters: the runtime does not check them */
        while (kind(P) == T_NAME || kind(P) == T_COMMA || kind(P) == T_COLON)
            next(P);
        if (!spl_parse_expect(P, T_GT, "'>' after the type parameters"))
            return false;
    }
    if (!spl_parse_expect(P, T_COLON, "':' after the type's name"))
        return false;
    if (!accept(P, T_NEWLINE))   /* `struct Empty: pass` */
        return parse_member(P, t);
    if (!spl_parse_expect(P, T_INDENT, "an indented body"))
        return false;
    while (!accept(P, T_DEDENT))
        if (!parse_member(P, t))
            return false;
    return true;
}
