//! `-W timeout` stops a guest blocked in a host call, not only one spinning in wasm code
//! (guest: p1_block, as a preview1 core module and adapted into a WASI 0.2 component): a
//! 30 s sleep (`poll_oneoff` / `wasi:io/poll`), a read of a pipe on stdin whose writer never
//! writes, a read of a FIFO whose writer never writes, and opens of a FIFO whose other end
//! never comes (for reading, for writing). Each must trap like an epoch interrupt (status
//! 134, "interrupt") about 1 s in, not when the call would have returned. And under a
//! timeout a FIFO still reads as without one: the reader waits for the writer's data, then
//! sees end of file when it closes, and an open waits for the other end.

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
    let fifo = fifo_in(dir.path());
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

fn fifo_in(dir: &std::path::Path) -> std::path::PathBuf {
    let fifo = dir.join("fifo");
    let st = Command::new("mkfifo").arg(&fifo).status().expect("running mkfifo");
    assert!(st.success(), "mkfifo failed");
    fifo
}

#[test]
fn timeout_interrupts_an_open_of_a_fifo_with_no_other_end() {
    let dir = temp_dir();
    fifo_in(dir.path());
    let d = dir_arg(dir.path(), "/d");
    for prog in component::both_abis("p1_block") {
        for mode in ["open", "openw"] {
            let args = ["-W", "timeout=1s", "--dir", &d, &prog, mode, "/d/fifo"];
            assert_interrupted(eddy_run(&args), false);
        }
    }
}

#[test]
fn under_a_timeout_a_fifo_reader_still_waits_for_its_writer() {
    let dir = temp_dir();
    let fifo = fifo_in(dir.path());
    let d = dir_arg(dir.path(), "/d");
    for prog in component::both_abis("p1_block") {
        let mut cmd = eddy_run(&["-W", "timeout=20s", "--dir", &d, &prog, "cat", "/d/fifo"]);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let start = Instant::now();
        let child = cmd.spawn().unwrap();
        // The writer comes late: the guest's open waits for it, and must not have seen end
        // of file meanwhile.
        std::thread::sleep(Duration::from_millis(300));
        let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        std::io::Write::write_all(&mut w, b"hello\n").unwrap();
        std::thread::sleep(Duration::from_millis(100));
        std::io::Write::write_all(&mut w, b"world\n").unwrap();
        drop(w);
        let out = wait_with_timeout(child, &cmd);
        assert_run(&out, "blocking\nhello\nworld\nreturned\n", "", 0);
        assert!(start.elapsed() < Duration::from_secs(10));
    }
}

#[test]
fn under_a_timeout_an_open_of_a_fifo_still_waits_for_the_other_end() {
    let dir = temp_dir();
    let fifo = fifo_in(dir.path());
    let d = dir_arg(dir.path(), "/d");
    for prog in component::both_abis("p1_block") {
        let mut cmd = eddy_run(&["-W", "timeout=20s", "--dir", &d, &prog, "open", "/d/fifo"]);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(Duration::from_millis(700));
        assert!(child.try_wait().unwrap().is_none(), "the open did not wait for a writer");
        // Opening the write end finds the guest's pending open as its reader.
        let w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        let out = wait_with_timeout(child, &cmd);
        drop(w);
        assert_run(&out, "blocking\nreturned\n", "", 0);
    }
}

/// A read of an fd the guest made non-blocking answers `EAGAIN` at once under a timeout too
/// (the deadline wait is only for what would block). Core module only: through the adapter
/// stdin cannot be made non-blocking.
#[test]
fn under_a_timeout_a_non_blocking_read_still_fails_at_once() {
    let mut cmd = eddy_run(&["-W", "timeout=20s", &program_str("p1_block"), "nbstdin"]);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let stdin = child.stdin.take();
    let out = wait_with_timeout(child, &cmd);
    drop(stdin);
    assert_run(&out, "blocking\nEAGAIN\nreturned\n", "", 0);
    assert!(start.elapsed() < Duration::from_secs(5));
}
