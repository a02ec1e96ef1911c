/* clock_time_get: per-call overhead of reading the monotonic clock.
 *
 *   clock [N=1000000]
 *
 * In wasm, clock_gettime() is one clock_time_get hostcall. Natively it is
 * glibc's clock_gettime(), which goes through the vDSO (no system call): that
 * is what a native program really pays, so it is the honest baseline. */
#include "bench.h"

int main(int argc, char **argv) {
    long n = arg_count(argc, argv, 1, 1000000);
    struct timespec ts;
    uint64_t sink = 0;                         /* keeps the calls observable */

    for (long i = 0; i < n / 10; i++) {        /* warm-up, not timed */
        if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) die("clock_gettime");
        sink += (uint64_t)ts.tv_nsec;
    }

    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) die("clock_gettime");
        sink += (uint64_t)ts.tv_nsec;
    }
    uint64_t t1 = now_ns();

    if (sink == 1) puts("");                   /* practically never; defeats DCE */
    report("clock_time_get", t1 - t0, (uint64_t)n);
    return 0;
}
