/*
 * Traps: writes "before trap" to stdout, then traps. argv[1] selects the
 * trap: "unreachable" (default, __builtin_trap), "divzero" (integer divide
 * by zero), "oob" (out-of-bounds memory access), "stack" (call stack
 * exhausted by unbounded recursion).
 */
#include "p1_common.h"

static volatile int zero = 0, numerator = 12345, sink;

/* Unbounded recursion on the wasm call stack only: no local has its address taken, so
 * nothing goes on the C shadow stack in linear memory (which would wrap around and fault as
 * an out-of-bounds access first), and the volatile store after the call keeps it from being
 * turned into a loop. */
__attribute__((noinline)) static int recurse(int depth) {
    sink = depth;
    int r = recurse(depth + 1);
    sink = r;
    return r + 1;
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
        (void)recurse(0);
    } else {
        __builtin_trap();
    }
    (void)write_str(1, "after trap\n", NULL);
    return 0;
}
