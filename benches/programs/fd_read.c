/* fd_read: throughput of reading a page-cached file in 64 KiB reads.
 *
 *   fd_read PATH [PASSES=4]
 *
 * Reads PATH from start to EOF with read(fd, buf, 64 KiB), PASSES times
 * (lseek back to 0 between passes), after one untimed warm-up pass. One op is
 * one 64 KiB read; the result line also gives MiB/s. The runner creates a
 * 256 MiB file and reads it once beforehand so it is in the page cache. */
#include <fcntl.h>
#include <unistd.h>
#include "bench.h"

#define CHUNK (64 * 1024)
static char buf[CHUNK];

/* One pass over the file; returns the number of bytes read. */
static uint64_t pass(int fd, uint64_t *reads) {
    uint64_t total = 0;
    if (lseek(fd, 0, SEEK_SET) != 0) die("lseek");
    for (;;) {
        ssize_t r = read(fd, buf, CHUNK);
        if (r < 0) die("read");
        if (r == 0) break;
        total += (uint64_t)r;
        ++*reads;
    }
    return total;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: fd_read PATH [PASSES]\n"); return 2; }
    long passes = arg_count(argc, argv, 2, 4);

    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) die(argv[1]);

    uint64_t reads = 0, bytes = 0;
    uint64_t size = pass(fd, &reads);          /* warm-up, not timed */
    if (size == 0) { fprintf(stderr, "empty file\n"); return 1; }

    reads = 0;
    uint64_t t0 = now_ns();
    for (long p = 0; p < passes; p++) bytes += pass(fd, &reads);
    uint64_t t1 = now_ns();

    if (bytes != size * (uint64_t)passes) { fprintf(stderr, "short read\n"); return 1; }
    double mib_s = (double)bytes / (1024.0 * 1024.0) / ((double)(t1 - t0) / 1e9);
    printf("fd_read_64KiB ns_per_op=%.3f ops=%llu mib_per_s=%.1f\n",
           (double)(t1 - t0) / (double)reads, (unsigned long long)reads, mib_s);
    return 0;
}
