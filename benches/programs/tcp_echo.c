/* tcp_echo: the TCP echo server of the tcp_* benchmarks; one source for the native
 * baseline and the preview1 guest.
 *
 *   native:  tcp_echo PORT [CLIENTS=1]      listens on 127.0.0.1:PORT itself
 *   wasm:    tcp_echo [FD=3] [CLIENTS=1]    FD = the listener the host grants
 *                                           (`eddy run -S tcplisten=127.0.0.1:PORT`)
 *
 * Serves CLIENTS connections one after another: accept, then recv() up to 64 KiB and
 * send() all of it back, until the client shuts down its side; then close. Exits 0.
 * Only the listener set-up differs between the builds (wasi-libc has no socket/bind/
 * listen; the host makes the listener); the echo loop is the same code. No socket
 * options are set on either side (a preview1 guest cannot set any). The load generator
 * (tcp_load.c) does the timing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#ifndef __wasi__
#include <arpa/inet.h>
#include <netinet/in.h>
#endif

#define CHUNK (64 * 1024)
static char buf[CHUNK];

static void die(const char *what) {
    fprintf(stderr, "tcp_echo: %s: %s\n", what, strerror(errno));
    exit(1);
}

int main(int argc, char **argv) {
    int clients = argc > 2 ? atoi(argv[2]) : 1;
#ifdef __wasi__
    int listener = argc > 1 ? atoi(argv[1]) : 3;
#else
    if (argc < 2) { fprintf(stderr, "usage: tcp_echo PORT [CLIENTS]\n"); return 2; }
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) die("socket");
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&sa, sizeof sa) != 0) die("bind");
    if (listen(listener, 16) != 0) die("listen");
#endif
    for (int c = 0; c < clients; c++) {
        int conn = accept(listener, NULL, NULL);
        if (conn < 0) die("accept");
        for (;;) {
            ssize_t n = recv(conn, buf, CHUNK, 0);
            if (n < 0) die("recv");
            if (n == 0) break;
            for (ssize_t off = 0; off < n;) {
                ssize_t m = send(conn, buf + off, (size_t)(n - off), 0);
                if (m < 0) die("send");
                off += m;
            }
        }
        close(conn);
    }
    return 0;
}
