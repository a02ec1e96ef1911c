//! wasi:clocks (monotonic-clock now/resolution, wall-clock now/resolution) through the
//! preview1 adapter: the C guest p1_clock adapted into a component (see p1_clock.rs).
//!
//! The output is p1_clock's except for the CPU-time clocks, which WASI 0.2 does not have:
//! the adapter answers `clock_res_get` for them with an error other than `EINVAL` (as it does
//! under wasmtime 50's host).

mod common;
use common::*;

#[test]
fn clocks_as_a_component() {
    let prog = component::component_str("p1_clock");
    let out = run(eddy_run(&[&prog]), b"");
    assert_run(
        &out,
        "clock_res_get realtime: ok\n\
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
         clock_res_get process_cputime supported-or-einval: no\n\
         clock_time_get process_cputime consistent with res: yes\n\
         clock_res_get thread_cputime supported-or-einval: no\n\
         clock_time_get thread_cputime consistent with res: yes\n\
         sched_yield: ok\n",
        "",
        0,
    );
}
