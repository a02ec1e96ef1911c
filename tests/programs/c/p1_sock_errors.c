/*
 * sock_accept, sock_recv, sock_send, sock_shutdown on descriptors that are
 * not sockets (ENOTSOCK, 57) and on a closed descriptor (EBADF, 8). eddy
 * offers no sockets to preview1 guests, so these are the only paths.
 *
 * Host setup: `--dir <tmp>::/sandbox` (fd 3) with <tmp>/file.txt; stdin and
 * stdout are pipes.
 */
#include "p1_common.h"

static void all(const char *label, __wasi_fd_t fd) {
    char what[80];
    uint8_t buf[8];
    __wasi_iovec_t iov = {buf, sizeof buf};
    __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    __wasi_roflags_t ro;
    __wasi_fd_t out;
    snprintf(what, sizeof what, "sock_accept %s", label);
    report(what, __wasi_sock_accept(fd, 0, &out));
    snprintf(what, sizeof what, "sock_recv %s", label);
    report(what, __wasi_sock_recv(fd, &iov, 1, 0, &n, &ro));
    snprintf(what, sizeof what, "sock_send %s", label);
    report(what, __wasi_sock_send(fd, &ciov, 1, 0, &n));
    snprintf(what, sizeof what, "sock_shutdown %s", label);
    report(what, __wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR));
}

int main(void) {
    __wasi_fd_t f;
    report("path_open file.txt", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE, 0, &f));
    all("regular file", f);
    all("preopen dir", SANDBOX);
    all("stdin", 0);
    all("stdout", 1);
    (void)__wasi_fd_close(f);
    all("closed fd", f);
    /* Nothing was written to the file by sock_send. */
    char data[16];
    report("read file.txt", slurp(SANDBOX, "file.txt", data, sizeof data));
    printf("file.txt: [%s]\n", data);
    return 0;
}
