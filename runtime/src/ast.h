/*
 * ast.h - the syntax tree and the loaded program.
 *
 * The parser builds nodes with names (N_NAME, N_CALL); the resolver
 * (resolve.c) rewrites them in place into slot and target references
 * (N_LOCAL, N_GLOBAL, N_CALL_FN, N_CALL_EXTERN, N_CALL_BUILTIN), so the
 * interpreter never looks a name up while a script runs.
 */
#ifndef SIMPLE_AST_H
#define SIMPLE_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "sffi_table.h"
#include "value.h"

typedef enum NodeKind {
    /* expressions */
    N_CONST,         /* value */
    N_INTERP,        /* list: parts (N_CONST text or any expression) */
    N_NAME,          /* name; resolved into N_LOCAL or N_GLOBAL */
    N_LOCAL,         /* slot in the frame */
    N_GLOBAL,        /* slot in the globals */
    N_ARRAY,         /* list: items */
    N_TUPLE,         /* list: items (at least one) */
    N_INDEX,         /* a[b] */
    N_NEG,           /* -a */
    N_NOT,           /* not a */
    N_BINARY,        /* a op b */
    N_AND, N_OR,     /* a and b, a or b (short-circuit) */
    N_CHAIN,         /* x op y op z...: list: x, then one N_BINARY/N_AND/N_OR step per
                        operator with a == NULL and b = its right operand */
    N_CALL,          /* name(list); resolved into one of the three below */
    N_CALL_FN,       /* target: Func */
    N_CALL_EXTERN,   /* target: ExternDecl */
    N_CALL_BUILTIN,  /* slot: builtin id */
    N_METHOD,        /* a.name(list); op: method id */
    /* statements */
    N_EXPR_STMT,     /* a */
    N_PRINT,         /* print a / eprint a (flag); a may be NULL */
    N_DECL,          /* val/var name = a; flag: val; slot (+ global) */
    N_DESTRUCT,      /* val/var (pattern) = a; b: N_PATTERN; flag: val */
    N_PATTERN,       /* list: N_DECL leaves (a == NULL; name NULL for `_`) or N_PATTERN */
    N_ASSIGN,        /* a = b, or a op= b (op != OP_NONE) */
    N_IF,            /* list: cond, block, cond, block...; c: else block or NULL */
    N_WHILE,         /* while a: b */
    N_FOR_RANGE,     /* for name in a..b: c */
    N_FOR_EACH,      /* for name in a: c */
    N_BREAK, N_CONTINUE,
    N_RETURN,        /* a may be NULL */
    N_BLOCK          /* list: statements */
} NodeKind;

typedef enum BinOp {
    OP_NONE, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE
} BinOp;

typedef struct Node Node;

typedef struct NodeList {
    Node **items;
    int n, cap;
} NodeList;

struct Node {
    uint8_t kind;    /* NodeKind */
    uint8_t op;      /* BinOp, or a method id */
    bool flag;       /* N_DECL: declared with val; N_PRINT: eprint (stderr) */
    bool global;     /* N_DECL: the slot is a global's (else a frame slot) */
    int line, col;
    int slot;        /* variable slot; N_CALL_BUILTIN: builtin id */
    Node *a, *b, *c;
    NodeList list;
    Value value;     /* N_CONST (owns a reference) */
    char *name;      /* malloc'd */
    void *target;    /* N_CALL_FN: Func *, N_CALL_EXTERN: ExternDecl * */
};

typedef struct Func {
    char *name;
    char **params;
    int nparams;
    Node *body;
    int nslots;      /* parameters first, then every local of the body */
    int line, col;
} Func;

typedef struct ExternDecl {
    char *name;
    char *param_names[SFFI_MAX_PARAMS];
    uint8_t params[SFFI_MAX_PARAMS];   /* sffi_type */
    int nparams;
    uint8_t result;                    /* sffi_type (| SFFI_OPTIONAL); SFFI_NONE; SFFI_TUPLE;
                                          SFFI_TUPLE_ARRAY (| SFFI_OPTIONAL) */
    uint8_t n_items;                   /* SFFI_TUPLE, SFFI_TUPLE_ARRAY: the tuple's element count and types */
    uint8_t items[SFFI_MAX_TUPLE];
    int line, col;
    const char *file;                  /* the declaring source's name, set at load time (messages) */
    const sffi_entry *entry;           /* bound at load time; its result may differ in optionality
                                          (externs.h, spl_result_binds) */
} ExternDecl;

typedef struct Global {
    char *name;
    bool is_val;
    int line, col;
} Global;

typedef struct Program {
    Func **funcs;
    int nfuncs, funcs_cap;
    ExternDecl **externs;
    int nexterns, externs_cap;
    Node *top;           /* N_BLOCK of the top-level statements */
    int top_nslots;      /* frame of the top-level code (locals of nested blocks) */
    Global *globals;     /* top-level val/var, in order */
    int nglobals, globals_cap;
    Func *main;          /* fn main(), if any */
} Program;

Node *spl_node_new(NodeKind kind, int line, int col);
void spl_node_list_add(NodeList *list, Node *node);
void spl_node_free(Node *node);
void spl_program_free(Program *prog);
const char *spl_binop_symbol(BinOp op);

#endif
