/*
 * proc_exit: writes "before exit" to stdout, then calls proc_exit with the
 * code given as argv[1] (default 7). Nothing after proc_exit may run.
 */
#include "p1_common.h"

int main(int argc, char **argv) {
    unsigned code = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 7;
    (void)write_str(1, "before exit\n", NULL);
    __wasi_proc_exit(code);
    (void)write_str(1, "after exit\n", NULL);
    return 99;
}
