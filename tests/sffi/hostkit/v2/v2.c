/* Compiled with the generated prototype header force-included (tuple and optional structs). */
#include <stdio.h>

static _Thread_local char out[64];
static const int64_t pair[] = {4, 5};

sffi_tuple_text_text_i64 rt_v2_run(const char *cmd)
{
    snprintf(out, sizeof out, "ran %s", cmd);
    return (sffi_tuple_text_text_i64){out, "", 3};
}

sffi_opt_u32 rt_v2_opt(bool give) { return (sffi_opt_u32){7, give}; }

sffi_i64_slice rt_v2_opt_array(bool give) { return (sffi_i64_slice){give ? pair : NULL, give ? 2 : -1}; }

const char *rt_v2_opt_text(bool give) { return give ? "yes" : NULL; }

uint8_t rt_v2_next(uint8_t x) { return (uint8_t)(x + 1); }

/* An array of tuples (text at 0, u16? at 8, [u8] at 16: 32 bytes a tuple); nil for n < 0. */
sffi_tuple_text_opt_u16_u8s_slice rt_v2_vars(int64_t n)
{
    static const uint8_t raw[] = {1, 2, 3};
    static sffi_tuple_text_opt_u16_u8s rows[2] = {{"HOME", {65535, true}, {raw, 3}}, {"", {0, false}, {NULL, 0}}};
    return (sffi_tuple_text_opt_u16_u8s_slice){n < 0 ? NULL : rows, n < 0 ? -1 : n > 2 ? 2 : n};
}
