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
static Node *parse_value(Parser *P);

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
    bool closed = P->line_closed; /* a value block ended the line: its newline is taken */
    P->line_closed = false;
    if (n && !closed && !spl_parse_expect(P, T_NEWLINE, "end of line")) {
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
        if (n->name && accept(P, T_COLON)) { /* `val x: T = ...`: checked when the value is stored */
            TypeRef *type = spl_xcalloc(1, sizeof *type);
            n->target = type;
            if (!spl_parse_typeref(P, type)) {
                spl_node_free(n);
                return NULL;
            }
        }
    }
    if (!(n->name || n->b) || !spl_parse_expect(P, T_ASSIGN, "'=' (a declaration needs a value)") ||
        !(n->a = parse_value(P))) {
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
    if (target->kind != N_NAME && target->kind != N_INDEX && target->kind != N_FIELD) {
        spl_compile_error_set(P->err, target->line, target->col,
                          "cannot assign to this expression (only to a variable, an element a[i] or a field a.f)");
        spl_node_free(target);
        return NULL;
    }
    Node *n = spl_node_new(N_ASSIGN, t->line, t->col);
    n->op = (uint8_t)(t->kind == T_ASSIGN ? OP_NONE : spl_binop_of(t->kind));
    n->a = target;
    if (!(n->b = parse_value(P))) {
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
        spl_compile_error_set(P->err, t->line, t->col, "'%s' outside a loop%s", k == N_BREAK ? "break" : "continue",
                              P->value_blocks > 0 ? " of the unsafe block used as a value" : "");
        return NULL;
    }
    if (k == N_RETURN && !P->in_fn) {
        spl_compile_error_set(P->err, t->line, t->col, "'return' outside a function");
        return NULL;
    }
    if (k == N_RETURN && P->value_blocks > 0) {
        spl_compile_error_set(P->err, t->line, t->col,
                              "'return' inside an unsafe block used as a value (its value is its last line)");
        return NULL;
    }
    Node *n = spl_node_new(k, t->line, t->col);
    if (k == N_RETURN && kind(P) != T_NEWLINE && !(n->a = parse_value(P))) {
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
    case T_PASS: {
        Token *t = next(P);
        return finish_simple(P, spl_node_new(N_BLOCK, t->line, t->col));
    }
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

/* `unsafe(capabilities: [ffi]):` or `unsafe:` and a block: to this runtime an
 * ordinary block (its value, as a function's last statement, is its last
 * expression). The parser stands on the name `unsafe`. */
static Node *parse_unsafe(Parser *P)
{
    next(P);
    if (accept(P, T_LPAREN)) {
        int depth = 1;
        while (depth > 0 && kind(P) != T_EOF && kind(P) != T_NEWLINE) {
            TokKind k = next(P)->kind;
            depth += k == T_LPAREN || k == T_LBRACKET;
            depth -= k == T_RPAREN || k == T_RBRACKET;
        }
        if (depth > 0)
            return spl_parse_error(P, "')' to close unsafe(...)");
    }
    if (!spl_parse_expect(P, T_COLON, "':' after unsafe(...)"))
        return NULL;
    return spl_parse_block(P);
}

static bool is_name(const Parser *P, int ahead, const char *word)
{
    if (P->pos + ahead >= P->toks.n)
        return false;
    const Token *t = &P->toks.items[P->pos + ahead];
    return t->kind == T_NAME && t->len == strlen(word) && memcmp(t->start, word, t->len) == 0;
}

/* At `unsafe:` or `unsafe(...):` - the ':' after the matching ')' tells the
 * block from a call of a function named `unsafe`. */
static bool unsafe_block_ahead(const Parser *P)
{
    if (!is_name(P, 0, "unsafe"))
        return false;
    int i = P->pos + 1, depth = 0;
    if (P->toks.items[i].kind != T_LPAREN)
        return P->toks.items[i].kind == T_COLON;
    for (; i < P->toks.n; i++) {
        TokKind k = P->toks.items[i].kind;
        if (k == T_EOF || k == T_NEWLINE)
            return false;
        depth += k == T_LPAREN || k == T_LBRACKET;
        depth -= k == T_RPAREN || k == T_RBRACKET;
        if (depth == 0)
            return i + 1 < P->toks.n && P->toks.items[i + 1].kind == T_COLON;
    }
    return false;
}

/* Simple's value-bound unsafe block (`val v = unsafe(capabilities: [ffi]):`
 * and a block; also after `=` of an assignment and after `return`): its value
 * is its last line, which must be an expression. A block of one expression is
 * that expression; a longer one an N_BLOCK_EXPR. Inside, `return`, and
 * `break`/`continue` of a loop outside it, would leave the statement around it
 * half done: refused. The block ends the statement's line (P->line_closed). */
static Node *parse_unsafe_value(Parser *P)
{
    Token *t = cur(P);
    int saved_loops = P->loop_depth;
    P->loop_depth = 0;
    P->value_blocks++;
    Node *block = parse_unsafe(P);
    P->value_blocks--;
    P->loop_depth = saved_loops;
    if (!block)
        return NULL;
    P->line_closed = true;
    Node *last = block->list.n > 0 ? block->list.items[block->list.n - 1] : NULL;
    if (!last || last->kind != N_EXPR_STMT) {
        const Node *at = last ? last : block;
        spl_compile_error_set(P->err, last ? at->line : t->line, last ? at->col : t->col,
                              "the last line of an unsafe block used as a value must be an expression (its value)");
        spl_node_free(block);
        return NULL;
    }
    if (block->list.n == 1) {
        Node *e = last->a;
        last->a = NULL;
        spl_node_free(block);
        return e;
    }
    block->kind = N_BLOCK_EXPR;
    return block;
}

/* The value of a declaration, an assignment or a return. */
static Node *parse_value(Parser *P)
{
    return unsafe_block_ahead(P) ? parse_unsafe_value(P) : spl_parse_expr(P);
}

/* A pattern of `case`: `_`, `Ok(x)`, `Err(x)` (x a name or `_`), or a constant
 * expression (a literal, an enum variant `Color.Red`). */
static Node *parse_case_pattern(Parser *P)
{
    Token *t = cur(P);
    if (is_name(P, 0, "_") && P->toks.items[P->pos + 1].kind == T_COLON) {
        next(P);
        return spl_node_new(N_PAT_ANY, t->line, t->col);
    }
    if ((is_name(P, 0, "Ok") || is_name(P, 0, "Err")) && P->toks.items[P->pos + 1].kind == T_LPAREN) {
        Node *pat = spl_node_new(N_PAT_RESULT, t->line, t->col);
        pat->flag = t->len == 3;
        next(P);
        next(P);
        if (!(pat->name = spl_parse_name(P, "a name or '_' in the pattern")) ||
            !spl_parse_expect(P, T_RPAREN, "')' in the pattern")) {
            spl_node_free(pat);
            return NULL;
        }
        if (strcmp(pat->name, "_") == 0) {
            free(pat->name);
            pat->name = NULL;
        }
        return pat;
    }
    Node *pat = spl_node_new(N_PAT_VALUE, t->line, t->col);
    if (!(pat->a = spl_parse_expr(P))) {
        spl_node_free(pat);
        return NULL;
    }
    return pat;
}

static Node *parse_match(Parser *P)
{
    Token *t = next(P);
    Node *n = spl_node_new(N_MATCH, t->line, t->col);
    if (!(n->a = spl_parse_expr(P)) || !spl_parse_expect(P, T_COLON, "':' after the matched value") ||
        !spl_parse_expect(P, T_NEWLINE, "end of line after 'match ...:'") ||
        !spl_parse_expect(P, T_INDENT, "an indented list of 'case PATTERN:'")) {
        spl_node_free(n);
        return NULL;
    }
    while (!accept(P, T_DEDENT)) {
        Token *c = cur(P);
        Node *cs = NULL;
        if (!spl_parse_expect(P, T_CASE, "'case PATTERN:'")) {
            spl_node_free(n);
            return NULL;
        }
        cs = spl_node_new(N_CASE, c->line, c->col);
        spl_node_list_add(&n->list, cs);
        if (!(cs->a = parse_case_pattern(P)) || !spl_parse_expect(P, T_COLON, "':' after the pattern") ||
            !(cs->b = spl_parse_block(P))) {
            spl_node_free(n);
            return NULL;
        }
    }
    return n;
}

static Node *parse_statement(Parser *P)
{
    switch (kind(P)) {
    case T_IF: return parse_if(P);
    case T_WHILE: return parse_while(P);
    case T_FOR: return parse_for(P);
    case T_MATCH: return parse_match(P);
    case T_AT:
        /* attribute lines, then the statement they stand before (a loop: no recursion per line) */
        while (kind(P) == T_AT)
            if (!spl_parse_skip_attribute(P))
                return NULL;
        return parse_statement(P);
    default:
        if (spl_parse_module_line(P))
            return spl_parse_misplaced_module_line(P);
        if (is_name(P, 0, "unsafe") &&
            (P->toks.items[P->pos + 1].kind == T_LPAREN || P->toks.items[P->pos + 1].kind == T_COLON))
            return parse_unsafe(P);
        return parse_simple(P);
    }
}

Node *spl_parse_block(Parser *P) { return parse_block(P); }

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
 * tests/sffi/test_abi.py holds to site_scons/sffi/abi.py. */
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

/* The last statement of a function's block is its result (Simple's implicit
 * result): an expression statement becomes a return; an if/elif/else, a
 * match or an unsafe block passes the rule on to each of its blocks. */
static void implicit_result(Node *block)
{
    if (!block || block->list.n == 0)
        return;
    Node *last = block->list.items[block->list.n - 1];
    switch ((NodeKind)last->kind) {
    case N_EXPR_STMT:
        last->kind = N_RETURN;
        break;
    case N_IF:
        for (int i = 1; i < last->list.n; i += 2)
            implicit_result(last->list.items[i]);
        implicit_result(last->c);
        break;
    case N_MATCH:
        for (int i = 0; i < last->list.n; i++)
            implicit_result(last->list.items[i]->b);
        break;
    case N_BLOCK:
        implicit_result(last);
        break;
    default:
        break;
    }
}

/* One parameter `name[: type]`; a method's own `self` is implicit, so a written one is skipped. */
static bool parse_param(Parser *P, Func *f, int *cap)
{
    char *name = spl_parse_name(P, "a parameter name");
    if (!name)
        return false;
    int i = f->nparams, tcap = *cap;
    spl_grow_array((void **)&f->params, cap, i + 1, sizeof(char *));
    spl_grow_array((void **)&f->ptypes, &tcap, i + 1, sizeof(TypeRef));
    f->params[i] = name;
    f->ptypes[i] = (TypeRef){0};
    f->nparams++;
    if (accept(P, T_COLON) && !spl_parse_typeref(P, &f->ptypes[i]))
        return false;
    if (kind(P) == T_ASSIGN) {
        spl_compile_error_set(P->err, cur(P)->line, cur(P)->col,
                              "default parameter values are not supported by this runtime");
        return false;
    }
    return true;
}

static char *fn_name(Parser *P, const TypeDef *owner)
{
    char *name = spl_parse_name(P, "the function's name after 'fn'");
    if (!name || !owner)
        return name;
    StrBuf sb = {0};
    spl_sb_printf(&sb, "%s.%s", owner->name, name);
    free(name);
    return spl_sb_take(&sb);
}

Func *spl_parse_fn(Parser *P, TypeDef *owner, bool is_static)
{
    Program *prog = P->prog;
    Token *t = next(P);
    Func *f = spl_xcalloc(1, sizeof *f);
    f->line = t->line;
    f->col = t->col;
    f->owner = owner;
    f->is_static = is_static;
    f->is_method = owner && !is_static;
    spl_grow_array((void **)&prog->funcs, &prog->funcs_cap, prog->nfuncs + 1, sizeof(Func *));
    prog->funcs[prog->nfuncs++] = f;
    int cap = 0;
    if (f->is_method) {
        spl_grow_array((void **)&f->params, &cap, 1, sizeof(char *));
        f->ptypes = spl_xcalloc((size_t)cap, sizeof(TypeRef));
        f->params[0] = spl_xstrdup("self");
        f->nparams = 1;
    }
    if (!(f->name = fn_name(P, owner)))
        return NULL;
    if (accept(P, T_LT)) { /* generic parameters: unchecked */
        while (kind(P) == T_NAME || kind(P) == T_COMMA || kind(P) == T_COLON)
            next(P);
        if (!spl_parse_expect(P, T_GT, "'>' after the type parameters"))
            return NULL;
    }
    if (!spl_parse_expect(P, T_LPAREN, "'('"))
        return NULL;
    if (f->is_method && is_name(P, 0, "self")) {
        next(P);
        accept(P, T_COMMA);
    }
    while (kind(P) != T_RPAREN) {
        if (!parse_param(P, f, &cap))
            return NULL;
        if (!accept(P, T_COMMA))
            break;
    }
    if (!spl_parse_expect(P, T_RPAREN, "',' or ')' in the parameters"))
        return NULL;
    if (accept(P, T_ARROW) && !spl_parse_typeref(P, &f->rtype))
        return NULL;
    if (!spl_parse_expect(P, T_COLON, "':' after the parameters"))
        return NULL;
    bool saved = P->in_fn;
    int saved_loops = P->loop_depth;
    P->in_fn = true;
    P->loop_depth = 0;
    f->body = parse_block(P);
    P->in_fn = saved;
    P->loop_depth = saved_loops;
    if (!f->body)
        return NULL;
    if (f->rtype.kind != TY_VOID)
        implicit_result(f->body);
    return f;
}

bool spl_parse_skip_attribute(Parser *P)
{
    next(P);
    if (!spl_parse_expect(P, T_NAME, "an attribute name after '@'"))
        return false;
    /* inside (...) line ends are no tokens, so the attribute ends at the first NEWLINE */
    while (kind(P) != T_NEWLINE && kind(P) != T_EOF)
        next(P);
    return spl_parse_expect(P, T_NEWLINE, "end of line after the attribute");
}

/* `pub` before a definition: visibility means nothing to a script. */
static bool is_pub_definition(Parser *P)
{
    if (!is_name(P, 0, "pub") || P->pos + 1 >= P->toks.n)
        return false;
    TokKind k = P->toks.items[P->pos + 1].kind;
    return k == T_EXTERN || k == T_FN || k == T_STRUCT || k == T_CLASS || k == T_ENUM;
}

bool spl_parse_program(const Source *src, Program *prog, CompileError *err)
{
    Parser P = {.src = src, .err = err, .prog = prog};
    prog->top = spl_node_new(N_BLOCK, 1, 1);
    bool ok = spl_lex(src, 0, src->len, 1, 1, false, &P.toks, err);
    while (ok && kind(&P) != T_EOF) {
        if (is_pub_definition(&P))
            next(&P);
        if (kind(&P) == T_AT) {
            ok = spl_parse_skip_attribute(&P);
        } else if (kind(&P) == T_EXTERN) {
            ok = parse_extern(&P, prog);
        } else if (kind(&P) == T_FN) {
            ok = spl_parse_fn(&P, NULL, false) != NULL;
        } else if (kind(&P) == T_STRUCT || kind(&P) == T_CLASS || kind(&P) == T_ENUM) {
            ok = spl_parse_typedef(&P);
        } else if (spl_parse_module_line(&P)) {
            ok = spl_parse_module_line(&P) == 2 ? spl_parse_export(&P, prog) : spl_parse_use(&P, prog);
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
