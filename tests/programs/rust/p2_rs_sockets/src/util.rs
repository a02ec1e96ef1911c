//! Small helpers shared by the modes: printing results, building and comparing addresses,
//! waiting on pollables, and moving bytes through `wasi:io/streams`.

use std::net::{Ipv4Addr, Ipv6Addr};

use wasip2::io::poll::{poll, Pollable};
use wasip2::io::streams::{InputStream, OutputStream, StreamError};
pub use wasip2::sockets::network::{
    ErrorCode, IpAddress, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress,
};

/// `ok`, or the WIT name of the error code (`invalid-state`, ...).
pub fn outcome<T>(r: &Result<T, ErrorCode>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.name(),
    }
}

/// Prints `label: ok` or `label: <error-code>` and hands the result back.
pub fn show<T>(label: &str, r: Result<T, ErrorCode>) -> Result<T, ErrorCode> {
    println!("{label}: {}", outcome(&r));
    r
}

/// Prints `label: ok` or `label: <error-code>` (a step whose result nothing else needs).
pub fn say<T>(label: &str, r: Result<T, ErrorCode>) {
    println!("{label}: {}", outcome(&r));
}

/// A step every later one depends on: prints `label: ok` and returns the value, or prints
/// `label: <error-code>` and exits with status 1.
pub fn must<T>(label: &str, r: Result<T, ErrorCode>) -> T {
    match r {
        Ok(v) => {
            println!("{label}: ok");
            v
        }
        Err(e) => {
            println!("{label}: {}", e.name());
            std::process::exit(1)
        }
    }
}

/// `yes` / `no`.
pub fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// `ipv4` / `ipv6`.
pub fn family_name(f: IpAddressFamily) -> &'static str {
    match f {
        IpAddressFamily::Ipv4 => "ipv4",
        IpAddressFamily::Ipv6 => "ipv6",
    }
}

/// An IPv4 socket address.
pub fn v4(ip: [u8; 4], port: u16) -> IpSocketAddress {
    IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address: (ip[0], ip[1], ip[2], ip[3]) })
}

/// An IPv6 socket address (no flow info, no scope).
pub fn v6(ip: Ipv6Addr, port: u16) -> IpSocketAddress {
    let [a, b, c, d, e, f, g, h] = ip.segments();
    IpSocketAddress::Ipv6(Ipv6SocketAddress {
        port,
        flow_info: 0,
        address: (a, b, c, d, e, f, g, h),
        scope_id: 0,
    })
}

/// The loopback address of a family (`127.0.0.1` / `::1`) with `port`.
pub fn loopback(family: IpAddressFamily, port: u16) -> IpSocketAddress {
    match family {
        IpAddressFamily::Ipv4 => v4([127, 0, 0, 1], port),
        IpAddressFamily::Ipv6 => v6(Ipv6Addr::LOCALHOST, port),
    }
}

/// The loopback address as written in labels: `127.0.0.1` / `[::1]`.
pub fn loopback_text(family: IpAddressFamily) -> &'static str {
    match family {
        IpAddressFamily::Ipv4 => "127.0.0.1",
        IpAddressFamily::Ipv6 => "[::1]",
    }
}

/// The same address with another port.
pub fn with_port(a: IpSocketAddress, port: u16) -> IpSocketAddress {
    match a {
        IpSocketAddress::Ipv4(x) => IpSocketAddress::Ipv4(Ipv4SocketAddress { port, ..x }),
        IpSocketAddress::Ipv6(x) => IpSocketAddress::Ipv6(Ipv6SocketAddress { port, ..x }),
    }
}

pub fn port_of(a: &IpSocketAddress) -> u16 {
    match a {
        IpSocketAddress::Ipv4(x) => x.port,
        IpSocketAddress::Ipv6(x) => x.port,
    }
}

/// The IP part of an address, without the port (which the OS picks and so is never printed).
pub fn ip_text(a: &IpSocketAddress) -> String {
    match a {
        IpSocketAddress::Ipv4(x) => {
            let (p, q, r, s) = x.address;
            Ipv4Addr::new(p, q, r, s).to_string()
        }
        IpSocketAddress::Ipv6(x) => {
            let (p, q, r, s, t, u, v, w) = x.address;
            Ipv6Addr::new(p, q, r, s, t, u, v, w).to_string()
        }
    }
}

/// An `ip-address` (from a name lookup) as text.
pub fn ip_address_text(a: &IpAddress) -> String {
    match *a {
        IpAddress::Ipv4((p, q, r, s)) => Ipv4Addr::new(p, q, r, s).to_string(),
        IpAddress::Ipv6((p, q, r, s, t, u, v, w)) => {
            Ipv6Addr::new(p, q, r, s, t, u, v, w).to_string()
        }
    }
}

/// Whether two socket addresses are equal in every field (family, address, port, and for
/// IPv6 flow info and scope).
pub fn same(a: &IpSocketAddress, b: &IpSocketAddress) -> bool {
    match (a, b) {
        (IpSocketAddress::Ipv4(x), IpSocketAddress::Ipv4(y)) => {
            x.port == y.port && x.address == y.address
        }
        (IpSocketAddress::Ipv6(x), IpSocketAddress::Ipv6(y)) => {
            x.port == y.port
                && x.address == y.address
                && x.flow_info == y.flow_info
                && x.scope_id == y.scope_id
        }
        _ => false,
    }
}

/// Whether `p` is ready right now: polls it together with an already-expired clock pollable.
pub fn ready_now(p: &Pollable) -> bool {
    let now = wasip2::clocks::monotonic_clock::subscribe_duration(0);
    poll(&[p, &now]).contains(&0)
}

/// Blocks until `p` is ready.
pub fn wait(p: &Pollable) {
    poll(&[p]);
}

/// The name of a stream error: `closed`, or `last-operation-failed`.
pub fn stream_error(e: &StreamError) -> &'static str {
    match e {
        StreamError::Closed => "closed",
        StreamError::LastOperationFailed(_) => "last-operation-failed",
    }
}

/// Writes all of `data` with `blocking-write-and-flush` (at most 4096 bytes a call).
pub fn write_all(out: &OutputStream, data: &[u8]) -> Result<(), StreamError> {
    for chunk in data.chunks(4096) {
        out.blocking_write_and_flush(chunk)?;
    }
    Ok(())
}

/// Reads exactly `n` bytes with `blocking-read` (which may return fewer per call).
pub fn read_exact(input: &InputStream, n: usize) -> Result<Vec<u8>, StreamError> {
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        got.extend(input.blocking_read((n - got.len()) as u64)?);
    }
    Ok(got)
}

/// Reads until the stream ends; returns the bytes read before it and the end (`closed`, or
/// `last-operation-failed`).
pub fn read_to_end(input: &InputStream) -> (Vec<u8>, &'static str) {
    let mut got = Vec::new();
    loop {
        match input.blocking_read(4096) {
            Ok(bytes) => got.extend(bytes),
            Err(e) => return (got, stream_error(&e)),
        }
    }
}

/// Text for printing received bytes.
pub fn text(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

/// A duration in ns as seconds, e.g. `30s`, or `1500000000ns` when not whole.
pub fn secs(ns: u64) -> String {
    if ns.is_multiple_of(SECOND) {
        format!("{}s", ns / SECOND)
    } else {
        format!("{ns}ns")
    }
}

/// One second in the `duration` unit (ns).
pub const SECOND: u64 = 1_000_000_000;
