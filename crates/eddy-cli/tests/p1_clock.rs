//! clock_res_get, clock_time_get, sched_yield (guest: p1_clock).

mod common;
use common::*;

#[test]
fn clocks() {
    let out = run(eddy_run(&[s(&program("p1_clock"))]), b"");
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
         clock_res_get process_cputime supported-or-einval: yes\n\
         clock_time_get process_cputime consistent with res: yes\n\
         clock_res_get thread_cputime supported-or-einval: yes\n\
         clock_time_get thread_cputime consistent with res: yes\n\
         sched_yield: ok\n",
        "",
        0,
    );
}
