/* seed.c - the source of the ELF, archive and DWARF seeds of the symbol and
 * DWARF fuzz targets (fuzz/campaign.py compiles it: object, shared object,
 * archive, debug object). Covers what the scanner reads: global, weak, hidden
 * and local functions and data, TLS, a versioned libc import, common types. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct seed_pair { int64_t a; double b; } seed_pair;

int64_t seed_counter = 1;
static int seed_local = 2;
_Thread_local int seed_tls;
__attribute__((weak)) int seed_weak(void) { return seed_local; }
__attribute__((visibility("hidden"))) int seed_hidden(int x) { return x + 1; }

int64_t rt_seed_add(int64_t a, int32_t b) { return a + b + seed_tls; }
double rt_seed_scale(const double *xs, int64_t len, double k) { return len ? xs[0] * k : k; }
const char *rt_seed_name(const char *s) { return s && strlen(s) ? s : NULL; }
_Bool rt_seed_flag(_Bool b) { return !b; }
seed_pair rt_seed_pair(seed_pair p) { printf("%f\n", p.b); return p; }
