/* Shared helpers for the Eddy benchmark programs.
 *
 * Every program compiles both natively (clang-14 -O2, x86_64 Linux) and as a
 * WASI preview1 command (clang-14 --target=wasm32-wasi -O2). It times its own
 * loop with clock_gettime(CLOCK_MONOTONIC), so process start-up and wasm
 * compilation are not measured, and prints exactly one result line on stdout:
 *
 *     <name> ns_per_op=<float> ops=<int>
 *
 * benches/run.py parses that line. Any failure prints to stderr and exits 1. */
#ifndef EDDY_BENCH_H
#define EDDY_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t now_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror("clock_gettime");
        exit(1);
    }
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Print the one machine-readable line. */
static inline void report(const char *name, uint64_t elapsed_ns, uint64_t ops) {
    printf("%s ns_per_op=%.3f ops=%llu\n", name, (double)elapsed_ns / (double)ops,
           (unsigned long long)ops);
}

static inline void die(const char *what) {
    perror(what);
    exit(1);
}

/* argv[i] as a positive count, or `def` when absent. */
static inline long arg_count(int argc, char **argv, int i, long def) {
    if (argc <= i) return def;
    long v = strtol(argv[i], NULL, 10);
    if (v <= 0) {
        fprintf(stderr, "bad count: %s\n", argv[i]);
        exit(1);
    }
    return v;
}

#endif
