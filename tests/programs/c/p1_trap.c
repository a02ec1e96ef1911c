/*
 * Traps: writes "before trap" to stdout, then traps. argv[1] selects the
 * trap: "unreachable" (default, __builtin_trap), "divzero" (integer divide
 * by zero), "oob" (out-of-bounds memory access), "stack" (call stack
 * exhausted by unbounded recursion).
 */
#include "p1_common.h"

static volatile int zero = 0, numerator = 12345;

__attribute__((noinline)) static int recurse(volatile int *depth) {
    volatile char pad[256];
    pad[0] = (char)*depth;
    (*depth)++;
    if (*depth < 0) return 0; /* never: the recursion only ends in a trap */
    return recurse(depth) + pad[0];
}

int main(int argc, char **argv) {
    const char *kind = argc > 1 ? argv[1] : "unreachable";
    (void)write_str(1, "before trap\n", NULL);
    if (!strcmp(kind, "divzero")) {
        volatile int x = numerator / zero;
        (void)x;
    } else if (!strcmp(kind, "oob")) {
        volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)0xFFFFFFF0u;
        (void)*p;
    } else if (!strcmp(kind, "stack")) {
        volatile int depth = 0;
        (void)recurse(&depth);
    } else {
        __builtin_trap();
    }
    (void)write_str(1, "after trap\n", NULL);
    return 0;
}
