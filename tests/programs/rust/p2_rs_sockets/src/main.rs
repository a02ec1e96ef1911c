//! p2_rs_sockets: the WASI 0.2 `wasi:sockets` API from a Rust guest, through the `wasip2`
//! crate's bindings (`wasi:sockets@0.2.12`), on loopback only. Built for wasm32-wasip1 (a
//! preview1 command that also imports wasi:sockets directly); the host test
//! (crates/eddy-cli/tests/p2_rs_sockets.rs) adapts it into a component and runs each mode
//! through `eddy run` with the network grants the mode needs.
//!
//! `p2_rs_sockets MODE` prints one line per step: `label: ok`, `label: <error-code>` (the WIT
//! name) or `label: <value>`, with only facts that do not depend on the run (ports the OS
//! picks are never printed). Modes:
//!
//! - `tcp4`, `tcp6`: a listener and a client in this guest, connected over 127.0.0.1 / ::1
//! - `tcp-states`: the TCP state machine's error codes
//! - `tcp-options`: every TCP option getter and setter, and what accepted sockets inherit
//! - `udp`: datagram streams, connected and not, over 127.0.0.1 and ::1
//! - `udp-options`: the UDP options
//! - `lookup`: ip-name-lookup of `localhost`, IP literals and invalid names
//! - `denied`: every kind of call, for running under a policy that denies some of them
//! - `edge-cases`: calls where the OS alone would answer otherwise than the WIT says
//!
//! An unexpected failure of a step the rest depends on prints its error and exits with 1.

mod lookup;
mod tcp;
mod udp;
mod util;

use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::ip_name_lookup::resolve_addresses;
use wasip2::sockets::tcp_create_socket::create_tcp_socket;
use wasip2::sockets::udp::OutgoingDatagram;
use wasip2::sockets::udp_create_socket::create_udp_socket;

use util::*;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    match mode.as_str() {
        "tcp4" => tcp::connection(IpAddressFamily::Ipv4),
        "tcp6" => tcp::connection(IpAddressFamily::Ipv6),
        "tcp-states" => tcp::states(),
        "tcp-options" => tcp::options(),
        "udp" => udp::datagrams(),
        "udp-options" => udp::options(),
        "lookup" => lookup::lookup(),
        "denied" => denied(),
        "edge-cases" => tcp::edge_cases(),
        _ => {
            eprintln!(
                "usage: p2_rs_sockets tcp4|tcp6|tcp-states|tcp-options|udp|udp-options|lookup|denied|edge-cases"
            );
            std::process::exit(2);
        }
    }
    println!("done");
}

/// `denied`: one call of each kind, printing what the policy lets through. Steps that need a
/// socket say `no socket` when its creation was denied. Nothing here is meant to reach a peer:
/// the addresses are loopback ports nobody is expected to serve (9, discard).
fn denied() {
    let net = instance_network();
    let discard_v4 = v4([127, 0, 0, 1], 9);

    for family in [IpAddressFamily::Ipv4, IpAddressFamily::Ipv6] {
        let fam = family_name(family);
        let lo = loopback_text(family);
        match show(&format!("create-tcp-socket({fam})"), create_tcp_socket(family)) {
            Ok(s) => {
                say(&format!("  tcp start-bind({lo}:0)"), s.start_bind(&net, loopback(family, 0)));
            }
            Err(_) => println!("  tcp start-bind({lo}:0): no socket"),
        }
        match create_tcp_socket(family) {
            Ok(s) => {
                let to = loopback(family, 9);
                say(&format!("  tcp start-connect({lo}:9)"), s.start_connect(&net, to));
            }
            Err(_) => println!("  tcp start-connect({lo}:9): no socket"),
        }
    }

    match show("create-udp-socket(ipv4)", create_udp_socket(IpAddressFamily::Ipv4)) {
        Ok(s) => {
            let bound =
                show("  udp start-bind(127.0.0.1:0)", s.start_bind(&net, v4([127, 0, 0, 1], 0)))
                    .and_then(|()| s.finish_bind());
            if bound.is_ok() {
                say("  udp stream(some(127.0.0.1:9))", s.stream(Some(discard_v4)));
                let (_in, out) = s.stream(None).expect("stream(none)");
                let sent = out.check_send().and_then(|_| {
                    out.send(&[OutgoingDatagram {
                        data: b"x".to_vec(),
                        remote_address: Some(discard_v4),
                    }])
                });
                say("  udp send to 127.0.0.1:9", sent);
            }
        }
        Err(_) => println!("  udp start-bind(127.0.0.1:0): no socket"),
    }
    say("create-udp-socket(ipv6)", create_udp_socket(IpAddressFamily::Ipv6));
    say("resolve-addresses(localhost)", resolve_addresses(&net, "localhost"));
}
