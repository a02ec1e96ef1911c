/*
 * Success paths of the fd_* functions on a real file in a preopened dir.
 *
 * Host setup: `--dir <tmp>::/sandbox` (fd 3); <tmp>/input.txt holds
 * "0123456789abcdef". The program creates <tmp>/out.txt; the host test checks
 * its final contents (101 bytes: "HEL", 97 zero bytes, "Z").
 *
 * Covers: fd_prestat_get, fd_prestat_dir_name, fd_fdstat_get,
 * fd_fdstat_set_flags, fd_fdstat_set_rights, fd_write, fd_read, fd_seek,
 * fd_tell, fd_pread, fd_pwrite, fd_filestat_get, fd_filestat_set_size,
 * fd_filestat_set_times, fd_advise, fd_allocate, fd_datasync, fd_sync,
 * fd_renumber, fd_close (and path_open, path_filestat_get to get there).
 */
#include "p1_common.h"

#define SEC 1000000000ull

static void show_bytes(const char *what, const uint8_t *p, size_t n) {
    printf("%s: \"", what);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') printf("\\n");
        else if (p[i] < 32 || p[i] > 126) printf("\\x%02x", p[i]);
        else putchar(p[i]);
    }
    printf("\"\n");
}

static __wasi_filestat_t fstat_or_die(__wasi_fd_t fd) {
    __wasi_filestat_t st;
    memset(&st, 0, sizeof st);
    __wasi_errno_t e = __wasi_fd_filestat_get(fd, &st);
    if (e) printf("fd_filestat_get failed: errno %u\n", e);
    return st;
}

int main(void) {
    __wasi_errno_t e;

    /* --- preopen --- */
    __wasi_prestat_t ps;
    report("fd_prestat_get 3", __wasi_fd_prestat_get(SANDBOX, &ps));
    printf("prestat tag: %u name_len: %u\n", ps.tag, (unsigned)ps.u.dir.pr_name_len);
    char name[64];
    memset(name, 0, sizeof name);
    report("fd_prestat_dir_name 3", __wasi_fd_prestat_dir_name(SANDBOX, (uint8_t *)name, ps.u.dir.pr_name_len));
    printf("preopen name: [%s]\n", name);

    __wasi_fdstat_t fs;
    report("fd_fdstat_get 3", __wasi_fd_fdstat_get(SANDBOX, &fs));
    printf("preopen filetype: %u\n", fs.fs_filetype);
    yesno("preopen has PATH_OPEN right", (fs.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) != 0);
    yesno("preopen has FD_READDIR right", (fs.fs_rights_base & __WASI_RIGHTS_FD_READDIR) != 0);

    /* --- stdio descriptors exist --- */
    for (__wasi_fd_t fd = 0; fd < 3; fd++) {
        char what[32];
        snprintf(what, sizeof what, "fd_fdstat_get %u", (unsigned)fd);
        report(what, __wasi_fd_fdstat_get(fd, &fs));
    }

    /* --- create and write --- */
    __wasi_fd_t fd;
    report("path_open out.txt creat|trunc",
           open_file(SANDBOX, "out.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RIGHTS_FILE, 0, &fd));
    report("fd_fdstat_get out.txt", __wasi_fd_fdstat_get(fd, &fs));
    printf("file filetype: %u flags: %u\n", fs.fs_filetype, fs.fs_flags);
    yesno("file has FD_READ|FD_WRITE|FD_SEEK",
          (fs.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK)) ==
              (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK));

    __wasi_ciovec_t wv[4] = {
        {(const uint8_t *)"hello", 5}, {(const uint8_t *)"", 0},
        {(const uint8_t *)", ", 2}, {(const uint8_t *)"world\n", 6}};
    __wasi_size_t n = 0;
    /* python-wasmtime 50 only writes the first non-empty iovec (a legal
       short write, but not what writev does on a regular file). */
    e = __wasi_fd_write(fd, wv, 4, &n);
    printf("fd_write gather: %s %u\n", e ? "error" : "ok", (unsigned)n);
    if (!e && n < 13) (void)write_all(fd, &"hello, world\n"[n], 13 - n);
    n = 99;
    e = __wasi_fd_write(fd, wv, 0, &n);
    printf("fd_write zero iovecs: %s %u\n", e ? "error" : "ok", (unsigned)n);

    __wasi_filesize_t pos = 0;
    report("fd_tell", __wasi_fd_tell(fd, &pos));
    printf("position: %llu\n", (unsigned long long)pos);

    /* --- seek and read --- */
    report("fd_seek 0 set", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    printf("position: %llu\n", (unsigned long long)pos);
    /* python-wasmtime 50 only fills the first iovec (see fd_write above). */
    uint8_t r1[4], r2[4], r3[10];
    memset(r1, '.', 4); memset(r2, '.', 4); memset(r3, '.', 10);
    __wasi_iovec_t rv[3] = {{r1, 4}, {r2, 4}, {r3, 10}};
    e = __wasi_fd_read(fd, rv, 3, &n);
    printf("fd_read scatter: %s %u\n", e ? "error" : "ok", (unsigned)n);
    show_bytes("iov0", r1, 4);
    show_bytes("iov1", r2, 4);
    show_bytes("iov2", r3, 10);
    (void)__wasi_fd_seek(fd, 13, __WASI_WHENCE_SET, &pos);
    e = read_buf(fd, r3, sizeof r3, &n);
    printf("fd_read at eof: %s %u\n", e ? "error" : "ok", (unsigned)n);

    report("fd_seek -6 end", __wasi_fd_seek(fd, -6, __WASI_WHENCE_END, &pos));
    printf("position: %llu\n", (unsigned long long)pos);
    e = read_buf(fd, r3, 6, &n);
    show_bytes("read after seek end", r3, n);
    (void)__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos);
    report("fd_seek +5 cur", __wasi_fd_seek(fd, 5, __WASI_WHENCE_CUR, &pos));
    printf("position: %llu\n", (unsigned long long)pos);
    report("fd_seek -2 cur", __wasi_fd_seek(fd, -2, __WASI_WHENCE_CUR, &pos));
    printf("position: %llu\n", (unsigned long long)pos);
    report("fd_seek 0 cur", __wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos));
    printf("position: %llu\n", (unsigned long long)pos);
    report("fd_seek 100 set (past end)", __wasi_fd_seek(fd, 100, __WASI_WHENCE_SET, &pos));
    printf("position: %llu\n", (unsigned long long)pos);
    e = read_buf(fd, r3, sizeof r3, &n);
    printf("fd_read past end: %s %u\n", e ? "error" : "ok", (unsigned)n);

    /* --- pread / pwrite do not move the position --- */
    __wasi_ciovec_t pw = {(const uint8_t *)"HELLO", 5};
    e = __wasi_fd_pwrite(fd, &pw, 1, 0, &n);
    printf("fd_pwrite at 0: %s %u\n", e ? "error" : "ok", (unsigned)n);
    (void)__wasi_fd_tell(fd, &pos);
    printf("position after pwrite: %llu\n", (unsigned long long)pos);
    uint8_t pr[16];
    __wasi_iovec_t prv = {pr, 5};
    e = __wasi_fd_pread(fd, &prv, 1, 0, &n);
    printf("fd_pread at 0: %s %u\n", e ? "error" : "ok", (unsigned)n);
    show_bytes("pread data", pr, n);
    uint8_t pa[3], pb[10];
    memset(pb, '.', 10);
    __wasi_iovec_t prv2[2] = {{pa, 3}, {pb, 10}};
    e = __wasi_fd_pread(fd, prv2, 2, 7, &n);
    printf("fd_pread scatter at 7: %s %u\n", e ? "error" : "ok", (unsigned)n);
    show_bytes("pread iov0", pa, 3);
    show_bytes("pread iov1", pb, 10);
    e = __wasi_fd_pread(fd, &prv, 1, 13, &n);
    printf("fd_pread at eof: %s %u\n", e ? "error" : "ok", (unsigned)n);
    e = __wasi_fd_pread(fd, &prv, 1, 1000, &n);
    printf("fd_pread past eof: %s %u\n", e ? "error" : "ok", (unsigned)n);
    (void)__wasi_fd_tell(fd, &pos);
    printf("position after pread: %llu\n", (unsigned long long)pos);

    /* --- filestat --- */
    __wasi_filestat_t st = fstat_or_die(fd);
    printf("fd_filestat_get: filetype %u size %llu nlink %llu\n", st.filetype,
           (unsigned long long)st.size, (unsigned long long)st.nlink);
    __wasi_filestat_t pst;
    report("path_filestat_get out.txt", __wasi_path_filestat_get(SANDBOX, FOLLOW, "out.txt", &pst));
    yesno("same dev and ino as fd_filestat_get", pst.dev == st.dev && pst.ino == st.ino);

    report("fd_filestat_set_size 3", __wasi_fd_filestat_set_size(fd, 3));
    st = fstat_or_die(fd);
    printf("size: %llu\n", (unsigned long long)st.size);
    e = __wasi_fd_pread(fd, &prv, 1, 0, &n);
    show_bytes("contents", pr, n);
    report("fd_filestat_set_size 8", __wasi_fd_filestat_set_size(fd, 8));
    st = fstat_or_die(fd);
    printf("size: %llu\n", (unsigned long long)st.size);
    prv.buf_len = 16;
    e = __wasi_fd_pread(fd, &prv, 1, 0, &n);
    show_bytes("contents", pr, n);
    prv.buf_len = 5;

    /* --- times --- */
    report("fd_filestat_set_times atim|mtim",
           __wasi_fd_filestat_set_times(fd, 1500000000ull * SEC, 1600000000ull * SEC + 5,
                                        __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    st = fstat_or_die(fd);
    printf("atim: %llu.%09llu\n", (unsigned long long)(st.atim / SEC), (unsigned long long)(st.atim % SEC));
    printf("mtim: %llu.%09llu\n", (unsigned long long)(st.mtim / SEC), (unsigned long long)(st.mtim % SEC));
    report("fd_filestat_set_times mtim_now",
           __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    st = fstat_or_die(fd);
    __wasi_timestamp_t now = 0;
    (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now);
    yesno("mtim is now (within 60s)", st.mtim + 60 * SEC > now && st.mtim < now + 60 * SEC);
    printf("atim unchanged: %llu.%09llu\n", (unsigned long long)(st.atim / SEC), (unsigned long long)(st.atim % SEC));
    report("fd_filestat_set_times atim_now",
           __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW));
    st = fstat_or_die(fd);
    yesno("atim is now (within 60s)", st.atim + 60 * SEC > now && st.atim < now + 60 * SEC);
    report("fd_filestat_set_times no flags", __wasi_fd_filestat_set_times(fd, 0, 0, 0));

    /* --- advise / allocate / sync --- */
    static const char *advice[] = {"normal", "sequential", "random", "willneed", "dontneed", "noreuse"};
    for (int i = 0; i < 6; i++) {
        char what[48];
        snprintf(what, sizeof what, "fd_advise %s", advice[i]);
        report(what, __wasi_fd_advise(fd, 0, 8, (__wasi_advice_t)i));
    }
    /* python-wasmtime 50 returns ENOTSUP (58) for every fd_allocate; the docs
       describe it as posix_fallocate, which grows the file. */
    report("fd_allocate 0+100", __wasi_fd_allocate(fd, 0, 100));
    st = fstat_or_die(fd);
    printf("size: %llu\n", (unsigned long long)st.size);
    report("fd_allocate 10+5 (inside)", __wasi_fd_allocate(fd, 10, 5));
    st = fstat_or_die(fd);
    printf("size: %llu\n", (unsigned long long)st.size);
    if (st.size < 100) (void)__wasi_fd_filestat_set_size(fd, 100); /* keep going */
    report("fd_datasync", __wasi_fd_datasync(fd));
    report("fd_sync", __wasi_fd_sync(fd));

    /* --- append flag --- */
    report("fd_fdstat_set_flags append", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    (void)__wasi_fd_fdstat_get(fd, &fs);
    printf("flags: %u\n", fs.fs_flags);
    (void)__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos);
    e = write_str(fd, "Z", &n);
    printf("append write: %s %u\n", e ? "error" : "ok", (unsigned)n);
    (void)__wasi_fd_tell(fd, &pos);
    printf("position after append: %llu\n", (unsigned long long)pos);
    st = fstat_or_die(fd);
    printf("size: %llu\n", (unsigned long long)st.size);
    e = __wasi_fd_pread(fd, &prv, 1, 0, &n);
    show_bytes("start still", pr, 3);
    report("fd_fdstat_set_flags 0", __wasi_fd_fdstat_set_flags(fd, 0));
    (void)__wasi_fd_fdstat_get(fd, &fs);
    printf("flags: %u\n", fs.fs_flags);

    /* --- dropping rights --- */
    /* python-wasmtime 50 ignores fd_fdstat_set_rights (rights are not
       tracked); the docs make rights a capability: a removed right denies
       the call with ENOTCAPABLE and rights can never be added back. */
    __wasi_rights_t less = RIGHTS_FILE & ~__WASI_RIGHTS_FD_WRITE;
    report("fd_fdstat_set_rights drop FD_WRITE", __wasi_fd_fdstat_set_rights(fd, less, less));
    (void)__wasi_fd_fdstat_get(fd, &fs);
    yesno("FD_WRITE gone", (fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE) == 0);
    yesno("FD_READ kept", (fs.fs_rights_base & __WASI_RIGHTS_FD_READ) != 0);
    report("fd_write without FD_WRITE", write_str(fd, "nope", &n));
    report("fd_pwrite without FD_WRITE", __wasi_fd_pwrite(fd, &pw, 1, 0, &n));
    e = __wasi_fd_pread(fd, &prv, 1, 0, &n);
    printf("fd_pread still allowed: %s %u\n", e ? "error" : "ok", (unsigned)n);
    report("fd_fdstat_set_rights add FD_WRITE back",
           __wasi_fd_fdstat_set_rights(fd, less | __WASI_RIGHTS_FD_WRITE, less));

    /* --- renumber and close --- */
    __wasi_fd_t in;
    report("path_open input.txt", open_file(SANDBOX, "input.txt", 0, RIGHTS_FILE_RO, 0, &in));
    uint8_t ib[32];
    e = read_buf(in, ib, sizeof ib, &n);
    show_bytes("input.txt", ib, n);
    yesno("new fd differs from stdio and preopen", in > 3 && in != fd);
    report("fd_renumber out -> in", __wasi_fd_renumber(fd, in));
    e = __wasi_fd_pread(in, &prv, 1, 0, &n);
    show_bytes("renumbered fd reads out.txt", pr, 3);
    report("fd_fdstat_get old number", __wasi_fd_fdstat_get(fd, &fs));
    report("fd_close", __wasi_fd_close(in));

    /* --- a directory descriptor --- */
    __wasi_fd_t d;
    report("path_open . directory", open_dir(SANDBOX, ".", &d));
    (void)__wasi_fd_fdstat_get(d, &fs);
    printf("dir filetype: %u\n", fs.fs_filetype);
    st = fstat_or_die(d);
    printf("dir filestat filetype: %u\n", st.filetype);
    report("fd_close dir", __wasi_fd_close(d));

    /* --- raw stdio --- */
    fflush(stdout);
    e = write_str(1, "raw stdout\n", &n);
    printf("fd_write stdout: %s %u\n", e ? "error" : "ok", (unsigned)n);
    e = write_str(2, "raw stderr\n", &n);
    printf("fd_write stderr: %s %u\n", e ? "error" : "ok", (unsigned)n);
    return 0;
}
