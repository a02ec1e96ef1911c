//! NONBLOCK set by the guest on its stdio stays in the guest (guest: p1_stdio_nonblock):
//! the inherited host fds (the shell's pipes) keep their file-status flags after Eddy exits.

mod common;
use common::*;

use std::io::Read;
use std::os::fd::AsRawFd;
use std::process::Stdio;

/// Whether `O_NONBLOCK` (octal 04000) is in the file-status flags of this process's `fd`,
/// read from `/proc/self/fdinfo` (the open file description the child shared).
fn host_nonblock(fd: i32) -> bool {
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).unwrap();
    let flags = info
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .map(|v| u32::from_str_radix(v.trim(), 8).unwrap())
        .expect("flags: line in fdinfo");
    flags & 0o4000 != 0
}

#[test]
fn guest_nonblock_on_stdio_does_not_reach_the_host_fds() {
    let (mut out_r, out_w) = std::io::pipe().unwrap();
    let out_check = out_w.try_clone().unwrap();
    let mut cmd = eddy_run(&[&program_str("p1_stdio_nonblock")]);
    cmd.stdin(Stdio::piped()).stdout(out_w).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    // stdin stays open and empty until the guest has exited.
    let stdin = child.stdin.take().unwrap();
    let in_check = stdin.as_raw_fd();
    let status = child.wait().unwrap();
    drop(cmd);
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(
        !host_nonblock(out_check.as_raw_fd()),
        "the guest made the host's stdout pipe non-blocking"
    );
    assert!(!host_nonblock(in_check), "the guest made the host's stdin pipe non-blocking");
    drop(out_check);
    drop(stdin);
    let mut out = String::new();
    out_r.read_to_string(&mut out).unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert_eq!(err, "");
    assert_eq!(
        out,
        "fd 1 nonblock at start: no\n\
         set fd 1 NONBLOCK: ok\n\
         set fd 0 NONBLOCK: ok\n\
         fd 1 nonblock: yes\n\
         fd 0 nonblock: yes\n\
         fd 2 nonblock: no\n\
         read empty stdin: errno 6\n\
         set fd 1 APPEND: errno 58\n\
         clear fd 0 NONBLOCK: ok\n\
         fd 0 nonblock after clear: no\n"
    );
}
