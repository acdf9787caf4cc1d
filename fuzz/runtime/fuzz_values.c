/*
 * fuzz_values.c - libFuzzer target `runtime_deep`: every walk over values, on
 * values of any depth and shape (issue 24 item 1).
 *
 * The input is a little stack program that builds values directly (no script,
 * so a value millions deep costs one loop, not a parse):
 *   0 B        push int B              1 B     push float B / 7 (3: nan)
 *   2 N bytes  push text of N bytes    3       wrap the top in a 1-array
 *   4 K        pop K, push an array    5 K     pop K, push a tuple
 *   6          push the top again      7 B     wrap the top B times
 *   8 B        push B bytes            9 B     wrap the top B times in (x, 1)
 *  10 K        push deep value K % N_DEEP: one of a few values deep_levels
 *              deep, built once (a chain of 1-arrays or (x, 1) tuples over
 *              1, 1.0, 2 or "x"), so a deep operand costs nothing to make
 * (opcodes are taken modulo 11; a missing operand ends the program). Then
 * every walk runs on it: equality of each pair of stack values against a
 * recursive reference (for values at most REF_DEPTH deep; deeper ones must
 * at least agree with themselves), formatting, copy on write of arrays, and
 * freeing. A walk over two deep values costs deep_levels steps; everything
 * else an input builds is small, so the fuzzer runs thousands a second.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "util.h"
#include "value.h"
#include "plantbug.h"

#define MAX_STACK 16
#define MAX_PAIRS 12 /* equality checks per input: a pair of deep values costs deep_levels steps */
#define MAX_NODES 4096
/* Deep enough that the recursive equality this runtime had (issue 24) overflows
 * ASan's 8 MiB stack on the seeds (measured: 100,000 does, 30,000 does not).
 * SFFI_FUZZ_DEEP_LEVELS=N (1..DEEP_LEVELS_MAX) sets another depth for a run:
 * at 300 (still deeper than printing's limit of 100) the target runs about
 * 130 times as many inputs a second (measured on one core: 6 and 780), for
 * a campaign after shapes rather than depth, and the deep values are then
 * also compared with the recursive reference (REF_DEPTH). */
#define DEEP_LEVELS 100000
#define DEEP_LEVELS_MAX 10000000
static long deep_levels = DEEP_LEVELS;
#define N_DEEP 6
#define REF_DEPTH 2000

typedef struct Machine {
    Value stack[MAX_STACK];
    int top;
    int64_t nodes;
    int deep;       /* deep values pushed: at most MAX_DEEP_PUSHES, so one input walks a bounded amount */
} Machine;

#define MAX_DEEP_PUSHES 3

static void push(Machine *m, Value v)
{
    if (m->top == MAX_STACK) {
        value_release(v);
        return;
    }
    m->stack[m->top++] = v;
}

static Value wrap_array(Value v)
{
    Array *a = spl_array_new(1);
    spl_array_push(a, v);
    return value_array(a);
}

static Value wrap_tuple(Value v)
{
    Tuple *t = spl_tuple_new(2);
    t->items[0] = v;
    t->items[1] = value_int(1);
    return value_tuple(t);
}

static void wrap_top(Machine *m, int64_t times, bool tuple)
{
    if (m->top == 0)
        return;
    if (times > MAX_NODES - m->nodes)
        times = MAX_NODES - m->nodes;
    m->nodes += times;
    for (int64_t i = 0; i < times; i++)
        m->stack[m->top - 1] = tuple ? wrap_tuple(m->stack[m->top - 1]) : wrap_array(m->stack[m->top - 1]);
}

static void collect(Machine *m, int k, bool tuple)
{
    if (k > m->top)
        k = m->top;
    m->nodes++;
    Value *from = &m->stack[m->top - k];
    if (tuple) {
        Tuple *t = spl_tuple_new(k);
        memcpy(t->items, from, sizeof(Value) * (size_t)k);
        m->top -= k;
        push(m, value_tuple(t));
        return;
    }
    Array *a = spl_array_new(k);
    for (int i = 0; i < k; i++)
        spl_array_push(a, from[i]);
    m->top -= k;
    push(m, value_array(a));
}

static Value deep[N_DEEP];

static Value chain(Value leaf, bool tuple)
{
    for (long i = 0; i < deep_levels; i++)
        leaf = tuple ? wrap_tuple(leaf) : wrap_array(leaf);
    return leaf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *env = getenv("SFFI_FUZZ_DEEP_LEVELS");
    if (env) {
        char *end;
        deep_levels = strtol(env, &end, 10);
        if (*env == '\0' || *end != '\0' || deep_levels < 1 || deep_levels > DEEP_LEVELS_MAX) {
            fprintf(stderr, "runtime_deep: SFFI_FUZZ_DEEP_LEVELS=%s is not a depth from 1 to %d\n", env,
                    DEEP_LEVELS_MAX);
            exit(2);
        }
    }
    deep[0] = chain(value_int(1), false);
    deep[1] = chain(value_int(1), false); /* equal to 0, not the same */
    deep[2] = chain(value_float(1.0), false); /* equal to 0: int and float compare by value */
    deep[3] = chain(value_int(2), false);
    deep[4] = chain(value_int(1), true);
    deep[5] = chain(value_text(spl_text_new("x", 1)), false);
    return 0;
}

static void push_deep(Machine *m, int k)
{
    if (m->deep++ >= MAX_DEEP_PUSHES)
        return;
    value_retain(deep[k]);
    push(m, deep[k]);
}

/* Runs the program; false when an operand is missing (the input ends). */
static bool step(Machine *m, const uint8_t **p, const uint8_t *end)
{
    int op = **p % 11;
    (*p)++;
    size_t need = op == 3 || op == 6 ? 0 : 1;
    if ((size_t)(end - *p) < need)
        return false;
    const uint8_t *arg = *p;
    *p += need;
    switch (op) {
    case 0: push(m, value_int(arg[0])); break;
    case 1: push(m, value_float(arg[0] == 3 ? 0.0 / 0.0 : arg[0] / 7.0)); break;
    case 2: {
        size_t n = arg[0] < (size_t)(end - *p) ? arg[0] : (size_t)(end - *p);
        push(m, value_text(spl_text_new((const char *)*p, n)));
        *p += n;
        break;
    }
    case 3: wrap_top(m, 1, false); break;
    case 4: collect(m, arg[0] % 8, false); break;
    case 5: collect(m, arg[0] % 8, true); break;
    case 6:
        if (m->top > 0) {
            value_retain(m->stack[m->top - 1]);
            push(m, m->stack[m->top - 1]);
        }
        break;
    case 7: wrap_top(m, arg[0], false); break;
    case 8: {
        uint8_t bytes[256];
        memset(bytes, arg[0], sizeof bytes);
        push(m, value_bytes(spl_bytes_new(bytes, arg[0])));
        break;
    }
    case 9: wrap_top(m, arg[0], true); break;
    case 10: push_deep(m, arg[0] % N_DEEP); break;
    }
    return true;
}

/* The work budget of one walk (SPL_FUZZ_BUDGET, util.h): equality and printing
 * take a step per value they visit. A value shared K times at each of L levels
 * (op 6, then op 4) is small to build and K^L items to walk, so a walk stops
 * after walk_steps() steps (deep values take deep_levels steps and finish);
 * a comparison cut short is not checked against the oracle. An input makes at
 * most MAX_NODES nodes and pushes one value per input byte, so every value that
 * shares nothing is walked in full within WALK_BASE steps; at 100,000 steps an
 * input of shared values (about 70 walks) took 7 s of CPU under ASan. */
#define WALK_BASE 10000
/* All of an input's walks together get INPUT_WALKS walks' steps: past them, the
 * walks left are not made (an input of shared values made about 70 walks of
 * 100,000 steps, 7 s of CPU under ASan; now it costs at most about 0.3 s). */
#define INPUT_WALKS 20
static long steps_left;

bool spl_fuzz_step(void) { return --steps_left >= 0; }

static long walk_steps(void) { return WALK_BASE + 2 * deep_levels; }

static long input_left; /* the steps left to this input's walks */

/* Starts a walk: false when the input has no steps left for it. */
static bool begin_walk(void)
{
    if (input_left <= 0)
        return false;
    steps_left = walk_steps() < input_left ? walk_steps() : input_left;
    input_left -= steps_left;
    return true;
}

/* Ends a walk: the steps it did not use go back to the input. */
static void end_walk(void)
{
    if (steps_left > 0)
        input_left += steps_left;
}

/* The obvious recursive equality, as the runtime once had it: the oracle for
 * values it can walk. *deep is set when it gave up (deeper than REF_DEPTH). */
static bool ref_equal(Value a, Value b, int depth, bool *deep);

static bool ref_items(const Value *a, const Value *b, int64_t n, int depth, bool *deep)
{
    for (int64_t i = 0; i < n && !*deep; i++)
        if (!ref_equal(a[i], b[i], depth + 1, deep))
            return false;
    return true;
}

static bool ref_bytes(const Bytes *x, Value y)
{
    if (y.type == VT_BYTES)
        return x->len == y.as.by->len && memcmp(x->data, y.as.by->data, (size_t)x->len) == 0;
    if (y.type != VT_ARRAY || y.as.a->len != x->len)
        return false;
    for (int64_t i = 0; i < x->len; i++)
        if (y.as.a->items[i].type != VT_INT || y.as.a->items[i].as.i != x->data[i])
            return false;
    return true;
}

static bool ref_equal(Value a, Value b, int depth, bool *deep)
{
    if (depth > REF_DEPTH || --steps_left < 0) { /* too deep, or too much: no answer */
        *deep = true;
        return false;
    }
    if (a.type == VT_BYTES || b.type == VT_BYTES)
        return a.type == VT_BYTES ? ref_bytes(a.as.by, b) : ref_bytes(b.as.by, a);
    if (a.type == VT_INT && b.type == VT_FLOAT)
        return (double)a.as.i == b.as.f;
    if (a.type == VT_FLOAT && b.type == VT_INT)
        return a.as.f == (double)b.as.i;
    if (a.type != b.type)
        return false;
    switch (a.type) {
    case VT_INT: return a.as.i == b.as.i;
    case VT_FLOAT: return a.as.f == b.as.f;
    case VT_TEXT: return a.as.t->len == b.as.t->len && memcmp(a.as.t->data, b.as.t->data, (size_t)a.as.t->len) == 0;
    case VT_ARRAY:
        return a.as.a->len == b.as.a->len && ref_items(a.as.a->items, b.as.a->items, a.as.a->len, depth, deep);
    case VT_TUPLE:
        return a.as.tu->len == b.as.tu->len && ref_items(a.as.tu->items, b.as.tu->items, a.as.tu->len, depth, deep);
    default: return true;
    }
}

static void check_pair(Value a, Value b)
{
    bool deep = false;
    if (!begin_walk())
        return;
    bool expected = ref_equal(a, b, 0, &deep);
    end_walk();
    if (!begin_walk())
        return;
    bool got = spl_value_equal(a, b);
    bool cut = steps_left < 0;
    end_walk();
    if (cut || deep || !begin_walk())
        return; /* cut short, past the oracle, or out of steps: no answer to check */
    bool reverse = spl_value_equal(b, a);
    cut = steps_left < 0;
    end_walk();
    if (!cut && got != reverse)
        abort(); /* equality is symmetric */
    if (got != expected)
        abort(); /* a wrong answer is a finding like a crash */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plant_bug(data, size);
    Machine m = {.top = 0};
    const uint8_t *p = data, *end = data + size;
    while (p < end && step(&m, &p, end))
        ;
    input_left = INPUT_WALKS * walk_steps();
    int pairs = 0;
    for (int i = 0; i < m.top; i++) /* each value with itself (if shallow) and its next two */
        for (int j = i; j < m.top && j < i + 3 && pairs < MAX_PAIRS; j++)
            if (j > i || m.stack[i].type != VT_ARRAY || m.stack[i].as.a->len != 1) {
                check_pair(m.stack[i], m.stack[j]);
                pairs++;
            }
    for (int i = 0; i < m.top; i++) {
        StrBuf sb = {0};
        if (begin_walk()) {
            spl_format_value(&sb, m.stack[i], i % 2 == 0);
            end_walk();
        }
        spl_sb_free(&sb);
        if (m.stack[i].type == VT_ARRAY && begin_walk()) { /* copy on write, then change the copy */
            Value copy = m.stack[i];
            value_retain(copy);
            Array *a = spl_array_unshare(&copy);
            spl_array_push(a, value_int(0));
            if (spl_value_equal(copy, m.stack[i]))
                abort(); /* the copy grew; the original must not have */
            end_walk();
            value_release(copy);
        }
    }
    for (int i = 0; i < m.top; i++)
        value_release(m.stack[i]);
    return 0;
}
