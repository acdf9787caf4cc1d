/* parse_internal.h - what parser.c (statements) and parse_expr.c (expressions) share. */
#ifndef SIMPLE_PARSE_INTERNAL_H
#define SIMPLE_PARSE_INTERNAL_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"
#include "lexer.h"

typedef struct Parser {
    const Source *src;
    Program *prog;          /* where lambdas and definitions go */
    TokenList toks;
    int pos;
    CompileError *err;
    int loop_depth;
    bool in_fn;
    int value_blocks;       /* unsafe blocks used as a value around the parser */
    bool line_closed;       /* a value block ended the statement's line (parser.c) */
    bool in_interpolation;  /* parsing the {expr} of a text literal */
    int nesting;            /* expressions inside expressions, bounded */
} Parser;

#define MAX_NESTING SPL_MAX_NESTING

static inline Token *cur(Parser *P) { return &P->toks.items[P->pos]; }
static inline TokKind kind(Parser *P) { return cur(P)->kind; }

static inline Token *next(Parser *P)
{
    Token *t = cur(P);
    if (t->kind != T_EOF)
        P->pos++;
    return t;
}

static inline bool accept(Parser *P, TokKind k)
{
    if (kind(P) != k)
        return false;
    next(P);
    return true;
}

/* Sets "expected <what>, found <token>" at the current token; returns NULL. */
void *spl_parse_error(Parser *P, const char *expected);
/* Consumes a token of kind `k`, or sets an error naming `what`. */
bool spl_parse_expect(Parser *P, TokKind k, const char *what);
/* Consumes a name and returns it (malloc'd), or sets an error naming `what`. */
char *spl_parse_name(Parser *P, const char *what);

/* parse_use.c: 1 at a `use` line, 2 at an `export` line, 3 at `export use`, else 0;
 * then the line into prog->mod (spl_parse_use takes `use` and `export use` lines). */
int spl_parse_module_line(Parser *P);
bool spl_parse_use(Parser *P, Program *prog);
bool spl_parse_export(Parser *P, Program *prog);
/* A use or export line inside a block: the error; returns NULL. */
void *spl_parse_misplaced_module_line(Parser *P);

/* parse_expr.c */
Node *spl_parse_expr(Parser *P);
Node *spl_parse_additive(Parser *P);   /* the bounds of `for i in a..b` */
BinOp spl_binop_of(TokKind k);         /* + for + and +=, ... */

/* parse_type.c: a type annotation (`i64`, `[T]`, `(A, B)`, `T?`, `Result<T, E>`,
 * `fn(A) -> B`, a struct/class/enum name) into *out (spelling set). */
bool spl_parse_typeref(Parser *P, TypeRef *out);

/* parser.c */
Node *spl_parse_block(Parser *P);
/* A fn definition, the parser on `fn`: adds it to the program; `owner` and
 * `is_static` for those inside a struct/class/enum body. */
Func *spl_parse_fn(Parser *P, TypeDef *owner, bool is_static);
/* Skips an attribute line `@name(...)` (the parser on '@'). */
bool spl_parse_skip_attribute(Parser *P);

/* parse_object.c: `struct`/`class`/`enum` NAME: body (the parser on the keyword). */
bool spl_parse_typedef(Parser *P);

#endif
