/* parse_use.c - `use` and `export` lines into the Program's ModSyntax (modsyntax.h). */
#include <stdlib.h>
#include <string.h>

#include "parse_internal.h"
#include "util.h"

static bool word_is(const Token *t, const char *word)
{
    size_t n = strlen(word);
    return t->kind == T_NAME && t->len == n && memcmp(t->start, word, n) == 0;
}

/* `use` and `export` are words only at the start of a top-level line followed
 * by a name, so a variable called `use` still works anywhere else. */
int spl_parse_module_line(Parser *P)
{
    if (P->pos + 1 >= P->toks.n || P->toks.items[P->pos + 1].kind != T_NAME)
        return 0;
    if (word_is(cur(P), "use"))
        return 1;
    if (!word_is(cur(P), "export"))
        return 0;
    bool then_use = word_is(&P->toks.items[P->pos + 1], "use") && P->pos + 2 < P->toks.n &&
                    P->toks.items[P->pos + 2].kind == T_NAME;
    return then_use ? 3 : 2;
}

static ModSyntax *syntax_of(Program *prog)
{
    if (!prog->mod)
        prog->mod = spl_xcalloc(1, sizeof *prog->mod);
    return prog->mod;
}

/* Appends the name at the current token to `*names`. */
static bool add_name(Parser *P, ModName **names, int *n, int *cap, const char *what)
{
    const Token *t = cur(P);
    char *name = spl_parse_name(P, what);
    if (!name)
        return false;
    spl_grow_array((void **)names, cap, *n + 1, sizeof(ModName));
    (*names)[(*n)++] = (ModName){name, t->line, t->col};
    return true;
}

/* {x, y, z} after `use a.b.`: at least one name, a trailing comma allowed. */
static bool parse_name_list(Parser *P, UseDecl *u)
{
    int cap = 0;
    do {
        if (kind(P) == T_RBRACE && u->nnames > 0)
            break;
        if (!add_name(P, &u->names, &u->nnames, &cap, "a name to import"))
            return false;
    } while (accept(P, T_COMMA));
    return spl_parse_expect(P, T_RBRACE, "',' or '}' after the imported name");
}

bool spl_parse_use(Parser *P, Program *prog)
{
    ModSyntax *m = syntax_of(prog);
    const Token *word = next(P);
    bool reexport = word_is(word, "export");
    if (reexport)
        next(P); /* `use` */
    spl_grow_array((void **)&m->uses, &m->uses_cap, m->nuses + 1, sizeof(UseDecl));
    UseDecl *u = &m->uses[m->nuses++];
    memset(u, 0, sizeof *u);
    u->reexport = reexport;
    u->line = word->line;
    u->col = word->col;
    u->path_col = cur(P)->col;
    int cap = 0;
    for (;;) {
        char *seg = spl_parse_name(P, u->nsegments ? "a module name, '*' or '{' after '.'" : "the module's name after 'use'");
        if (!seg)
            return false;
        spl_grow_array((void **)&u->segments, &cap, u->nsegments + 1, sizeof(char *));
        u->segments[u->nsegments++] = seg;
        if (!accept(P, T_DOT))
            break;
        if (accept(P, T_STAR)) {
            u->kind = USE_ALL;
            break;
        }
        if (accept(P, T_LBRACE)) {
            u->kind = USE_LIST;
            if (!parse_name_list(P, u))
                return false;
            break;
        }
    }
    return spl_parse_expect(P, T_NEWLINE, "end of line after the use line");
}

bool spl_parse_export(Parser *P, Program *prog)
{
    ModSyntax *m = syntax_of(prog);
    next(P);
    m->nexport_lines++;
    do {
        if (!add_name(P, &m->exports, &m->nexports, &m->exports_cap, "a name to export"))
            return false;
    } while (accept(P, T_COMMA));
    return spl_parse_expect(P, T_NEWLINE, "',' or end of line after the exported name");
}

void *spl_parse_misplaced_module_line(Parser *P)
{
    const Token *t = cur(P);
    spl_compile_error_set(P->err, t->line, t->col, "'%.*s' lines belong at the top level of a file, not inside a block",
                          (int)t->len, t->start);
    return NULL;
}

char *spl_use_module_name(const UseDecl *u)
{
    StrBuf sb = {0};
    for (int i = 0; i < u->nsegments; i++)
        spl_sb_printf(&sb, "%s%s", i ? "." : "", u->segments[i]);
    return spl_sb_take(&sb);
}

void spl_modsyntax_free(ModSyntax *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->nuses; i++) {
        UseDecl *u = &m->uses[i];
        for (int k = 0; k < u->nsegments; k++)
            free(u->segments[k]);
        free(u->segments);
        for (int k = 0; k < u->nnames; k++)
            free(u->names[k].name);
        free(u->names);
    }
    free(m->uses);
    for (int i = 0; i < m->nexports; i++)
        free(m->exports[i].name);
    free(m->exports);
    free(m);
}
