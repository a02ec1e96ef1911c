//! `-W timeout` stops a guest blocked in a host call, not only one spinning in wasm code
//! (guest: p1_block, as a preview1 core module and adapted into a WASI 0.2 component): a
//! 30 s sleep (`poll_oneoff` / `wasi:io/poll`), a read of a pipe on stdin whose writer never
//! writes, and a read of a FIFO whose writer never writes. Each must trap like an epoch
//! interrupt (status 134, "interrupt") about 1 s in, not when the call would have returned.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Runs `cmd` (stdin as it set it) and checks it trapped with "interrupt" after printing
/// "blocking", within 5 s of starting.
fn assert_interrupted(mut cmd: Command, hold_stdin: bool) {
    if !hold_stdin {
        cmd.stdin(Stdio::null());
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    // A writer that never writes, held until the guest is gone.
    let stdin = child.stdin.take();
    let out = wait_with_timeout(child, &cmd);
    let took = start.elapsed();
    drop(stdin);
    assert_trap(&out, "blocking\n", &["interrupt"]);
    assert!(took < Duration::from_secs(5), "trapped only after {took:?}\n{}", describe(&out));
}

#[test]
fn timeout_interrupts_a_sleep() {
    for prog in component::both_abis("p1_block") {
        assert_interrupted(eddy_run(&["-W", "timeout=1s", &prog, "sleep"]), false);
    }
}

#[test]
fn timeout_interrupts_a_read_of_an_idle_stdin_pipe() {
    for prog in component::both_abis("p1_block") {
        let mut cmd = eddy_run(&["-W", "timeout=1s", &prog, "stdin"]);
        cmd.stdin(Stdio::piped());
        assert_interrupted(cmd, true);
    }
}

#[test]
fn timeout_interrupts_a_read_of_an_idle_fifo() {
    let dir = temp_dir();
    let fifo = dir.path().join("fifo");
    let st = Command::new("mkfifo").arg(&fifo).status().expect("running mkfifo");
    assert!(st.success(), "mkfifo failed");
    // Opened read-write, which does not block on Linux: a writer (and reader) that never
    // writes, so the guest's open finds a writer and its read waits for data.
    let _writer = std::fs::OpenOptions::new().read(true).write(true).open(&fifo).unwrap();
    for prog in component::both_abis("p1_block") {
        let d = dir_arg(dir.path(), "/d");
        assert_interrupted(
            eddy_run(&["-W", "timeout=1s", "--dir", &d, &prog, "read", "/d/fifo"]),
            false,
        );
    }
}
