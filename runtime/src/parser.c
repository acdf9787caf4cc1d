/* parser.c - statements and the top level, by recursive descent over the
 * token list (expressions: parse_expr.c; grammar: docs/language.md). */
#include "parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "parse_internal.h"
#include "util.h"

static Node *parse_block(Parser *P);
static Node *parse_pattern(Parser *P, bool is_val);
static Node *parse_statement(Parser *P);

/* ---- tokens ---- */

/* "'foo'", "name 'foo'", "end of line", ... for messages. */
static void describe(const Token *t, char *buf, size_t size)
{
    const char *generic = spl_token_kind_name(t->kind);
    int len = t->len > 40 ? 40 : (int)t->len;
    if (t->kind == T_NAME)
        snprintf(buf, size, "name '%.*s'", len, t->start);
    else if (t->kind == T_INT || t->kind == T_FLOAT || t->kind == T_TEXT)
        snprintf(buf, size, "%s %.*s", generic, len, t->start);
    else if (generic)
        snprintf(buf, size, "%s", generic);
    else
        snprintf(buf, size, "'%.*s'", len, t->start);
}

void *spl_parse_error(Parser *P, const char *expected)
{
    Token *t = cur(P);
    const Token *prev = P->pos > 0 ? &P->toks.items[P->pos - 1] : NULL;
    char found[80];
    describe(t, found, sizeof found);
    if (t->kind == T_INDENT) {
        spl_compile_error_set(P->err, t->line, t->col, "unexpected indent");
    } else if (t->kind == T_EOF && P->in_interpolation) {
        spl_compile_error_set(P->err, t->line, t->col, "expected %s, found '}'", expected);
    } else if (prev && prev->kind != T_NEWLINE && t->line > prev->line) {
        /* Inside () or [] line ends are no tokens: point after the line's last token. */
        int col = prev->col;
        for (size_t i = 0; i < prev->len; i++)
            col += ((unsigned char)prev->start[i] & 0xC0) != 0x80;
        spl_compile_error_set(P->err, prev->line, col, "expected %s, found end of line", expected);
    } else {
        spl_compile_error_set(P->err, t->line, t->col, "expected %s, found %s", expected, found);
    }
    return NULL;
}

bool spl_parse_expect(Parser *P, TokKind k, const char *what)
{
    if (accept(P, k))
        return true;
    spl_parse_error(P, what);
    return false;
}

char *spl_parse_name(Parser *P, const char *what)
{
    if (kind(P) != T_NAME)
        return spl_parse_error(P, what);
    Token *t = next(P);
    return spl_xstrndup(t->start, t->len);
}

/* ---- statements ---- */

static Node *finish_simple(Parser *P, Node *n)
{
    if (n && !spl_parse_expect(P, T_NEWLINE, "end of line")) {
        spl_node_free(n);
        return NULL;
    }
    return n;
}

/* One name of a destructuring pattern: an N_DECL leaf without a value; `_` binds nothing. */
static Node *pattern_leaf(Parser *P, bool is_val)
{
    Token *t = cur(P);
    char *name = spl_parse_name(P, "a name or '(' in the pattern");
    if (!name)
        return NULL;
    Node *leaf = spl_node_new(N_DECL, t->line, t->col);
    leaf->flag = is_val;
    if (strcmp(name, "_") == 0)
        free(name);
    else
        leaf->name = name;
    return leaf;
}

/* The items of a pattern up to ')': names, `_` and nested patterns. */
static bool pattern_items(Parser *P, Node *pat, bool is_val, bool *trailing_comma)
{
    while (kind(P) != T_RPAREN) {
        Node *item = kind(P) == T_LPAREN ? parse_pattern(P, is_val) : pattern_leaf(P, is_val);
        if (!item)
            return false;
        spl_node_list_add(&pat->list, item);
        *trailing_comma = accept(P, T_COMMA);
        if (!*trailing_comma)
            break;
    }
    if (pat->list.n == 0) {
        spl_parse_error(P, "a name in the pattern");
        return false;
    }
    if (pat->list.n == 1 && !*trailing_comma && kind(P) == T_RPAREN) {
        spl_compile_error_set(P->err, pat->line, pat->col, "a pattern of one name needs a trailing comma: (a,)");
        return false;
    }
    return spl_parse_expect(P, T_RPAREN, "',' or ')' in the pattern");
}

/* `(a, (b, c), _)` after val/var; the parser stands on '('. */
static Node *parse_pattern(Parser *P, bool is_val)
{
    Token *open = next(P);
    if (P->nesting == MAX_NESTING) {
        spl_compile_error_set(P->err, open->line, open->col, "pattern nested too deeply (more than %d levels)",
                              MAX_NESTING);
        return NULL;
    }
    Node *pat = spl_node_new(N_PATTERN, open->line, open->col);
    bool trailing_comma = false;
    P->nesting++;
    bool ok = pattern_items(P, pat, is_val, &trailing_comma);
    P->nesting--;
    if (!ok) {
        spl_node_free(pat);
        return NULL;
    }
    return pat;
}

static Node *parse_decl(Parser *P)
{
    Token *t = next(P);
    bool is_val = t->kind == T_VAL;
    Node *n = spl_node_new(N_DECL, t->line, t->col);
    n->flag = is_val;
    if (kind(P) == T_LPAREN) {
        n->kind = N_DESTRUCT;
        n->b = parse_pattern(P, is_val);
    } else {
        n->name = spl_parse_name(P, is_val ? "a name or a (pattern) after 'val'" : "a name or a (pattern) after 'var'");
    }
    if (!(n->name || n->b) || !spl_parse_expect(P, T_ASSIGN, "'=' (a declaration needs a value)") ||
        !(n->a = spl_parse_expr(P))) {
        spl_node_free(n);
        return NULL;
    }
    return n;
}

static bool is_assign_op(TokKind k) { return k >= T_ASSIGN && k <= T_PERCENT_ASSIGN; }

static Node *parse_expr_or_assign(Parser *P)
{
    Node *target = spl_parse_expr(P);
    if (!target || !is_assign_op(kind(P))) {
        if (!target)
            return NULL;
        Node *s = spl_node_new(N_EXPR_STMT, target->line, target->col);
        s->a = target;
        return s;
    }
    Token *t = next(P);
    if (target->kind != N_NAME && target->kind != N_INDEX) {
        spl_compile_error_set(P->err, target->line, target->col,
                          "cannot assign to this expression (only to a variable or an element a[i])");
        spl_node_free(target);
        return NULL;
    }
    Node *n = spl_node_new(N_ASSIGN, t->line, t->col);
    n->op = (uint8_t)(t->kind == T_ASSIGN ? OP_NONE : spl_binop_of(t->kind));
    n->a = target;
    if (!(n->b = spl_parse_expr(P))) {
        spl_node_free(n);
        return NULL;
    }
    return n;
}

static Node *parse_jump(Parser *P)
{
    Token *t = next(P);
    NodeKind k = t->kind == T_BREAK ? N_BREAK : t->kind == T_CONTINUE ? N_CONTINUE : N_RETURN;
    if (k != N_RETURN && P->loop_depth == 0) {
        spl_compile_error_set(P->err, t->line, t->col, "'%s' outside a loop", k == N_BREAK ? "break" : "continue");
        return NULL;
    }
    if (k == N_RETURN && !P->in_fn) {
        spl_compile_error_set(P->err, t->line, t->col, "'return' outside a function");
        return NULL;
    }
    Node *n = spl_node_new(k, t->line, t->col);
    if (k == N_RETURN && kind(P) != T_NEWLINE && !(n->a = spl_parse_expr(P))) {
        spl_node_free(n);
        return NULL;
    }
    return n;
}

static Node *parse_print(Parser *P)
{
    Token *t = next(P);
    Node *n = spl_node_new(N_PRINT, t->line, t->col);
    n->flag = t->kind == T_EPRINT;
    if (kind(P) != T_NEWLINE && !(n->a = spl_parse_expr(P))) {
        spl_node_free(n);
        return NULL;
    }
    return n;
}

static Node *parse_simple(Parser *P)
{
    switch (kind(P)) {
    case T_VAL:
    case T_VAR:
        return finish_simple(P, parse_decl(P));
    case T_BREAK:
    case T_CONTINUE:
    case T_RETURN:
        return finish_simple(P, parse_jump(P));
    case T_PRINT:
    case T_EPRINT:
        return finish_simple(P, parse_print(P));
    case T_FN:
    case T_EXTERN:
        spl_compile_error_set(P->err, cur(P)->line, cur(P)->col,
                          "'%s' is only allowed at the top level of a file",
                          kind(P) == T_FN ? "fn" : "extern fn");
        return NULL;
    default:
        return finish_simple(P, parse_expr_or_assign(P));
    }
}

static Node *parse_if(Parser *P)
{
    Token *t = next(P);
    Node *n = spl_node_new(N_IF, t->line, t->col);
    for (;;) {
        Node *cond = spl_parse_expr(P);
        if (!cond || !spl_parse_expect(P, T_COLON, "':' after the condition")) {
            spl_node_free(cond);
            spl_node_free(n);
            return NULL;
        }
        spl_node_list_add(&n->list, cond);
        Node *body = parse_block(P);
        if (!body) {
            spl_node_free(n);
            return NULL;
        }
        spl_node_list_add(&n->list, body);
        if (!accept(P, T_ELIF))
            break;
    }
    if (accept(P, T_ELSE)) {
        if (!spl_parse_expect(P, T_COLON, "':' after 'else'") || !(n->c = parse_block(P))) {
            spl_node_free(n);
            return NULL;
        }
    }
    return n;
}

static Node *parse_loop_body(Parser *P, Node *n, Node **slot)
{
    P->loop_depth++;
    *slot = parse_block(P);
    P->loop_depth--;
    if (!*slot) {
        spl_node_free(n);
        return NULL;
    }
    return n;
}

static Node *parse_while(Parser *P)
{
    Token *t = next(P);
    Node *n = spl_node_new(N_WHILE, t->line, t->col);
    if (!(n->a = spl_parse_expr(P)) || !spl_parse_expect(P, T_COLON, "':' after the condition")) {
        spl_node_free(n);
        return NULL;
    }
    return parse_loop_body(P, n, &n->b);
}

static Node *parse_for(Parser *P)
{
    Token *t = next(P);
    Node *n = spl_node_new(N_FOR_EACH, t->line, t->col);
    if (!(n->name = spl_parse_name(P, "a loop variable after 'for'")) || !spl_parse_expect(P, T_IN, "'in'") ||
        !(n->a = spl_parse_additive(P))) {
        spl_node_free(n);
        return NULL;
    }
    if (accept(P, T_DOTDOT)) {
        n->kind = N_FOR_RANGE;
        if (!(n->b = spl_parse_additive(P))) {
            spl_node_free(n);
            return NULL;
        }
    }
    if (!spl_parse_expect(P, T_COLON, n->kind == N_FOR_RANGE ? "':'" : "'..' or ':'")) {
        spl_node_free(n);
        return NULL;
    }
    return parse_loop_body(P, n, &n->c);
}

static Node *parse_statement(Parser *P)
{
    switch (kind(P)) {
    case T_IF: return parse_if(P);
    case T_WHILE: return parse_while(P);
    case T_FOR: return parse_for(P);
    default: return parse_simple(P);
    }
}

/* After ':' - an indented block, or one simple statement on the same line. */
static Node *parse_block(Parser *P)
{
    Token *t = cur(P);
    Node *block = spl_node_new(N_BLOCK, t->line, t->col);
    if (!accept(P, T_NEWLINE)) {
        Node *s = parse_simple(P);
        if (!s) {
            spl_node_free(block);
            return NULL;
        }
        spl_node_list_add(&block->list, s);
        return block;
    }
    if (!spl_parse_expect(P, T_INDENT, "an indented block")) {
        spl_node_free(block);
        return NULL;
    }
    while (!accept(P, T_DEDENT)) {
        Node *s = parse_statement(P);
        if (!s) {
            spl_node_free(block);
            return NULL;
        }
        spl_node_list_add(&block->list, s);
    }
    return block;
}

/* ---- top level ---- */

/* One type of an extern declaration: `i64`, `[u8]`, and for results `T?`.
 * The names come from the runtime's type table (externs.c), which
 * tests/toolkit/test_abi_source.py holds to site_scons/sffi/abi.py. */
static bool parse_type(Parser *P, uint8_t *out, bool result)
{
    Token *t = cur(P);
    bool array = accept(P, T_LBRACKET);
    if (array && kind(P) == T_LPAREN) {
        spl_compile_error_set(P->err, t->line, t->col,
                              "an array of tuples '[(T1, ..., Tn)]' is allowed only as an extern's whole result");
        return false;
    }
    if (kind(P) != T_NAME) {
        spl_parse_error(P, "a type (i8 .. u64, f32, f64, bool, text, or [T] of one)");
        return false;
    }
    Token *name = next(P);
    if (array && !spl_parse_expect(P, T_RBRACKET, "']' to close the array type"))
        return false;
    char spelling[32];
    snprintf(spelling, sizeof spelling, array ? "[%.*s]" : "%.*s", (int)(name->len < 20 ? name->len : 20), name->start);
    int code = name->len < 20 ? spl_sffi_type_code(spelling) : -1;
    if (code <= 0) {
        int len = (int)(P->toks.items[P->pos - 1].start + P->toks.items[P->pos - 1].len - t->start);
        spl_compile_error_set(P->err, t->line, t->col,
                              "unknown type '%.*s' (expected i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, "
                              "bool, text, or [T] of one of them)", len, t->start);
        return false;
    }
    *out = (uint8_t)code;
    if (kind(P) == T_QUESTION) {
        if (!result) {
            spl_compile_error_set(P->err, cur(P)->line, cur(P)->col,
                                  "an optional type 'T?' is allowed only as an extern's result");
            return false;
        }
        next(P);
        *out |= SFFI_OPTIONAL;
    }
    return true;
}

/* `(T1, ..., Tn)` with 1 <= n <= SFFI_MAX_TUPLE: the tuple's types into e->items. */
static bool parse_tuple(Parser *P, ExternDecl *e)
{
    Token *open = cur(P);
    if (!spl_parse_expect(P, T_LPAREN, "'(' to open the tuple type"))
        return false;
    while (kind(P) != T_RPAREN) {
        if (e->n_items == SFFI_MAX_TUPLE) {
            spl_compile_error_set(P->err, open->line, open->col,
                                  "a tuple result has at most %d elements", SFFI_MAX_TUPLE);
            return false;
        }
        if (!parse_type(P, &e->items[e->n_items], true))
            return false;
        e->n_items++;
        if (!accept(P, T_COMMA))
            break;
    }
    if (!spl_parse_expect(P, T_RPAREN, "',' or ')' in the tuple type"))
        return false;
    if (e->n_items == 0) {
        spl_compile_error_set(P->err, open->line, open->col, "a tuple result has at least one element");
        return false;
    }
    return true;
}

/* `-> T`, `-> T?`, `-> (T1, ..., Tn)`, or an array of tuples `-> [(T1, ..., Tn)]` (maybe `?`). */
static bool parse_result(Parser *P, ExternDecl *e)
{
    if (kind(P) == T_LBRACKET && P->toks.items[P->pos + 1].kind == T_LPAREN) {
        next(P);
        e->result = SFFI_TUPLE_ARRAY;
        if (!parse_tuple(P, e) || !spl_parse_expect(P, T_RBRACKET, "']' to close the array of tuples"))
            return false;
        if (accept(P, T_QUESTION))
            e->result |= SFFI_OPTIONAL;
        return true;
    }
    if (kind(P) != T_LPAREN)
        return parse_type(P, &e->result, true);
    e->result = SFFI_TUPLE;
    return parse_tuple(P, e);
}

static bool parse_extern_params(Parser *P, ExternDecl *e)
{
    while (kind(P) != T_RPAREN) {
        if (e->nparams == SFFI_MAX_PARAMS) {
            spl_compile_error_set(P->err, cur(P)->line, cur(P)->col,
                              "too many parameters (an extern takes at most %d)", SFFI_MAX_PARAMS);
            return false;
        }
        char *name = spl_parse_name(P, "a parameter name");
        if (!name)
            return false;
        e->param_names[e->nparams] = name;
        if (!spl_parse_expect(P, T_COLON, "':' and the parameter's type") ||
            !parse_type(P, &e->params[e->nparams], false))
            return false;
        e->nparams++;
        if (!accept(P, T_COMMA))
            break;
    }
    return spl_parse_expect(P, T_RPAREN, "',' or ')' in the parameters");
}

static bool parse_extern(Parser *P, Program *prog)
{
    Token *t = next(P);
    ExternDecl *e = spl_xcalloc(1, sizeof *e);
    e->line = t->line;
    e->col = t->col;
    spl_grow_array((void **)&prog->externs, &prog->externs_cap, prog->nexterns + 1, sizeof(ExternDecl *));
    prog->externs[prog->nexterns++] = e;
    if (!spl_parse_expect(P, T_FN, "'fn' after 'extern'") || !(e->name = spl_parse_name(P, "the extern function's name")) ||
        !spl_parse_expect(P, T_LPAREN, "'('") || !parse_extern_params(P, e))
        return false;
    e->result = SFFI_NONE;
    if (accept(P, T_ARROW) && !parse_result(P, e))
        return false;
    return spl_parse_expect(P, T_NEWLINE, "end of line after the extern declaration");
}

static bool parse_fn(Parser *P, Program *prog)
{
    Token *t = next(P);
    Func *f = spl_xcalloc(1, sizeof *f);
    f->line = t->line;
    f->col = t->col;
    spl_grow_array((void **)&prog->funcs, &prog->funcs_cap, prog->nfuncs + 1, sizeof(Func *));
    prog->funcs[prog->nfuncs++] = f;
    if (!(f->name = spl_parse_name(P, "the function's name after 'fn'")) || !spl_parse_expect(P, T_LPAREN, "'('"))
        return false;
    int cap = 0;
    while (kind(P) != T_RPAREN) {
        char *name = spl_parse_name(P, "a parameter name");
        if (!name)
            return false;
        spl_grow_array((void **)&f->params, &cap, f->nparams + 1, sizeof(char *));
        f->params[f->nparams++] = name;
        if (!accept(P, T_COMMA))
            break;
    }
    if (!spl_parse_expect(P, T_RPAREN, "',' or ')' in the parameters") || !spl_parse_expect(P, T_COLON, "':' after the parameters"))
        return false;
    P->in_fn = true;
    f->body = parse_block(P);
    P->in_fn = false;
    return f->body != NULL;
}

static bool is_pub_extern(Parser *P)
{
    const Token *t = cur(P);
    return t->kind == T_NAME && t->len == 3 && memcmp(t->start, "pub", 3) == 0 && P->pos + 1 < P->toks.n &&
           P->toks.items[P->pos + 1].kind == T_EXTERN;
}

bool spl_parse_program(const Source *src, Program *prog, CompileError *err)
{
    Parser P = {.src = src, .err = err};
    prog->top = spl_node_new(N_BLOCK, 1, 1);
    bool ok = spl_lex(src, 0, src->len, 1, 1, false, &P.toks, err);
    while (ok && kind(&P) != T_EOF) {
        if (is_pub_extern(&P))
            next(&P); /* `pub extern fn`: visibility means nothing to a script */
        if (kind(&P) == T_EXTERN) {
            ok = parse_extern(&P, prog);
        } else if (kind(&P) == T_FN) {
            ok = parse_fn(&P, prog);
        } else {
            Node *s = parse_statement(&P);
            ok = s != NULL;
            if (s)
                spl_node_list_add(&prog->top->list, s);
        }
    }
    spl_token_list_free(&P.toks);
    return ok;
}
