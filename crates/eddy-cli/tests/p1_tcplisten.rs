//! `-S tcplisten=ADDR`: a preview1 server (guest: p1_tcp_echo) accepts real loopback clients
//! on a socket the host listens on, echoes their bytes upper-cased, and shuts each down.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Connects, retrying while the guest's host has not bound the port yet (10 s at most).
fn connect(port: u16) -> TcpStream {
    let start = Instant::now();
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => return s,
            Err(e) if start.elapsed() < Duration::from_secs(10) => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("connecting to 127.0.0.1:{port}: {e}"),
        }
    }
}

#[test]
fn tcplisten_serves_clients() {
    let port = free_port();
    let listen = format!("tcplisten=127.0.0.1:{port}");
    let mut cmd = eddy_run(&["-S", &listen, s(&program("p1_tcp_echo")), "3", "2"]);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawning eddy");

    for msg in ["hello", "second client!"] {
        let mut conn = connect(port);
        conn.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        conn.write_all(msg.as_bytes()).unwrap();
        conn.shutdown(Shutdown::Write).unwrap();
        let mut back = String::new();
        conn.read_to_string(&mut back).unwrap();
        assert_eq!(back, msg.to_uppercase());
    }

    // Killed (and the test failed) if it does not finish within RUN_TIMEOUT.
    let out = wait_with_timeout(child, &cmd);
    assert_run(
        &out,
        "client 1: echoed 5 bytes\nclient 2: echoed 14 bytes\nrecv on listener: Socket not connected\n",
        "",
        0,
    );
}

#[test]
fn tcplisten_on_a_taken_port_is_one_line() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let listen = format!("tcplisten=127.0.0.1:{port}");
    let out = run(eddy_run(&["-S", &listen, s(&program("p1_tcp_echo"))]), b"");
    assert_error_line(&out, "", 1, &["cannot listen on 127.0.0.1:", "tcplisten"]);
    let out = run(eddy_run(&["-S", "tcplisten=nonsense", s(&program("p1_tcp_echo"))]), b"");
    assert_usage_error(&out, &["-S tcplisten=nonsense"]);
}

#[test]
fn without_a_grant_there_is_no_socket() {
    // fd 3 is not open: poll() reports it invalid and the guest says so.
    let out = run(eddy_run(&[s(&program("p1_tcp_echo")), "3", "1"]), b"");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("poll on listener failed"),
        "{}",
        describe(&out)
    );
}
