/*
 * proc_raise and sched_yield.
 *
 * proc_raise is in the preview1 witx but was dropped from wasi-libc's
 * <wasi/api.h>, so it is imported by hand. Signals are not supported by
 * eddy: proc_raise returns ENOSYS (52) for every
 * signal and the process keeps running (python-wasmtime 50 does the same;
 * the docs leave the error unspecified).
 */
#include "p1_common.h"

__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
extern uint16_t p1_proc_raise(uint32_t sig);

int main(void) {
    report("sched_yield", __wasi_sched_yield());
    report("proc_raise usr1 (10)", p1_proc_raise(10));
    report("proc_raise term (15)", p1_proc_raise(15));
    printf("still running\n");
    return 0;
}
