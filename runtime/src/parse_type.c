/* parse_type.c - type annotations (docs/language.md, "Types").
 *
 * Simple writes a type after a parameter, a field, a val/var name and `->`.
 * The runtime checks what it can know from a value (TypeKind in ast.h); a
 * generic parameter or a name the program does not define stays unchecked
 * (TY_ANY, decided when names are resolved). */
#include <string.h>

#include "parse_internal.h"
#include "util.h"

static bool type_base(Parser *P, TypeRef *out);

/* `T {, T}` up to `close`; the types themselves are only syntax here. */
static bool type_list(Parser *P, TokKind close, const char *what, int *count)
{
    *count = 0;
    while (kind(P) != close) {
        TypeRef inner = {0};
        bool ok = spl_parse_typeref(P, &inner);
        spl_typeref_free(&inner);
        if (!ok)
            return false;
        ++*count;
        if (!accept(P, T_COMMA))
            break;
    }
    return spl_parse_expect(P, close, what);
}

static int named_kind(const Token *t)
{
    static const struct { const char *name; TypeKind kind; } NAMES[] = {
        {"i8", TY_INT}, {"i16", TY_INT}, {"i32", TY_INT}, {"i64", TY_INT}, {"u8", TY_INT},
        {"u16", TY_INT}, {"u32", TY_INT}, {"u64", TY_INT}, {"int", TY_INT}, {"isize", TY_INT},
        {"usize", TY_INT}, {"f32", TY_FLOAT}, {"f64", TY_FLOAT}, {"float", TY_FLOAT},
        {"bool", TY_BOOL}, {"text", TY_TEXT}, {"str", TY_TEXT}, {"String", TY_TEXT},
        {"void", TY_VOID}, {"Result", TY_RESULT}, {"nil", TY_NIL},
    };
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (strlen(NAMES[i].name) == t->len && memcmp(NAMES[i].name, t->start, t->len) == 0)
            return NAMES[i].kind;
    return TY_NAMED;
}

static bool type_base(Parser *P, TypeRef *out)
{
    int n;
    if (accept(P, T_LBRACKET)) {
        out->kind = TY_ARRAY;
        return type_list(P, T_RBRACKET, "']' to close the array type", &n);
    }
    if (accept(P, T_LPAREN)) {
        if (!type_list(P, T_RPAREN, "',' or ')' in the tuple type", &n))
            return false;
        out->kind = n == 0 ? TY_NIL : TY_TUPLE;
        return true;
    }
    if (accept(P, T_FN)) {
        out->kind = TY_FN;
        if (!spl_parse_expect(P, T_LPAREN, "'(' after 'fn' in the type") ||
            !type_list(P, T_RPAREN, "',' or ')' in the parameter types", &n))
            return false;
        if (accept(P, T_ARROW)) {
            TypeRef result = {0};
            bool ok = spl_parse_typeref(P, &result);
            spl_typeref_free(&result);
            return ok;
        }
        return true;
    }
    if (kind(P) == T_NIL) {
        next(P);
        out->kind = TY_NIL;
        return true;
    }
    if (kind(P) != T_NAME) {
        spl_parse_error(P, "a type");
        return false;
    }
    Token *name = next(P);
    out->kind = (uint8_t)named_kind(name);
    if (out->kind == TY_NAMED && kind(P) == T_DOT) {
        /* a qualified name (module.Type): the last part names the type */
        while (accept(P, T_DOT))
            if (!spl_parse_expect(P, T_NAME, "a type name after '.'"))
                return false;
    }
    if (accept(P, T_LT)) {
        if (!type_list(P, T_GT, "',' or '>' in the type arguments", &n))
            return false;
        if (out->kind == TY_NAMED)
            out->kind = TY_ANY; /* a generic type of a library we do not model */
    }
    return true;
}

bool spl_parse_typeref(Parser *P, TypeRef *out)
{
    if (P->nesting == MAX_NESTING) {
        spl_compile_error_set(P->err, cur(P)->line, cur(P)->col, "type nested too deeply (more than %d levels)",
                              MAX_NESTING);
        return false;
    }
    const Token *first = cur(P);
    P->nesting++;
    bool ok = type_base(P, out);
    P->nesting--;
    while (ok && accept(P, T_QUESTION))
        out->optional = true;
    if (!ok)
        return false;
    const Token *last = &P->toks.items[P->pos - 1];
    spl_typeref_free(out);
    out->spelling = spl_xstrndup(first->start, (size_t)(last->start + last->len - first->start));
    return true;
}
