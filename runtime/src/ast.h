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

#include "modsyntax.h"
#include "sffi_table.h"
#include "strmap.h"
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
    N_METHOD,        /* a.name(list); op: builtin method id (METHOD_NONE: a user method);
                        a is assignable (push/pop may change it in place) */
    N_CALL_METHOD,   /* a.name(list) on any value; op: builtin method id or METHOD_NONE */
    N_CALL_VALUE,    /* a(list): a is a variable holding a function or lambda */
    N_FIELD,         /* a.name: a field of a struct or class instance */
    N_NEW,           /* Type(field: v, ...): target TypeDef, list: one value per field, in order */
    N_LAMBDA,        /* \x: e; target: Func; list: the enclosing locals it captures */
    N_CAPTURE,       /* slot: index of a captured value of the running lambda */
    N_SLICE,         /* a[b:c]; b or c may be NULL */
    N_COALESCE,      /* a ?? b ?? ...: list: the operands */
    N_IN,            /* a in b (flag: not in) */
    N_NAMEDARG,      /* name: a, an argument of a call (resolved away) */
    N_BLOCK_EXPR,    /* `val v = unsafe(...):` and a block of two or more lines: list:
                        statements, the last an N_EXPR_STMT whose value is the block's */
    /* statements */
    N_EXPR_STMT,     /* a */
    N_PRINT,         /* print a / eprint a (flag); a may be NULL */
    N_DECL,          /* val/var name[: T] = a; flag: val; slot (+ global); target: TypeRef * or NULL */
    N_DESTRUCT,      /* val/var (pattern) = a; b: N_PATTERN; flag: val */
    N_PATTERN,       /* list: N_DECL leaves (a == NULL; name NULL for `_`) or N_PATTERN */
    N_ASSIGN,        /* a = b, or a op= b (op != OP_NONE) */
    N_IF,            /* list: cond, block, cond, block...; c: else block or NULL */
    N_WHILE,         /* while a: b */
    N_FOR_RANGE,     /* for name in a..b: c */
    N_FOR_EACH,      /* for name in a: c */
    N_BREAK, N_CONTINUE,
    N_RETURN,        /* a may be NULL */
    N_MATCH,         /* match a: list of N_CASE */
    N_CASE,          /* case a: b; a: the pattern (N_PAT_*), slot: binding or -1 */
    N_PAT_ANY,       /* _ */
    N_PAT_VALUE,     /* a constant (literal or enum variant): value */
    N_PAT_RESULT,    /* Ok(x) / Err(x) (flag: Err); name: x or NULL */
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
    void *target;    /* N_CALL_FN: Func *, N_CALL_EXTERN: ExternDecl *, N_NEW: TypeDef * */
    /* inline cache of N_FIELD / N_CALL_METHOD / N_METHOD: the last type seen and what
     * the name meant for it (field index, or Func *), so a loop over instances of
     * one class finds each field and method once */
    const void *cache_type;
    intptr_t cache_slot;
};

/* A type annotation as written (`i64`, `[text]`, `Point?`, `Result<T, E>`).
 * The runtime checks the values it knows: see types.h. */
typedef enum TypeKind {
    TY_ANY,      /* not checked: a generic, or a name the program does not define */
    TY_INT, TY_FLOAT, TY_BOOL, TY_TEXT, TY_ARRAY, TY_TUPLE, TY_RESULT, TY_FN,
    TY_VOID,     /* `-> void`: no result */
    TY_NIL,
    TY_NAMED     /* a struct, class or enum name: def once resolved (else TY_ANY) */
} TypeKind;

typedef struct TypeRef {
    uint8_t kind;        /* TypeKind */
    uint8_t fast;        /* a ValueType that always fits (checked first), or 255 */
    bool optional;       /* T?: nil is accepted too */
    char *spelling;      /* as written, for messages (malloc'd; NULL: no annotation) */
    struct TypeDef *def; /* TY_NAMED */
} TypeRef;

typedef enum TypeDefKind { TD_STRUCT, TD_CLASS, TD_ENUM } TypeDefKind;

/* A struct, class or enum: fields (struct, class), unit variants (enum),
 * methods and static functions (all three). */
typedef struct TypeDef {
    char *name;
    uint8_t kind;        /* TypeDefKind */
    int line, col;
    char **field_names;
    TypeRef *field_types;
    Node **field_defaults;   /* NULL entries: the field must be given */
    int nfields, fields_cap;
    char **variants;
    int nvariants, variants_cap;
    struct Func **methods;   /* instance methods and static fns */
    int nmethods, methods_cap;
    StrMap field_map, method_map;  /* name -> index */
} TypeDef;

struct SplUnit;

typedef struct Func {
    char *name;      /* `f`, or `Type.f` for a method, or `<lambda>` */
    char **params;   /* a method's first is "self" */
    TypeRef *ptypes; /* one per parameter (kind TY_ANY where none was written) */
    int nparams;
    TypeRef rtype;   /* the result (TY_ANY where none was written) */
    bool checks;     /* some parameter has a type the runtime checks */
    bool checks_result; /* the result has one */
    bool slow_call;  /* checks, a void result or a lambda's captures: the call's slower path */
    bool is_method;  /* an instance method: self is parameter 0 */
    bool is_static;
    bool is_lambda;
    TypeDef *owner;  /* methods and static fns */
    Node *body;
    int nslots;      /* parameters first, then every local of the body */
    int line, col;
    struct SplUnit *unit; /* the module that defines it (unit.h); NULL: the only one */
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
                                          (abi.h, spl_result_binds) */
    uint8_t fast_result;               /* `result` when the entry's is the same, else SPL_RESULT_GENERAL (abi.h):
                                          what the call's fast path switches on (marshal.c) */
} ExternDecl;

typedef struct Global {
    char *name;
    bool is_val;
    int line, col;
    bool imported;   /* a module's val/var read through `use` (imports.c): never assigned here */
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
    ModSyntax *mod;      /* its use and export lines (modsyntax.h), or NULL */
    TypeDef **types;     /* struct, class and enum definitions */
    int ntypes, types_cap;
} Program;

Node *spl_node_new(NodeKind kind, int line, int col);
void spl_node_list_add(NodeList *list, Node *node);
void spl_node_free(Node *node);
void spl_program_free(Program *prog);
void spl_typeref_free(TypeRef *t);
const char *spl_binop_symbol(BinOp op);

#endif
