//! wasi:sockets host objects, below the views: the socket state machines, written once for
//! WASI 0.2 and 0.3 over std types (`SocketAddr`, `IpAddr`, `Duration`) and this module's
//! own enums — no binding type appears here. A view (`p2/sockets.rs`, `p3/sockets/`) converts
//! its WIT types to these, calls them, and converts [`ErrorCode`] back to its binding's enum.
//!
//! - [`policy`]: the [`NetworkPolicy`] that decides what a guest may do on the network
//!   (denied by default), and its [`AddrRange`]s. Every state machine takes `&NetworkPolicy`
//!   where it needs one, and checks it after the arguments and the state, before any syscall.
//! - [`tcp`]: the TCP state machine ([`TcpSocket`], [`TcpState`]): create, the start-/finish-
//!   pairs of bind, connect and listen, accept, shutdown, addresses, every option with the
//!   WIT's validation and clamping. The socket's fd is an `Arc` a view shares with the
//!   connection's byte streams.
//! - [`udp`]: the UDP state machine ([`UdpSocket`], [`UdpState`]), the datagram streams
//!   ([`IncomingDatagramStream`], [`OutgoingDatagramStream`]) with `check-send` permits, and
//!   the policy check of every destination.
//! - [`lookup`]: name resolution (`resolve-addresses`): literals, invalid-name checks, the
//!   host resolver.
//! - [`error`]: [`ErrorCode`], the WIT `error-code` cases, and the mapping from OS errors.
//! - [`granted`]: the sockets the host grants a preview1 guest (`-S tcplisten`).
//! - [`wit`]: the conversions between a view's WIT address types and std's
//!   ([`wit_conversions!`]), and [`duration_from_ns`] / [`ns_of_duration`].
//!
//! The sockets are non-blocking: each operation does its OS work at once or says
//! `would-block`; a view waits for readiness on [`TcpSocket::fd`] (and the datagram streams'
//! fds) in its own poll.

pub mod error;
pub mod granted;
pub mod lookup;
pub mod policy;
pub mod tcp;
pub mod udp;
pub mod wit;

use std::net::{IpAddr, SocketAddr};
use std::os::fd::{BorrowedFd, OwnedFd};

use rustix::event::{PollFd, PollFlags};
use rustix::net::{SocketFlags, SocketType};

pub use error::ErrorCode;
pub use granted::{Socket, SocketKind};
pub use lookup::resolve_addresses;
pub use policy::{AddrRange, NetworkPolicy};
pub use tcp::{ShutdownKind, TcpSocket, TcpState};
pub use udp::{
    IncomingDatagram, IncomingDatagramStream, OutgoingDatagram, OutgoingDatagramStream, SendError,
    UdpSocket, UdpState,
};
pub(crate) use wit::wit_conversions;

/// An IP address family (the WIT `ip-address-family`), fixed when a socket is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressFamily {
    /// IPv4 (`AF_INET`).
    Ipv4,
    /// IPv6 (`AF_INET6`, always `IPV6_V6ONLY`).
    Ipv6,
}

impl AddressFamily {
    /// The unspecified address of this family (`0.0.0.0` / `::`) with `port`: what an
    /// implicit bind binds.
    pub fn unspecified(self, port: u16) -> SocketAddr {
        match self {
            AddressFamily::Ipv4 => SocketAddr::from((std::net::Ipv4Addr::UNSPECIFIED, port)),
            AddressFamily::Ipv6 => SocketAddr::from((std::net::Ipv6Addr::UNSPECIFIED, port)),
        }
    }

    /// The family of a socket address.
    pub fn of(a: &SocketAddr) -> AddressFamily {
        if a.is_ipv4() {
            AddressFamily::Ipv4
        } else {
            AddressFamily::Ipv6
        }
    }
}

/// A WIT `duration` (ns) as a std one (for the keep-alive options).
pub fn duration_from_ns(ns: u64) -> std::time::Duration {
    std::time::Duration::from_nanos(ns)
}

/// A std duration as a WIT `duration`: ns, saturating at `u64::MAX`.
pub fn ns_of_duration(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// An OS result as a socket result.
fn os<T>(r: rustix::io::Result<T>) -> Result<T, ErrorCode> {
    r.map_err(ErrorCode::from)
}

/// A new non-blocking, close-on-exec socket of `family` and `kind`; IPv6 sockets are
/// `IPV6_V6ONLY` (WASI forbids IPv4-mapped addresses on them).
fn new_socket(family: AddressFamily, kind: SocketType) -> Result<OwnedFd, ErrorCode> {
    let domain = match family {
        AddressFamily::Ipv4 => rustix::net::AddressFamily::INET,
        AddressFamily::Ipv6 => rustix::net::AddressFamily::INET6,
    };
    let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
    let fd = os(rustix::net::socket_with(domain, kind, flags, None))?;
    if family == AddressFamily::Ipv6 {
        os(rustix::net::sockopt::set_ipv6_v6only(&fd, true))?;
    }
    Ok(fd)
}

/// Whether `a` is an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), which WASI rejects.
fn is_ipv4_mapped(a: &SocketAddr) -> bool {
    matches!(a, SocketAddr::V6(v6) if v6.ip().to_ipv4_mapped().is_some())
}

/// Whether `ip` is a unicast address (not multicast, not the IPv4 broadcast address).
fn is_unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !v4.is_multicast() && !v4.is_broadcast(),
        IpAddr::V6(v6) => !v6.is_multicast(),
    }
}

/// Whether `fd` is ready for `flags` right now (a zero-timeout `poll`).
fn ready_now(fd: BorrowedFd<'_>, flags: PollFlags) -> bool {
    let mut p = [PollFd::from_borrowed_fd(fd, flags)];
    matches!(rustix::event::poll(&mut p, Some(&rustix::time::Timespec::default())), Ok(n) if n > 0)
}

/// The local address of a socket fd.
fn sockname(fd: BorrowedFd<'_>) -> Result<SocketAddr, ErrorCode> {
    let a = os(rustix::net::getsockname(fd))?;
    SocketAddr::try_from(a).map_err(|_| ErrorCode::Unknown)
}

/// The unicast hop limit of a socket (`IP_TTL` / `IPV6_UNICAST_HOPS`).
fn hop_limit(fd: BorrowedFd<'_>, family: AddressFamily) -> Result<u8, ErrorCode> {
    match family {
        AddressFamily::Ipv4 => Ok(os(rustix::net::sockopt::ip_ttl(fd))?.min(255) as u8),
        AddressFamily::Ipv6 => os(rustix::net::sockopt::ipv6_unicast_hops(fd)),
    }
}

/// Sets the unicast hop limit; 0 is `invalid-argument`.
fn set_hop_limit(fd: BorrowedFd<'_>, family: AddressFamily, value: u8) -> Result<(), ErrorCode> {
    if value == 0 {
        return Err(ErrorCode::InvalidArgument);
    }
    match family {
        AddressFamily::Ipv4 => os(rustix::net::sockopt::set_ip_ttl(fd, value.into())),
        AddressFamily::Ipv6 => os(rustix::net::sockopt::set_ipv6_unicast_hops(fd, Some(value))),
    }
}

/// A buffer size for `SO_RCVBUF`/`SO_SNDBUF`; 0 is `invalid-argument`, huge values are capped.
fn buffer_size(v: u64) -> Result<usize, ErrorCode> {
    if v == 0 {
        return Err(ErrorCode::InvalidArgument);
    }
    Ok(v.min(i32::MAX as u64 / 2) as usize)
}

/// `SO_RCVBUF`, as the kernel reports it.
fn receive_buffer_size(fd: BorrowedFd<'_>) -> Result<u64, ErrorCode> {
    Ok(os(rustix::net::sockopt::socket_recv_buffer_size(fd))? as u64)
}

/// Sets `SO_RCVBUF`; 0 is `invalid-argument`; the kernel may adjust the value.
fn set_receive_buffer_size(fd: BorrowedFd<'_>, value: u64) -> Result<(), ErrorCode> {
    let v = buffer_size(value)?;
    os(rustix::net::sockopt::set_socket_recv_buffer_size(fd, v))
}

/// `SO_SNDBUF`, as the kernel reports it.
fn send_buffer_size(fd: BorrowedFd<'_>) -> Result<u64, ErrorCode> {
    Ok(os(rustix::net::sockopt::socket_send_buffer_size(fd))? as u64)
}

/// Sets `SO_SNDBUF`; 0 is `invalid-argument`; the kernel may adjust the value.
fn set_send_buffer_size(fd: BorrowedFd<'_>, value: u64) -> Result<(), ErrorCode> {
    let v = buffer_size(value)?;
    os(rustix::net::sockopt::set_socket_send_buffer_size(fd, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_checks() {
        let sa = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert_eq!(AddressFamily::of(&sa("1.2.3.4:5")), AddressFamily::Ipv4);
        assert_eq!(AddressFamily::of(&sa("[::1]:5")), AddressFamily::Ipv6);
        assert!(is_ipv4_mapped(&sa("[::ffff:127.0.0.1]:80")) && !is_ipv4_mapped(&sa("[::1]:80")));
        assert!(is_unicast("10.0.0.1".parse().unwrap()) && is_unicast("::1".parse().unwrap()));
        for ip in ["224.0.0.1", "255.255.255.255", "ff02::1"] {
            assert!(!is_unicast(ip.parse().unwrap()), "{ip}");
        }
        assert_eq!(buffer_size(0), Err(ErrorCode::InvalidArgument));
        assert_eq!(buffer_size(u64::MAX), Ok(i32::MAX as usize / 2));
    }
}
