/*
 * What the host granted, seen from inside: prints every argument, every
 * preopen (fd_prestat_get from fd 3 until EBADF, with its name), the
 * environment count, then tries to open the file named by the last argument
 * (if there is one besides argv[0]) and prints its contents or the errno.
 *
 * Used to check that words after FILE on eddy's command line are the guest's
 * arguments and grant nothing (`eddy run p1_grants.wasm --dir D -S
 * inherit-env D/F` must show no preopen, no environment, and D/F unopenable).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "p1_common.h"

int main(int argc, char **argv) {
    printf("argc: %d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]: [%s]\n", i, argv[i]);

    int preopens = 0;
    for (__wasi_fd_t fd = 3;; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0) break;
        char name[256] = {0};
        size_t len = ps.u.dir.pr_name_len < 255 ? ps.u.dir.pr_name_len : 255;
        (void)__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len);
        printf("preopen fd %u: [%s]\n", (unsigned)fd, name);
        preopens++;
    }
    printf("preopens: %d\n", preopens);

    __wasi_size_t envc = 0, env_buf_size = 0;
    report("environ_sizes_get", __wasi_environ_sizes_get(&envc, &env_buf_size));
    printf("envc: %u\n", (unsigned)envc);

    if (argc > 1) {
        int fd = open(argv[argc - 1], O_RDONLY);
        if (fd < 0) {
            printf("open last argument: errno %d\n", errno);
        } else {
            char buf[64] = {0};
            ssize_t n = read(fd, buf, sizeof buf - 1);
            printf("open last argument: ok, read [%s]\n", n > 0 ? buf : "");
            close(fd);
        }
    }
    return 0;
}
