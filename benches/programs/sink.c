/* sink: the consumer end of the stdout benchmarks (native only, never built for wasm).
 *
 *   PRODUCER | sink EXPECTED_BYTES
 *
 * Reads stdin to EOF with read(0, buf, 128 KiB) (GNU cat's buffer size), counts the bytes,
 * and prints `sink ns_per_op=<x> ops=<n/65536> bytes=<n> ns_first_to_eof=<t>` where t runs
 * from the first read that returned data to EOF, and one op is 64 KiB received. That timing
 * is the producer's throughput through the pipe without its start-up, which is how the
 * runner times `cat` (a guest times its own loop). Exits 1 if the count is not
 * EXPECTED_BYTES. */
#include <unistd.h>
#include "bench.h"

#define BUF (128 * 1024)
static char buf[BUF];

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: sink EXPECTED_BYTES\n"); return 2; }
    unsigned long long expected = strtoull(argv[1], NULL, 10);
    unsigned long long total = 0;
    uint64_t t0 = 0;
    for (;;) {
        ssize_t r = read(0, buf, BUF);
        if (r < 0) die("read");
        if (r == 0) break;
        if (total == 0) t0 = now_ns();
        total += (unsigned long long)r;
    }
    uint64_t t1 = now_ns();
    if (total != expected) {
        fprintf(stderr, "sink: got %llu bytes, expected %llu\n", total, expected);
        return 1;
    }
    uint64_t ops = total / 65536 ? total / 65536 : 1;
    printf("sink ns_per_op=%.3f ops=%llu bytes=%llu ns_first_to_eof=%llu\n",
           (double)(t1 - t0) / (double)ops, (unsigned long long)ops, total,
           (unsigned long long)(t1 - t0));
    return 0;
}
