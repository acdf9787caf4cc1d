/* parser.h - tokens to a Program (names unresolved; see resolve.h). */
#ifndef SIMPLE_PARSER_H
#define SIMPLE_PARSER_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"

/* Parses the whole source into `prog` (zero-initialized by the caller).
 * On a syntax error returns false with `err` set; `prog` holds what was
 * parsed so far and must still be freed with spl_program_free(). */
bool spl_parse_program(const Source *src, Program *prog, CompileError *err);

#endif
