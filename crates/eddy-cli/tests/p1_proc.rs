//! proc_exit (guests: p1_exit, p1_exit_status.wat; a component's exit-with-code:
//! p2_exit_status.wat), traps (guest: p1_trap), proc_raise and sched_yield (guest:
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

/// The one line for a status outside [0, 126), as wasmtime says it.
const INVALID_STATUS: &str = "exit with invalid exit status outside of [0..126)";

#[test]
fn proc_exit_status_125_is_kept() {
    let out = run(eddy_run(&[s(&program("p1_exit_status.wat")), "125"]), b"");
    assert_run(&out, "", "", 125);
}

#[test]
fn proc_exit_status_126_and_above_is_an_error_with_status_1() {
    // -1 is the u32 4294967295; 256 would be 0 as the OS truncates it, 255 a fake signal.
    for (arg, shown) in [("126", "126"), ("255", "255"), ("256", "256"), ("-1", "4294967295")] {
        let out = run(eddy_run(&[s(&program("p1_exit_status.wat")), arg]), b"");
        assert_error_line(&out, "", 1, &[INVALID_STATUS, &format!("status {shown}")]);
    }
}

#[test]
fn exit_with_code_126_and_above_is_an_error_with_status_1() {
    let prog = program("p2_exit_status.wat");
    let out = run(eddy_run(&[s(&prog), "125"]), b"");
    assert_run(&out, "", "", 125);
    let out = run(eddy_run(&[s(&prog), "0"]), b"");
    assert_run(&out, "", "", 0);
    for code in ["126", "200", "255"] {
        let out = run(eddy_run(&[s(&prog), code]), b"");
        assert_error_line(&out, "", 1, &[INVALID_STATUS, &format!("status {code}")]);
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
    assert_trap(&out, "before trap\n", &["integer divide by zero"]);
    assert_no_other_trap(&out, "integer divide by zero");
}

#[test]
fn trap_out_of_bounds() {
    let out = run(eddy_run(&[s(&program("p1_trap")), "oob"]), b"");
    assert_trap(&out, "before trap\n", &["out of bounds memory access"]);
    assert_no_other_trap(&out, "out of bounds memory access");
}

#[test]
fn trap_stack_exhausted() {
    let out = run(eddy_run(&[s(&program("p1_trap")), "stack"]), b"");
    assert_trap(&out, "before trap\n", &["call stack exhausted"]);
    assert_no_other_trap(&out, "call stack exhausted");
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

/// Every trap message p1_trap can cause: the stderr of one mode must name its own only.
const TRAP_MESSAGES: [&str; 4] = [
    "unreachable",
    "integer divide by zero",
    "out of bounds memory access",
    "call stack exhausted",
];

fn assert_no_other_trap(out: &std::process::Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap_or("");
    for m in TRAP_MESSAGES.iter().filter(|m| **m != expected) {
        assert!(
            !first.contains(m),
            "the trap line names `{m}`, not only `{expected}`:\n{}",
            describe(out)
        );
    }
}
