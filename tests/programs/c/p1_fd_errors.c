/*
 * Error paths of the fd_* functions.
 *
 * Host setup: `--dir <tmp>::/sandbox` (fd 3) with <tmp>/file.txt holding
 * "data" and an empty directory <tmp>/dir. stdin, stdout and stderr are
 * pipes. Out-of-range enum/flag values are in p1_bad_args.c.
 *
 * Rights follow the preview1 capability model: a call that needs a right the
 * descriptor lacks fails with ENOTCAPABLE (76). python-wasmtime 50 does not
 * track rights and answers EBADF (8) or EINVAL (28) there instead.
 * Precedence: a descriptor of the wrong kind for the call gets the type
 * errno (ENOTDIR, EISDIR, ESPIPE; ENOTSOCK in p1_sock_errors) even though it
 * also lacks the right; ENOTCAPABLE is for a descriptor of the right kind.
 * Where python-wasmtime 50 differs otherwise:
 *  - fd_prestat_dir_name on a non-preopen: ENOTDIR there, EBADF here (same
 *    answer as fd_prestat_get: the fd is not a preopen);
 *  - fd_readdir / path_create_directory on a regular file: EBADF there,
 *    ENOTDIR here (as fdopendir/mkdirat; path_open already says ENOTDIR);
 *  - fd_read/fd_write on a directory: EBADF there, EISDIR here (as read(2));
 *  - fd_allocate: ENOTSUP for everything there.
 */
#include "p1_common.h"

static void closed_fd_checks(const char *label, __wasi_fd_t bad) {
    char what[96];
    uint8_t buf[16];
    __wasi_iovec_t iov = {buf, sizeof buf};
    __wasi_ciovec_t ciov = {buf, 1};
    __wasi_size_t n;
    __wasi_filesize_t pos;
    __wasi_fdstat_t fs;
    __wasi_filestat_t st;
    __wasi_prestat_t ps;
    __wasi_fd_t out;
#define CHECK(name, call)                                     \
    do {                                                      \
        snprintf(what, sizeof what, "%s %s", name, label);    \
        report(what, call);                                   \
    } while (0)
    CHECK("fd_write", __wasi_fd_write(bad, &ciov, 1, &n));
    CHECK("fd_read", __wasi_fd_read(bad, &iov, 1, &n));
    CHECK("fd_pread", __wasi_fd_pread(bad, &iov, 1, 0, &n));
    CHECK("fd_pwrite", __wasi_fd_pwrite(bad, &ciov, 1, 0, &n));
    CHECK("fd_seek", __wasi_fd_seek(bad, 0, __WASI_WHENCE_SET, &pos));
    CHECK("fd_tell", __wasi_fd_tell(bad, &pos));
    CHECK("fd_fdstat_get", __wasi_fd_fdstat_get(bad, &fs));
    CHECK("fd_fdstat_set_flags", __wasi_fd_fdstat_set_flags(bad, 0));
    CHECK("fd_fdstat_set_rights", __wasi_fd_fdstat_set_rights(bad, 0, 0));
    CHECK("fd_filestat_get", __wasi_fd_filestat_get(bad, &st));
    CHECK("fd_filestat_set_size", __wasi_fd_filestat_set_size(bad, 0));
    CHECK("fd_filestat_set_times", __wasi_fd_filestat_set_times(bad, 0, 0, 0));
    CHECK("fd_advise", __wasi_fd_advise(bad, 0, 0, __WASI_ADVICE_NORMAL));
    CHECK("fd_allocate", __wasi_fd_allocate(bad, 0, 1));
    CHECK("fd_datasync", __wasi_fd_datasync(bad));
    CHECK("fd_sync", __wasi_fd_sync(bad));
    CHECK("fd_readdir", __wasi_fd_readdir(bad, buf, sizeof buf, 0, &n));
    CHECK("fd_prestat_get", __wasi_fd_prestat_get(bad, &ps));
    CHECK("fd_prestat_dir_name", __wasi_fd_prestat_dir_name(bad, buf, sizeof buf));
    CHECK("fd_renumber from", __wasi_fd_renumber(bad, 1));
    CHECK("fd_renumber to", __wasi_fd_renumber(1, bad));
    CHECK("path_open dirfd", open_file(bad, "file.txt", 0, RIGHTS_FILE_RO, 0, &out));
    CHECK("path_filestat_get dirfd", __wasi_path_filestat_get(bad, FOLLOW, "file.txt", &st));
    CHECK("path_create_directory dirfd", __wasi_path_create_directory(bad, "x"));
    CHECK("fd_close", __wasi_fd_close(bad));
#undef CHECK
}

int main(void) {
    __wasi_errno_t e;
    __wasi_fd_t fd, ro, wo, d;
    __wasi_size_t n;
    __wasi_filesize_t pos;
    uint8_t buf[64];
    __wasi_iovec_t iov = {buf, sizeof buf};
    __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};

    /* --- EBADF: a descriptor that was closed, and one never opened --- */
    report("path_open file.txt", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE, 0, &fd));
    report("fd_close", __wasi_fd_close(fd));
    closed_fd_checks("(closed)", fd);
    closed_fd_checks("(never opened)", 1000);

    /* --- prestat on descriptors that are not preopens --- */
    __wasi_prestat_t ps;
    report("fd_prestat_get stdin", __wasi_fd_prestat_get(0, &ps));
    report("path_open file.txt read-only", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE_RO, 0, &ro));
    report("fd_prestat_get regular file", __wasi_fd_prestat_get(ro, &ps));
    report("fd_prestat_dir_name regular file", __wasi_fd_prestat_dir_name(ro, buf, sizeof buf));

    /* --- seeking --- */
    report("fd_seek -1 set", __wasi_fd_seek(ro, -1, __WASI_WHENCE_SET, &pos));
    report("fd_seek -100 cur", __wasi_fd_seek(ro, -100, __WASI_WHENCE_CUR, &pos));
    report("fd_seek -5 end (size 4)", __wasi_fd_seek(ro, -5, __WASI_WHENCE_END, &pos));
    (void)__wasi_fd_tell(ro, &pos);
    printf("position unchanged: %llu\n", (unsigned long long)pos);
    report("fd_seek stdout (pipe)", __wasi_fd_seek(1, 0, __WASI_WHENCE_CUR, &pos));
    report("fd_tell stdout (pipe)", __wasi_fd_tell(1, &pos));
    report("fd_pread stdin (pipe)", __wasi_fd_pread(0, &iov, 1, 0, &n));
    report("fd_pwrite stdout (pipe)", __wasi_fd_pwrite(1, &ciov, 1, 0, &n));

    /* --- missing rights: opened without FD_WRITE --- */
    report("fd_write read-only file", __wasi_fd_write(ro, &ciov, 1, &n));
    report("fd_pwrite read-only file", __wasi_fd_pwrite(ro, &ciov, 1, 0, &n));
    report("fd_filestat_set_size read-only file", __wasi_fd_filestat_set_size(ro, 0));
    report("fd_allocate read-only file", __wasi_fd_allocate(ro, 0, 10));
    e = __wasi_fd_read(ro, &iov, 1, &n);
    printf("fd_read read-only file: %s %u\n", e ? "error" : "ok", (unsigned)n);
    report("fd_fdstat_set_rights add FD_WRITE", __wasi_fd_fdstat_set_rights(ro, RIGHTS_FILE_RO | __WASI_RIGHTS_FD_WRITE, 0));

    /* --- opened without FD_READ --- */
    report("path_open file.txt write-only",
           open_file(SANDBOX, "file.txt", 0, __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK, 0, &wo));
    report("fd_read write-only file", __wasi_fd_read(wo, &iov, 1, &n));
    report("fd_pread write-only file", __wasi_fd_pread(wo, &iov, 1, 0, &n));
    report("fd_close write-only file", __wasi_fd_close(wo));

    /* --- timestamps: a value and _now for the same field --- */
    report("path_open file.txt", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE, 0, &fd));
    report("fd_filestat_set_times atim|atim_now",
           __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
    report("fd_filestat_set_times mtim|mtim_now",
           __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));

    /* --- renumber --- */
    report("fd_renumber to itself", __wasi_fd_renumber(fd, fd));
    report("fd_fdstat_get after self-renumber", __wasi_fd_fdstat_get(fd, &(__wasi_fdstat_t){0}));
    report("fd_renumber to unopened 1000", __wasi_fd_renumber(fd, 1000));
    report("fd_fdstat_get source still open", __wasi_fd_fdstat_get(fd, &(__wasi_fdstat_t){0}));

    /* --- wrong kind of descriptor --- */
    report("fd_readdir regular file", __wasi_fd_readdir(fd, buf, sizeof buf, 0, &n));
    report("path_open with a file as dirfd", open_file(fd, "x", 0, RIGHTS_FILE_RO, 0, &wo));
    report("path_create_directory with a file as dirfd", __wasi_path_create_directory(fd, "x"));
    report("path_open dir", open_dir(SANDBOX, "dir", &d));
    report("fd_read directory", __wasi_fd_read(d, &iov, 1, &n));
    report("fd_write directory", __wasi_fd_write(d, &ciov, 1, &n));
    report("fd_close directory", __wasi_fd_close(d));
    report("fd_close file", __wasi_fd_close(fd));

    /* --- a preopen can be closed like any descriptor --- */
    report("fd_close preopen", __wasi_fd_close(SANDBOX));
    report("path_open after closing preopen", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE_RO, 0, &fd));
    report("fd_prestat_get closed preopen", __wasi_fd_prestat_get(SANDBOX, &ps));
    return 0;
}
