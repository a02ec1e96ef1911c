//! clock_res_get, clock_time_get, sched_yield (guest: p1_clock), as a core module and as a
//! component through the preview1 adapter (wasi:clocks monotonic-clock and wall-clock).
//!
//! Through the adapter the CPU-time clocks, which WASI 0.2 does not have, answer
//! `clock_res_get` with an error other than `EINVAL` (as under wasmtime 50's host).

mod common;
use common::*;

#[test]
fn clocks() {
    let expected = "clock_res_get realtime: ok\n\
         realtime res > 0: yes\n\
         realtime res <= 1s: yes\n\
         clock_time_get realtime: ok\n\
         realtime after 2020: yes\n\
         clock_res_get monotonic: ok\n\
         monotonic res > 0: yes\n\
         monotonic res <= 1s: yes\n\
         clock_time_get monotonic: ok\n\
         monotonic never decreases: yes\n\
         clock_time_get monotonic precision=max: ok\n\
         monotonic advances: yes\n\
         clock_res_get process_cputime supported-or-einval: yes\n\
         clock_time_get process_cputime consistent with res: yes\n\
         clock_res_get thread_cputime supported-or-einval: yes\n\
         clock_time_get thread_cputime consistent with res: yes\n\
         sched_yield: ok\n";
    let cputime = |c| format!("clock_res_get {c}_cputime supported-or-einval: ");
    let (p, t) = (cputime("process"), cputime("thread"));
    let differences =
        [(&*format!("{p}yes"), &*format!("{p}no")), (&*format!("{t}yes"), &*format!("{t}no"))];
    for (prog, expected) in component::both_abis_expecting("p1_clock", expected, &differences) {
        assert_run(&run(eddy_run(&[&prog]), b""), &expected, "", 0);
    }
}
