/*
 * args_sizes_get, args_get, environ_sizes_get, environ_get.
 *
 * Prints argc, every argument (as given), the buffer sizes reported by the
 * *_sizes_get calls and whether they match the strings returned, then every
 * environment entry in the order the runtime provides them.
 */
#include "p1_common.h"

int main(void) {
    __wasi_size_t argc = 0, argv_buf_size = 0;
    report("args_sizes_get", __wasi_args_sizes_get(&argc, &argv_buf_size));
    printf("argc: %u\n", (unsigned)argc);

    uint8_t **argv = calloc(argc + 1, sizeof(uint8_t *));
    /* One spare byte past the announced size: it must stay untouched. */
    uint8_t *argv_buf = malloc(argv_buf_size + 1);
    argv_buf[argv_buf_size] = 0xAA;
    report("args_get", __wasi_args_get(argv, argv_buf));
    size_t used = 0;
    for (__wasi_size_t i = 0; i < argc; i++) {
        printf("argv[%u]: [%s]\n", (unsigned)i, (const char *)argv[i]);
        used += strlen((const char *)argv[i]) + 1;
    }
    yesno("argv_buf_size matches", used == argv_buf_size);
    yesno("argv_buf not overrun", argv_buf[argv_buf_size] == 0xAA);
    int inside = 1;
    for (__wasi_size_t i = 0; i < argc; i++)
        inside &= argv[i] >= argv_buf && argv[i] < argv_buf + argv_buf_size;
    yesno("argv pointers inside argv_buf", inside);

    __wasi_size_t envc = 0, env_buf_size = 0;
    report("environ_sizes_get", __wasi_environ_sizes_get(&envc, &env_buf_size));
    printf("envc: %u\n", (unsigned)envc);
    uint8_t **env = calloc(envc + 1, sizeof(uint8_t *));
    uint8_t *env_buf = malloc(env_buf_size + 1);
    env_buf[env_buf_size] = 0xAA;
    report("environ_get", __wasi_environ_get(env, env_buf));
    used = 0;
    for (__wasi_size_t i = 0; i < envc; i++) {
        printf("env[%u]: [%s]\n", (unsigned)i, (const char *)env[i]);
        used += strlen((const char *)env[i]) + 1;
    }
    yesno("env_buf_size matches", used == env_buf_size);
    yesno("env_buf not overrun", env_buf[env_buf_size] == 0xAA);

    /* libc's view (built from the same two calls at startup). */
    const char *home = getenv("EDDY_TEST_VAR");
    printf("getenv EDDY_TEST_VAR: %s\n", home ? home : "(unset)");
    return 0;
}
