//! wasi:sockets@0.3 — `types` (TCP and UDP sockets) and `ip-name-lookup`, under the
//! context's [`NetworkPolicy`](crate::sockets::NetworkPolicy), glue over the state machines
//! below the views ([`crate::sockets`], shared with the 0.2 view).
//!
//! One module per interface: [`tcp`] and [`udp`] (the two resources of `wasi:sockets/types`)
//! and [`lookup`] (`ip-name-lookup`). Here: the resources, the error type and the
//! conversions between the WIT types and std's (written once, by
//! [`crate::sockets::wit_conversions!`]).
//!
//! Policy: creating a socket and reading or setting its options reach no network and need no
//! grant; bind, connect, listen, every UDP destination and name lookup are checked, before
//! any syscall (a denied call returns `access-denied`). An implicit bind is checked as a bind
//! of the unspecified address, port 0, where it makes the socket reachable by anyone (TCP
//! `listen`, UDP `send` on an unassociated socket); the implicit bind of a connect (TCP
//! `connect`, UDP `connect`) is part of the connection and checked as that connection.
//!
//! Waiting: a socket's fd is non-blocking and registered with tokio's reactor once, when the
//! socket is made ([`super::bytes::register`]); `connect` awaits writability, accepts,
//! receives and sends await readiness, so no call blocks the event loop. A TCP connection's
//! bytes go straight between the socket and guest memory ([`super::bytes`]); a UDP datagram
//! is at most 64 KiB, the one host buffer a `receive` uses.

pub mod lookup;
pub mod tcp;
pub mod udp;

use wasmtime::component::{Accessor, Resource};

use super::bindings::wasi::sockets::types as wit;
use super::bytes::{register, Registered};
use super::WasiP3;
use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::sockets::{self as host, NetworkPolicy};
use wit::ErrorCode;

crate::sockets::wit_conversions!(wit);

/// A `wasi:sockets/types.tcp-socket` (0.3): the core [`crate::sockets::TcpSocket`] (its
/// state machine), its fd's registration with the reactor (shared with the connection's
/// streams and the listener's stream), and whether `send` and `receive` were called (each
/// may be called once).
#[derive(Debug)]
pub struct TcpSocket {
    sock: host::TcpSocket,
    io: Registered,
    sending: bool,
    receiving: bool,
}

impl TcpSocket {
    /// A socket resource over a core socket, its fd registered with the reactor. Errors:
    /// the reactor refuses the fd (or none is running): `other`.
    fn new(sock: host::TcpSocket) -> Result<TcpSocket, host::ErrorCode> {
        let io = register(sock.fd().clone()).map_err(os_error)?;
        Ok(TcpSocket { sock, io, sending: false, receiving: false })
    }
}

/// A `wasi:sockets/types.udp-socket` (0.3): the core [`crate::sockets::UdpSocket`] and its
/// fd's registration with the reactor.
#[derive(Debug)]
pub struct UdpSocket {
    sock: host::UdpSocket,
    io: Registered,
}

/// The error of a `wasi:sockets/types` call: an `error-code` for the guest, or a trap.
#[derive(Debug)]
pub enum SocketError {
    /// Returned to the guest.
    Code(ErrorCode),
    /// A host failure (a bad resource handle, a full resource table): traps.
    Trap(wasmtime::Error),
}

impl From<wasmtime::Error> for SocketError {
    fn from(e: wasmtime::Error) -> SocketError {
        SocketError::Trap(e)
    }
}

impl From<host::ErrorCode> for SocketError {
    fn from(e: host::ErrorCode) -> SocketError {
        SocketError::Code(wit_code(e))
    }
}

/// The result of a `wasi:sockets/types` call.
pub type SockResult<T> = Result<T, SocketError>;

/// One unit of the instance's budget ([`crate::budget`]) for a call about to wait on the
/// loop (`what` names it), held until the call returns or is cancelled. Errors:
/// `out-of-memory` past the limit.
pub(crate) fn waiting<T>(
    accessor: &Accessor<T, WasiP3>,
    what: &'static str,
) -> SockResult<crate::budget::Held> {
    accessor
        .with(|mut a| a.get().budget.hold(what))
        .map_err(|_| SocketError::Code(ErrorCode::OutOfMemory))
}

/// The 0.3 `error-code` for a core one. The cases 0.3 has are the same; `concurrency-conflict`
/// and `not-in-progress` (0.2's start-/finish- pairs) are `invalid-state` (the 0.3 WIT: e.g.
/// `connect` while connecting); the rest (`unknown`, `would-block`, `new-socket-limit`, the
/// resolver's) are `other`, with the core's description when there is one.
pub(crate) fn wit_code(e: host::ErrorCode) -> ErrorCode {
    use host::ErrorCode as C;
    match e {
        C::AccessDenied => ErrorCode::AccessDenied,
        C::NotSupported => ErrorCode::NotSupported,
        C::InvalidArgument => ErrorCode::InvalidArgument,
        C::OutOfMemory => ErrorCode::OutOfMemory,
        C::Timeout => ErrorCode::Timeout,
        C::InvalidState | C::ConcurrencyConflict | C::NotInProgress => ErrorCode::InvalidState,
        C::AddressNotBindable => ErrorCode::AddressNotBindable,
        C::AddressInUse => ErrorCode::AddressInUse,
        C::RemoteUnreachable => ErrorCode::RemoteUnreachable,
        C::ConnectionRefused => ErrorCode::ConnectionRefused,
        C::ConnectionBroken => ErrorCode::ConnectionBroken,
        C::ConnectionReset => ErrorCode::ConnectionReset,
        C::ConnectionAborted => ErrorCode::ConnectionAborted,
        C::DatagramTooLarge => ErrorCode::DatagramTooLarge,
        C::Unknown => ErrorCode::Other(None),
        other => ErrorCode::Other(Some(other.to_string())),
    }
}

/// The `error-code` that ends a TCP stream after OS error `e` (the future of `send` or
/// `receive`).
fn stream_code(e: Errno) -> ErrorCode {
    wit_code(host::ErrorCode::from(e))
}

/// The core error of a host I/O failure (registering with the reactor, waiting on it).
fn os_error(e: std::io::Error) -> host::ErrorCode {
    host::ErrorCode::from(Errno::from(e))
}

impl WasiCtx {
    /// The 0.3 TCP socket behind a handle and the policy its operations check. Traps on a
    /// bad handle.
    fn tcp3(&mut self, s: &Resource<TcpSocket>) -> SockResult<(&mut TcpSocket, &NetworkPolicy)> {
        let sock = self.resources.get_mut(s).map_err(crate::ctx::table_trap)?;
        Ok((sock, &self.network))
    }

    /// The 0.3 UDP socket behind a handle and the policy its operations check. Traps on a
    /// bad handle.
    fn udp3(&mut self, s: &Resource<UdpSocket>) -> SockResult<(&mut UdpSocket, &NetworkPolicy)> {
        let sock = self.resources.get_mut(s).map_err(crate::ctx::table_trap)?;
        Ok((sock, &self.network))
    }
}

impl wit::Host for WasiCtx {
    /// The WIT `error-code` of a [`SocketError`]; a trap stays a trap.
    fn convert_error_code(&mut self, err: SocketError) -> wasmtime::Result<ErrorCode> {
        match err {
            SocketError::Code(c) => Ok(c),
            SocketError::Trap(e) => Err(e),
        }
    }
}

/// The glue's own tests (the synchronous methods; the state machines are tested in
/// `crate::sockets`).
#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;
    use crate::AddrRange;
    use wit::{HostTcpSocket, HostUdpSocket, IpAddressFamily};

    fn ctx(policy: NetworkPolicy) -> WasiCtx {
        crate::WasiCtxBuilder::new().network(policy).build().unwrap()
    }

    fn b<T: 'static>(r: &Resource<T>) -> Resource<T> {
        Resource::new_borrow(r.rep())
    }

    fn sa(s: &str) -> wit::IpSocketAddress {
        from_std(s.parse().unwrap())
    }

    fn err<T: std::fmt::Debug>(r: SockResult<T>) -> ErrorCode {
        match r {
            Err(SocketError::Code(c)) => c,
            other => panic!("expected an error code, got {other:?}"),
        }
    }

    #[test]
    fn codes_and_addresses_convert() {
        for a in ["1.2.3.4:5", "[fe80::1%7]:80", "[::ffff:1.2.3.4]:0"] {
            let a: SocketAddr = a.parse().unwrap();
            assert_eq!(to_std(from_std(a)), a);
            assert_eq!(to_ip(from_ip(a.ip())), a.ip());
        }
        assert!(matches!(wit_code(host::ErrorCode::ConnectionBroken), ErrorCode::ConnectionBroken));
        assert!(matches!(wit_code(host::ErrorCode::ConcurrencyConflict), ErrorCode::InvalidState));
        assert!(matches!(wit_code(host::ErrorCode::Unknown), ErrorCode::Other(None)));
        assert!(matches!(stream_code(Errno::Connreset), ErrorCode::ConnectionReset));
        assert!(matches!(stream_code(Errno::Pipe), ErrorCode::ConnectionBroken));
    }

    #[test]
    fn without_a_reactor_create_is_an_error_not_a_panic() {
        let mut c = ctx(NetworkPolicy::default());
        assert!(matches!(
            err(HostTcpSocket::create(&mut c, IpAddressFamily::Ipv4)),
            ErrorCode::Other(_)
        ));
    }

    #[tokio::test]
    async fn tcp_create_and_options_need_no_grant_bind_does() {
        let mut c = ctx(NetworkPolicy::default());
        let s = HostTcpSocket::create(&mut c, IpAddressFamily::Ipv6).unwrap();
        assert!(matches!(
            HostTcpSocket::get_address_family(&mut c, b(&s)),
            Ok(IpAddressFamily::Ipv6)
        ));
        c.set_keep_alive_enabled(b(&s), true).unwrap();
        assert!(c.get_keep_alive_enabled(b(&s)).unwrap());
        c.set_keep_alive_idle_time(b(&s), 1_500_000_000).unwrap();
        assert_eq!(c.get_keep_alive_idle_time(b(&s)).unwrap(), 2_000_000_000);
        c.set_hop_limit(b(&s), 9).unwrap();
        assert_eq!(c.get_hop_limit(b(&s)).unwrap(), 9);
        assert!(matches!(err(c.set_listen_backlog_size(b(&s), 0)), ErrorCode::InvalidArgument));
        assert!(matches!(
            err(HostTcpSocket::get_local_address(&mut c, b(&s))),
            ErrorCode::InvalidState
        ));
        assert!(matches!(
            err(HostTcpSocket::bind(&mut c, b(&s), sa("[::1]:0"))),
            ErrorCode::AccessDenied
        ));
        assert!(!c.get_is_listening(b(&s)).unwrap());
        HostTcpSocket::drop(&mut c, s).unwrap();

        let grant: AddrRange = "127.0.0.1:0".parse().unwrap();
        let mut c = ctx(NetworkPolicy { allow_bind: vec![grant], ..NetworkPolicy::default() });
        let s = HostTcpSocket::create(&mut c, IpAddressFamily::Ipv4).unwrap();
        assert!(matches!(
            err(HostTcpSocket::bind(&mut c, b(&s), sa("[::1]:0"))),
            ErrorCode::InvalidArgument
        ));
        HostTcpSocket::bind(&mut c, b(&s), sa("127.0.0.1:0")).unwrap();
        let at = to_std(HostTcpSocket::get_local_address(&mut c, b(&s)).unwrap());
        assert!(at.ip().is_loopback() && at.port() != 0);
        assert!(matches!(
            err(HostTcpSocket::bind(&mut c, b(&s), sa("127.0.0.1:0"))),
            ErrorCode::InvalidState
        ));
    }

    #[tokio::test]
    async fn udp_bind_connect_disconnect_under_the_policy() {
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let peer_addr = peer.local_addr().unwrap();
        let mut c = ctx(NetworkPolicy {
            allow_connect: vec![peer_addr.to_string().parse().unwrap()],
            ..NetworkPolicy::default()
        });
        let s = HostUdpSocket::create(&mut c, IpAddressFamily::Ipv4).unwrap();
        c.set_unicast_hop_limit(b(&s), 3).unwrap();
        assert_eq!(c.get_unicast_hop_limit(b(&s)).unwrap(), 3);
        assert!(matches!(
            err(HostUdpSocket::bind(&mut c, b(&s), sa("127.0.0.1:0"))),
            ErrorCode::AccessDenied
        ));
        assert!(matches!(err(c.disconnect(b(&s))), ErrorCode::InvalidState));
        assert!(matches!(err(c.connect(b(&s), sa("127.0.0.1:9"))), ErrorCode::AccessDenied));
        assert!(matches!(err(c.connect(b(&s), sa("127.0.0.1:0"))), ErrorCode::InvalidArgument));
        c.connect(b(&s), from_std(peer_addr)).unwrap();
        assert_eq!(to_std(HostUdpSocket::get_remote_address(&mut c, b(&s)).unwrap()), peer_addr);
        assert!(HostUdpSocket::get_local_address(&mut c, b(&s)).is_ok());
        c.disconnect(b(&s)).unwrap();
        assert!(matches!(
            err(HostUdpSocket::get_remote_address(&mut c, b(&s))),
            ErrorCode::InvalidState
        ));
        HostUdpSocket::drop(&mut c, s).unwrap();
    }
}
