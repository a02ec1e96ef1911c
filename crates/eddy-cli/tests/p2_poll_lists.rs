//! `wasi:io/poll.poll`'s list argument and result (guest: p2_poll_lists.wat, called with
//! `--invoke`): the same pollable twice, 1 and 2000 pollables, one fd's pollable 20 001
//! times (more pollfds than the kernel takes under `ulimit -n 1024`), and the misuses that trap
//! (an empty list, a handle that does not exist, a handle of another resource type). Eddy
//! lifts this list itself (eddy-wasi `p2::io::poll_list`), so these pin its checks.

mod common;
use common::*;

fn invoke(call: &str) -> std::process::Output {
    run(eddy_run(&["--invoke", call, s(&program("p2_poll_lists.wat"))]), b"")
}

#[test]
fn poll_lists_ready_indices() {
    assert_run(&invoke("dup()"), "[1, 3]\n", "", 0);
    assert_run(&invoke("many(1)"), "[0]\n", "", 0);
    assert_run(&invoke("many(2000)"), "[1999]\n", "", 0);
}

#[test]
fn poll_misuse_traps() {
    assert_trap(&invoke("empty()"), "", &["wasi:io/poll.poll called with an empty list"]);
    assert_trap(&invoke("bad-handle()"), "", &["unknown handle index 99"]);
    assert_trap(&invoke("wrong-type()"), "", &["handle index 1 used with the wrong type"]);
}

#[test]
fn one_pollable_more_times_than_rlimit_nofile() {
    let n = 20001;
    let expected = format!("[{}]\n", (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(", "));
    let cmd = eddy_run(&["--invoke", &format!("same-fd({n})"), s(&program("p2_poll_lists.wat"))]);
    for limit in [1024, 20000] {
        assert_run(&run(with_nofile_limit(&cmd, limit), b""), &expected, "", 0);
    }
    assert_run(&invoke("same-fd(3)"), "[0, 1, 2]\n", "", 0);
}
