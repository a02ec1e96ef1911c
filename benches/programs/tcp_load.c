/* tcp_load: the load generator of the tcp_* benchmarks (native only). Connects to an
 * echo server on 127.0.0.1:PORT (retrying while refused, up to 60 s, so the runner need
 * not probe the port: a probe would use up one of the server's accepts), then:
 *
 *   tcp_load PORT rtt N NAME   N round trips of 1 byte: send(1), recv(1); blocking.
 *                              One op = one round trip.
 *   tcp_load PORT echo MIB NAME
 *                              MIB MiB in 64 KiB messages, each read back in full:
 *                              non-blocking, poll(2) for both directions, at most
 *                              4 messages (256 KiB) in flight. One op = one 64 KiB
 *                              message sent and its echo received.
 *
 * Each does an untimed warm-up of 10 % (at least 1) on the same connection first, then
 * prints `NAME ns_per_op=<x> ops=<n>` (+ mib_per_s for echo), shuts down its sending
 * side, reads to EOF and exits 0. Every echoed byte is checked. TCP_NODELAY is set on
 * this side only (the server under test sets nothing). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench.h"

#define MSG (64 * 1024)
#define WINDOW (4 * MSG)
static unsigned char out[MSG], in[MSG];

static unsigned char pattern(uint64_t i) { return (unsigned char)(i * 131 + (i >> 16)); }

static int connect_retry(int port) {
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    uint64_t deadline = now_ns() + 60ull * 1000000000u;
    for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) die("socket");
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            return fd;
        }
        if (errno != ECONNREFUSED || now_ns() > deadline) die("connect");
        close(fd);
        usleep(10000);
    }
}

static void rtt(int fd, long n) {
    for (long i = 0; i < n; i++) {
        unsigned char b = pattern((uint64_t)i), r;
        if (send(fd, &b, 1, 0) != 1) die("send");
        ssize_t m = recv(fd, &r, 1, 0);
        if (m != 1) { if (m == 0) errno = EPIPE; die("recv"); }
        if (r != b) { fprintf(stderr, "tcp_load: wrong byte echoed\n"); exit(1); }
    }
}

/* Streams `msgs` messages; `base` = stream offset of the first byte (for the pattern). */
static void echo(int fd, long msgs, uint64_t base) {
    uint64_t total = (uint64_t)msgs * MSG, sent = 0, got = 0;
    while (got < total) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (sent < total && sent - got < WINDOW) p.events |= POLLOUT;
        if (poll(&p, 1, 60000) != 1) { errno = ETIMEDOUT; die("poll"); }
        if (p.revents & (POLLERR | POLLHUP) && !(p.revents & POLLIN)) { errno = EPIPE; die("poll"); }
        if (p.revents & POLLOUT) {
            /* one 64 KiB message (or the rest of one after a short write) */
            size_t off = (size_t)((base + sent) % MSG), len = MSG - off;
            if (len > total - sent) len = (size_t)(total - sent);
            ssize_t m = send(fd, out + off, len, MSG_NOSIGNAL);
            if (m < 0 && errno != EAGAIN) die("send");
            if (m > 0) sent += (uint64_t)m;
        }
        if (p.revents & POLLIN) {
            ssize_t m = recv(fd, in, sizeof in, 0);
            if (m < 0 && errno != EAGAIN) die("recv");
            if (m == 0) { fprintf(stderr, "tcp_load: early EOF\n"); exit(1); }
            for (ssize_t k = 0; k < m;) {  /* memcmp against the pattern, wrapping */
                size_t off = (size_t)((base + got + (uint64_t)k) % MSG), len = MSG - off;
                if (len > (size_t)(m - k)) len = (size_t)(m - k);
                if (memcmp(in + k, out + off, len) != 0) {
                    fprintf(stderr, "tcp_load: wrong bytes echoed near %llu\n",
                            (unsigned long long)(got + (uint64_t)k));
                    exit(1);
                }
                k += (ssize_t)len;
            }
            if (m > 0) got += (uint64_t)m;
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: tcp_load PORT rtt|echo COUNT NAME\n"); return 2; }
    int port = atoi(argv[1]);
    int is_rtt = strcmp(argv[2], "rtt") == 0;
    if (!is_rtt && strcmp(argv[2], "echo") != 0) { fprintf(stderr, "bad mode\n"); return 2; }
    long count = arg_count(argc, argv, 3, 1);
    for (uint64_t i = 0; i < MSG; i++) out[i] = pattern(i);

    int fd = connect_retry(port);
    uint64_t ops, t0, t1;
    if (is_rtt) {
        long warm = count / 10 > 0 ? count / 10 : 1;
        rtt(fd, warm);
        t0 = now_ns();
        rtt(fd, count);
        t1 = now_ns();
        ops = (uint64_t)count;
    } else {
        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) die("fcntl");
        long msgs = count * 16, warm = msgs / 10 > 0 ? msgs / 10 : 1;  /* 16 x 64 KiB = 1 MiB */
        echo(fd, warm, 0);
        t0 = now_ns();
        echo(fd, msgs, 0);
        t1 = now_ns();
        ops = (uint64_t)msgs;
    }
    if (is_rtt) report(argv[4], t1 - t0, ops);
    else printf("%s ns_per_op=%.3f ops=%llu mib_per_s=%.1f\n", argv[4],
                (double)(t1 - t0) / (double)ops, (unsigned long long)ops,
                (double)ops * MSG / 1048576.0 / ((double)(t1 - t0) / 1e9));
    fflush(stdout);
    /* Orderly close: the server sees EOF, closes, and we see its EOF. */
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) die("fcntl");
    if (shutdown(fd, SHUT_WR) != 0) die("shutdown");
    for (;;) {
        ssize_t m = recv(fd, in, sizeof in, 0);
        if (m < 0) die("recv");
        if (m == 0) break;
    }
    close(fd);
    return 0;
}
