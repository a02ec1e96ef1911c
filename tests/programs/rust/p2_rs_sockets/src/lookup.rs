//! `lookup`: wasi:sockets/ip-name-lookup through the host resolver.

use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::ip_name_lookup::{resolve_addresses, ResolveAddressStream};

use crate::util::*;

/// Every address of the stream, polling its pollable while the next is `would-block`; then
/// what `resolve-next-address` says once they are exhausted.
fn drain(stream: &ResolveAddressStream) -> (Vec<IpAddress>, String) {
    let ready = stream.subscribe();
    let mut found = Vec::new();
    loop {
        match stream.resolve_next_address() {
            Ok(Some(a)) => found.push(a),
            Ok(None) => break,
            Err(ErrorCode::WouldBlock) => wait(&ready),
            Err(e) => return (found, e.name().to_string()),
        }
    }
    let after = match stream.resolve_next_address() {
        Ok(None) => "none".to_string(),
        Ok(Some(_)) => "an address".to_string(),
        Err(e) => e.name().to_string(),
    };
    (found, after)
}

pub fn lookup() {
    let net = instance_network();

    // localhost: the host's resolver decides which families come back; 127.0.0.1 always does.
    let stream = must("resolve-addresses(localhost)", resolve_addresses(&net, "localhost"));
    let (found, after) = drain(&stream);
    let texts: Vec<String> = found.iter().map(ip_address_text).collect();
    println!("has 127.0.0.1: {}", yes(texts.iter().any(|t| t == "127.0.0.1")));
    println!(
        "only loopback addresses: {}",
        yes(texts.iter().all(|t| t == "127.0.0.1" || t == "::1"))
    );
    println!("after the last address: {after}");

    // IP literals come back as they are, without a lookup.
    for name in ["127.0.0.1", "::1", "10.1.2.3", "fe80::1"] {
        let stream = must(&format!("resolve-addresses({name})"), resolve_addresses(&net, name));
        let (found, after) = drain(&stream);
        let texts: Vec<String> = found.iter().map(ip_address_text).collect();
        println!("  addresses: [{}], then {after}", texts.join(", "));
    }

    // Syntactically invalid names are invalid-argument, before any lookup.
    for name in ["no such host!", "", "a b", "bad/name"] {
        say(&format!("resolve-addresses({name:?})"), resolve_addresses(&net, name));
    }
}
