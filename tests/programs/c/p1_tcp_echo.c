/*
 * A preview1 TCP server on a listening socket the host grants (`eddy run -S tcplisten=ADDR`):
 * waits for the listener with poll(), accepts N clients one after another (argv[2], default
 * 2), reads each client's bytes to EOF, sends them back upper-cased, shuts the connection
 * down and closes it. The listener's fd is argv[1] (3 when no directory is preopened).
 * Prints one line per client so the host test can check the order of events.
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int listener = argc > 1 ? atoi(argv[1]) : 3;
    int clients = argc > 2 ? atoi(argv[2]) : 2;
    for (int c = 0; c < clients; c++) {
        struct pollfd pfd = {.fd = listener, .events = POLLIN};
        if (poll(&pfd, 1, 10000) != 1 || !(pfd.revents & POLLIN)) {
            printf("poll on listener failed: %s\n", strerror(errno));
            return 1;
        }
        int conn = accept(listener, NULL, NULL);
        if (conn < 0) {
            printf("accept failed: %s\n", strerror(errno));
            return 1;
        }
        char buf[4096];
        size_t total = 0;
        for (;;) {
            ssize_t n = recv(conn, buf, sizeof buf, 0);
            if (n < 0) {
                printf("recv failed: %s\n", strerror(errno));
                return 1;
            }
            if (n == 0)
                break;
            for (ssize_t i = 0; i < n; i++)
                buf[i] = (char)toupper((unsigned char)buf[i]);
            for (ssize_t off = 0; off < n;) {
                ssize_t m = send(conn, buf + off, (size_t)(n - off), 0);
                if (m < 0) {
                    printf("send failed: %s\n", strerror(errno));
                    return 1;
                }
                off += m;
            }
            total += (size_t)n;
        }
        if (shutdown(conn, SHUT_WR) != 0) {
            printf("shutdown failed: %s\n", strerror(errno));
            return 1;
        }
        close(conn);
        printf("client %d: echoed %zu bytes\n", c + 1, total);
        fflush(stdout);
    }
    /* recv on the listener itself is not a connection. */
    char b;
    ssize_t r = recv(listener, &b, 1, 0);
    printf("recv on listener: %s\n", r < 0 ? strerror(errno) : "unexpected success");
    return 0;
}
