//! proc_exit (guest: p1_exit), traps (guest: p1_trap), proc_raise and sched_yield (guest:
//! p1_proc_raise).

mod common;
use common::*;

#[test]
fn proc_exit_7() {
    let out = run(eddy_run(&[s(&program("p1_exit"))]), b"");
    assert_run(&out, "before exit\n", "", 7);
}

#[test]
fn proc_exit_codes() {
    for code in [0, 1, 42, 125] {
        let out = run(eddy_run(&[s(&program("p1_exit")), &code.to_string()]), b"");
        assert_run(&out, "before exit\n", "", code);
    }
}

#[test]
fn trap_unreachable() {
    let out = run(eddy_run(&[s(&program("p1_trap"))]), b"");
    assert_trap(&out, "before trap\n", &["unreachable"]);
}

#[test]
fn trap_divide_by_zero() {
    let out = run(eddy_run(&[s(&program("p1_trap")), "divzero"]), b"");
    assert_trap(&out, "before trap\n", &[]);
}

#[test]
fn trap_out_of_bounds() {
    let out = run(eddy_run(&[s(&program("p1_trap")), "oob"]), b"");
    assert_trap(&out, "before trap\n", &[]);
}

#[test]
fn trap_stack_exhausted() {
    let out = run(eddy_run(&[s(&program("p1_trap")), "stack"]), b"");
    assert_trap(&out, "before trap\n", &[]);
}

#[test]
fn proc_raise_and_sched_yield() {
    let out = run(eddy_run(&[s(&program("p1_proc_raise"))]), b"");
    assert_run(
        &out,
        "sched_yield: ok\n\
         proc_raise usr1 (10): errno 52\n\
         proc_raise term (15): errno 52\n\
         still running\n",
        "",
        0,
    );
}
