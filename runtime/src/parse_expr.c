/* parse_expr.c - expressions, by precedence (docs/language.md): or, and, not,
 * comparisons, + -, * / %, unary -, postfix (call, index, method), primary. */
#include <string.h>

#include "parse_internal.h"
#include "util.h"

static Node *nested(Parser *P, Node *(*rule)(Parser *));

static Node *parse_interpolated(Parser *P, const TextPart *part)
{
    /* The nesting goes on counting inside: each level re-lexes its span, so
     * the bound keeps deep interpolation linear as well as off the C stack. */
    Parser sub = {.src = P->src, .prog = P->prog, .err = P->err, .in_interpolation = true, .nesting = P->nesting};
    Node *expr = NULL;
    if (spl_lex(P->src, part->begin, part->end, part->line, part->col, true, &sub.toks, P->err)) {
        expr = spl_parse_expr(&sub);
        if (expr && kind(&sub) != T_EOF) {
            spl_parse_error(&sub, "'}' to end the interpolation");
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

/* `name: value` of a call: an N_NAMEDARG (construction, or a function's parameter by name). */
static Node *named_arg(Parser *P)
{
    Token *t = next(P);
    Node *n = spl_node_new(N_NAMEDARG, t->line, t->col);
    n->name = spl_xstrndup(t->start, t->len);
    next(P); /* ':' */
    if (!(n->a = spl_parse_expr(P))) {
        spl_node_free(n);
        return NULL;
    }
    return n;
}

/* Comma-separated expressions up to `close`; the opener is already consumed.
 * The arguments of a call (close is ')') may be named. */
static bool parse_list(Parser *P, NodeList *list, TokKind close, const char *close_text)
{
    while (kind(P) != close) {
        bool named = close == T_RPAREN && kind(P) == T_NAME && P->pos + 1 < P->toks.n &&
                     P->toks.items[P->pos + 1].kind == T_COLON;
        Node *item = named ? named_arg(P) : spl_parse_expr(P);
        if (!item)
            return false;
        spl_node_list_add(list, item);
        if (!accept(P, T_COMMA))
            break;
    }
    return spl_parse_expect(P, close, close_text);
}

/* `(a)` groups; `(a,)`, `(a, b)`, `(a, b,)` are tuples. */
static Node *parse_paren(Parser *P)
{
    Token *open = next(P);
    Node *first = spl_parse_expr(P);
    if (!first)
        return NULL;
    if (kind(P) != T_COMMA) {
        if (!spl_parse_expect(P, T_RPAREN, "')'")) {
            spl_node_free(first);
            return NULL;
        }
        return first;
    }
    Node *n = spl_node_new(N_TUPLE, open->line, open->col);
    spl_node_list_add(&n->list, first);
    next(P);
    if (!parse_list(P, &n->list, T_RPAREN, "',' or ')' in the tuple")) {
        spl_node_free(n);
        return NULL;
    }
    return n;
}

/* `\x, y: expr`: an anonymous function; the Func joins the program, the
 * node keeps a reference (the resolver adds what it captures). */
static Node *parse_lambda(Parser *P)
{
    Token *t = next(P);
    Program *prog = P->prog;
    Func *f = spl_xcalloc(1, sizeof *f);
    f->name = spl_xstrdup("<lambda>");
    f->is_lambda = true;
    f->line = t->line;
    f->col = t->col;
    spl_grow_array((void **)&prog->funcs, &prog->funcs_cap, prog->nfuncs + 1, sizeof(Func *));
    prog->funcs[prog->nfuncs++] = f;
    Node *n = spl_node_new(N_LAMBDA, t->line, t->col);
    n->target = f;
    int cap = 0, tcap = 0;
    while (kind(P) != T_COLON) {
        char *name = spl_parse_name(P, "a parameter name or ':' in the lambda");
        if (!name) {
            spl_node_free(n);
            return NULL;
        }
        tcap = cap;
        spl_grow_array((void **)&f->params, &cap, f->nparams + 1, sizeof(char *));
        spl_grow_array((void **)&f->ptypes, &tcap, f->nparams + 1, sizeof(TypeRef));
        f->params[f->nparams] = name;
        f->ptypes[f->nparams++] = (TypeRef){0};
        if (!accept(P, T_COMMA))
            break;
    }
    Node *body = NULL;
    if (!spl_parse_expect(P, T_COLON, "':' before the lambda's body") || !(body = spl_parse_expr(P))) {
        spl_node_free(n);
        return NULL;
    }
    Node *ret = spl_node_new(N_RETURN, body->line, body->col);
    ret->a = body;
    f->body = spl_node_new(N_BLOCK, body->line, body->col);
    spl_node_list_add(&f->body->list, ret);
    return n;
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
        return parse_paren(P);
    case T_BACKSLASH:
        return parse_lambda(P);
    case T_LBRACKET:
        n = spl_node_new(N_ARRAY, t->line, t->col);
        next(P);
        if (!parse_list(P, &n->list, T_RBRACKET, "',' or ']' in the array")) {
            spl_node_free(n);
            return NULL;
        }
        return n;
    default:
        return spl_parse_error(P, "an expression");
    }
}

/* Each index or method call nests the tree one level: a chain of them
 * counts against the nesting limit like parentheses do. */
static Node *parse_postfix(Parser *P)
{
    int saved = P->nesting;
    Node *n = parse_primary(P);
    while (n) {
        Token *t = cur(P);
        if ((kind(P) == T_LBRACKET || kind(P) == T_DOT || kind(P) == T_LPAREN) && P->nesting >= MAX_NESTING) {
            spl_node_free(n);
            spl_compile_error_set(P->err, t->line, t->col, "expression nested too deeply (more than %d levels)",
                                  MAX_NESTING);
            n = NULL;
            break;
        }
        P->nesting++;
        if (accept(P, T_LBRACKET)) {
            Node *idx = spl_node_new(N_INDEX, t->line, t->col);
            idx->a = n;
            n = idx;
            bool ok = kind(P) == T_COLON || (idx->b = spl_parse_expr(P)) != NULL;
            if (ok && accept(P, T_COLON)) { /* a[b:c], a[:c], a[b:] */
                idx->kind = N_SLICE;
                ok = kind(P) == T_RBRACKET || (idx->c = spl_parse_expr(P)) != NULL;
            } else if (ok && !idx->b) {
                ok = spl_parse_error(P, "an index") != NULL;
            }
            if (!ok || !spl_parse_expect(P, T_RBRACKET, "']'")) {
                spl_node_free(n);
                n = NULL;
                break;
            }
        } else if (accept(P, T_DOT)) {
            Node *m = spl_node_new(N_METHOD, t->line, t->col);
            m->a = n;
            n = m;
            m->name = spl_parse_name(P, "a field or method name after '.'");
            if (m->name && !accept(P, T_LPAREN)) {
                m->kind = N_FIELD;
            } else if (!m->name || !parse_list(P, &m->list, T_RPAREN, "',' or ')' in the arguments")) {
                spl_node_free(n);
                n = NULL;
                break;
            }
        } else if (accept(P, T_LPAREN)) { /* f(x)(y), obj.f(x): call the value */
            Node *c = spl_node_new(N_CALL_VALUE, t->line, t->col);
            c->a = n;
            n = c;
            if (!parse_list(P, &c->list, T_RPAREN, "',' or ')' in the arguments")) {
                spl_node_free(n);
                n = NULL;
                break;
            }
        } else {
            break;
        }
    }
    P->nesting = saved;
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

BinOp spl_binop_of(TokKind k)
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

/* Adds `step` (a binary node with only b set) to the left operand `left`.
 * One operator gives a plain binary node; a second turns it into an N_CHAIN,
 * so a chain of any length is one level of the tree and evaluates in a loop.
 * Flattening a left operand that is itself a binary node or chain (from
 * another level or parentheses) keeps the meaning: a chain applies its steps
 * left to right, which is left associativity. */
static Node *chain_add(Node *left, Node *step)
{
    bool is_binary = left->kind == N_BINARY || left->kind == N_AND || left->kind == N_OR;
    if (left->kind != N_CHAIN && !(is_binary && left->a)) {
        step->a = left;
        return step;
    }
    if (left->kind != N_CHAIN) {
        Node *chain = spl_node_new(N_CHAIN, left->line, left->col);
        spl_node_list_add(&chain->list, left->a);
        left->a = NULL;
        spl_node_list_add(&chain->list, left);
        left = chain;
    }
    spl_node_list_add(&left->list, step);
    /* errors "at the expression" point at its last operator, as for a binary node */
    left->line = step->line;
    left->col = step->col;
    return left;
}

/* One left-associative level: operand (op operand)*, op among [first, last];
 * `node` is N_BINARY (op from the token) or N_AND/N_OR. */
static Node *parse_chain(Parser *P, Node *(*operand)(Parser *), TokKind first, TokKind last, NodeKind node)
{
    Node *left = operand(P);
    while (left && kind(P) >= first && kind(P) <= last) {
        Token *t = next(P);
        Node *right = operand(P);
        if (!right) {
            spl_node_free(left);
            return NULL;
        }
        BinOp op = node == N_BINARY ? spl_binop_of(t->kind) : OP_NONE;
        left = chain_add(left, binary(NULL, right, node, op, t));
    }
    return left;
}

static Node *parse_level(Parser *P, Node *(*operand)(Parser *), TokKind first, TokKind last)
{
    return parse_chain(P, operand, first, last, N_BINARY);
}

static Node *parse_mul(Parser *P) { return parse_level(P, parse_unary, T_STAR, T_PERCENT); }
Node *spl_parse_additive(Parser *P) { return parse_level(P, parse_mul, T_PLUS, T_MINUS); }

/* `a in b` / `a not in b`: membership in an array, tuple or text. */
static Node *parse_membership(Parser *P, Node *left)
{
    Token *t = cur(P);
    bool negated = accept(P, T_NOT);
    next(P); /* in */
    Node *n = spl_node_new(N_IN, t->line, t->col);
    n->flag = negated;
    n->a = left;
    if (!(n->b = spl_parse_additive(P))) {
        spl_node_free(n);
        return NULL;
    }
    return n;
}

static Node *parse_comparison(Parser *P)
{
    Node *left = spl_parse_additive(P);
    if (left && (kind(P) == T_IN || (kind(P) == T_NOT && P->pos + 1 < P->toks.n &&
                                     P->toks.items[P->pos + 1].kind == T_IN)))
        return parse_membership(P, left);
    if (!left || kind(P) < T_EQ || kind(P) > T_GE)
        return left;
    Token *t = next(P);
    Node *right = spl_parse_additive(P);
    if (!right) {
        spl_node_free(left);
        return NULL;
    }
    Node *n = binary(left, right, N_BINARY, spl_binop_of(t->kind), t);
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
    return parse_chain(P, operand, op, op, op == T_AND ? N_AND : N_OR);
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

/* `a ?? b ?? c`: the first operand that is not nil (loosest of all operators).
 * One node lists every operand, evaluated in a loop: a chain of any length is
 * one level of the tree. */
static Node *parse_coalesce(Parser *P)
{
    Node *left = parse_or(P);
    if (!left || kind(P) != T_QQ)
        return left;
    Node *n = spl_node_new(N_COALESCE, cur(P)->line, cur(P)->col);
    spl_node_list_add(&n->list, left);
    while (accept(P, T_QQ)) {
        Node *right = parse_or(P);
        if (!right) {
            spl_node_free(n);
            return NULL;
        }
        spl_node_list_add(&n->list, right);
    }
    return n;
}

Node *spl_parse_expr(Parser *P) { return nested(P, parse_coalesce); }
