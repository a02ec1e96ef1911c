//! Fault injection (issue 12): the host makes the world fail under a real guest
//! (tests/programs/c/p1_faults.c) and the test checks that the guest sees an errno, that
//! every byte a write reported as written arrived, that Eddy neither panics nor dies of a
//! signal, and that the exit status is clear. Faults: a file-size limit (`RLIMIT_FSIZE`,
//! the disk-full case a test can make without root), stdout on `/dev/full` (ENOSPC) and on
//! a pipe with no reader (EPIPE), a storm of stop/continue signals while the guest sleeps
//! and reads (interrupted syscalls), a peer that resets its connection, and the process
//! killed in the middle of writing records.

mod common;
use common::*;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn faults() -> String {
    program_str("p1_faults")
}

/// A file-size limit of 1 MiB: the 4 MiB write stops at the limit with EFBIG (22), the
/// file holds exactly the bytes reported written, and Eddy exits 0 (before the fix it was
/// killed by SIGXFSZ, status "signal 25", with nothing printed).
#[test]
fn a_file_size_limit_is_efbig_and_no_byte_is_lost() {
    let tmp = temp_dir();
    let mut cmd = eddy_run(&["--dir", &dir_arg(tmp.path(), "/sandbox"), &faults()]);
    cmd.args(["write", "big", "4194304"]);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = rustix::process::Rlimit { current: Some(1 << 20), maximum: None };
            rustix::process::setrlimit(rustix::process::Resource::Fsize, limit)?;
            Ok(())
        });
    }
    let out = run(cmd, b"");
    assert_run(&out, "wrote 1048576, errno 22\n", "", 0);
    assert_eq!(std::fs::metadata(tmp.path().join("big")).unwrap().len(), 1 << 20);
}

/// stdout on /dev/full: the guest's write fails with ENOSPC (51) and it goes on.
#[test]
fn stdout_on_a_full_device_is_enospc() {
    let mut cmd = eddy_run(&[&faults(), "stdout", "100000"]);
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    cmd.stdin(Stdio::null()).stdout(full).stderr(Stdio::piped());
    let out = cmd.spawn().unwrap().wait_with_output().unwrap();
    assert_run(&out, "", "stdout wrote 0, errno 51\n", 0);
}

/// stdout on a pipe whose reader is gone: EPIPE (64) reaches the guest, and Eddy is not
/// killed by SIGPIPE.
#[test]
fn stdout_on_a_closed_pipe_is_epipe() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = eddy_run(&[&faults(), "stdout", "100000"]);
    cmd.stdin(Stdio::null()).stdout(writer).stderr(Stdio::piped());
    let out = cmd.spawn().unwrap().wait_with_output().unwrap();
    assert_run(&out, "", "stdout wrote 0, errno 64\n", 0);
}

/// Stopped and continued 30 times while the guest sleeps 1 s and then reads stdin:
/// interrupted syscalls (a stopped process's sleeps and waits return EINTR when it
/// continues) are retried by the host, so the sleep is whole and every byte is read.
#[test]
fn stop_and_continue_storms_do_not_reach_the_guest() {
    let mut cmd = eddy_run(&[&faults(), "sleep-read", "1000"]);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let start = Instant::now();
    for i in 0..30 {
        rustix::process::kill_process(pid, rustix::process::Signal::STOP).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        rustix::process::kill_process(pid, rustix::process::Signal::CONT).unwrap();
        std::thread::sleep(Duration::from_millis(45));
        if i % 3 == 0 {
            stdin.write_all(&[b'a'; 1000]).unwrap();
        }
    }
    drop(stdin);
    let out = wait_with_timeout(child, &cmd);
    assert_run(&out, "slept >= 1000 ms: yes\nread 10000 bytes\n", "", 0);
    assert!(start.elapsed() >= Duration::from_millis(1000));
}

/// A client that sends 1 000 bytes and resets the connection (`SO_LINGER` 0): the guest
/// receives what was sent, then an error or EOF, then its sends fail; Eddy exits 0.
#[test]
fn a_peer_reset_is_an_errno() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("tcplisten=127.0.0.1:{port}");
    let mut cmd = eddy_run(&["-S", &listen, &faults(), "reset"]);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    let start = Instant::now();
    let mut client = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(c) => break c,
            Err(_) if start.elapsed() < Duration::from_secs(10) => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("connect: {e}"),
        }
    };
    client.write_all(&[b'q'; 1000]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    rustix::net::sockopt::set_socket_linger(&client, Some(Duration::ZERO)).unwrap();
    drop(client);
    let out = wait_with_timeout(child, &cmd);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    let received = lines.next().unwrap_or_default();
    assert!(
        received == "received 1000, then Connection reset by peer"
            || received == "received 1000, then EOF",
        "{}",
        describe(&out)
    );
    let send = lines.next().unwrap_or_default();
    assert!(
        send == "send: Broken pipe" || send == "send: Connection reset by peer",
        "{}",
        describe(&out)
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(out.stderr.is_empty(), "{}", describe(&out));
}

/// Killed (SIGKILL) while writing 4 KiB records: every record the guest reported written
/// is in the file, whole.
#[test]
fn a_kill_mid_write_loses_no_reported_record() {
    let tmp = temp_dir();
    let mut cmd = eddy_run(&["--dir", &dir_arg(tmp.path(), "/sandbox"), &faults()]);
    cmd.args(["records", "rec", "1000000"]);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut reported = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let i: u64 = line.strip_prefix("record ").unwrap().parse().unwrap();
        reported = Some(i);
        if i >= 300 {
            child.kill().unwrap();
            break;
        }
    }
    child.wait().unwrap();
    let last = reported.expect("no record was reported");
    let data = std::fs::read(tmp.path().join("rec")).unwrap();
    assert!(
        data.len() as u64 >= (last + 1) * 4096,
        "{} bytes for {} records",
        data.len(),
        last + 1
    );
    for i in 0..=last {
        let rec = &data[(i * 4096) as usize..((i + 1) * 4096) as usize];
        let head = format!("{i}\n");
        assert!(rec.starts_with(head.as_bytes()), "record {i} is not whole");
        assert!(rec[head.len() + 1..].iter().all(|&b| b == b'r'), "record {i} is torn");
    }
}
