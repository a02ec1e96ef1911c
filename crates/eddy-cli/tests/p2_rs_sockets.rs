//! The Rust guest `tests/programs/rust/p2_rs_sockets` (wasi:sockets 0.2 through the `wasip2`
//! crate) run through `eddy run` as a component: TCP over IPv4 and IPv6 loopback, the TCP
//! state machine's error codes, every TCP and UDP option, UDP datagram streams, name lookup,
//! and the same calls under a policy that denies them. One test per guest mode, each with
//! the network grants that mode needs and its exact output.
//!
//! The guest is a wasm32-wasip1 core module built by `scripts/build-rust-guests.sh` (Debian's
//! rustc-web, see TOOLCHAIN.md) into `<target>/rust-guests/bin/`; this test adapts it into a
//! component once per run. `EDDY_RUST_GUESTS` may name the directory of the built guests.
//!
//! `wit_edge_cases` holds the calls where the OS alone would answer otherwise than the WIT.

mod common;

use std::sync::OnceLock;

use common::*;

/// p2_rs_sockets adapted into a component (once per test binary), as a path string.
fn sockets_component() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| rust_guest::component("p2_rs_sockets"))
}

/// Runs the guest in `mode` with the network `flags`.
fn sockets(flags: &[&str], mode: &str) -> std::process::Output {
    let mut args = flags.to_vec();
    args.extend([sockets_component(), mode]);
    run(eddy_run(&args), b"")
}

/// Lines, each ended by a newline.
fn lines(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// `template` with each `{name}` replaced by its value.
fn fill(template: &[&str], vars: &[(&str, &str)]) -> String {
    let mut text = lines(template);
    for (name, value) in vars {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

const IPV4: &[(&str, &str)] = &[("fam", "ipv4"), ("lo", "127.0.0.1"), ("ip", "127.0.0.1")];
const IPV6: &[(&str, &str)] = &[("fam", "ipv6"), ("lo", "[::1]"), ("ip", "::1")];

/// Bind 127.0.0.1 on a port the OS picks (port 0) and connect to any of its ports; nothing else.
const TCP4_GRANTS: &[&str] =
    &["--allow-bind", "127.0.0.1:0", "--allow-connect", "127.0.0.1:1-65535"];

/// The same for ::1.
const TCP6_GRANTS: &[&str] = &["--allow-bind", "[::1]:0", "--allow-connect", "[::1]:1-65535"];

#[test]
fn tcp_connection_over_ipv4() {
    let out = sockets(TCP4_GRANTS, "tcp4");
    assert_run(&out, &fill(TCP_CONNECTION, IPV4), "", 0);
}

#[test]
fn tcp_connection_over_ipv6() {
    let out = sockets(TCP6_GRANTS, "tcp6");
    assert_run(&out, &fill(TCP_CONNECTION, IPV6), "", 0);
}

#[test]
fn tcp_state_machine_error_codes() {
    // Binding the listener's own port (address-in-use) needs more than port 0.
    let out = sockets(&["-S", "inherit-network"], "tcp-states");
    assert_run(&out, &lines(TCP_STATES), "", 0);
}

#[test]
fn tcp_options() {
    let out = sockets(TCP4_GRANTS, "tcp-options");
    let expected = fill(TCP_OPTIONS, IPV4) + &fill(TCP_OPTIONS, IPV6) + &lines(TCP_INHERITED);
    assert_run(&out, &expected, "", 0);
}

#[test]
fn udp_datagram_streams() {
    let out = sockets(&["-S", "inherit-network"], "udp");
    let expected = fill(UDP_FLOW, IPV4) + &fill(UDP_FLOW, IPV6) + "done\n";
    assert_run(&out, &expected, "", 0);
}

#[test]
fn udp_options() {
    let out = sockets(&["-S", "inherit-network"], "udp-options");
    let expected = fill(UDP_OPTIONS, IPV4) + &fill(UDP_OPTIONS, IPV6) + "done\n";
    assert_run(&out, &expected, "", 0);
}

#[test]
fn name_lookup() {
    let out = sockets(&["-S", "allow-ip-name-lookup"], "lookup");
    let expected = lines(&[
        "resolve-addresses(localhost): ok",
        "has 127.0.0.1: yes",
        "only loopback addresses: yes",
        "after the last address: none",
        "resolve-addresses(127.0.0.1): ok",
        "  addresses: [127.0.0.1], then none",
        "resolve-addresses(::1): ok",
        "  addresses: [::1], then none",
        "resolve-addresses(10.1.2.3): ok",
        "  addresses: [10.1.2.3], then none",
        "resolve-addresses(fe80::1): ok",
        "  addresses: [fe80::1], then none",
        "resolve-addresses(\"no such host!\"): invalid-argument",
        "resolve-addresses(\"\"): invalid-argument",
        "resolve-addresses(\"a b\"): invalid-argument",
        "resolve-addresses(\"bad/name\"): invalid-argument",
        "done",
    ]);
    assert_run(&out, &expected, "", 0);
}

#[test]
fn everything_denied_by_default() {
    // Creating a socket reaches no network and needs no grant; bind and connect do.
    let out = sockets(&[], "denied");
    let expected = lines(&[
        "create-tcp-socket(ipv4): ok",
        "  tcp start-bind(127.0.0.1:0): access-denied",
        "  tcp start-connect(127.0.0.1:9): access-denied",
        "create-tcp-socket(ipv6): ok",
        "  tcp start-bind([::1]:0): access-denied",
        "  tcp start-connect([::1]:9): access-denied",
        "create-udp-socket(ipv4): ok",
        "  udp start-bind(127.0.0.1:0): access-denied",
        "create-udp-socket(ipv6): ok",
        "resolve-addresses(localhost): access-denied",
        "done",
    ]);
    assert_run(&out, &expected, "", 0);
}

#[test]
fn denied_outside_a_bind_grant() {
    // One grant: bind on 127.0.0.1, any port. Sockets can be created; connecting, sending,
    // binding elsewhere and name lookups stay denied.
    let out = sockets(&["--allow-bind", "127.0.0.1:0-65535"], "denied");
    let expected = lines(&[
        "create-tcp-socket(ipv4): ok",
        "  tcp start-bind(127.0.0.1:0): ok",
        "  tcp start-connect(127.0.0.1:9): access-denied",
        "create-tcp-socket(ipv6): ok",
        "  tcp start-bind([::1]:0): access-denied",
        "  tcp start-connect([::1]:9): access-denied",
        "create-udp-socket(ipv4): ok",
        "  udp start-bind(127.0.0.1:0): ok",
        "  udp stream(some(127.0.0.1:9)): access-denied",
        "  udp send to 127.0.0.1:9: access-denied",
        "create-udp-socket(ipv6): ok",
        "resolve-addresses(localhost): access-denied",
        "done",
    ]);
    assert_run(&out, &expected, "", 0);
}

#[test]
fn unknown_mode_is_an_error() {
    let out = sockets(&[], "nonsense");
    let usage = "usage: p2_rs_sockets \
                 tcp4|tcp6|tcp-states|tcp-options|udp|udp-options|lookup|denied|edge-cases\n";
    // exit(2) through the preview1 adapter is `exit(err)`: status 1.
    assert_run(&out, "", usage, 1);
}

/// Where the OS alone would answer otherwise than the WIT, so Eddy steps in
/// (crates/eddy-wasi/src/p2/sockets.rs): `tcp start-bind` of a multicast or broadcast IPv4
/// address is `invalid-argument` ("not a unicast address"; Linux would bind it); keep-alive
/// idle time / interval above Linux's 32767 s and a count above 127 are clamped, not errors
/// (the WIT: any value but 0 never fails); `shutdown(receive)` closes the input stream and
/// discards queued bytes (Linux would still deliver them).
#[test]
fn wit_edge_cases() {
    let out = sockets(&["-S", "inherit-network"], "edge-cases");
    let expected = lines(&[
        "tcp start-bind(224.0.0.1:0): invalid-argument",
        "tcp start-bind(255.255.255.255:0): invalid-argument",
        "set-keep-alive-idle-time(1 day): ok",
        "set-keep-alive-interval(1 day): ok",
        "set-keep-alive-count(1000): ok",
        "client shutdown(receive) with 6 bytes queued: ok",
        "client reads after it: 0 bytes, then closed",
        "done",
    ]);
    assert_run(&out, &expected, "", 0);
}

/// `tcp4` / `tcp6` (`{fam}`: ipv4/ipv6, `{lo}`: 127.0.0.1/[::1], `{ip}`: 127.0.0.1/::1).
const TCP_CONNECTION: &[&str] = &[
    "create-tcp-socket({fam}): ok",
    "address-family: {fam}",
    "is-listening before listen: false",
    "local-address before bind: invalid-state",
    "start-bind({lo}:0): ok",
    "finish-bind: ok",
    "local-address: ok",
    "bound to {ip}, port chosen by the OS: yes",
    "start-listen: ok",
    "finish-listen: ok",
    "is-listening: true",
    "accept with no client yet: would-block",
    "client create-tcp-socket: ok",
    "client start-connect: ok",
    "client finish-connect: ok",
    "client is-listening: false",
    "accept: ok",
    "accepted address-family: {fam}",
    "accepted is-listening: false",
    "client local-address: ok",
    "client remote-address: ok",
    "accepted local-address: ok",
    "accepted remote-address: ok",
    "client local-address is {ip}",
    "client remote-address matches the listener's address: yes",
    "accepted local-address matches the listener's address: yes",
    "accepted remote-address matches client local-address: yes",
    "listener remote-address: invalid-state",
    "server read: \"hello from the client\"",
    "client read: \"hello from the server\"",
    "256 KiB client -> server -> client intact: yes",
    "client shutdown(send): ok",
    "server reads after it: 0 bytes, then closed",
    "client write after shutdown(send): closed",
    "client shutdown(send) again: ok",
    "client still reads: \"half-closed\"",
    "accepted shutdown(both): ok",
    "client reads after it: 0 bytes, then closed",
    "listener shutdown(send): invalid-state",
    "done",
];

/// `tcp-states`: each code as the WIT gives it (`concurrency-conflict` is its general code for
/// an operation already in progress, POSIX `EALREADY`). The closing `would-block` relies on
/// Linux dropping the SYN to a listener whose accept queue is full (backlog 1: two queued).
const TCP_STATES: &[&str] = &[
    "create-tcp-socket(ipv4): ok",
    "unbound: finish-bind: not-in-progress",
    "unbound: finish-listen: not-in-progress",
    "unbound: finish-connect: not-in-progress",
    "unbound: start-listen: invalid-state",
    "unbound: accept: invalid-state",
    "unbound: local-address: invalid-state",
    "unbound: remote-address: invalid-state",
    "unbound: shutdown(both): invalid-state",
    "start-bind([::1]:0) on an ipv4 socket: invalid-argument",
    "start-bind(127.0.0.1:0): ok",
    "finish-bind: ok",
    "finish-bind again: not-in-progress",
    "bound: start-bind(127.0.0.1:0): invalid-state",
    "bound: accept: invalid-state",
    "bound: remote-address: invalid-state",
    "bound: shutdown(send): invalid-state",
    "set-listen-backlog-size(0): invalid-argument",
    "start-listen: ok",
    "start-listen again before finish-listen: concurrency-conflict",
    "finish-listen: ok",
    "finish-listen again: not-in-progress",
    "listening: start-listen: invalid-state",
    "listening: start-bind(127.0.0.1:0): invalid-state",
    "listening: start-connect to itself: invalid-state",
    "listening: set-listen-backlog-size(0): invalid-argument",
    "listening: set-listen-backlog-size(16): ok",
    "listening: accept with no client: would-block",
    "start-bind to the listener's address: address-in-use",
    "client create-tcp-socket(ipv4): ok",
    "start-connect to port 0: invalid-argument",
    "start-connect to 0.0.0.0: invalid-argument",
    "start-connect to 255.255.255.255: invalid-argument",
    "start-connect to 224.0.0.1: invalid-argument",
    "start-connect to [::1]: invalid-argument",
    "start-connect to the listener: ok",
    "start-connect again before finish-connect: concurrency-conflict",
    "connecting: set-listen-backlog-size(16): invalid-state",
    "finish-connect: ok",
    "finish-connect again: not-in-progress",
    "connected: start-connect: invalid-state",
    "connected: start-bind(127.0.0.1:0): invalid-state",
    "connected: start-listen: invalid-state",
    "connected: accept: invalid-state",
    "connected: set-listen-backlog-size(16): invalid-state",
    "accept: ok",
    "accepted: start-listen: invalid-state",
    "client create-tcp-socket(ipv4): ok",
    "start-connect to a bound port nobody listens on: ok",
    "finish-connect: connection-refused",
    "after the failure: start-connect: invalid-state",
    "create-tcp-socket(ipv6): ok",
    "ipv6 start-bind([::ffff:127.0.0.1]:0): invalid-argument",
    "ipv6 start-connect([::ffff:127.0.0.1]): invalid-argument",
    "ipv6 start-bind(127.0.0.1:0): invalid-argument",
    "ipv6 start-connect(127.0.0.1:80): invalid-argument",
    "ipv6 start-bind([ff02::1]:0): invalid-argument",
    "backlog listener: set-listen-backlog-size(1): ok",
    "two clients connect (queued, not accepted): ok, ok",
    "third client start-connect: ok",
    "third client pollable ready: no",
    "third client finish-connect: would-block",
    "done",
];

/// `tcp-options`, once per family (`{fam}`).
const TCP_OPTIONS: &[&str] = &[
    "create-tcp-socket({fam}): ok",
    "keep-alive-enabled: false",
    "set-keep-alive-enabled(true): ok, get: true",
    "set-keep-alive-enabled(false): ok, get: false",
    "keep-alive-idle-time > 0: yes",
    "set-keep-alive-idle-time(0): invalid-argument",
    "set-keep-alive-idle-time(30s): ok, get: 30s",
    "set-keep-alive-idle-time(1.5s): ok, get > 0: yes",
    "keep-alive-interval > 0: yes",
    "set-keep-alive-interval(0): invalid-argument",
    "set-keep-alive-interval(10s): ok, get: 10s",
    "keep-alive-count > 0: yes",
    "set-keep-alive-count(0): invalid-argument",
    "set-keep-alive-count(5): ok, get: 5",
    "hop-limit > 0: yes",
    "set-hop-limit(0): invalid-argument",
    "set-hop-limit(1): ok, get: 1",
    "set-hop-limit(42): ok, get: 42",
    "set-hop-limit(255): ok, get: 255",
    "receive-buffer-size > 0: yes",
    "set-receive-buffer-size(0): invalid-argument",
    "set-receive-buffer-size(65536): ok, get >= 65536: yes",
    "set-receive-buffer-size(1 TiB): ok, get > 0: yes",
    "send-buffer-size > 0: yes",
    "set-send-buffer-size(0): invalid-argument",
    "set-send-buffer-size(65536): ok, get >= 65536: yes",
    "set-send-buffer-size(1 TiB): ok, get > 0: yes",
    "set-listen-backlog-size(0): invalid-argument",
    "set-listen-backlog-size(1): ok",
    "set-listen-backlog-size(1000): ok",
];

/// `tcp-options`, the options an accepted socket inherits, then the end.
const TCP_INHERITED: &[&str] = &[
    "listener: keep-alive on, idle 40s, interval 7s, count 3, hop-limit 33, buffers 64 KiB",
    "accept: ok",
    "accepted keep-alive-enabled: true",
    "accepted keep-alive-idle-time: 40s",
    "accepted keep-alive-interval: 7s",
    "accepted keep-alive-count: 3",
    "accepted hop-limit: 33",
    "accepted receive-buffer-size equals the listener's: yes",
    "accepted send-buffer-size equals the listener's: yes",
    "done",
];

/// `udp`, once per family (`{fam}`, `{lo}`, `{ip}` as for [`TCP_CONNECTION`]).
const UDP_FLOW: &[&str] = &[
    "== {fam} ==",
    "create-udp-socket({fam}): ok",
    "address-family: {fam}",
    "unbound: local-address: invalid-state",
    "unbound: stream(none): invalid-state",
    "unbound: finish-bind: not-in-progress",
    "start-bind({lo}:0): ok",
    "finish-bind: ok",
    "finish-bind again: not-in-progress",
    "bound: start-bind again: invalid-state",
    "local-address: ok",
    "bound to {ip}, port chosen by the OS: yes",
    "socket pollable ready: yes",
    "remote-address before stream: invalid-state",
    "a stream(some(b)): ok",
    "b stream(some(a)): ok",
    "a remote-address: ok",
    "a remote-address matches b local-address: yes",
    "a check-send permits 3 or more: yes",
    "a send 3 datagrams: sent 3",
    "b received \"one\" from the sender's address: yes",
    "b received \"two\" from the sender's address: yes",
    "b received \"three\" from the sender's address: yes",
    "b send to a's address: sent 1",
    "a received \"reply\" from the sender's address: yes",
    "a send to another address: invalid-argument",
    "a send of no datagrams: sent 0",
    "a receive(0): 0 datagrams",
    "a receive(10) with nothing waiting: 0 datagrams",
    "a send of 65536 bytes: datagram-too-large",
    "stranger send to a: sent 1",
    "a received \"from b\" from the sender's address: yes",
    "a stream(none): ok",
    "a remote-address after stream(none): invalid-state",
    "c stream(none): ok",
    "d stream(none): ok",
    "c send 2 datagrams to d's address: sent 2",
    "d received \"to d\" from the sender's address: yes",
    "d received \"to d again\" from the sender's address: yes",
    "c send without an address: invalid-argument",
    "c send to port 0: invalid-argument",
    "c send to the unspecified address: invalid-argument",
    "c send to the other family: invalid-argument",
    "c stream(some(port 0)): invalid-argument",
];

/// `udp-options`, once per family (`{fam}`).
const UDP_OPTIONS: &[&str] = &[
    "create-udp-socket({fam}): ok",
    "unicast-hop-limit > 0: yes",
    "set-unicast-hop-limit(0): invalid-argument",
    "set-unicast-hop-limit(1): ok, get: 1",
    "set-unicast-hop-limit(17): ok, get: 17",
    "set-unicast-hop-limit(255): ok, get: 255",
    "receive-buffer-size > 0: yes",
    "set-receive-buffer-size(0): invalid-argument",
    "set-receive-buffer-size(65536): ok, get >= 65536: yes",
    "set-receive-buffer-size(1 TiB): ok, get > 0: yes",
    "send-buffer-size > 0: yes",
    "set-send-buffer-size(0): invalid-argument",
    "set-send-buffer-size(65536): ok, get >= 65536: yes",
    "set-send-buffer-size(1 TiB): ok, get > 0: yes",
];
