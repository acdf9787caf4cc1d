#include <stdio.h>
#include "sffi_host.h"

int main(void)
{
    const sffi_entry *hello = sffi_host_find("rt_greet_hello"), *sum = sffi_host_find("rt_greet_sum");
    const sffi_entry *fail = sffi_host_find("rt_greet_fail");
    sffi_value a = {.text = "outside"}, r;
    sffi_host_call(hello, &a, &r);
    printf("%s\n", r.text);
    int64_t xs[] = {1, 2, 39};
    a.i64s = (sffi_i64_slice){xs, 3};
    sffi_host_call(sum, &a, &r);
    printf("%s %s = %lld\n", sum->name, sum->signature, (long long)r.i64);
    a.text = "on purpose";
    if (sffi_host_call(fail, &a, &r) != 0)
        printf("%s raised: %s\n", fail->name, sffi_host_error());
    printf("unknown: %s\n", sffi_host_find("rt_other") ? "found" : "not in the table");
    return 0;
}
