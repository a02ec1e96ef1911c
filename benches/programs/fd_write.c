/* fd_write: per-call overhead of writing 64 bytes to /dev/null.
 *
 *   fd_write PATH [N=1000000]
 *
 * PATH is /dev/null (natively) or the same device reached through a preopened
 * /dev (under WASI). In wasm, write() is wasi-libc's thin wrapper around one
 * fd_write call with one iovec; natively it is one write(2) system call. */
#include <fcntl.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: fd_write PATH [N]\n"); return 2; }
    long n = arg_count(argc, argv, 2, 1000000);
    static char buf[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n";

    int fd = open(argv[1], O_WRONLY);
    if (fd < 0) die(argv[1]);

    for (long i = 0; i < n / 10; i++)          /* warm-up, not timed */
        if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) die("write");

    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++)
        if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) die("write");
    uint64_t t1 = now_ns();

    report("fd_write_64B", t1 - t0, (uint64_t)n);
    return 0;
}
