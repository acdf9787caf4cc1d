/* A C host over the kit of a Rust crate and a C library with a pkg-config dependency. */
#include <stdio.h>
#include "sffi_host.h"

static const sffi_entry *find(const char *name)
{
    const sffi_entry *e = sffi_host_find(name);
    if (!e)
        printf("missing: %s\n", name);
    return e;
}

int main(void)
{
    const sffi_entry *add = find("rt_tally_add"), *mean = find("rt_tally_mean");
    const sffi_entry *eval = find("rt_store_eval"), *major = find("rt_store_major");
    if (!add || !mean || !eval || !major)
        return 1;
    sffi_value args[2] = {{.i64 = 40}, {.i64 = 2}}, r;
    sffi_host_call(add, args, &r);
    printf("%s %s = %lld\n", add->name, add->signature, (long long)r.i64);
    double xs[] = {1.5, 2.5, 5.0};
    args[0].f64s = (sffi_f64_slice){xs, 3};
    sffi_host_call(mean, args, &r);
    printf("%s %s = %g\n", mean->name, mean->signature, r.f64);
    args[0].text = "SELECT 6 * 7";
    sffi_host_call(eval, args, &r);
    printf("%s = %lld\n", eval->name, (long long)r.i64);
    sffi_host_call(major, args, &r);
    printf("%s = %lld\n", major->name, (long long)r.i64);
    args[0].text = "SELEKT";
    if (sffi_host_call(eval, args, &r) != 0)
        printf("%s raised: %s\n", eval->name, sffi_host_error());
    return 0;
}
