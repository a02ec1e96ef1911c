/*
 * p1_faults: the guest of the fault-injection tests (crates/eddy-cli/tests/faults.rs).
 * Each mode meets one fault the host injects and reports what the guest saw, so the test
 * can check that every byte a write reported as written arrived, that errors reach the
 * guest as errnos (never a host crash), and that the exit status is clear.
 *
 *   write FILE N      write N bytes to the sandbox file FILE in 64 KiB writes (raw
 *                     fd_write, so short writes are seen); prints `wrote W, errno E`
 *                     (E 0 when all were written). Under RLIMIT_FSIZE the host's write
 *                     fails with EFBIG (22) after a short write.
 *   stdout N          write N bytes to stdout in 64 KiB writes; prints to stderr
 *                     `stdout wrote W, errno E` (stdout may be /dev/full: ENOSPC, 51; or
 *                     a pipe nobody reads: EPIPE, 64).
 *   sleep-read MS     sleep MS ms (poll_oneoff on a clock), then read stdin to EOF; prints
 *                     `slept >= MS ms: yes|no` and `read B bytes` (the host stops and
 *                     continues the process meanwhile: interrupted syscalls must not reach
 *                     the guest).
 *   reset             accept one connection on the granted listener (fd 3), receive until
 *                     an error or EOF, then send until an error; prints
 *                     `received R, then errno E` and `send errno E2` (the peer resets).
 *   records FILE N    write N records of 4096 bytes to FILE, each starting with its
 *                     number, printing `record I` on stdout after each write returned (the
 *                     host kills the process part way).
 */
#include "p1_common.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

static char chunk[65536];

static __wasi_errno_t put_all(__wasi_fd_t fd, long long n, long long *wrote) {
    *wrote = 0;
    while (*wrote < n) {
        long long left = n - *wrote;
        __wasi_ciovec_t iov = {(const uint8_t *)chunk,
                               left < (long long)sizeof chunk ? (size_t)left : sizeof chunk};
        __wasi_size_t done = 0;
        __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &done);
        if (e != 0) return e;
        if (done == 0) return __WASI_ERRNO_IO;
        *wrote += done;
    }
    return 0;
}

/* Creates (or truncates) the sandbox file `name`; reports and returns 0 on failure. */
static int create(const char *name, __wasi_fd_t *fd) {
    __wasi_errno_t e = __wasi_path_open(SANDBOX, 0, name, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                                        RIGHTS_FILE, RIGHTS_FILE, 0, fd);
    if (e != 0) report("open", e);
    return e == 0;
}

static int mode_write(const char *name, long long n) {
    __wasi_fd_t fd;
    if (!create(name, &fd)) return 1;
    memset(chunk, 'x', sizeof chunk);
    long long wrote;
    __wasi_errno_t e = put_all(fd, n, &wrote);
    printf("wrote %lld, errno %d\n", wrote, (int)e);
    return 0;
}

static int mode_stdout(long long n) {
    memset(chunk, 'y', sizeof chunk);
    long long wrote;
    __wasi_errno_t e = put_all(1, n, &wrote);
    fprintf(stderr, "stdout wrote %lld, errno %d\n", wrote, (int)e);
    return 0;
}

static int mode_sleep_read(long long ms) {
    __wasi_timestamp_t t0, t1;
    __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t0);
    __wasi_subscription_t sub = {0};
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = (__wasi_timestamp_t)ms * 1000000;
    __wasi_event_t ev;
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
    __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1);
    if (e != 0 || n != 1 || ev.error != 0) {
        printf("poll_oneoff: errno %d, %u events, event errno %d\n", (int)e, (unsigned)n,
               (int)ev.error);
        return 1;
    }
    printf("slept >= %lld ms: %s\n", ms, t1 - t0 >= (__wasi_timestamp_t)ms * 1000000 ? "yes" : "no");
    long long total = 0;
    for (;;) {
        __wasi_iovec_t iov = {(uint8_t *)chunk, sizeof chunk};
        __wasi_size_t got = 0;
        e = __wasi_fd_read(0, &iov, 1, &got);
        if (e != 0) {
            printf("read: errno %d\n", (int)e);
            return 1;
        }
        if (got == 0) break;
        total += got;
    }
    printf("read %lld bytes\n", total);
    return 0;
}

static int mode_reset(void) {
    int conn = accept(3, NULL, NULL);
    if (conn < 0) {
        printf("accept: %s\n", strerror(errno));
        return 1;
    }
    long long received = 0;
    int err = 0;
    for (;;) {
        ssize_t n = recv(conn, chunk, sizeof chunk, 0);
        if (n < 0) {
            err = errno;
            break;
        }
        if (n == 0) break;
        received += n;
    }
    printf("received %lld, then %s\n", received, err ? strerror(err) : "EOF");
    memset(chunk, 'z', sizeof chunk);
    int send_err = 0;
    for (int i = 0; i < 1000 && !send_err; i++) {
        if (send(conn, chunk, sizeof chunk, 0) < 0) send_err = errno;
    }
    printf("send: %s\n", send_err ? strerror(send_err) : "no error");
    close(conn);
    return 0;
}

static int mode_records(const char *name, long long n) {
    __wasi_fd_t fd;
    if (!create(name, &fd)) return 1;
    for (long long i = 0; i < n; i++) {
        memset(chunk, 'r', 4096);
        snprintf(chunk, 32, "%lld\n", i);
        long long wrote;
        __wasi_errno_t e = put_all(fd, 4096, &wrote);
        if (e != 0) {
            printf("record %lld: errno %d\n", i, (int)e);
            return 1;
        }
        printf("record %lld\n", i);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "write") == 0) return mode_write(argv[2], atoll(argv[3]));
    if (argc >= 3 && strcmp(argv[1], "stdout") == 0) return mode_stdout(atoll(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "sleep-read") == 0) return mode_sleep_read(atoll(argv[2]));
    if (argc >= 2 && strcmp(argv[1], "reset") == 0) return mode_reset();
    if (argc >= 4 && strcmp(argv[1], "records") == 0) return mode_records(argv[2], atoll(argv[3]));
    fprintf(stderr, "usage: p1_faults write FILE N | stdout N | sleep-read MS | reset | records FILE N\n");
    return 2;
}
