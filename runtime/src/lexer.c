/* lexer.c - Simple source to tokens (see lexer.h). */
#include "lexer.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_INDENT_DEPTH 200

typedef struct Lexer {
    const char *s;
    size_t pos, end;
    int line, col;
    int depth;            /* open ( and [ */
    bool expr_mode;
    int indents[MAX_INDENT_DEPTH];
    int nindents;
    TokenList *out;
    CompileError *err;
} Lexer;

static const struct { const char *word; TokKind kind; } KEYWORDS[] = {
    {"extern", T_EXTERN}, {"fn", T_FN}, {"val", T_VAL}, {"var", T_VAR},
    {"if", T_IF}, {"elif", T_ELIF}, {"else", T_ELSE}, {"while", T_WHILE},
    {"for", T_FOR}, {"in", T_IN}, {"break", T_BREAK}, {"continue", T_CONTINUE},
    {"return", T_RETURN}, {"print", T_PRINT}, {"eprint", T_EPRINT},
    {"and", T_AND}, {"or", T_OR}, {"not", T_NOT},
    {"true", T_TRUE}, {"false", T_FALSE}, {"nil", T_NIL},
    {"struct", T_STRUCT}, {"class", T_CLASS}, {"enum", T_ENUM}, {"static", T_STATIC},
    {"match", T_MATCH}, {"case", T_CASE},
    {"pass", T_PASS}, {"pass_dn", T_PASS}, {"pass_do_nothing", T_PASS},
};

static char peek_at(const Lexer *L, size_t ahead)
{
    return L->pos + ahead < L->end ? L->s[L->pos + ahead] : '\0';
}

static char peek(const Lexer *L) { return peek_at(L, 0); }

static void advance(Lexer *L)
{
    unsigned char c = (unsigned char)L->s[L->pos++];
    if (c == '\n') {
        L->line++;
        L->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        L->col++;
    }
}

static bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

static bool fail_at(Lexer *L, int line, int col, const char *fmt, const char *arg)
{
    spl_compile_error_set(L->err, line, col, fmt, arg);
    return false;
}

static Token *emit(Lexer *L, TokKind kind, int line, int col, size_t start)
{
    TokenList *t = L->out;
    spl_grow_array((void **)&t->items, &t->cap, t->n + 1, sizeof(Token));
    Token *tok = &t->items[t->n++];
    memset(tok, 0, sizeof *tok);
    tok->kind = kind;
    tok->line = line;
    tok->col = col;
    tok->start = L->s + start;
    tok->len = L->pos - start;
    return tok;
}

static TokKind last_kind(const Lexer *L)
{
    return L->out->n ? L->out->items[L->out->n - 1].kind : T_NEWLINE;
}

/* At the start of a line: skips blank and comment lines, then turns the
 * indentation of the first real line into INDENT/DEDENT tokens. */
static bool indentation(Lexer *L)
{
    for (;;) {
        int width = 0;
        while (peek(L) == ' ') {
            advance(L);
            width++;
        }
        char c = peek(L);
        if (c == '\t')
            return fail_at(L, L->line, L->col, "tab in indentation (indent with spaces)%s", "");
        if (c == '\r' && peek_at(L, 1) == '\n')
            advance(L), c = '\n';
        if (c == '#')
            while (L->pos < L->end && peek(L) != '\n')
                advance(L);
        if (L->pos >= L->end)
            return true;
        if (peek(L) == '\n') {
            advance(L);
            continue;
        }
        int top = L->indents[L->nindents - 1];
        if (width > top) {
            if (L->nindents == MAX_INDENT_DEPTH)
                return fail_at(L, L->line, L->col, "blocks nested too deeply%s", "");
            L->indents[L->nindents++] = width;
            emit(L, T_INDENT, L->line, L->col, L->pos);
        }
        while (width < L->indents[L->nindents - 1]) {
            L->nindents--;
            emit(L, T_DEDENT, L->line, L->col, L->pos);
        }
        if (width != L->indents[L->nindents - 1])
            return fail_at(L, L->line, L->col,
                           "inconsistent dedent: this indentation matches no enclosing block%s", "");
        return true;
    }
}

static bool lex_number(Lexer *L)
{
    int line = L->line, col = L->col;
    size_t start = L->pos;
    bool is_float = false;
    while (is_digit(peek(L)) || (peek(L) == '_' && is_digit(peek_at(L, 1))))
        advance(L);
    if (peek(L) == '.' && is_digit(peek_at(L, 1))) {
        is_float = true;
        advance(L);
        while (is_digit(peek(L)) || (peek(L) == '_' && is_digit(peek_at(L, 1))))
            advance(L);
    }
    char e = peek(L), sign = peek_at(L, 1);
    if ((e == 'e' || e == 'E') && (is_digit(sign) || ((sign == '+' || sign == '-') && is_digit(peek_at(L, 2))))) {
        is_float = true;
        advance(L);
        if (!is_digit(peek(L)))
            advance(L);
        while (is_digit(peek(L)))
            advance(L);
    }
    if (is_ident_char(peek(L)))
        return fail_at(L, line, col, "invalid number literal%s", "");
    char buf[128];
    size_t n = 0;
    for (size_t i = start; i < L->pos && n < sizeof buf - 1; i++)
        if (L->s[i] != '_')
            buf[n++] = L->s[i];
    buf[n] = '\0';
    if (L->pos - start >= sizeof buf)
        return fail_at(L, line, col, "number literal too long%s", "");
    Token *tok = emit(L, is_float ? T_FLOAT : T_INT, line, col, start);
    errno = 0;
    if (is_float) {
        tok->num.f = strtod(buf, NULL);
        if (isinf(tok->num.f))
            return fail_at(L, line, col, "float literal out of range%s", "");
    } else {
        unsigned long long v = strtoull(buf, NULL, 10);
        if (errno == ERANGE || v > (unsigned long long)INT64_MAX)
            return fail_at(L, line, col, "integer literal too large (the largest int is 9223372036854775807)%s", "");
        tok->num.i = (int64_t)v;
    }
    return true;
}

static void add_part(TextPart **parts, int *n, int *cap, TextPart part)
{
    spl_grow_array((void **)parts, cap, *n + 1, sizeof(TextPart));
    (*parts)[(*n)++] = part;
}

static void flush_literal(StrBuf *lit, TextPart **parts, int *n, int *cap)
{
    if (lit->len == 0)
        return;
    TextPart p = {.is_expr = false};
    p.len = lit->len;
    p.text = spl_sb_take(lit);
    add_part(parts, n, cap, p);
}

/* Skips a text inside an interpolation (the lexer stands on its `"`) and stops
 * on its closing `"`. An escape skips the next character only if there is one on
 * this line: a `\` at the end of the input must not step past it. */
static bool skip_inner_text(Lexer *L)
{
    int line = L->line, col = L->col;
    advance(L);
    while (L->pos < L->end && peek(L) != '"' && peek(L) != '\n') {
        if (peek(L) == '\\' && L->pos + 1 < L->end && peek_at(L, 1) != '\n')
            advance(L);
        advance(L);
    }
    if (peek(L) == '"')
        return true;
    return fail_at(L, line, col, "unterminated text: missing closing '\"'%s", "");
}

/* Scans `{expr}` (the lexer stands on `{`); adds the expression's span. */
static bool lex_interpolation(Lexer *L, TextPart **parts, int *n, int *cap)
{
    int open_line = L->line, open_col = L->col;
    advance(L);
    TextPart p = {.is_expr = true, .begin = L->pos, .line = L->line, .col = L->col};
    int depth = 1;
    for (;;) {
        char c = peek(L);
        if (L->pos >= L->end || c == '\n')
            return fail_at(L, open_line, open_col, "unterminated interpolation: '{' without '}'%s", "");
        if (c == '"') {
            if (!skip_inner_text(L))
                return false;
        } else if (c == '{') {
            /* each unmatched '{' here is one more interpolation inside this one:
             * refuse a depth the parser would refuse, before re-lexing it level by level */
            if (++depth > SPL_MAX_NESTING) {
                spl_compile_error_set(L->err, L->line, L->col,
                                      "text interpolation nested too deeply (more than %d levels)", SPL_MAX_NESTING);
                return false;
            }
        } else if (c == '}' && --depth == 0) {
            break;
        }
        advance(L);
    }
    p.end = L->pos;
    advance(L);
    bool blank = true;
    for (size_t i = p.begin; i < p.end; i++)
        blank = blank && (L->s[i] == ' ' || L->s[i] == '\t');
    if (blank)
        return fail_at(L, open_line, open_col, "empty interpolation '{}' (write \\{ for a literal brace)%s", "");
    add_part(parts, n, cap, p);
    return true;
}

static bool lex_escape(Lexer *L, StrBuf *lit)
{
    int line = L->line, col = L->col;
    advance(L);
    char c = peek(L);
    static const char map[] = "n\nt\tr\r\"\"\\\\{{}}";
    for (const char *m = map; *m; m += 2) {
        if (*m == c) {
            spl_sb_addc(lit, m[1]);
            advance(L);
            return true;
        }
    }
    char what[8] = {0};
    if (L->pos < L->end)
        what[0] = c;
    return fail_at(L, line, col, "unknown escape '\\%s' (known: \\n \\t \\r \\\" \\\\ \\{ \\})", what);
}

static bool lex_text(Lexer *L)
{
    int line = L->line, col = L->col;
    size_t start = L->pos;
    advance(L);
    StrBuf lit = {0};
    TextPart *parts = NULL;
    int n = 0, cap = 0;
    bool ok = true;
    for (;;) {
        char c = peek(L);
        if (L->pos >= L->end || c == '\n' || (c == '\r' && peek_at(L, 1) == '\n')) {
            ok = fail_at(L, line, col, "unterminated text: missing closing '\"'%s", "");
            break;
        }
        if (c == '"') {
            advance(L);
            break;
        }
        if (c == '\\')
            ok = lex_escape(L, &lit);
        else if (c == '{') {
            flush_literal(&lit, &parts, &n, &cap);
            ok = lex_interpolation(L, &parts, &n, &cap);
        } else {
            spl_sb_addc(&lit, c);
            advance(L);
        }
        if (!ok)
            break;
    }
    flush_literal(&lit, &parts, &n, &cap);
    Token *tok = emit(L, T_TEXT, line, col, start);
    tok->parts = parts;
    tok->nparts = n;
    return ok;
}

/* A text taken as written: `r"..."` (one line) or `"""..."""` (any lines): no
 * escapes, no interpolation (docs/language.md). The lexer stands on its
 * opening quote(s); `quotes` is 1 or 3. */
static bool lex_verbatim(Lexer *L, int line, int col, size_t start, int quotes)
{
    for (int i = 0; i < quotes; i++)
        advance(L);
    size_t begin = L->pos;
    for (;;) {
        if (L->pos >= L->end || (quotes == 1 && peek(L) == '\n'))
            return fail_at(L, line, col, quotes == 1 ? "unterminated raw text: missing closing '\"'%s"
                                                     : "unterminated text: missing closing '\"\"\"'%s", "");
        if (peek(L) == '"' && (quotes == 1 || (peek_at(L, 1) == '"' && peek_at(L, 2) == '"')))
            break;
        advance(L);
    }
    size_t len = L->pos - begin;
    for (int i = 0; i < quotes; i++)
        advance(L);
    Token *tok = emit(L, T_TEXT, line, col, start);
    if (len) {
        tok->parts = spl_xcalloc(1, sizeof(TextPart));
        tok->parts[0].text = spl_xstrndup(L->s + begin, len);
        tok->parts[0].len = len;
        tok->nparts = 1;
    }
    return true;
}

static void lex_name(Lexer *L)
{
    int line = L->line, col = L->col;
    size_t start = L->pos;
    while (is_ident_char(peek(L)))
        advance(L);
    size_t len = L->pos - start;
    TokKind kind = T_NAME;
    for (size_t i = 0; i < sizeof KEYWORDS / sizeof KEYWORDS[0]; i++)
        if (strlen(KEYWORDS[i].word) == len && memcmp(KEYWORDS[i].word, L->s + start, len) == 0)
            kind = KEYWORDS[i].kind;
    emit(L, kind, line, col, start);
}

static const struct { const char *text; TokKind kind; } PUNCT[] = {
    {"->", T_ARROW}, {"..", T_DOTDOT}, {"==", T_EQ}, {"!=", T_NE}, {"<=", T_LE}, {">=", T_GE},
    {"+=", T_PLUS_ASSIGN}, {"-=", T_MINUS_ASSIGN}, {"*=", T_STAR_ASSIGN},
    {"/=", T_SLASH_ASSIGN}, {"%=", T_PERCENT_ASSIGN},
    {"(", T_LPAREN}, {")", T_RPAREN}, {"[", T_LBRACKET}, {"]", T_RBRACKET},
    {",", T_COMMA}, {":", T_COLON}, {".", T_DOT}, {"+", T_PLUS}, {"-", T_MINUS},
    {"*", T_STAR}, {"/", T_SLASH}, {"%", T_PERCENT}, {"<", T_LT}, {">", T_GT}, {"=", T_ASSIGN},
    {"??", T_QQ}, {"?", T_QUESTION}, {"@", T_AT}, {"\\", T_BACKSLASH},
    {"{", T_LBRACE}, {"}", T_RBRACE},
};

static bool lex_punct(Lexer *L)
{
    int line = L->line, col = L->col;
    size_t start = L->pos;
    for (size_t i = 0; i < sizeof PUNCT / sizeof PUNCT[0]; i++) {
        size_t n = strlen(PUNCT[i].text);
        if (L->pos + n <= L->end && memcmp(L->s + L->pos, PUNCT[i].text, n) == 0) {
            for (size_t k = 0; k < n; k++)
                advance(L);
            TokKind kind = PUNCT[i].kind;
            if (kind == T_LPAREN || kind == T_LBRACKET || kind == T_LBRACE)
                L->depth++;
            else if ((kind == T_RPAREN || kind == T_RBRACKET || kind == T_RBRACE) && L->depth > 0)
                L->depth--;
            emit(L, kind, line, col, start);
            return true;
        }
    }
    char what[8] = {0};
    size_t n = 1;
    while (n < 4 && L->pos + n < L->end && ((unsigned char)L->s[L->pos + n] & 0xC0) == 0x80)
        n++;
    memcpy(what, L->s + L->pos, n);
    if (what[0] == '\t')
        strcpy(what, "\\t");
    return fail_at(L, line, col, "unexpected character '%s'", what);
}

static bool lex_token(Lexer *L)
{
    char c = peek(L);
    if (c == 'r' && peek_at(L, 1) == '"') {
        int line = L->line, col = L->col;
        size_t start = L->pos;
        advance(L);
        return lex_verbatim(L, line, col, start, 1);
    }
    if (c == '"' && peek_at(L, 1) == '"' && peek_at(L, 2) == '"')
        return lex_verbatim(L, L->line, L->col, L->pos, 3);
    if (is_ident_start(c)) {
        lex_name(L);
        return true;
    }
    if (is_digit(c))
        return lex_number(L);
    if (c == '"')
        return lex_text(L);
    return lex_punct(L);
}

static void finish(Lexer *L)
{
    if (!L->expr_mode) {
        if (L->out->n && last_kind(L) != T_NEWLINE)
            emit(L, T_NEWLINE, L->line, L->col, L->pos);
        while (L->nindents > 1) {
            L->nindents--;
            emit(L, T_DEDENT, L->line, L->col, L->pos);
        }
    }
    emit(L, T_EOF, L->line, L->col, L->pos);
}

bool spl_lex(const Source *src, size_t begin, size_t end, int line, int col, bool expr_mode,
         TokenList *out, CompileError *err)
{
    Lexer L = {.s = src->text, .pos = begin, .end = end, .line = line, .col = col,
               .expr_mode = expr_mode, .nindents = 1, .out = out, .err = err};
    bool line_start = !expr_mode;
    for (;;) {
        if (line_start) {
            if (!indentation(&L))
                return false;
            line_start = false;
        }
        while (peek(&L) == ' ' || peek(&L) == '\t' || (peek(&L) == '\r' && peek_at(&L, 1) == '\n'))
            advance(&L);
        if (peek(&L) == '#')
            while (L.pos < L.end && peek(&L) != '\n')
                advance(&L);
        if (L.pos >= L.end)
            break;
        if (peek(&L) == '\n') {
            bool logical_end = !expr_mode && L.depth == 0;
            if (logical_end && last_kind(&L) != T_NEWLINE)
                emit(&L, T_NEWLINE, L.line, L.col, L.pos);
            advance(&L);
            line_start = logical_end;
            continue;
        }
        if (!lex_token(&L))
            return false;
    }
    finish(&L);
    return true;
}

void spl_token_list_free(TokenList *toks)
{
    for (int i = 0; i < toks->n; i++) {
        Token *t = &toks->items[i];
        for (int k = 0; k < t->nparts; k++)
            free(t->parts[k].text);
        free(t->parts);
    }
    free(toks->items);
    memset(toks, 0, sizeof *toks);
}

const char *spl_token_kind_name(TokKind kind)
{
    switch (kind) {
    case T_EOF: return "end of file";
    case T_NEWLINE: return "end of line";
    case T_INDENT: return "indent";
    case T_DEDENT: return "dedent";
    case T_NAME: return "name";
    case T_INT: return "integer";
    case T_FLOAT: return "float";
    case T_TEXT: return "text";
    default: return NULL; /* keywords and punctuation: quote the token itself */
    }
}
