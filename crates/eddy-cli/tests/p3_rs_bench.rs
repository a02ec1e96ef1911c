//! The WASI 0.3 benchmark guests (tests/programs/rust/p3_rs_bench, p3_rs_bench_fs,
//! p3_rs_bench_tcp; benches/README.md) run at small sizes: every mode does its work, checks
//! it, and prints its result line in the harness's format.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use common::*;

/// The path of the built p3 guest `name`.
fn guest(name: &str) -> String {
    rust_guest::module(name).to_str().expect("path is UTF-8").to_owned()
}

/// Asserts status 0 and that `text` is one line starting with `prefix` and holding `fields`.
fn assert_result_line(out: &std::process::Output, text: &[u8], prefix: &str, fields: &[&str]) {
    let line = String::from_utf8_lossy(text);
    let ok = out.status.code() == Some(0)
        && line.starts_with(prefix)
        && line.ends_with('\n')
        && line.matches('\n').count() == 1
        && fields.iter().all(|f| line.contains(f));
    assert!(ok, "expected one line `{prefix}...` with {fields:?}\n{}", describe(out));
}

#[test]
fn hello_stdout_and_timers_modes() {
    let prog = guest("p3_rs_bench");
    let out = run(eddy_run(&[&prog, "hello"]), b"");
    assert_run(&out, "hello from p3_rs_bench\n", "", 0);

    // 64 KiB untimed, then 1 MiB timed in 16 writes of 64 KiB; the line goes to stderr.
    let out = run(eddy_run(&[&prog, "stdout", "65536", "1"]), b"");
    assert_eq!(out.stdout.len(), (1 << 20) + (64 << 10), "{}", describe(&out));
    let fields = ["ns_per_op=", " ops=16 ", "bytes=1048576"];
    assert_result_line(&out, &out.stderr, "p3_stdout_65536 ", &fields);

    let out = run(eddy_run(&[&prog, "timers", "100", "1"]), b"");
    assert_result_line(&out, &out.stdout, "p3_timers_100 ", &[" ops=100 ", "wait_ms=1"]);

    let out = run(eddy_run(&[&prog, "nonsense"]), b"");
    assert!(out.status.code() == Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("FAILED: unknown mode"));
}

#[test]
fn read_mode_reads_the_whole_file() {
    let data = temp_dir();
    write_file(data.path(), "big.bin", vec![7u8; 1 << 20]);
    let prog = guest("p3_rs_bench_fs");
    let dir = dir_arg(data.path(), "/data");
    let out = run(eddy_run(&["--dir", &dir, &prog, "read", "/data/big.bin", "65536", "1"]), b"");
    assert_result_line(&out, &out.stdout, "p3_read_64KiB ", &[" ops=16 ", "reads=16"]);
}

#[test]
fn tcp_mode_echoes_one_connection() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let bind = format!("127.0.0.1:{port}");
    let mut cmd = eddy_run(&["--allow-bind", &bind, &guest("p3_rs_bench_tcp"), "tcp"]);
    cmd.arg(port.to_string()).arg("1");
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().expect("starting eddy");
    // The server listens once it has compiled and started: retry for a while.
    let start = Instant::now();
    let mut conn = loop {
        match TcpStream::connect(&bind) {
            Ok(c) => break c,
            Err(_) if start.elapsed() < RUN_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(e) => panic!("the echo server never listened on {bind}: {e}"),
        }
    };
    let message: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let writer = {
        let mut w = conn.try_clone().unwrap();
        let m = message.clone();
        std::thread::spawn(move || {
            w.write_all(&m).unwrap();
            w.shutdown(Shutdown::Write).unwrap();
        })
    };
    let mut echoed = Vec::new();
    conn.read_to_end(&mut echoed).unwrap();
    writer.join().unwrap();
    assert!(echoed == message, "echoed {} bytes, sent {}", echoed.len(), message.len());
    let out = wait_with_timeout(child, &cmd);
    assert_run(&out, "", "", 0);
}
