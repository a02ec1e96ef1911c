/*
 * Large reads with raw fd_read: the file named by argv[1] (under the preopen
 * SANDBOX) in 64 KiB reads, then from offset 100000 (fd_seek) 70000 bytes, then
 * the tail in 5000-byte reads; then stdin to EOF in 64 KiB reads. Each phase
 * prints its read sizes (run-length encoded) and an FNV-1a hash of the bytes,
 * so a byte out of place or a wrong offset changes the output. Then the file
 * changes size under the open fd: 10 bytes appended through a second fd are
 * read after EOF; truncated to 70000 after a 64 KiB read, the next read is
 * short and the one after is EOF.
 */
#include "p1_common.h"

static uint8_t buf[65536];

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Reads `fd` in `chunk`-byte reads until EOF or `limit` bytes; prints them. */
static int phase(const char *name, __wasi_fd_t fd, size_t chunk, size_t limit) {
    uint32_t h = 2166136261u;
    size_t total = 0, run_len = 0, run_n = 0;
    printf("%s:", name);
    for (;;) {
        size_t want = chunk;
        if (limit && limit - total < want) want = limit - total;
        if (want == 0) break;
        __wasi_size_t n = 0;
        __wasi_errno_t e = read_buf(fd, buf, want, &n);
        if (e) {
            printf(" errno %u\n", e);
            return 1;
        }
        if (n != run_len) {
            if (run_n) printf(" %zux%zu", run_n, run_len);
            run_len = n;
            run_n = 0;
        }
        run_n++;
        if (n == 0) break;
        h = fnv(h, buf, n);
        total += n;
    }
    if (run_n) printf(" %zux%zu", run_n, run_len);
    printf(" = %zu bytes, fnv %08x\n", total, h);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        printf("usage: p1_bigread FILE\n");
        return 2;
    }
    __wasi_fd_t fd;
    __wasi_errno_t e =
        open_file(SANDBOX, argv[1], 0, RIGHTS_FILE_RO & inheritable(SANDBOX), 0, &fd);
    if (e) {
        report("open", e);
        return 1;
    }
    if (phase("file 64KiB", fd, sizeof buf, 0)) return 1;
    __wasi_filesize_t pos = 0;
    report("seek 100000", __wasi_fd_seek(fd, 100000, __WASI_WHENCE_SET, &pos));
    if (phase("file @100000 70000", fd, sizeof buf, 70000)) return 1;
    if (phase("file tail 5000", fd, 5000, 0)) return 1;
    __wasi_fd_t wfd;
    report("open for writing",
           open_file(SANDBOX, argv[1], 0, RIGHTS_FILE & inheritable(SANDBOX), 0, &wfd));
    __wasi_size_t nw = 0;
    __wasi_ciovec_t more = {(const uint8_t *)"0123456789", 10};
    report("append 10", __wasi_fd_pwrite(wfd, &more, 1, 300007, &nw));
    if (phase("file grown", fd, sizeof buf, 0)) return 1;
    report("seek 0", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    if (phase("file first 64KiB", fd, sizeof buf, sizeof buf)) return 1;
    report("truncate 70000", __wasi_fd_filestat_set_size(wfd, 70000));
    if (phase("file truncated", fd, sizeof buf, 0)) return 1;
    if (phase("stdin 64KiB", 0, sizeof buf, 0)) return 1;
    return 0;
}
