/*
 * Out-of-range enum values and undefined flag bits passed to hostcalls.
 * Each must fail with EINVAL (28) and leave the program running.
 *
 * python-wasmtime 50 traps instead ("Invalid enum value ...", "Invalid
 * flag value ...") on all but the last one; the preview1 docs do not define
 * a trap for bad arguments and errno::inval is "Invalid argument".
 *
 * argv[1] selects one check by name; without it all checks run in order.
 * Host setup: `--dir <tmp>::/sandbox` (fd 3) with <tmp>/file.txt.
 */
#include "p1_common.h"

static const char *only;
static int selected(const char *name) { return !only || !strcmp(only, name); }

int main(int argc, char **argv) {
    only = argc > 1 ? argv[1] : NULL;
    __wasi_timestamp_t t;
    __wasi_filesize_t pos;
    __wasi_fd_t f, fd;
    report("path_open file.txt", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE, 0, &f));

    if (selected("clock_res_get")) report("clock_res_get id=4", __wasi_clock_res_get(4, &t));
    if (selected("clock_time_get")) report("clock_time_get id=4", __wasi_clock_time_get(4, 1, &t));
    if (selected("clock_time_get_max"))
        report("clock_time_get id=0xffffffff", __wasi_clock_time_get(0xffffffffu, 1, &t));
    if (selected("fd_seek")) report("fd_seek whence=3", __wasi_fd_seek(f, 0, 3, &pos));
    if (selected("fd_seek_255")) report("fd_seek whence=255", __wasi_fd_seek(f, 0, 255, &pos));
    if (selected("fd_advise")) report("fd_advise advice=6", __wasi_fd_advise(f, 0, 1, 6));
    if (selected("path_open_oflags"))
        report("path_open oflags=0x10", open_file(SANDBOX, "file.txt", 0x10, RIGHTS_FILE, 0, &fd));
    if (selected("path_open_fdflags"))
        report("path_open fdflags=0x20", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE, 0x20, &fd));
    if (selected("path_open_lookupflags"))
        report("path_open lookupflags=0x2",
               __wasi_path_open(SANDBOX, 0x2, "file.txt", 0, RIGHTS_FILE, RIGHTS_FILE, 0, &fd));
    if (selected("fd_fdstat_set_flags"))
        report("fd_fdstat_set_flags 0x20", __wasi_fd_fdstat_set_flags(f, 0x20));
    if (selected("fd_filestat_set_times"))
        report("fd_filestat_set_times fstflags=0x10", __wasi_fd_filestat_set_times(f, 0, 0, 0x10));
    if (selected("path_filestat_set_times"))
        report("path_filestat_set_times fstflags=0x10",
               __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "file.txt", 0, 0, 0x10));
    if (selected("poll_oneoff")) {
        __wasi_subscription_t s;
        __wasi_event_t ev;
        __wasi_size_t n;
        memset(&s, 0, sizeof s);
        s.userdata = 1;
        s.u.tag = 3; /* no such event type */
        report("poll_oneoff eventtype=3", __wasi_poll_oneoff(&s, &ev, 1, &n));
    }
    printf("still running\n");
    return 0;
}
