/*
 * Blocks in one host call, for the `-W timeout` tests: prints "blocking\n" on
 * stdout, then by argv[1]:
 *   sleep      nanosleep 30 s (poll_oneoff on a monotonic clock);
 *   stdin      read(0) (fd_read on a pipe whose writer never writes);
 *   read PATH  open PATH (a FIFO whose writer the test holds open) and read it;
 *   open PATH  open PATH read-only (a FIFO with no writer: open(2) waits for one);
 *   openw PATH open PATH write-only (a FIFO with no reader: open(2) waits for one);
 *   cat PATH   open PATH read-only and copy it to stdout until end of file;
 *   nbstdin    make stdin non-blocking and read it: prints "EAGAIN" if that fails so.
 * Prints "returned\n" when done; the blocking modes expect a trap first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: p1_block sleep|stdin|nbstdin|read PATH|open PATH|openw PATH|cat PATH\n");
        return 2;
    }
    fputs("blocking\n", stdout);
    fflush(stdout);
    char buf[64];
    if (strcmp(argv[1], "sleep") == 0) {
        struct timespec ts = {30, 0};
        nanosleep(&ts, NULL);
    } else if (strcmp(argv[1], "stdin") == 0) {
        (void)read(0, buf, sizeof buf);
    } else if (strcmp(argv[1], "read") == 0 && argc > 2) {
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0) {
            perror("open");
            return 1;
        }
        (void)read(fd, buf, sizeof buf);
    } else if (strcmp(argv[1], "open") == 0 && argc > 2) {
        (void)open(argv[2], O_RDONLY);
    } else if (strcmp(argv[1], "openw") == 0 && argc > 2) {
        (void)open(argv[2], O_WRONLY);
    } else if (strcmp(argv[1], "nbstdin") == 0) {
        if (fcntl(0, F_SETFL, O_NONBLOCK) != 0) {
            perror("fcntl");
            return 1;
        }
        if (read(0, buf, sizeof buf) < 0 && errno == EAGAIN) fputs("EAGAIN\n", stdout);
    } else if (strcmp(argv[1], "cat") == 0 && argc > 2) {
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0) {
            perror("open");
            return 1;
        }
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
        if (n < 0) {
            perror("read");
            return 1;
        }
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    fputs("returned\n", stdout);
    return 0;
}
