//! poll_oneoff (guest: p1_poll), as a core module and as a component through the preview1
//! adapter (wasi:io/poll over clock, file and stdin pollables, monotonic-clock
//! subscribe-duration/instant, input streams on stdin).
//!
//! Where the *adapter* answers differently (wasmtime 50's host gives the same through it):
//! - a realtime clock subscription with an absolute deadline in the past: the adapter turns
//!   it into a duration and fails with `EOVERFLOW` (61);
//! - a subscription on a bad fd fails the whole `poll_oneoff` with `EBADF` (8) instead of
//!   reporting an event with that error.

mod common;
use common::*;

#[test]
fn poll_oneoff() {
    let tmp = temp_dir();
    let root = tmp.path();
    write_file(root, "data.txt", "0123456789");
    let expected = "poll_oneoff nsubscriptions=0: errno 28
monotonic relative 20ms: ok 1
  event userdata 0xc10c0001 type 0 error 0
monotonic relative 20ms: elapsed >= timeout: yes
monotonic absolute +20ms: ok 1
  event userdata 0xc10c0001 type 0 error 0
monotonic absolute +20ms: elapsed >= timeout: yes
realtime relative 20ms: ok 1
  event userdata 0xc10c0000 type 0 error 0
realtime relative 20ms: elapsed >= timeout: yes
realtime absolute +20ms: ok 1
  event userdata 0xc10c0000 type 0 error 0
realtime absolute +20ms: elapsed >= timeout: yes
relative 0 (full 64-bit userdata): ok 1
  event userdata 0xdeadbeefcafef00d type 0 error 0
absolute deadline in the past: ok 1
  event userdata 0x7 type 0 error 0
realtime absolute deadline in the past: ok 1
  event userdata 0x8 type 0 error 0
past deadlines returned quickly (< 1s): yes
two clocks 5s and 10ms: ok 1
  event userdata 0x1 type 0 error 0
two clocks: 10ms <= elapsed < 5s: yes
path_open data.txt: ok
fd_seek 3: ok
file fd_read: ok 1
  event userdata 0xf11e0001 type 1 error 0 nbytes 7
file fd_write: ok 1
  event userdata 0xf11e0002 type 2 error 0
file read+write with 5s clock: ok 2
  event userdata 0xf11e0001 type 1 error 0 nbytes 7
  event userdata 0xf11e0002 type 2 error 0
file events did not wait for the clock: yes
fd_read on bad fd: ok 1
  event userdata 0xbad type 1 error 8
fd_write on bad fd: ok 1
  event userdata 0xbad2 type 2 error 8
stdout fd_write: ok 1
  event userdata 0x517 type 2 error 0
stdin fd_read with 5s clock: ok 1
  event userdata 0x5717 type 1 error 0
stdin ready before the clock: yes
stdin: [hello]
stdin at eof fd_read with 5s clock: ok 1
  event userdata 0x5717 type 1 error 0
eof ready before the clock: yes
";
    let differences = [
        (
            "realtime absolute deadline in the past: ok 1\n  event userdata 0x8 type 0 error 0\n",
            "realtime absolute deadline in the past: errno 61\n",
        ),
        (
            "fd_read on bad fd: ok 1\n  event userdata 0xbad type 1 error 8\n",
            "fd_read on bad fd: errno 8\n",
        ),
        (
            "fd_write on bad fd: ok 1\n  event userdata 0xbad2 type 2 error 8\n",
            "fd_write on bad fd: errno 8\n",
        ),
    ];
    for (prog, expected) in component::both_abis_expecting("p1_poll", expected, &differences) {
        let out = run(eddy_run(&["--dir", &dir_arg(root, "/sandbox"), &prog]), b"hello\n");
        assert_run(&out, &expected, "", 0);
    }
}

/// More subscriptions than the kernel takes pollfds (20 001 fd_write subscriptions on fd 1,
/// under `ulimit -n 1024`; guest: p1_poll_same_fd.wat): each still gets its event.
#[test]
fn more_fd_subscriptions_than_rlimit_nofile() {
    let cmd = eddy_run(&[s(&program("p1_poll_same_fd.wat"))]);
    for limit in [1024, 20000] {
        let out = run(with_nofile_limit(&cmd, limit), b"");
        assert_run(&out, "ok\n", "", 0);
    }
}
