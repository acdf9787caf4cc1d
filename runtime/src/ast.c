/* ast.c - node allocation and freeing. */
#include "ast.h"

#include <stdlib.h>

#include "util.h"

Node *spl_node_new(NodeKind kind, int line, int col)
{
    Node *n = spl_xcalloc(1, sizeof *n);
    n->kind = (uint8_t)kind;
    n->line = line;
    n->col = col;
    return n;
}

void spl_node_list_add(NodeList *list, Node *node)
{
    spl_grow_array((void **)&list->items, &list->cap, list->n + 1, sizeof(Node *));
    list->items[list->n++] = node;
}

void spl_node_free(Node *node)
{
    if (!node)
        return;
    spl_node_free(node->a);
    spl_node_free(node->b);
    spl_node_free(node->c);
    for (int i = 0; i < node->list.n; i++)
        spl_node_free(node->list.items[i]);
    free(node->list.items);
    value_release(node->value);
    free(node->name);
    if (node->kind == N_DECL && node->target) { /* its type annotation */
        spl_typeref_free(node->target);
        free(node->target);
    }
    free(node);
}

void spl_typeref_free(TypeRef *t)
{
    free(t->spelling);
    t->spelling = NULL;
}

static void func_free(Func *f)
{
    free(f->name);
    for (int i = 0; i < f->nparams; i++) {
        free(f->params[i]);
        if (f->ptypes)
            spl_typeref_free(&f->ptypes[i]);
    }
    free(f->params);
    free(f->ptypes);
    spl_typeref_free(&f->rtype);
    spl_node_free(f->body);
    free(f);
}

static void extern_free(ExternDecl *e)
{
    free(e->name);
    /* Not only nparams: a parse error after a parameter's name (a bad type)
     * leaves that name stored but not yet counted. */
    for (int i = 0; i < SFFI_MAX_PARAMS; i++)
        free(e->param_names[i]);
    free(e);
}

static void typedef_free(TypeDef *t)
{
    free(t->name);
    for (int i = 0; i < t->nfields; i++) {
        free(t->field_names[i]);
        spl_typeref_free(&t->field_types[i]);
        spl_node_free(t->field_defaults[i]);
    }
    free(t->field_names);
    free(t->field_types);
    free(t->field_defaults);
    for (int i = 0; i < t->nvariants; i++)
        free(t->variants[i]);
    free(t->variants);
    free(t->methods); /* the Funcs are the program's */
    spl_strmap_free(&t->field_map);
    spl_strmap_free(&t->method_map);
    free(t);
}

void spl_program_free(Program *prog)
{
    for (int i = 0; i < prog->ntypes; i++)
        typedef_free(prog->types[i]);
    free(prog->types);
    for (int i = 0; i < prog->nfuncs; i++)
        func_free(prog->funcs[i]);
    free(prog->funcs);
    for (int i = 0; i < prog->nexterns; i++)
        extern_free(prog->externs[i]);
    free(prog->externs);
    for (int i = 0; i < prog->nglobals; i++)
        free(prog->globals[i].name);
    free(prog->globals);
    spl_node_free(prog->top);
    spl_modsyntax_free(prog->mod);
}

const char *spl_binop_symbol(BinOp op)
{
    static const char *const symbols[] = {"", "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">="};
    return symbols[op];
}
