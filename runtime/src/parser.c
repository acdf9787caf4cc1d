/* parser.c - recursive descent over the token list (grammar: docs/language.md). */
#include "parser.h"

#include <stdlib.h>
#include <string.h>

#include "lexer.h"
#include "util.h"

typedef struct Parser {
    const Source *src;
    TokenList toks;
    int pos;
    CompileError *err;
    int loop_depth;
    bool in_fn;
    bool in_interpolation;  /* parsing the {expr} of a text literal */
    int nesting;            /* expressions inside expressions, bounded */
} Parser;

#define MAX_NESTING 256

static Node *parse_expr(Parser *P);
static Node *nested(Parser *P, Node *(*rule)(Parser *));
static Node *parse_block(Parser *P);
static Node *parse_statement(Parser *P);

/* ---- tokens ---- */

static Token *cur(Parser *P) { return &P->toks.items[P->pos]; }
static TokKind kind(Parser *P) { return cur(P)->kind; }
static Token *next(Parser *P)
{
    Token *t = cur(P);
    if (t->kind != T_EOF)
        P->pos++;
    return t;
}

static bool accept(Parser *P, TokKind k)
{
    if (kind(P) != k)
        return false;
    next(P);
    return true;
}

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

static void *error_here(Parser *P, const char *expected)
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

static bool expect(Parser *P, TokKind k, const char *what)
{
    if (accept(P, k))
        return true;
    error_here(P, what);
    return false;
}

static char *take_name(Parser *P, const char *what)
{
    if (kind(P) != T_NAME)
        return error_here(P, what);
    Token *t = next(P);
    return spl_xstrndup(t->start, t->len);
}

/* ---- expressions ---- */

static Node *parse_interpolated(Parser *P, const TextPart *part)
{
    Parser sub = {.src = P->src, .err = P->err, .in_interpolation = true};
    Node *expr = NULL;
    if (spl_lex(P->src, part->begin, part->end, part->line, part->col, true, &sub.toks, P->err)) {
        expr = parse_expr(&sub);
        if (expr && kind(&sub) != T_EOF) {
            error_here(&sub, "'}' to end the interpolation");
            spl_node_free(expr);
            expr = NULL;
        }
    }
    spl_token_list_free(&sub.toks);
    return expr;
}

static Node *text_const(const char *s, size_t len, int line, int col)
{
    Node *n = spl_node_new(N_CONST, line, col);
    n->value = value_text(spl_text_new(s, len));
    return n;
}

static Node *parse_text(Parser *P)
{
    Token *t = next(P);
    if (t->nparts == 0)
        return text_const("", 0, t->line, t->col);
    if (t->nparts == 1 && !t->parts[0].is_expr)
        return text_const(t->parts[0].text, t->parts[0].len, t->line, t->col);
    Node *n = spl_node_new(N_INTERP, t->line, t->col);
    for (int i = 0; i < t->nparts; i++) {
        const TextPart *part = &t->parts[i];
        Node *piece = part->is_expr ? parse_interpolated(P, part)
                                    : text_const(part->text, part->len, t->line, t->col);
        if (!piece) {
            spl_node_free(n);
            return NULL;
        }
        spl_node_list_add(&n->list, piece);
    }
    return n;
}

/* Comma-separated expressions up to `close`; the opener is already consumed. */
static bool parse_list(Parser *P, NodeList *list, TokKind close, const char *close_text)
{
    while (kind(P) != close) {
        Node *item = parse_expr(P);
        if (!item)
            return false;
        spl_node_list_add(list, item);
        if (!accept(P, T_COMMA))
            break;
    }
    return expect(P, close, close_text);
}

static Node *parse_primary(Parser *P)
{
    Token *t = cur(P);
    Node *n;
    switch (t->kind) {
    case T_INT:
    case T_FLOAT:
        n = spl_node_new(N_CONST, t->line, t->col);
        n->value = t->kind == T_INT ? value_int(t->num.i) : value_float(t->num.f);
        next(P);
        return n;
    case T_TRUE:
    case T_FALSE:
    case T_NIL:
        n = spl_node_new(N_CONST, t->line, t->col);
        n->value = t->kind == T_NIL ? value_nil() : value_bool(t->kind == T_TRUE);
        next(P);
        return n;
    case T_TEXT:
        return parse_text(P);
    case T_NAME:
        n = spl_node_new(N_NAME, t->line, t->col);
        n->name = spl_xstrndup(t->start, t->len);
        next(P);
        if (accept(P, T_LPAREN)) {
            n->kind = N_CALL;
            if (!parse_list(P, &n->list, T_RPAREN, "',' or ')' in the arguments")) {
                spl_node_free(n);
                return NULL;
            }
        }
        return n;
    case T_LPAREN:
        next(P);
        n = parse_expr(P);
        if (n && !expect(P, T_RPAREN, "')'")) {
            spl_node_free(n);
            return NULL;
        }
        return n;
    case T_LBRACKET:
        n = spl_node_new(N_ARRAY, t->line, t->col);
        next(P);
        if (!parse_list(P, &n->list, T_RBRACKET, "',' or ']' in the array")) {
            spl_node_free(n);
            return NULL;
        }
        return n;
    default:
        return error_here(P, "an expression");
    }
}

static Node *parse_postfix(Parser *P)
{
    Node *n = parse_primary(P);
    while (n) {
        Token *t = cur(P);
        if (accept(P, T_LBRACKET)) {
            Node *idx = spl_node_new(N_INDEX, t->line, t->col);
            idx->a = n;
            n = idx;
            idx->b = parse_expr(P);
            if (!idx->b || !expect(P, T_RBRACKET, "']'")) {
                spl_node_free(n);
                return NULL;
            }
        } else if (accept(P, T_DOT)) {
            Node *m = spl_node_new(N_METHOD, t->line, t->col);
            m->a = n;
            n = m;
            m->name = take_name(P, "a method name after '.'");
            if (!m->name || !expect(P, T_LPAREN, "'(' after the method name") ||
                !parse_list(P, &m->list, T_RPAREN, "',' or ')' in the arguments")) {
                spl_node_free(n);
                return NULL;
            }
        } else if (kind(P) == T_LPAREN) {
            spl_node_free(n);
            spl_compile_error_set(P->err, t->line, t->col, "only a function name can be called");
            return NULL;
        } else {
            break;
        }
    }
    return n;
}

static Node *parse_unary(Parser *P)
{
    Token *t = cur(P);
    if (!accept(P, T_MINUS))
        return parse_postfix(P);
    Node *operand = nested(P, parse_unary);
    if (!operand)
        return NULL;
    if (operand->kind == N_CONST && operand->value.type == VT_INT && operand->value.as.i != INT64_MIN) {
        operand->value.as.i = -operand->value.as.i;
        operand->line = t->line;
        operand->col = t->col;
        return operand;
    }
    Node *n = spl_node_new(N_NEG, t->line, t->col);
    n->a = operand;
    return n;
}

static Node *binary(Node *left, Node *right, NodeKind kind, BinOp op, const Token *t)
{
    Node *n = spl_node_new(kind, t->line, t->col);
    n->op = (uint8_t)op;
    n->a = left;
    n->b = right;
    return n;
}

static BinOp binop_of(TokKind k)
{
    switch (k) {
    case T_PLUS: case T_PLUS_ASSIGN: return OP_ADD;
    case T_MINUS: case T_MINUS_ASSIGN: return OP_SUB;
    case T_STAR: case T_STAR_ASSIGN: return OP_MUL;
    case T_SLASH: case T_SLASH_ASSIGN: return OP_DIV;
    case T_PERCENT: case T_PERCENT_ASSIGN: return OP_MOD;
    case T_EQ: return OP_EQ;
    case T_NE: return OP_NE;
    case T_LT: return OP_LT;
    case T_LE: return OP_LE;
    case T_GT: return OP_GT;
    case T_GE: return OP_GE;
    default: return OP_NONE;
    }
}

/* One left-associative level: operand (op operand)*, op among [first, last]. */
static Node *parse_level(Parser *P, Node *(*operand)(Parser *), TokKind first, TokKind last)
{
    Node *left = operand(P);
    while (left && kind(P) >= first && kind(P) <= last) {
        Token *t = next(P);
        Node *right = operand(P);
        if (!right) {
            spl_node_free(left);
            return NULL;
        }
        left = binary(left, right, N_BINARY, binop_of(t->kind), t);
    }
    return left;
}

static Node *parse_mul(Parser *P) { return parse_level(P, parse_unary, T_STAR, T_PERCENT); }
static Node *parse_add(Parser *P) { return parse_level(P, parse_mul, T_PLUS, T_MINUS); }

static Node *parse_comparison(Parser *P)
{
    Node *left = parse_add(P);
    if (!left || kind(P) < T_EQ || kind(P) > T_GE)
        return left;
    Token *t = next(P);
    Node *right = parse_add(P);
    if (!right) {
        spl_node_free(left);
        return NULL;
    }
    Node *n = binary(left, right, N_BINARY, binop_of(t->kind), t);
    if (kind(P) >= T_EQ && kind(P) <= T_GE) {
        spl_node_free(n);
        spl_compile_error_set(P->err, cur(P)->line, cur(P)->col,
                          "comparisons cannot be chained; combine them with 'and'");
        return NULL;
    }
    return n;
}

static Node *parse_not(Parser *P)
{
    Token *t = cur(P);
    if (!accept(P, T_NOT))
        return parse_comparison(P);
    Node *operand = nested(P, parse_not);
    if (!operand)
        return NULL;
    Node *n = spl_node_new(N_NOT, t->line, t->col);
    n->a = operand;
    return n;
}

static Node *parse_logic(Parser *P, TokKind op, Node *(*operand)(Parser *))
{
    Node *left = operand(P);
    while (left && kind(P) == op) {
        Token *t = next(P);
        Node *right = operand(P);
        if (!right) {
            spl_node_free(left);
            return NULL;
        }
        left = binary(left, right, op == T_AND ? N_AND : N_OR, OP_NONE, t);
    }
    return left;
}

static Node *parse_and(Parser *P) { return parse_logic(P, T_AND, parse_not); }

/* Runs a recursive rule one level deeper; deep nesting is a syntax error, not a stack overflow. */
static Node *nested(Parser *P, Node *(*rule)(Parser *))
{
    if (P->nesting == MAX_NESTING) {
        spl_compile_error_set(P->err, cur(P)->line, cur(P)->col, "expression nested too deeply (more than %d levels)",
                          MAX_NESTING);
        return NULL;
    }
    P->nesting++;
    Node *n = rule(P);
    P->nesting--;
    return n;
}

static Node *parse_or(Parser *P) { return parse_logic(P, T_OR, parse_and); }
static Node *parse_expr(Parser *P) { return nested(P, parse_or); }

/* ---- statements ---- */

static Node *finish_simple(Parser *P, Node *n)
{
    if (n && !expect(P, T_NEWLINE, "end of line")) {
        spl_node_free(n);
        return NULL;
    }
    return n;
}

static Node *parse_decl(Parser *P)
{
    Token *t = next(P);
    Node *n = spl_node_new(N_DECL, t->line, t->col);
    n->flag = t->kind == T_VAL;
    n->name = take_name(P, t->kind == T_VAL ? "a name after 'val'" : "a name after 'var'");
    if (!n->name || !expect(P, T_ASSIGN, "'=' (a declaration needs a value)") || !(n->a = parse_expr(P))) {
        spl_node_free(n);
        return NULL;
    }
    return n;
}

static bool is_assign_op(TokKind k) { return k >= T_ASSIGN && k <= T_PERCENT_ASSIGN; }

static Node *parse_expr_or_assign(Parser *P)
{
    Node *target = parse_expr(P);
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
    n->op = (uint8_t)(t->kind == T_ASSIGN ? OP_NONE : binop_of(t->kind));
    n->a = target;
    if (!(n->b = parse_expr(P))) {
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
    if (k == N_RETURN && kind(P) != T_NEWLINE && !(n->a = parse_expr(P))) {
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
    if (kind(P) != T_NEWLINE && !(n->a = parse_expr(P))) {
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
        Node *cond = parse_expr(P);
        if (!cond || !expect(P, T_COLON, "':' after the condition")) {
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
        if (!expect(P, T_COLON, "':' after 'else'") || !(n->c = parse_block(P))) {
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
    if (!(n->a = parse_expr(P)) || !expect(P, T_COLON, "':' after the condition")) {
        spl_node_free(n);
        return NULL;
    }
    return parse_loop_body(P, n, &n->b);
}

static Node *parse_for(Parser *P)
{
    Token *t = next(P);
    Node *n = spl_node_new(N_FOR_EACH, t->line, t->col);
    if (!(n->name = take_name(P, "a loop variable after 'for'")) || !expect(P, T_IN, "'in'") ||
        !(n->a = parse_add(P))) {
        spl_node_free(n);
        return NULL;
    }
    if (accept(P, T_DOTDOT)) {
        n->kind = N_FOR_RANGE;
        if (!(n->b = parse_add(P))) {
            spl_node_free(n);
            return NULL;
        }
    }
    if (!expect(P, T_COLON, n->kind == N_FOR_RANGE ? "':'" : "'..' or ':'")) {
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
    if (!expect(P, T_INDENT, "an indented block")) {
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

static bool parse_type(Parser *P, uint8_t *out)
{
    static const struct { const char *name; sffi_type type; } TYPES[] = {
        {"i64", SFFI_I64}, {"i32", SFFI_I32}, {"f64", SFFI_F64}, {"bool", SFFI_BOOL}, {"text", SFFI_TEXT},
    };
    Token *t = cur(P);
    bool array = accept(P, T_LBRACKET);
    if (kind(P) != T_NAME) {
        error_here(P, "a type (i64 i32 f64 bool text [i64] [f64] [text])");
        return false;
    }
    Token *name = next(P);
    if (array && !expect(P, T_RBRACKET, "']' to close the array type"))
        return false;
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++) {
        if (strlen(TYPES[i].name) != name->len || memcmp(TYPES[i].name, name->start, name->len) != 0)
            continue;
        sffi_type base = TYPES[i].type;
        if (!array) {
            *out = (uint8_t)base;
            return true;
        }
        if (base == SFFI_I64 || base == SFFI_F64 || base == SFFI_TEXT) {
            *out = (uint8_t)(base == SFFI_I64 ? SFFI_I64_ARRAY : base == SFFI_F64 ? SFFI_F64_ARRAY : SFFI_TEXT_ARRAY);
            return true;
        }
    }
    int len = (int)(P->toks.items[P->pos - 1].start + P->toks.items[P->pos - 1].len - t->start);
    spl_compile_error_set(P->err, t->line, t->col,
                      "unknown type '%.*s' (expected i64, i32, f64, bool, text, [i64], [f64] or [text])",
                      len, t->start);
    return false;
}

static bool parse_extern_params(Parser *P, ExternDecl *e)
{
    while (kind(P) != T_RPAREN) {
        if (e->nparams == SFFI_MAX_PARAMS) {
            spl_compile_error_set(P->err, cur(P)->line, cur(P)->col,
                              "too many parameters (an extern takes at most %d)", SFFI_MAX_PARAMS);
            return false;
        }
        char *name = take_name(P, "a parameter name");
        if (!name)
            return false;
        e->param_names[e->nparams] = name;
        if (!expect(P, T_COLON, "':' and the parameter's type") || !parse_type(P, &e->params[e->nparams]))
            return false;
        e->nparams++;
        if (!accept(P, T_COMMA))
            break;
    }
    return expect(P, T_RPAREN, "',' or ')' in the parameters");
}

static bool parse_extern(Parser *P, Program *prog)
{
    Token *t = next(P);
    ExternDecl *e = spl_xcalloc(1, sizeof *e);
    e->line = t->line;
    e->col = t->col;
    spl_grow_array((void **)&prog->externs, &prog->externs_cap, prog->nexterns + 1, sizeof(ExternDecl *));
    prog->externs[prog->nexterns++] = e;
    if (!expect(P, T_FN, "'fn' after 'extern'") || !(e->name = take_name(P, "the extern function's name")) ||
        !expect(P, T_LPAREN, "'('") || !parse_extern_params(P, e))
        return false;
    e->result = SFFI_NONE;
    if (accept(P, T_ARROW) && !parse_type(P, &e->result))
        return false;
    return expect(P, T_NEWLINE, "end of line after the extern declaration");
}

static bool parse_fn(Parser *P, Program *prog)
{
    Token *t = next(P);
    Func *f = spl_xcalloc(1, sizeof *f);
    f->line = t->line;
    f->col = t->col;
    spl_grow_array((void **)&prog->funcs, &prog->funcs_cap, prog->nfuncs + 1, sizeof(Func *));
    prog->funcs[prog->nfuncs++] = f;
    if (!(f->name = take_name(P, "the function's name after 'fn'")) || !expect(P, T_LPAREN, "'('"))
        return false;
    int cap = 0;
    while (kind(P) != T_RPAREN) {
        char *name = take_name(P, "a parameter name");
        if (!name)
            return false;
        spl_grow_array((void **)&f->params, &cap, f->nparams + 1, sizeof(char *));
        f->params[f->nparams++] = name;
        if (!accept(P, T_COMMA))
            break;
    }
    if (!expect(P, T_RPAREN, "',' or ')' in the parameters") || !expect(P, T_COLON, "':' after the parameters"))
        return false;
    P->in_fn = true;
    f->body = parse_block(P);
    P->in_fn = false;
    return f->body != NULL;
}

bool spl_parse_program(const Source *src, Program *prog, CompileError *err)
{
    Parser P = {.src = src, .err = err};
    prog->top = spl_node_new(N_BLOCK, 1, 1);
    bool ok = spl_lex(src, 0, src->len, 1, 1, false, &P.toks, err);
    while (ok && kind(&P) != T_EOF) {
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
