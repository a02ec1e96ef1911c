/*
 * Echo stdin to stdout until EOF with raw fd_read/fd_write, then report the
 * byte count on stderr ("stdin: N bytes"). Used with piped data (text and
 * binary, small and large) and with an empty/null stdin.
 */
#include "p1_common.h"

int main(void) {
    static uint8_t buf[4096];
    unsigned long long total = 0;
    for (;;) {
        __wasi_size_t n = 0;
        __wasi_errno_t e = read_buf(0, buf, sizeof buf, &n);
        if (e) {
            char msg[64];
            snprintf(msg, sizeof msg, "fd_read stdin: errno %u\n", e);
            (void)write_all(2, msg, strlen(msg));
            return 1;
        }
        if (n == 0) break;
        total += n;
        e = write_all(1, buf, n);
        if (e) {
            char msg[64];
            snprintf(msg, sizeof msg, "fd_write stdout: errno %u\n", e);
            (void)write_all(2, msg, strlen(msg));
            return 1;
        }
    }
    char msg[64];
    snprintf(msg, sizeof msg, "stdin: %llu bytes\n", total);
    (void)write_all(2, msg, strlen(msg));
    return 0;
}
