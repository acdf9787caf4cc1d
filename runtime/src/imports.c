/* imports.c - export tables and import scopes (imports.h). */
#include "imports.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void table_add(ExportTable *t, ModExport e)
{
    spl_grow_array((void **)&t->items, &t->cap, t->n + 1, sizeof(ModExport));
    t->items[t->n] = e;
    spl_strmap_put(&t->index, e.name, t->n++);
}

static const ModExport *table_get(const ExportTable *t, const char *name)
{
    int i = spl_strmap_get(&t->index, name);
    return i < 0 ? NULL : &t->items[i];
}

static const Imported *scope_get(const ImportScope *s, const char *name)
{
    int i = spl_strmap_get(&s->index, name);
    return i < 0 ? NULL : &s->items[i];
}

static bool same_signature(const ExternDecl *a, const ExternDecl *b)
{
    return a->nparams == b->nparams && a->result == b->result && a->n_items == b->n_items &&
           memcmp(a->params, b->params, (size_t)a->nparams) == 0 && memcmp(a->items, b->items, (size_t)a->n_items) == 0;
}

/* Two bindings of one name are the same definition: the same function or
 * global, or externs of one name and signature (they bind one table entry). */
static bool same_definition(const ModExport *a, const ModExport *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind == IMP_GLOBAL)
        return a->unit == b->unit && a->slot == b->slot;
    if (a->kind == IMP_EXTERN)
        return same_signature(a->target, b->target);
    return a->target == b->target;
}

static bool add_import(ImportScope *s, const ModExport *e, const char *module, int line, int col, CompileError *err)
{
    const Imported *old = scope_get(s, e->name);
    if (old && same_definition(&old->what, e))
        return true;
    if (old) {
        spl_compile_error_set(err, line, col, "'%s' is imported from module '%s' here and from module '%s' on line %d; "
                              "import it from one of them", e->name, module, old->module, old->line);
        return false;
    }
    spl_grow_array((void **)&s->items, &s->cap, s->n + 1, sizeof(Imported));
    s->items[s->n] = (Imported){*e, module, line, col};
    spl_strmap_put(&s->index, e->name, s->n++);
    return true;
}

bool spl_imports_bind(ImportScope *scope, const UseDecl *u, const char *module, const char *module_file,
                      const ExportTable *own, const ExportTable *exports, CompileError *err)
{
    if (u->kind == USE_ALL) {
        for (int i = 0; i < exports->n; i++)
            if (!add_import(scope, &exports->items[i], module, u->line, u->col, err))
                return false;
        return true;
    }
    for (int i = 0; u->kind == USE_LIST && i < u->nnames; i++) {
        const ModName *n = &u->names[i];
        const ModExport *e = table_get(exports, n->name);
        if (!e) {
            if (table_get(own, n->name))
                spl_compile_error_set(err, n->line, n->col, "module '%s' (%s) does not export '%s' (defined on its line %d); "
                                      "add it to the module's export lines", module, module_file, n->name,
                                      table_get(own, n->name)->line);
            else
                spl_compile_error_set(err, n->line, n->col, "module '%s' (%s) has no top-level name '%s'", module,
                                      module_file, n->name);
            return false;
        }
        if (!add_import(scope, e, module, n->line, n->col, err))
            return false;
    }
    return true;
}

/* ---- the file's own names ---- */

static void own_pattern_globals(const Node *pat, NodeList *decls)
{
    for (int i = 0; i < pat->list.n; i++) {
        Node *item = pat->list.items[i];
        if (item->kind == N_PATTERN)
            own_pattern_globals(item, decls);
        else if (item->name)
            spl_node_list_add(decls, item);
    }
}

/* The declarations directly at the top level (they become globals). */
static void own_globals(const Program *prog, NodeList *decls)
{
    for (int i = 0; prog->top && i < prog->top->list.n; i++) {
        Node *s = prog->top->list.items[i];
        if (s->kind == N_DECL)
            spl_node_list_add(decls, s);
        else if (s->kind == N_DESTRUCT)
            own_pattern_globals(s->b, decls);
    }
}

static const ExternDecl *own_extern(const Program *prog, const char *name)
{
    for (int i = 0; i < prog->nexterns; i++)
        if (strcmp(prog->externs[i]->name, name) == 0)
            return prog->externs[i];
    return NULL;
}

/* A function the module's top level defines (not a method, not a lambda). */
static bool top_level_func(const Func *f)
{
    return !f->owner && !f->is_lambda;
}

static int own_line(const Program *prog, const NodeList *globals, const char *name)
{
    for (int i = 0; i < prog->nfuncs; i++)
        if (top_level_func(prog->funcs[i]) && strcmp(prog->funcs[i]->name, name) == 0)
            return prog->funcs[i]->line;
    for (int i = 0; i < prog->ntypes; i++)
        if (strcmp(prog->types[i]->name, name) == 0)
            return prog->types[i]->line;
    const ExternDecl *e = own_extern(prog, name);
    if (e)
        return e->line;
    for (int i = 0; i < globals->n; i++)
        if (strcmp(globals->items[i]->name, name) == 0)
            return globals->items[i]->line;
    return 0;
}

bool spl_imports_check_own(ImportScope *scope, const Program *prog, CompileError *err)
{
    NodeList globals = {0};
    own_globals(prog, &globals);
    bool ok = true;
    for (int i = 0; ok && i < scope->n; i++) {
        const Imported *im = &scope->items[i];
        int line = own_line(prog, &globals, im->what.name);
        if (!line)
            continue;
        const ExternDecl *mine = own_extern(prog, im->what.name);
        if (mine && im->what.kind == IMP_EXTERN && same_signature(mine, im->what.target)) {
            spl_strmap_put(&scope->index, im->what.name, -1); /* the file's own declaration serves */
            continue;
        }
        spl_compile_error_set(err, im->line, im->col, "'%s' is imported from module '%s' here and also defined "
                              "by this file on line %d; rename one of them", im->what.name, im->module, line);
        ok = false;
    }
    free(globals.items); /* the list borrows the nodes */
    return ok;
}

void spl_imports_add_globals(const ImportScope *scope, Program *prog, SplUnit *unit)
{
    for (int i = 0; i < scope->n; i++) {
        const Imported *im = &scope->items[i];
        if (im->what.kind != IMP_GLOBAL || spl_strmap_get(&scope->index, im->what.name) != i)
            continue;
        spl_grow_array((void **)&prog->globals, &prog->globals_cap, prog->nglobals + 1, sizeof(Global));
        prog->globals[prog->nglobals] = (Global){spl_xstrdup(im->what.name), true, im->line, im->col, true};
        spl_grow_array((void **)&unit->copies, &unit->copies_cap, unit->ncopies + 1, sizeof(ImportCopy));
        unit->copies[unit->ncopies++] = (ImportCopy){prog->nglobals++, im->what.unit, im->what.slot};
    }
}

Func *spl_imports_func(const ImportScope *scope, const char *name)
{
    const Imported *im = scope_get(scope, name);
    return im && im->what.kind == IMP_FUNC ? im->what.target : NULL;
}

TypeDef *spl_imports_type(const ImportScope *scope, const char *name)
{
    const Imported *im = scope_get(scope, name);
    return im && im->what.kind == IMP_TYPE ? im->what.target : NULL;
}

ExternDecl *spl_imports_extern(const ImportScope *scope, const char *name)
{
    const Imported *im = scope_get(scope, name);
    return im && im->what.kind == IMP_EXTERN ? im->what.target : NULL;
}

/* ---- exports ---- */

static void build_own(ExportTable *own, const Program *prog, const SplUnit *unit, const ImportScope *scope)
{
    for (int i = 0; i < prog->nfuncs; i++)
        if (top_level_func(prog->funcs[i]) && !table_get(own, prog->funcs[i]->name))
            table_add(own, (ModExport){prog->funcs[i]->name, IMP_FUNC, prog->funcs[i], NULL, 0, prog->funcs[i]->line});
    for (int i = 0; i < prog->ntypes; i++)
        if (!table_get(own, prog->types[i]->name))
            table_add(own, (ModExport){prog->types[i]->name, IMP_TYPE, prog->types[i], NULL, 0, prog->types[i]->line});
    for (int i = 0; i < prog->nexterns; i++)
        if (!table_get(own, prog->externs[i]->name))
            table_add(own, (ModExport){prog->externs[i]->name, IMP_EXTERN, prog->externs[i], NULL, 0,
                                       prog->externs[i]->line});
    for (int i = 0; i < prog->nglobals; i++) {
        const Imported *im = scope_get(scope, prog->globals[i].name);
        if (!(im && im->what.kind == IMP_GLOBAL) && !table_get(own, prog->globals[i].name))
            table_add(own, (ModExport){prog->globals[i].name, IMP_GLOBAL, NULL, unit, i, prog->globals[i].line});
    }
}

/* The names `export use` lines bind, exported as the scope has them. */
static void add_reexports(ExportTable *exports, const Program *prog, const SplUnit *unit, const ImportScope *scope,
                          const ExportTable *const *dep_exports)
{
    for (int i = 0; prog->mod && i < prog->mod->nuses; i++) {
        const UseDecl *u = &prog->mod->uses[i];
        if (!u->reexport)
            continue;
        int n = u->kind == USE_ALL ? dep_exports[i]->n : u->nnames;
        for (int k = 0; k < n; k++) {
            const char *name = u->kind == USE_ALL ? dep_exports[i]->items[k].name : u->names[k].name;
            const Imported *im = scope_get(scope, name);
            if (!im || table_get(exports, name))
                continue; /* the file's own definition served instead, or exported already */
            ModExport x = im->what;
            if (x.kind == IMP_GLOBAL) { /* read this file's copy */
                x.unit = unit;
                for (int g = 0; g < prog->nglobals; g++)
                    if (strcmp(prog->globals[g].name, name) == 0)
                        x.slot = g;
            }
            table_add(exports, x);
        }
    }
}

bool spl_exports_build(ExportTable *own, ExportTable *exports, const Program *prog, const SplUnit *unit,
                       const ImportScope *scope, const ExportTable *const *dep_exports, CompileError *err)
{
    build_own(own, prog, unit, scope);
    if (!prog->mod || prog->mod->nexport_lines == 0) {
        for (int i = 0; i < own->n; i++)
            table_add(exports, own->items[i]);
        add_reexports(exports, prog, unit, scope, dep_exports);
        return true;
    }
    for (int i = 0; i < prog->mod->nexports; i++) {
        const ModName *n = &prog->mod->exports[i];
        if (table_get(exports, n->name))
            continue; /* exported twice: once is enough */
        const ModExport *e = table_get(own, n->name);
        const Imported *im = e ? NULL : scope_get(scope, n->name);
        if (!e && !im) {
            spl_compile_error_set(err, n->line, n->col, "cannot export '%s': this file neither defines nor imports it",
                                  n->name);
            return false;
        }
        ModExport x = e ? *e : im->what;
        if (im && im->what.kind == IMP_GLOBAL) { /* re-exported: read this file's copy */
            x.unit = unit;
            for (int g = 0; g < prog->nglobals; g++)
                if (strcmp(prog->globals[g].name, n->name) == 0)
                    x.slot = g;
        }
        x.name = n->name;
        table_add(exports, x);
    }
    add_reexports(exports, prog, unit, scope, dep_exports);
    return true;
}

void spl_import_scope_free(ImportScope *scope)
{
    free(scope->items);
    spl_strmap_free(&scope->index);
    memset(scope, 0, sizeof *scope);
}

void spl_export_table_free(ExportTable *t)
{
    free(t->items);
    spl_strmap_free(&t->index);
    memset(t, 0, sizeof *t);
}
