/*
 * NONBLOCK on the inherited stdio fds (fd_fdstat_set_flags): the host fds are
 * shared with the processes around Eddy, so the flag is emulated per guest fd
 * and must not reach them. Run with stdin an open pipe that stays empty; the
 * host test then checks that its stdin and stdout pipes are still blocking.
 */
#include "p1_common.h"

static int nonblock(__wasi_fd_t fd) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) != 0) return -1;
    return (st.fs_flags & __WASI_FDFLAGS_NONBLOCK) != 0;
}

int main(void) {
    yesno("fd 1 nonblock at start", nonblock(1) == 1);
    report("set fd 1 NONBLOCK", __wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_NONBLOCK));
    report("set fd 0 NONBLOCK", __wasi_fd_fdstat_set_flags(0, __WASI_FDFLAGS_NONBLOCK));
    yesno("fd 1 nonblock", nonblock(1) == 1);
    yesno("fd 0 nonblock", nonblock(0) == 1);
    yesno("fd 2 nonblock", nonblock(2) == 1);
    char buf[16];
    __wasi_size_t n = 0;
    report("read empty stdin", read_buf(0, buf, sizeof buf, &n));
    /* APPEND cannot be emulated and would change the host fd: refused. */
    report("set fd 1 APPEND",
           __wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_NONBLOCK));
    report("clear fd 0 NONBLOCK", __wasi_fd_fdstat_set_flags(0, 0));
    yesno("fd 0 nonblock after clear", nonblock(0) == 1);
    /* Leave NONBLOCK set on fd 1 on the way out. */
    return 0;
}
