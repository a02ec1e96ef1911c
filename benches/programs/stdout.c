/* stdout: throughput of write(2) to stdout, a pipe into `sink`.
 *
 *   stdout CHUNK MIB | sink BYTES
 *
 * Writes MIB/16 MiB untimed (warm-up), then MIB MiB timed, from one static buffer in
 * write(1, buf, CHUNK) calls (a short write is continued), and prints
 * `stdout_<CHUNK> ns_per_op=<x> ops=<n>` on stderr, where one op is 64 KiB written, so
 * the figure compares with `p2_stdout_*` and with `sink`'s own line. In wasm, write() is
 * wasi-libc's thin wrapper around one fd_write with one iovec; natively, one write(2).
 * sink checks that BYTES = MIB * 17/16 MiB arrived. */
#include <unistd.h>
#include "bench.h"

#define MAXCHUNK (1 << 20)
static char buf[MAXCHUNK];

static void put(long bytes, long chunk) {
    while (bytes > 0) {
        long n = bytes < chunk ? bytes : chunk;
        ssize_t w = write(1, buf, (size_t)n);
        if (w <= 0) die("write");
        bytes -= w;
    }
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: stdout CHUNK MIB\n"); return 2; }
    long chunk = arg_count(argc, argv, 1, 65536);
    long mib = arg_count(argc, argv, 2, 1024);
    if (chunk > MAXCHUNK) { fprintf(stderr, "CHUNK is at most %d\n", MAXCHUNK); return 2; }
    for (long i = 0; i < MAXCHUNK; i++) buf[i] = (char)i;

    put((mib << 20) / 16, chunk);              /* warm-up, not timed */
    uint64_t t0 = now_ns();
    put(mib << 20, chunk);
    uint64_t t1 = now_ns();

    fprintf(stderr, "stdout_%ld ns_per_op=%.3f ops=%ld\n", chunk,
            (double)(t1 - t0) / (double)((mib << 20) / 65536), (mib << 20) / 65536);
    return 0;
}
