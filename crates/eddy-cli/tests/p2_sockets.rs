//! wasi:sockets 0.2 under the network policy, on real loopback sockets started by the test:
//! p2_tcp_client.wat (connects to 127.0.0.1:PORT, sends a line, prints the reply) and
//! p2_tcp_server.wat (binds 127.0.0.1:PORT, accepts N clients, echoes each),
//! p2_udp_ping.wat (sends "ping" to 127.0.0.1:PORT over UDP, prints the answer),
//! p2_name_lookup.wat (resolves a name, says whether a loopback address came back), plus every
//! denied case (default policy, outside an allow-list, a protocol switched off) and
//! p2_sockets_denied.wat under grants. Each guest prints the wasi:sockets error-code name of
//! a failed step. (Unconnected UDP, the state machines' error codes and every option are
//! tested on the host side, in eddy-wasi's `p2::sockets` unit tests, on real loopback
//! sockets too.)

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use common::*;

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A one-shot server on 127.0.0.1: reads one client's bytes until it shuts down its side,
/// answers them upper-cased and closes. Returns the port and the thread (giving the bytes).
fn upper_server() -> (u16, thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut got = Vec::new();
        conn.read_to_end(&mut got).unwrap();
        conn.write_all(&got.to_ascii_uppercase()).unwrap();
        got
    });
    (port, t)
}

fn client(flags: &[&str], port: u16) -> std::process::Output {
    let mut args: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
    args.push(s(&program("p2_tcp_client.wat")).to_string());
    args.push(port.to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(eddy_run(&args), b"")
}

#[test]
fn tcp_client_talks_to_an_allowed_server() {
    let (port, server) = upper_server();
    let allow = format!("127.0.0.1:{port}");
    let out = client(&["--allow-connect", &allow], port);
    assert_run(&out, "got: HELLO FROM WASM\ndone\n", "", 0);
    assert_eq!(server.join().unwrap(), b"hello from wasm\n");
}

#[test]
fn tcp_client_with_inherit_network_and_a_cidr_grant() {
    let (port, server) = upper_server();
    let out = client(&["-S", "inherit-network"], port);
    assert_run(&out, "got: HELLO FROM WASM\ndone\n", "", 0);
    server.join().unwrap();
    let (port, server) = upper_server();
    let allow = format!("127.0.0.0/8:{}-{}", port - 1, port);
    let out = client(&["--allow-connect", &allow], port);
    assert_run(&out, "got: HELLO FROM WASM\ndone\n", "", 0);
    server.join().unwrap();
}

#[test]
fn tcp_connection_refused() {
    let port = free_port();
    let out = client(&["-S", "inherit-network"], port);
    assert_run(&out, "connect: connection-refused\n", "", 1);
}

#[test]
fn tcp_denied_by_default_and_outside_the_allow_list() {
    // A listener is there, but no connection may reach it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let out = client(&[], port);
    assert_run(&out, "connect: access-denied\n", "", 1);
    let other_port = format!("127.0.0.1:{}", port.wrapping_add(1).max(1));
    let out = client(&["--allow-connect", &other_port], port);
    assert_run(&out, "connect: access-denied\n", "", 1);
    let other_addr = format!("127.0.0.2:{port}");
    let out = client(&["--allow-connect", &other_addr], port);
    assert_run(&out, "connect: access-denied\n", "", 1);
    let v6 = format!("[::1]:{port}");
    let out = client(&["--allow-connect", &v6], port);
    assert_run(&out, "connect: access-denied\n", "", 1);
    // Binding is not connecting.
    let bind = format!("127.0.0.1:{port}");
    let out = client(&["--allow-bind", &bind], port);
    assert_run(&out, "connect: access-denied\n", "", 1);
    // TCP switched off: the socket is made (no network reached), the connect is denied.
    let out = client(&["-S", "inherit-network", "-S", "tcp=n"], port);
    assert_run(&out, "connect: access-denied\n", "", 1);
    assert!(listener.accept().is_err(), "nothing connected");
}

/// Connects, retrying while the guest has not listened yet (10 s at most).
fn connect(port: u16) -> TcpStream {
    let start = Instant::now();
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => return s,
            Err(_) if start.elapsed() < Duration::from_secs(10) => {
                thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("connecting to 127.0.0.1:{port}: {e}"),
        }
    }
}

#[test]
fn tcp_server_accepts_clients() {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let server = s(&program("p2_tcp_server.wat")).to_string();
    let port_arg = port.to_string();
    let mut cmd = eddy_run(&["--allow-bind", &bind, &server, &port_arg, "2"]);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawning eddy");
    for msg in ["hello", "second client!"] {
        let mut conn = connect(port);
        conn.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        conn.write_all(msg.as_bytes()).unwrap();
        conn.shutdown(Shutdown::Write).unwrap();
        let mut back = String::new();
        conn.read_to_string(&mut back).unwrap();
        assert_eq!(back, msg);
    }
    // Killed (and the test failed) if it does not finish within RUN_TIMEOUT.
    let out = wait_with_timeout(child, &cmd);
    assert_run(&out, "listening\nclient: hello\nclient: second client!\ndone\n", "", 0);
}

#[test]
fn tcp_server_bind_denied() {
    let port = free_port();
    let server = s(&program("p2_tcp_server.wat")).to_string();
    let port_arg = port.to_string();
    let out = run(eddy_run(&[&server, &port_arg, "1"]), b"");
    assert_run(&out, "bind: access-denied\n", "", 1);
    let elsewhere = format!("127.0.0.1:{}", port.wrapping_add(1).max(1));
    for flags in [vec!["--allow-bind", &elsewhere], vec!["--allow-connect", "127.0.0.1:1-65535"]] {
        let mut args = flags.clone();
        args.extend([server.as_str(), port_arg.as_str(), "1"]);
        let out = run(eddy_run(&args), b"");
        assert_run(&out, "bind: access-denied\n", "", 1);
    }
}

#[test]
fn tcp_server_address_in_use() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let server = s(&program("p2_tcp_server.wat")).to_string();
    let port_arg = port.to_string();
    let out = run(eddy_run(&["-S", "inherit-network", &server, &port_arg, "1"]), b"");
    assert_run(&out, "bind: address-in-use\n", "", 1);
}

/// What p2_sockets_denied.wat prints: one line per socket it tried to create, `ok` or the
/// error-code name.
fn sockets(tcp: &str, udp: &str) -> String {
    format!("tcp: {tcp}\nudp: {udp}\n")
}

#[test]
fn socket_creation_needs_no_grant() {
    // Creating a socket reaches no network: it succeeds under every policy, protocols
    // switched off included (their bind/connect/send are denied).
    let wat = program("p2_sockets_denied.wat");
    let cases: [&[&str]; 5] = [
        &[],
        &["-S", "inherit-network"],
        &["-S", "inherit-network", "-S", "tcp=n"],
        &["-S", "inherit-network", "-S", "udp=n"],
        &["-S", "allow-ip-name-lookup"],
    ];
    for flags in cases {
        let mut args = flags.to_vec();
        args.push(s(&wat));
        let out = run(eddy_run(&args), b"");
        assert_run(&out, &sockets("ok", "ok"), "", 0);
    }
}

#[test]
fn network_flags_after_the_file_grant_nothing() {
    // Written after FILE they are the guest's arguments: no connection may be made.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let port_arg = port.to_string();
    let wat = program("p2_tcp_client.wat");
    for flags in [
        &["-S", "inherit-network"][..],
        &["--allow-connect", "127.0.0.1:1-65535", "--allow-bind", "127.0.0.1:0-65535"],
        &["--", "-S", "inherit-network"],
    ] {
        let mut args = vec![s(&wat), port_arg.as_str()];
        args.extend(flags);
        let out = run(eddy_run(&args), b"");
        assert_run(&out, "connect: access-denied\n", "", 1);
    }
    assert!(listener.accept().is_err(), "nothing connected");
}

#[test]
fn bad_network_flags_are_usage_errors() {
    let wat = program("p2_sockets_denied.wat");
    for (flag, value) in [
        ("--allow-connect", "nonsense"),
        ("--allow-connect", "127.0.0.1"),
        ("--allow-bind", "::1:80"),
        ("--allow-bind", "10.0.0.0/40:80"),
        ("--allow-connect", "127.0.0.1:9-1"),
    ] {
        let out = run(eddy_run(&[flag, value, s(&wat)]), b"");
        assert_usage_error(&out, &[flag, value]);
    }
    let out = run(eddy_run(&["-S", "tcp=maybe", s(&wat)]), b"");
    assert_usage_error(&out, &["-S tcp=maybe"]);
}

/// A one-shot UDP peer on 127.0.0.1 answering one datagram upper-cased.
fn udp_upper_peer() -> (u16, thread::JoinHandle<Vec<u8>>) {
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();
    let t = thread::spawn(move || {
        sock.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut buf = [0u8; 100];
        let (n, from) = sock.recv_from(&mut buf).unwrap();
        sock.send_to(&buf[..n].to_ascii_uppercase(), from).unwrap();
        buf[..n].to_vec()
    });
    (port, t)
}

fn udp_ping(flags: &[&str], port: u16) -> std::process::Output {
    let mut args: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
    args.push(s(&program("p2_udp_ping.wat")).to_string());
    args.push(port.to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(eddy_run(&args), b"")
}

#[test]
fn udp_ping_pong() {
    let (port, peer) = udp_upper_peer();
    let connect = format!("127.0.0.1:{port}");
    let out = udp_ping(&["--allow-connect", &connect, "--allow-bind", "127.0.0.1:0"], port);
    assert_run(&out, "got: PING\ndone\n", "", 0);
    assert_eq!(peer.join().unwrap(), b"ping");
}

#[test]
fn udp_denied_cases() {
    let port = free_port();
    let connect = format!("127.0.0.1:{port}");
    let out = udp_ping(&[], port);
    assert_run(&out, "bind: access-denied\n", "", 1);
    let out = udp_ping(&["--allow-connect", &connect], port);
    assert_run(&out, "bind: access-denied\n", "", 1);
    let out = udp_ping(&["--allow-bind", "127.0.0.1:0"], port);
    assert_run(&out, "stream: access-denied\n", "", 1);
    let out = udp_ping(&["-S", "inherit-network", "-S", "udp=n"], port);
    assert_run(&out, "bind: access-denied\n", "", 1);
}

#[test]
fn name_lookup_of_localhost_needs_its_grant() {
    let wat = program("p2_name_lookup.wat");
    let lookup = |flags: &[&str], name: &str| {
        let mut args = flags.to_vec();
        args.extend([s(&wat), name]);
        run(eddy_run(&args), b"")
    };
    let grant = ["-S", "allow-ip-name-lookup"];
    assert_run(&lookup(&grant, "localhost"), "lookup: loopback\n", "", 0);
    assert_run(&lookup(&grant, "::1"), "lookup: loopback\n", "", 0);
    assert_run(&lookup(&grant, "10.0.0.1"), "lookup: other\n", "", 0);
    assert_run(&lookup(&grant, "a b"), "lookup: invalid-argument\n", "", 1);
    assert_run(&lookup(&[], "localhost"), "lookup: access-denied\n", "", 1);
    // Address grants do not grant lookups.
    assert_run(&lookup(&["-S", "inherit-network"], "localhost"), "lookup: access-denied\n", "", 1);
}
