/*
 * lexer.h - tokens of Simple source.
 *
 * Blocks are indentation: the lexer turns leading spaces into INDENT and
 * DEDENT tokens and ends each logical line with NEWLINE (inside (), [] line
 * ends are ignored). A tab in indentation, or a dedent to a column that no
 * enclosing block uses, is a syntax error.
 */
#ifndef SIMPLE_LEXER_H
#define SIMPLE_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* Expressions nest at most this deep: parentheses, calls, indexes, text
 * interpolation (the lexer checks it there, the parser everywhere). */
#define SPL_MAX_NESTING 256

typedef enum TokKind {
    T_EOF, T_NEWLINE, T_INDENT, T_DEDENT,
    T_NAME, T_INT, T_FLOAT, T_TEXT,
    /* keywords */
    T_EXTERN, T_FN, T_VAL, T_VAR, T_IF, T_ELIF, T_ELSE, T_WHILE, T_FOR, T_IN,
    T_BREAK, T_CONTINUE, T_RETURN, T_PRINT, T_EPRINT, T_AND, T_OR, T_NOT,
    T_TRUE, T_FALSE, T_NIL,
    T_STRUCT, T_CLASS, T_ENUM, T_STATIC, T_MATCH, T_CASE,
    T_PASS,      /* pass, pass_dn, pass_do_nothing */
    /* punctuation */
    T_LPAREN, T_RPAREN, T_LBRACKET, T_RBRACKET, T_COMMA, T_COLON, T_ARROW,
    T_DOT, T_DOTDOT,
    T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT,
    T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
    T_ASSIGN, T_PLUS_ASSIGN, T_MINUS_ASSIGN, T_STAR_ASSIGN, T_SLASH_ASSIGN, T_PERCENT_ASSIGN,
    T_QUESTION,  /* '?' of an optional type T? */
    T_QQ,        /* ?? */
    T_AT,        /* @ of an attribute line */
    T_BACKSLASH, /* \ of a lambda \x: x * 2 */
    T_LBRACE, T_RBRACE  /* the name list of `use a.b.{x, y}` (modsyntax.h) */
} TokKind;

/* One piece of a text literal: literal bytes (escapes already applied), or
 * the source span of an interpolated `{expr}`. */
typedef struct TextPart {
    bool is_expr;
    char *text;           /* literal: malloc'd bytes */
    size_t len;
    size_t begin, end;    /* expression: byte offsets of its source */
    int line, col;        /* expression: where its source starts */
} TextPart;

typedef struct Token {
    TokKind kind;
    int line, col;
    const char *start;    /* into the source text */
    size_t len;
    union {
        int64_t i;
        double f;
    } num;
    TextPart *parts;      /* T_TEXT: owned by the token until the parser takes them */
    int nparts;
} Token;

typedef struct TokenList {
    Token *items;
    int n, cap;
} TokenList;

/* Tokenizes src->text[begin, end). `line`/`col` are the position of `begin`.
 * In expression mode (an interpolated `{expr}`) there is no indentation and
 * no NEWLINE. Returns false with `err` set on a syntax error. */
bool spl_lex(const Source *src, size_t begin, size_t end, int line, int col, bool expr_mode,
         TokenList *out, CompileError *err);
void spl_token_list_free(TokenList *toks);
const char *spl_token_kind_name(TokKind kind);

#endif
