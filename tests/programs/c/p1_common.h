/*
 * Shared helpers for the preview1 guest programs in this directory.
 *
 * Every program prints one line per check, deterministically: `what: ok`,
 * `what: errno N` (N = the raw preview1 errno number), `what: yes|no`, or a
 * value that does not depend on time, randomness or the host's layout.
 * The host tests in crates/eddy-cli/tests/p1_*.rs compare stdout exactly.
 *
 * Frequently used errno values (preview1 numbering, see wasi/api.h):
 *   8 BADF  20 EXIST  21 FAULT  28 INVAL  31 ISDIR  32 LOOP  44 NOENT
 *   54 NOTDIR  55 NOTEMPTY  57 NOTSOCK  58 NOTSUP  63 PERM  70 SPIPE
 *   76 NOTCAPABLE
 */
#ifndef P1_COMMON_H
#define P1_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* The first preopen (`--dir HOST::/sandbox`) gets fd 3. */
#define SANDBOX 3

/* Every right defined by preview1 (bits 0..29). */
#define RIGHTS_ALL ((__wasi_rights_t)0x3FFFFFFF)

/* Rights that make sense on a regular file. */
#define RIGHTS_FILE                                                         \
    (__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_READ |                    \
     __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |            \
     __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_WRITE | \
     __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |                  \
     __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |   \
     __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_POLL_FD_READWRITE)

/* Read-only rights for a regular file (no FD_WRITE, no size/times change). */
#define RIGHTS_FILE_RO                                                      \
    (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | \
     __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_FILESTAT_GET |              \
     __WASI_RIGHTS_POLL_FD_READWRITE)

/* What wasi-libc asks for when opening a directory read-only: no
   FD_WRITE/FD_DATASYNC/FD_ALLOCATE/FD_FILESTAT_SET_SIZE. */
#define RIGHTS_DIR                                                          \
    (RIGHTS_ALL & ~(__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_WRITE |    \
                    __WASI_RIGHTS_FD_ALLOCATE |                             \
                    __WASI_RIGHTS_FD_FILESTAT_SET_SIZE))

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define NOFOLLOW 0

/* Line-buffer stdout so that output printed before a trap or proc_exit is
   not lost and interleaves predictably with raw fd_write calls. */
__attribute__((constructor)) static void p1_line_buffered_stdout(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline void report(const char *what, __wasi_errno_t e) {
    if (e == 0)
        printf("%s: ok\n", what);
    else
        printf("%s: errno %u\n", what, (unsigned)e);
}

static inline void yesno(const char *what, int cond) {
    printf("%s: %s\n", what, cond ? "yes" : "no");
}

/* Open (or create) a regular file under `dir` with the given rights. */
static inline __wasi_errno_t open_file(__wasi_fd_t dir, const char *path,
                                       __wasi_oflags_t oflags,
                                       __wasi_rights_t rights,
                                       __wasi_fdflags_t fdflags,
                                       __wasi_fd_t *out) {
    return __wasi_path_open(dir, FOLLOW, path, oflags, rights, rights,
                            fdflags, out);
}

/* The rights `dir` lets descriptors opened through it have (its inheriting
   rights); everything if that cannot be read. wasi-libc masks what it asks
   path_open for with these, since asking for more is ENOTCAPABLE. */
static inline __wasi_rights_t inheritable(__wasi_fd_t dir) {
    __wasi_fdstat_t fs;
    if (__wasi_fd_fdstat_get(dir, &fs) != 0) return RIGHTS_ALL;
    return fs.fs_rights_inheriting;
}

/* Open a directory under `dir` the way wasi-libc's opendir does. */
static inline __wasi_errno_t open_dir(__wasi_fd_t dir, const char *path,
                                      __wasi_fd_t *out) {
    __wasi_rights_t inh = inheritable(dir);
    return __wasi_path_open(dir, FOLLOW, path, __WASI_OFLAGS_DIRECTORY,
                            RIGHTS_DIR & inh, inh, 0, out);
}

/* Write a whole C string with one fd_write; returns the errno. */
static inline __wasi_errno_t write_str(__wasi_fd_t fd, const char *s,
                                       __wasi_size_t *nwritten) {
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &n);
    if (nwritten) *nwritten = n;
    return e;
}

/* Read up to `cap` bytes with one fd_read; returns the errno. */
static inline __wasi_errno_t read_buf(__wasi_fd_t fd, void *buf,
                                      __wasi_size_t cap, __wasi_size_t *nread) {
    __wasi_iovec_t iov = {(uint8_t *)buf, cap};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_read(fd, &iov, 1, &n);
    if (nread) *nread = n;
    return e;
}

/* Write all of buf[0..len) with as many fd_write calls as needed. */
static inline __wasi_errno_t write_all(__wasi_fd_t fd, const void *buf,
                                       size_t len) {
    const uint8_t *p = buf;
    while (len > 0) {
        __wasi_ciovec_t iov = {p, len};
        __wasi_size_t n = 0;
        __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &n);
        if (e) return e;
        if (n == 0) return __WASI_ERRNO_IO;
        p += n;
        len -= n;
    }
    return 0;
}

/* Create `path` under `dir` holding `contents` (truncating); returns errno. */
static inline __wasi_errno_t make_file(__wasi_fd_t dir, const char *path,
                                       const char *contents) {
    __wasi_fd_t fd;
    __wasi_errno_t e = open_file(dir, path,
                                 __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                                 RIGHTS_FILE, 0, &fd);
    if (e) return e;
    e = write_all(fd, contents, strlen(contents));
    __wasi_errno_t c = __wasi_fd_close(fd);
    return e ? e : c;
}

/* Read the whole of `path` under `dir` into buf (NUL-terminated). */
static inline __wasi_errno_t slurp(__wasi_fd_t dir, const char *path,
                                   char *buf, size_t cap) {
    __wasi_fd_t fd;
    __wasi_errno_t e =
        open_file(dir, path, 0, RIGHTS_FILE_RO & inheritable(dir), 0, &fd);
    if (e) return e;
    size_t total = 0;
    for (;;) {
        __wasi_size_t n = 0;
        e = read_buf(fd, buf + total, cap - 1 - total, &n);
        if (e || n == 0) break;
        total += n;
    }
    buf[total] = 0;
    __wasi_errno_t c = __wasi_fd_close(fd);
    return e ? e : c;
}

#endif
