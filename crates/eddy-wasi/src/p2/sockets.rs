//! wasi:sockets (0.2) under the context's [`NetworkPolicy`](crate::NetworkPolicy): denied
//! by default. A denied call returns `access-denied` before any syscall.
//!
//! - TCP (`tcp-create-socket`, `tcp`): the WIT's state machine over a non-blocking host
//!   socket ([`TcpSocket`], [`TcpState`]); the start-/finish- pairs do the OS work in
//!   `start-*` (bind, listen and connect are immediate or, for connect, non-blocking) and
//!   report it in `finish-*`. Socket streams are [`InputSource::Tcp`](super::InputSource::Tcp) / [`OutputStream::Tcp`]
//!   on the same fd; `subscribe` pollables join `wasi:io/poll` through the fd.
//! - `ip-name-lookup`: resolved with the host resolver when allowed.
//! - UDP (`udp-create-socket`, `udp`): bind, `stream` (connected or not), datagram streams
//!   with `check-send` permits; every destination is policy-checked.
#![allow(clippy::needless_pass_by_value)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;

use rustix::event::{PollFd, PollFlags};
use rustix::net::{AddressFamily, SocketFlags, SocketType};
use wasmtime::component::Resource;

use super::io::direct::ReadState;
use super::io::error::IoError;
use super::io::poll::Pollable;
use super::io::streams::{InputStream, OutputStream};
use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::p2::bindings::wasi::clocks::monotonic_clock::Duration;
use crate::p2::bindings::wasi::sockets::network::ErrorCode;
use crate::p2::bindings::wasi::sockets::network::{
    IpAddress, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress,
};
use crate::p2::bindings::wasi::sockets::tcp::ShutdownType;
use crate::p2::bindings::wasi::sockets::udp::{IncomingDatagram, OutgoingDatagram};
use crate::p2::bindings::wasi::sockets::{
    instance_network, ip_name_lookup, network, tcp, tcp_create_socket, udp, udp_create_socket,
};

/// A `wasi:sockets/network.network`: the instance's network; what it reaches is the
/// context's [`NetworkPolicy`](crate::NetworkPolicy).
#[derive(Debug)]
pub struct Network;

/// A `wasi:sockets/ip-name-lookup.resolve-address-stream`: the addresses still to return.
#[derive(Debug)]
pub struct ResolveAddressStream {
    addresses: std::vec::IntoIter<IpAddress>,
}

/// The error of a wasi:sockets call: an `error-code` for the guest, or a trap.
#[derive(Debug)]
pub enum SocketError {
    /// Returned to the guest.
    Code(ErrorCode),
    /// A host failure (a bad resource handle): traps.
    Trap(wasmtime::Error),
}

impl SocketError {
    /// `access-denied`: the policy forbids the operation.
    pub fn denied() -> SocketError {
        SocketError::Code(ErrorCode::AccessDenied)
    }
}

impl From<wasmtime::Error> for SocketError {
    fn from(e: wasmtime::Error) -> SocketError {
        SocketError::Trap(e)
    }
}

impl network::HostNetwork for WasiCtx {
    /// Drops a `network`.
    fn drop(&mut self, rep: Resource<Network>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl network::Host for WasiCtx {
    /// `network-error-code`: the socket `error-code` of a stream error's errno, for the
    /// errnos that are network errors (reset, aborted, refused, unreachable, timeout).
    fn network_error_code(
        &mut self,
        err: Resource<IoError>,
    ) -> wasmtime::Result<Option<ErrorCode>> {
        let e = self.get(&err)?.0;
        Ok(match e {
            Errno::Connreset
            | Errno::Connaborted
            | Errno::Connrefused
            | Errno::Hostunreach
            | Errno::Netunreach
            | Errno::Netdown
            | Errno::Timedout
            | Errno::Pipe => Some(socket_error_code(e)),
            _ => None,
        })
    }

    /// The WIT `error-code` of a [`SocketError`].
    fn convert_error_code(&mut self, err: SocketError) -> wasmtime::Result<ErrorCode> {
        match err {
            SocketError::Code(c) => Ok(c),
            SocketError::Trap(e) => Err(e),
        }
    }
}

impl instance_network::Host for WasiCtx {
    /// `instance-network`: a handle to the instance's network (not itself a grant: the
    /// policy decides each operation).
    fn instance_network(&mut self) -> wasmtime::Result<Resource<Network>> {
        self.push(Network)
    }
}

/// Where a [`TcpSocket`] is in the WIT's state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpState {
    /// Created, not bound.
    Unbound,
    /// `start-bind` succeeded (the OS bind is done); `finish-bind` completes it.
    BindStarted,
    /// Bound to a local address.
    Bound,
    /// `start-listen` succeeded (the OS listen is done); `finish-listen` completes it.
    ListenStarted,
    /// Accepting connections.
    Listening,
    /// `start-connect` was called; `finish-connect` reports the outcome.
    Connecting,
    /// Connected (its streams were handed out).
    Connected,
    /// A connection attempt failed; the socket is unusable.
    Closed,
}

/// A `wasi:sockets/tcp.tcp-socket`: a non-blocking host socket and its state. Its streams
/// share the fd (an `Arc`), so the socket closes when the last of them is dropped.
#[derive(Debug)]
pub struct TcpSocket {
    pub(crate) fd: Arc<OwnedFd>,
    family: IpAddressFamily,
    pub(crate) state: TcpState,
    /// The backlog `listen` uses (`set-listen-backlog-size`).
    backlog: u32,
    /// An error `connect(2)` reported at once, returned by `finish-connect`.
    pub(crate) connect_error: Option<ErrorCode>,
    /// The read state of the input stream once connected (`shutdown(receive)` closes it).
    input: Arc<ReadState>,
}

type SockResult<T> = Result<T, SocketError>;

/// The wasi:sockets `error-code` for an OS error.
pub(crate) fn socket_error_code(e: Errno) -> ErrorCode {
    match e {
        Errno::Acces | Errno::Perm => ErrorCode::AccessDenied,
        Errno::Notsup | Errno::Afnosupport | Errno::Protonosupport => ErrorCode::NotSupported,
        Errno::Inval | Errno::Destaddrreq => ErrorCode::InvalidArgument,
        Errno::Nomem | Errno::Nobufs => ErrorCode::OutOfMemory,
        Errno::Timedout => ErrorCode::Timeout,
        Errno::Again | Errno::Inprogress | Errno::Already => ErrorCode::WouldBlock,
        Errno::Isconn | Errno::Notconn => ErrorCode::InvalidState,
        Errno::Mfile | Errno::Nfile => ErrorCode::NewSocketLimit,
        Errno::Addrnotavail => ErrorCode::AddressNotBindable,
        Errno::Addrinuse => ErrorCode::AddressInUse,
        Errno::Hostunreach | Errno::Netunreach | Errno::Netdown => ErrorCode::RemoteUnreachable,
        Errno::Connrefused => ErrorCode::ConnectionRefused,
        Errno::Connreset | Errno::Pipe => ErrorCode::ConnectionReset,
        Errno::Connaborted => ErrorCode::ConnectionAborted,
        Errno::Msgsize => ErrorCode::DatagramTooLarge,
        _ => ErrorCode::Unknown,
    }
}

fn os<T>(r: rustix::io::Result<T>) -> SockResult<T> {
    r.map_err(|e| SocketError::Code(socket_error_code(Errno::from(e))))
}

fn code<T>(c: ErrorCode) -> SockResult<T> {
    Err(SocketError::Code(c))
}

/// The std form of a WIT socket address.
pub(crate) fn to_std(a: IpSocketAddress) -> SocketAddr {
    match a {
        IpSocketAddress::Ipv4(a) => {
            let (x, y, z, w) = a.address;
            SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(x, y, z, w), a.port))
        }
        IpSocketAddress::Ipv6(a) => {
            let (p, q, r, s, t, u, v, w) = a.address;
            SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::new(p, q, r, s, t, u, v, w),
                a.port,
                a.flow_info,
                a.scope_id,
            ))
        }
    }
}

/// The WIT form of a std socket address.
pub(crate) fn from_std(a: SocketAddr) -> IpSocketAddress {
    match a {
        SocketAddr::V4(a) => {
            let [x, y, z, w] = a.ip().octets();
            IpSocketAddress::Ipv4(Ipv4SocketAddress { port: a.port(), address: (x, y, z, w) })
        }
        SocketAddr::V6(a) => {
            let [p, q, r, s, t, u, v, w] = a.ip().segments();
            IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port: a.port(),
                flow_info: a.flowinfo(),
                address: (p, q, r, s, t, u, v, w),
                scope_id: a.scope_id(),
            })
        }
    }
}

fn from_ip(ip: IpAddr) -> IpAddress {
    match from_std(SocketAddr::new(ip, 0)) {
        IpSocketAddress::Ipv4(a) => IpAddress::Ipv4(a.address),
        IpSocketAddress::Ipv6(a) => IpAddress::Ipv6(a.address),
    }
}

fn family_of(a: &SocketAddr) -> IpAddressFamily {
    if a.is_ipv4() {
        IpAddressFamily::Ipv4
    } else {
        IpAddressFamily::Ipv6
    }
}

/// Whether `fd` is ready for `flags` right now (a zero-timeout `poll`).
fn ready_now(fd: BorrowedFd<'_>, flags: PollFlags) -> bool {
    let mut p = [PollFd::from_borrowed_fd(fd, flags)];
    matches!(rustix::event::poll(&mut p, Some(&rustix::time::Timespec::default())), Ok(n) if n > 0)
}

/// The local address of a socket fd.
fn sockname(fd: BorrowedFd<'_>) -> SockResult<SocketAddr> {
    let a = os(rustix::net::getsockname(fd))?;
    SocketAddr::try_from(a).map_err(|_| SocketError::Code(ErrorCode::Unknown))
}

/// Rejects WIT addresses that can never be used (a different family than the socket's, or
/// an IPv4-mapped IPv6 address): `invalid-argument`.
fn check_family(sock: &TcpSocket, a: &SocketAddr) -> SockResult<()> {
    let mapped = matches!(a, SocketAddr::V6(v6) if v6.ip().to_ipv4_mapped().is_some());
    if family_of(a) != sock.family || mapped {
        return code(ErrorCode::InvalidArgument);
    }
    Ok(())
}

impl WasiCtx {
    /// The TCP socket behind a handle, mutably.
    fn tcp(&mut self, s: &Resource<TcpSocket>) -> SockResult<&mut TcpSocket> {
        Ok(self.get_mut(s)?)
    }

    /// The input and output streams of a connected socket.
    fn tcp_streams(
        &mut self,
        fd: &Arc<OwnedFd>,
        input: &Arc<ReadState>,
    ) -> SockResult<(Resource<InputStream>, Resource<OutputStream>)> {
        let i = self.push(InputStream::tcp(fd.clone(), input.clone()))?;
        let o = self.push(OutputStream::Tcp(fd.clone()))?;
        Ok((i, o))
    }
}

impl tcp::HostTcpSocket for WasiCtx {
    /// `start-bind`: binds at once (with `SO_REUSEADDR`, as the WIT asks), if the policy
    /// allows the address; `finish-bind` then completes.
    fn start_bind(
        &mut self,
        self_: Resource<TcpSocket>,
        network: Resource<Network>,
        local_address: IpSocketAddress,
    ) -> SockResult<()> {
        self.get(&network)?;
        let addr = to_std(local_address);
        let allowed = self.network.may_bind(&addr);
        let sock = self.tcp(&self_)?;
        check_family(sock, &addr)?;
        if !is_unicast(addr.ip()) {
            // The WIT: `invalid-argument` for a multicast or broadcast local address (Linux
            // would bind an IPv4 one).
            return code(ErrorCode::InvalidArgument);
        }
        if sock.state != TcpState::Unbound {
            return code(ErrorCode::InvalidState);
        }
        if !allowed {
            return Err(SocketError::denied());
        }
        os(rustix::net::sockopt::set_socket_reuseaddr(&*sock.fd, true))?;
        os(rustix::net::bind(&*sock.fd, &addr))?;
        sock.state = TcpState::BindStarted;
        Ok(())
    }

    /// `finish-bind`: completes a started bind; `not-in-progress` otherwise.
    fn finish_bind(&mut self, self_: Resource<TcpSocket>) -> SockResult<()> {
        let sock = self.tcp(&self_)?;
        if sock.state != TcpState::BindStarted {
            return code(ErrorCode::NotInProgress);
        }
        sock.state = TcpState::Bound;
        Ok(())
    }

    /// `start-connect`: validates the address (`invalid-argument` for the wrong family, an
    /// unspecified address, port 0, a non-unicast address), checks the policy
    /// (`access-denied`), then starts a non-blocking `connect(2)`.
    fn start_connect(
        &mut self,
        self_: Resource<TcpSocket>,
        network: Resource<Network>,
        remote_address: IpSocketAddress,
    ) -> SockResult<()> {
        self.get(&network)?;
        let addr = to_std(remote_address);
        let allowed = self.network.may_connect(&addr);
        let sock = self.tcp(&self_)?;
        check_family(sock, &addr)?;
        let ip = addr.ip();
        let broadcast = matches!(ip, IpAddr::V4(v4) if v4.is_broadcast());
        if ip.is_unspecified() || ip.is_multicast() || broadcast || addr.port() == 0 {
            return code(ErrorCode::InvalidArgument);
        }
        match sock.state {
            TcpState::Unbound | TcpState::Bound => {}
            TcpState::Connecting => return code(ErrorCode::ConcurrencyConflict),
            _ => return code(ErrorCode::InvalidState),
        }
        if !allowed {
            return Err(SocketError::denied());
        }
        sock.connect_error = match crate::sys::retry(|| rustix::net::connect(&*sock.fd, &addr)) {
            Ok(()) | Err(Errno::Inprogress) => None,
            Err(e) => Some(socket_error_code(e)),
        };
        sock.state = TcpState::Connecting;
        Ok(())
    }

    /// `finish-connect`: `would-block` while the connection is being made; then the
    /// socket's streams, or the error (the socket is then `closed`).
    fn finish_connect(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> SockResult<(Resource<InputStream>, Resource<OutputStream>)> {
        let sock = self.tcp(&self_)?;
        if sock.state != TcpState::Connecting {
            return code(ErrorCode::NotInProgress);
        }
        let err = match sock.connect_error.take() {
            Some(e) => Some(e),
            None => {
                if !ready_now(sock.fd.as_fd(), PollFlags::OUT) {
                    return code(ErrorCode::WouldBlock);
                }
                match os(rustix::net::sockopt::socket_error(&*sock.fd))? {
                    Ok(()) => None,
                    Err(e) => Some(socket_error_code(Errno::from(e))),
                }
            }
        };
        if let Some(e) = err {
            sock.state = TcpState::Closed;
            return code(e);
        }
        sock.state = TcpState::Connected;
        let (fd, input) = (sock.fd.clone(), sock.input.clone());
        self.tcp_streams(&fd, &input)
    }

    /// `start-listen`: listens at once on a bound socket; `finish-listen` completes.
    fn start_listen(&mut self, self_: Resource<TcpSocket>) -> SockResult<()> {
        let sock = self.tcp(&self_)?;
        match sock.state {
            TcpState::Bound => {}
            TcpState::ListenStarted => return code(ErrorCode::ConcurrencyConflict),
            _ => return code(ErrorCode::InvalidState),
        }
        let backlog = i32::try_from(sock.backlog).unwrap_or(i32::MAX);
        os(rustix::net::listen(&*sock.fd, backlog))?;
        sock.state = TcpState::ListenStarted;
        Ok(())
    }

    /// `finish-listen`: completes a started listen; `not-in-progress` otherwise.
    fn finish_listen(&mut self, self_: Resource<TcpSocket>) -> SockResult<()> {
        let sock = self.tcp(&self_)?;
        if sock.state != TcpState::ListenStarted {
            return code(ErrorCode::NotInProgress);
        }
        sock.state = TcpState::Listening;
        Ok(())
    }

    /// `accept`: a pending connection as a connected socket with its streams;
    /// `would-block` if none is pending, `invalid-state` if not listening.
    fn accept(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> SockResult<(Resource<TcpSocket>, Resource<InputStream>, Resource<OutputStream>)> {
        let sock = self.tcp(&self_)?;
        if sock.state != TcpState::Listening {
            return code(ErrorCode::InvalidState);
        }
        let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
        let fd = crate::sys::retry(|| rustix::net::accept_with(&*sock.fd, flags))
            .map_err(|e| SocketError::Code(socket_error_code(e)))?;
        let fd = Arc::new(fd);
        let new = TcpSocket {
            fd: fd.clone(),
            family: sock.family,
            state: TcpState::Connected,
            backlog: sock.backlog,
            connect_error: None,
            input: Arc::default(),
        };
        let input = new.input.clone();
        let s = self.push(new)?;
        let (i, o) = self.tcp_streams(&fd, &input)?;
        Ok((s, i, o))
    }

    /// `local-address`: `invalid-state` while unbound.
    fn local_address(&mut self, self_: Resource<TcpSocket>) -> SockResult<IpSocketAddress> {
        let sock = self.tcp(&self_)?;
        if matches!(sock.state, TcpState::Unbound | TcpState::BindStarted) {
            return code(ErrorCode::InvalidState);
        }
        Ok(from_std(sockname(sock.fd.as_fd())?))
    }

    /// `remote-address`: `invalid-state` unless connected.
    fn remote_address(&mut self, self_: Resource<TcpSocket>) -> SockResult<IpSocketAddress> {
        let sock = self.tcp(&self_)?;
        if sock.state != TcpState::Connected {
            return code(ErrorCode::InvalidState);
        }
        let a = os(rustix::net::getpeername(&*sock.fd))?
            .ok_or(SocketError::Code(ErrorCode::InvalidState))?;
        let a = SocketAddr::try_from(a).map_err(|_| SocketError::Code(ErrorCode::Unknown))?;
        Ok(from_std(a))
    }

    /// `is-listening`.
    fn is_listening(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<bool> {
        Ok(self.get(&self_)?.state == TcpState::Listening)
    }

    /// `address-family`: the family given at creation.
    fn address_family(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<IpAddressFamily> {
        Ok(self.get(&self_)?.family)
    }

    /// `set-listen-backlog-size`: 0 is `invalid-argument`; `invalid-state` once connecting
    /// or connected; on a listening socket `listen` is called again with the new size.
    fn set_listen_backlog_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> SockResult<()> {
        let sock = self.tcp(&self_)?;
        if value == 0 {
            return code(ErrorCode::InvalidArgument);
        }
        let v = u32::try_from(value).unwrap_or(u32::MAX).min(i32::MAX as u32);
        match sock.state {
            TcpState::Connecting | TcpState::Connected | TcpState::Closed => {
                code(ErrorCode::InvalidState)
            }
            TcpState::ListenStarted | TcpState::Listening => {
                os(rustix::net::listen(&*sock.fd, v as i32))?;
                sock.backlog = v;
                Ok(())
            }
            _ => {
                sock.backlog = v;
                Ok(())
            }
        }
    }

    /// `keep-alive-enabled` (`SO_KEEPALIVE`).
    fn keep_alive_enabled(&mut self, self_: Resource<TcpSocket>) -> SockResult<bool> {
        os(rustix::net::sockopt::socket_keepalive(&*self.tcp(&self_)?.fd))
    }

    /// `set-keep-alive-enabled`.
    fn set_keep_alive_enabled(
        &mut self,
        self_: Resource<TcpSocket>,
        value: bool,
    ) -> SockResult<()> {
        os(rustix::net::sockopt::set_socket_keepalive(&*self.tcp(&self_)?.fd, value))
    }

    /// `keep-alive-idle-time` (`TCP_KEEPIDLE`), in ns.
    fn keep_alive_idle_time(&mut self, self_: Resource<TcpSocket>) -> SockResult<Duration> {
        let d = os(rustix::net::sockopt::tcp_keepidle(&*self.tcp(&self_)?.fd))?;
        Ok(d.as_nanos() as u64)
    }

    /// `set-keep-alive-idle-time`: 0 is `invalid-argument`; rounded up to whole seconds.
    fn set_keep_alive_idle_time(
        &mut self,
        self_: Resource<TcpSocket>,
        value: Duration,
    ) -> SockResult<()> {
        let d = secs_at_least_one(value)?;
        os(rustix::net::sockopt::set_tcp_keepidle(&*self.tcp(&self_)?.fd, d))
    }

    /// `keep-alive-interval` (`TCP_KEEPINTVL`), in ns.
    fn keep_alive_interval(&mut self, self_: Resource<TcpSocket>) -> SockResult<Duration> {
        let d = os(rustix::net::sockopt::tcp_keepintvl(&*self.tcp(&self_)?.fd))?;
        Ok(d.as_nanos() as u64)
    }

    /// `set-keep-alive-interval`: 0 is `invalid-argument`; rounded up to whole seconds.
    fn set_keep_alive_interval(
        &mut self,
        self_: Resource<TcpSocket>,
        value: Duration,
    ) -> SockResult<()> {
        let d = secs_at_least_one(value)?;
        os(rustix::net::sockopt::set_tcp_keepintvl(&*self.tcp(&self_)?.fd, d))
    }

    /// `keep-alive-count` (`TCP_KEEPCNT`).
    fn keep_alive_count(&mut self, self_: Resource<TcpSocket>) -> SockResult<u32> {
        os(rustix::net::sockopt::tcp_keepcnt(&*self.tcp(&self_)?.fd))
    }

    /// `set-keep-alive-count`: 0 is `invalid-argument`; above 127 (Linux's most) is clamped.
    fn set_keep_alive_count(&mut self, self_: Resource<TcpSocket>, value: u32) -> SockResult<()> {
        if value == 0 {
            return code(ErrorCode::InvalidArgument);
        }
        let value = value.min(MAX_KEEPALIVE_COUNT);
        os(rustix::net::sockopt::set_tcp_keepcnt(&*self.tcp(&self_)?.fd, value))
    }

    /// `hop-limit` (`IP_TTL` / `IPV6_UNICAST_HOPS`).
    fn hop_limit(&mut self, self_: Resource<TcpSocket>) -> SockResult<u8> {
        let sock = self.tcp(&self_)?;
        match sock.family {
            IpAddressFamily::Ipv4 => {
                Ok(os(rustix::net::sockopt::ip_ttl(&*sock.fd))?.min(255) as u8)
            }
            IpAddressFamily::Ipv6 => os(rustix::net::sockopt::ipv6_unicast_hops(&*sock.fd)),
        }
    }

    /// `set-hop-limit`: 0 is `invalid-argument`.
    fn set_hop_limit(&mut self, self_: Resource<TcpSocket>, value: u8) -> SockResult<()> {
        if value == 0 {
            return code(ErrorCode::InvalidArgument);
        }
        let sock = self.tcp(&self_)?;
        match sock.family {
            IpAddressFamily::Ipv4 => os(rustix::net::sockopt::set_ip_ttl(&*sock.fd, value.into())),
            IpAddressFamily::Ipv6 => {
                os(rustix::net::sockopt::set_ipv6_unicast_hops(&*sock.fd, Some(value)))
            }
        }
    }

    /// `receive-buffer-size` (`SO_RCVBUF`, as the kernel reports it).
    fn receive_buffer_size(&mut self, self_: Resource<TcpSocket>) -> SockResult<u64> {
        Ok(os(rustix::net::sockopt::socket_recv_buffer_size(&*self.tcp(&self_)?.fd))? as u64)
    }

    /// `set-receive-buffer-size`: 0 is `invalid-argument`; the kernel may adjust the value.
    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> SockResult<()> {
        let v = buffer_size(value)?;
        os(rustix::net::sockopt::set_socket_recv_buffer_size(&*self.tcp(&self_)?.fd, v))
    }

    /// `send-buffer-size` (`SO_SNDBUF`, as the kernel reports it).
    fn send_buffer_size(&mut self, self_: Resource<TcpSocket>) -> SockResult<u64> {
        Ok(os(rustix::net::sockopt::socket_send_buffer_size(&*self.tcp(&self_)?.fd))? as u64)
    }

    /// `set-send-buffer-size`: 0 is `invalid-argument`; the kernel may adjust the value.
    fn set_send_buffer_size(&mut self, self_: Resource<TcpSocket>, value: u64) -> SockResult<()> {
        let v = buffer_size(value)?;
        os(rustix::net::sockopt::set_socket_send_buffer_size(&*self.tcp(&self_)?.fd, v))
    }

    /// `subscribe`: ready when `finish-connect` (writable), `accept` (readable) would not
    /// block; at once in other states. Joins `poll` through the socket's fd.
    fn subscribe(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<Resource<Pollable>> {
        self.push_child(Pollable::Tcp(self_.rep()), &self_)
    }

    /// `shutdown`: `shutdown(2)` on a connected socket; `invalid-state` otherwise.
    fn shutdown(
        &mut self,
        self_: Resource<TcpSocket>,
        shutdown_type: ShutdownType,
    ) -> SockResult<()> {
        let sock = self.tcp(&self_)?;
        if sock.state != TcpState::Connected {
            return code(ErrorCode::InvalidState);
        }
        let how = match shutdown_type {
            ShutdownType::Receive => rustix::net::Shutdown::Read,
            ShutdownType::Send => rustix::net::Shutdown::Write,
            ShutdownType::Both => rustix::net::Shutdown::Both,
        };
        os(rustix::net::shutdown(&*sock.fd, how))?;
        if shutdown_type != ShutdownType::Send {
            // The WIT: the input stream is closed and queued data discarded. The kernel
            // would still deliver what is queued, so the stream is closed here.
            sock.input.close();
        }
        Ok(())
    }

    /// Drops a socket (the fd closes once its streams are dropped too).
    fn drop(&mut self, rep: Resource<TcpSocket>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

/// Whether `ip` is a unicast address (not multicast, not the IPv4 broadcast address).
fn is_unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !v4.is_multicast() && !v4.is_broadcast(),
        IpAddr::V6(v6) => !v6.is_multicast(),
    }
}

/// Linux's largest `TCP_KEEPIDLE` and `TCP_KEEPINTVL` (seconds) and `TCP_KEEPCNT`.
const MAX_KEEPALIVE_SECS: u64 = 32_767;
const MAX_KEEPALIVE_COUNT: u32 = 127;

/// A keep-alive duration in ns as whole seconds (rounded up), clamped to what Linux takes
/// (the WIT: other values than 0 never fail, they may be clamped); 0 is `invalid-argument`.
fn secs_at_least_one(ns: Duration) -> SockResult<std::time::Duration> {
    if ns == 0 {
        return code(ErrorCode::InvalidArgument);
    }
    let secs = ns.div_ceil(1_000_000_000).min(MAX_KEEPALIVE_SECS);
    Ok(std::time::Duration::from_secs(secs))
}

/// A buffer size for `SO_RCVBUF`/`SO_SNDBUF`; 0 is `invalid-argument`, huge values are capped.
fn buffer_size(v: u64) -> SockResult<usize> {
    if v == 0 {
        return code(ErrorCode::InvalidArgument);
    }
    Ok(v.min(i32::MAX as u64 / 2) as usize)
}

impl tcp::Host for WasiCtx {}

impl tcp_create_socket::Host for WasiCtx {
    /// `create-tcp-socket`: a non-blocking socket of the family, if the policy allows TCP
    /// to some address (else `access-denied`, before any syscall).
    fn create_tcp_socket(
        &mut self,
        address_family: IpAddressFamily,
    ) -> SockResult<Resource<TcpSocket>> {
        if !self.network.tcp_allowed() {
            return Err(SocketError::denied());
        }
        let domain = match address_family {
            IpAddressFamily::Ipv4 => AddressFamily::INET,
            IpAddressFamily::Ipv6 => AddressFamily::INET6,
        };
        let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
        let fd = os(rustix::net::socket_with(domain, SocketType::STREAM, flags, None))?;
        if address_family == IpAddressFamily::Ipv6 {
            // WASI forbids IPv4-mapped addresses on IPv6 sockets.
            os(rustix::net::sockopt::set_ipv6_v6only(&fd, true))?;
        }
        let sock = TcpSocket {
            fd: Arc::new(fd),
            family: address_family,
            state: TcpState::Unbound,
            backlog: 128,
            connect_error: None,
            input: Arc::default(),
        };
        Ok(self.push(sock)?)
    }
}

/// Where a [`UdpSocket`] is in the WIT's state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UdpState {
    /// Created, not bound.
    Unbound,
    /// `start-bind` succeeded (the OS bind is done); `finish-bind` completes it.
    BindStarted,
    /// Bound: `stream` may be called.
    Bound,
}

/// A `wasi:sockets/udp.udp-socket`: a non-blocking host socket, its state and the remote
/// address `stream` connected it to (if any). Its datagram streams share the fd.
#[derive(Debug)]
pub struct UdpSocket {
    fd: Arc<OwnedFd>,
    family: IpAddressFamily,
    state: UdpState,
    remote: Option<SocketAddr>,
}

/// A `wasi:sockets/udp.incoming-datagram-stream`: receives on its socket's fd.
#[derive(Debug)]
pub struct IncomingDatagramStream {
    pub(crate) fd: Arc<OwnedFd>,
}

/// A `wasi:sockets/udp.outgoing-datagram-stream`: sends on its socket's fd, to the socket's
/// remote address if `stream` gave one, else to each datagram's address.
#[derive(Debug)]
pub struct OutgoingDatagramStream {
    pub(crate) fd: Arc<OwnedFd>,
    family: IpAddressFamily,
    remote: Option<SocketAddr>,
    /// Datagrams the last `check-send` permitted (0 after each `send`).
    permit: u64,
}

/// Most datagrams one `check-send` permits (and one `receive` returns).
const MAX_DATAGRAMS: u64 = 64;

/// Largest UDP payload (IPv4/IPv6 without jumbograms): `receive` reads into a buffer this big.
const MAX_DATAGRAM_SIZE: usize = 65535;

/// `invalid-argument` for a destination the WIT rejects: wrong family, IPv4-mapped IPv6,
/// unspecified address, port 0.
fn check_remote(family: IpAddressFamily, a: &SocketAddr) -> SockResult<()> {
    let mapped = matches!(a, SocketAddr::V6(v6) if v6.ip().to_ipv4_mapped().is_some());
    if family_of(a) != family || mapped || a.ip().is_unspecified() || a.port() == 0 {
        return code(ErrorCode::InvalidArgument);
    }
    Ok(())
}

impl WasiCtx {
    fn udp(&mut self, s: &Resource<UdpSocket>) -> SockResult<&mut UdpSocket> {
        Ok(self.get_mut(s)?)
    }
}

impl udp::HostUdpSocket for WasiCtx {
    /// `start-bind`: binds at once if the policy allows UDP on the address; `finish-bind`
    /// then completes.
    fn start_bind(
        &mut self,
        self_: Resource<UdpSocket>,
        network: Resource<Network>,
        local_address: IpSocketAddress,
    ) -> SockResult<()> {
        self.get(&network)?;
        let addr = to_std(local_address);
        let allowed = self.network.udp_may_bind(&addr);
        let sock = self.udp(&self_)?;
        let mapped = matches!(addr, SocketAddr::V6(v6) if v6.ip().to_ipv4_mapped().is_some());
        if family_of(&addr) != sock.family || mapped {
            return code(ErrorCode::InvalidArgument);
        }
        if sock.state != UdpState::Unbound {
            return code(ErrorCode::InvalidState);
        }
        if !allowed {
            return Err(SocketError::denied());
        }
        os(rustix::net::bind(&*sock.fd, &addr))?;
        sock.state = UdpState::BindStarted;
        Ok(())
    }

    /// `finish-bind`: completes a started bind; `not-in-progress` otherwise.
    fn finish_bind(&mut self, self_: Resource<UdpSocket>) -> SockResult<()> {
        let sock = self.udp(&self_)?;
        if sock.state != UdpState::BindStarted {
            return code(ErrorCode::NotInProgress);
        }
        sock.state = UdpState::Bound;
        Ok(())
    }

    /// `stream`: (re)associates the bound socket with `remote-address` (policy-checked, as a
    /// destination) or with none, and returns a new pair of datagram streams.
    fn stream(
        &mut self,
        self_: Resource<UdpSocket>,
        remote_address: Option<IpSocketAddress>,
    ) -> SockResult<(Resource<IncomingDatagramStream>, Resource<OutgoingDatagramStream>)> {
        let remote = remote_address.map(to_std);
        let allowed = remote.is_none_or(|a| self.network.udp_may_send(&a));
        let sock = self.udp(&self_)?;
        if sock.state != UdpState::Bound {
            return code(ErrorCode::InvalidState);
        }
        if let Some(a) = &remote {
            check_remote(sock.family, a)?;
        }
        if !allowed {
            return Err(SocketError::denied());
        }
        if sock.remote.is_some() {
            os(rustix::net::connect_unspec(&*sock.fd))?;
            sock.remote = None;
        }
        if let Some(a) = &remote {
            os(rustix::net::connect(&*sock.fd, a))?;
            sock.remote = Some(*a);
        }
        let (fd, family) = (sock.fd.clone(), sock.family);
        let i = self.push(IncomingDatagramStream { fd: fd.clone() })?;
        let o = self.push(OutgoingDatagramStream { fd, family, remote, permit: 0 })?;
        Ok((i, o))
    }

    /// `local-address`: `invalid-state` while unbound.
    fn local_address(&mut self, self_: Resource<UdpSocket>) -> SockResult<IpSocketAddress> {
        let sock = self.udp(&self_)?;
        if sock.state == UdpState::Unbound {
            return code(ErrorCode::InvalidState);
        }
        Ok(from_std(sockname(sock.fd.as_fd())?))
    }

    /// `remote-address`: the address `stream` connected to; `invalid-state` if none.
    fn remote_address(&mut self, self_: Resource<UdpSocket>) -> SockResult<IpSocketAddress> {
        match self.udp(&self_)?.remote {
            Some(a) => Ok(from_std(a)),
            None => code(ErrorCode::InvalidState),
        }
    }

    /// `address-family`: the family given at creation.
    fn address_family(&mut self, self_: Resource<UdpSocket>) -> wasmtime::Result<IpAddressFamily> {
        Ok(self.get(&self_)?.family)
    }

    /// `unicast-hop-limit` (`IP_TTL` / `IPV6_UNICAST_HOPS`).
    fn unicast_hop_limit(&mut self, self_: Resource<UdpSocket>) -> SockResult<u8> {
        let sock = self.udp(&self_)?;
        match sock.family {
            IpAddressFamily::Ipv4 => {
                Ok(os(rustix::net::sockopt::ip_ttl(&*sock.fd))?.min(255) as u8)
            }
            IpAddressFamily::Ipv6 => os(rustix::net::sockopt::ipv6_unicast_hops(&*sock.fd)),
        }
    }

    /// `set-unicast-hop-limit`: 0 is `invalid-argument`.
    fn set_unicast_hop_limit(&mut self, self_: Resource<UdpSocket>, value: u8) -> SockResult<()> {
        if value == 0 {
            return code(ErrorCode::InvalidArgument);
        }
        let sock = self.udp(&self_)?;
        match sock.family {
            IpAddressFamily::Ipv4 => os(rustix::net::sockopt::set_ip_ttl(&*sock.fd, value.into())),
            IpAddressFamily::Ipv6 => {
                os(rustix::net::sockopt::set_ipv6_unicast_hops(&*sock.fd, Some(value)))
            }
        }
    }

    /// `receive-buffer-size` (`SO_RCVBUF`, as the kernel reports it).
    fn receive_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SockResult<u64> {
        Ok(os(rustix::net::sockopt::socket_recv_buffer_size(&*self.udp(&self_)?.fd))? as u64)
    }

    /// `set-receive-buffer-size`: 0 is `invalid-argument`; the kernel may adjust the value.
    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<UdpSocket>,
        value: u64,
    ) -> SockResult<()> {
        let v = buffer_size(value)?;
        os(rustix::net::sockopt::set_socket_recv_buffer_size(&*self.udp(&self_)?.fd, v))
    }

    /// `send-buffer-size` (`SO_SNDBUF`, as the kernel reports it).
    fn send_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SockResult<u64> {
        Ok(os(rustix::net::sockopt::socket_send_buffer_size(&*self.udp(&self_)?.fd))? as u64)
    }

    /// `set-send-buffer-size`: 0 is `invalid-argument`; the kernel may adjust the value.
    fn set_send_buffer_size(&mut self, self_: Resource<UdpSocket>, value: u64) -> SockResult<()> {
        let v = buffer_size(value)?;
        os(rustix::net::sockopt::set_socket_send_buffer_size(&*self.udp(&self_)?.fd, v))
    }

    /// `subscribe`: ready at once (bind completes in `start-bind`).
    fn subscribe(&mut self, self_: Resource<UdpSocket>) -> wasmtime::Result<Resource<Pollable>> {
        self.push_child(Pollable::Deadline(0), &self_)
    }

    /// Drops a socket (the fd closes once its streams are dropped too).
    fn drop(&mut self, rep: Resource<UdpSocket>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl udp::HostIncomingDatagramStream for WasiCtx {
    /// `receive`: up to `max-results` (at most 64) datagrams that are waiting, without
    /// blocking; an empty list if none. An error only if the first receive fails.
    fn receive(
        &mut self,
        self_: Resource<IncomingDatagramStream>,
        max_results: u64,
    ) -> SockResult<Vec<IncomingDatagram>> {
        let fd = self.get(&self_)?.fd.clone();
        let mut out = Vec::new();
        let mut buf = vec![0u8; MAX_DATAGRAM_SIZE];
        while (out.len() as u64) < max_results.min(MAX_DATAGRAMS) {
            let flags = rustix::net::RecvFlags::DONTWAIT;
            match crate::sys::retry(|| rustix::net::recvfrom(&*fd, &mut buf[..], flags)) {
                Ok((n, _, Some(from))) => {
                    let Ok(from) = SocketAddr::try_from(from) else { continue };
                    out.push(IncomingDatagram {
                        data: buf[..n].to_vec(),
                        remote_address: from_std(from),
                    });
                }
                Ok((_, _, None)) => continue,
                Err(Errno::Again) => break,
                Err(e) if out.is_empty() => return code(socket_error_code(e)),
                Err(_) => break,
            }
        }
        Ok(out)
    }

    /// `subscribe`: ready when a datagram is waiting (the fd is readable).
    fn subscribe(
        &mut self,
        self_: Resource<IncomingDatagramStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        self.push_child(Pollable::DatagramIn(self_.rep()), &self_)
    }

    /// Drops an incoming datagram stream.
    fn drop(&mut self, rep: Resource<IncomingDatagramStream>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl udp::HostOutgoingDatagramStream for WasiCtx {
    /// `check-send`: 64 datagrams when the socket can send now, else 0 (then `subscribe`).
    fn check_send(&mut self, self_: Resource<OutgoingDatagramStream>) -> SockResult<u64> {
        let s = self.get_mut(&self_)?;
        s.permit = if ready_now(s.fd.as_fd(), PollFlags::OUT) { MAX_DATAGRAMS } else { 0 };
        Ok(s.permit)
    }

    /// `send`: sends the datagrams in order until one fails or would block; returns how many
    /// were sent (an error only if none was). Each destination is checked against the
    /// policy (`access-denied`). Traps if `check-send` did not permit this many.
    fn send(
        &mut self,
        self_: Resource<OutgoingDatagramStream>,
        datagrams: Vec<OutgoingDatagram>,
    ) -> SockResult<u64> {
        let (fd, family, remote, permit) = {
            let s = self.get_mut(&self_)?;
            let r = (s.fd.clone(), s.family, s.remote, s.permit);
            s.permit = 0;
            r
        };
        if datagrams.len() as u64 > permit {
            return Err(SocketError::Trap(wasmtime::Error::msg(format!(
                "wasi:sockets outgoing-datagram-stream.send of {} datagrams, but check-send \
                 permitted {permit}",
                datagrams.len()
            ))));
        }
        let mut sent = 0u64;
        for d in &datagrams {
            let r = (|| -> SockResult<bool> {
                let to = d.remote_address.map(to_std);
                let flags = rustix::net::SendFlags::DONTWAIT;
                let result = match (to, remote) {
                    (Some(a), Some(r)) if a != r => return code(ErrorCode::InvalidArgument),
                    (_, Some(_)) => crate::sys::retry(|| rustix::net::send(&*fd, &d.data, flags)),
                    (None, None) => return code(ErrorCode::InvalidArgument),
                    (Some(a), None) => {
                        check_remote(family, &a)?;
                        if !self.network.udp_may_send(&a) {
                            return Err(SocketError::denied());
                        }
                        crate::sys::retry(|| rustix::net::sendto(&*fd, &d.data, flags, &a))
                    }
                };
                match result {
                    Ok(_) => Ok(true),
                    Err(Errno::Again) => Ok(false),
                    Err(e) => code(socket_error_code(e)),
                }
            })();
            match r {
                Ok(true) => sent += 1,
                Ok(false) => break,
                Err(e) if sent == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(sent)
    }

    /// `subscribe`: ready when the socket can send (the fd is writable).
    fn subscribe(
        &mut self,
        self_: Resource<OutgoingDatagramStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        self.push_child(Pollable::DatagramOut(self_.rep()), &self_)
    }

    /// Drops an outgoing datagram stream.
    fn drop(&mut self, rep: Resource<OutgoingDatagramStream>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl udp::Host for WasiCtx {}

impl udp_create_socket::Host for WasiCtx {
    /// `create-udp-socket`: a non-blocking socket of the family, if the policy allows UDP
    /// to some address (else `access-denied`, before any syscall).
    fn create_udp_socket(
        &mut self,
        address_family: IpAddressFamily,
    ) -> SockResult<Resource<UdpSocket>> {
        if !self.network.udp_allowed() {
            return Err(SocketError::denied());
        }
        let domain = match address_family {
            IpAddressFamily::Ipv4 => AddressFamily::INET,
            IpAddressFamily::Ipv6 => AddressFamily::INET6,
        };
        let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
        let fd = os(rustix::net::socket_with(domain, SocketType::DGRAM, flags, None))?;
        if address_family == IpAddressFamily::Ipv6 {
            os(rustix::net::sockopt::set_ipv6_v6only(&fd, true))?;
        }
        let sock = UdpSocket {
            fd: Arc::new(fd),
            family: address_family,
            state: UdpState::Unbound,
            remote: None,
        };
        Ok(self.push(sock)?)
    }
}

impl ip_name_lookup::HostResolveAddressStream for WasiCtx {
    /// `resolve-next-address`: the next address, or `none` when all were returned.
    fn resolve_next_address(
        &mut self,
        self_: Resource<ResolveAddressStream>,
    ) -> SockResult<Option<IpAddress>> {
        Ok(self.get_mut(&self_)?.addresses.next())
    }

    /// `subscribe`: ready at once (names are resolved when the stream is created).
    fn subscribe(
        &mut self,
        self_: Resource<ResolveAddressStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        self.get(&self_)?;
        self.push(Pollable::Deadline(0))
    }

    /// Drops a resolve stream.
    fn drop(&mut self, rep: Resource<ResolveAddressStream>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl ip_name_lookup::Host for WasiCtx {
    /// `resolve-addresses`: `access-denied` unless the policy allows name lookup; an IP
    /// address parses to itself; otherwise the host resolver (`getaddrinfo`) answers, once,
    /// here (the stream is then ready at once). Errors: `invalid-argument` for a name that
    /// cannot be a domain name, `name-unresolvable` when the resolver finds nothing.
    fn resolve_addresses(
        &mut self,
        network: Resource<Network>,
        name: String,
    ) -> SockResult<Resource<ResolveAddressStream>> {
        self.get(&network)?;
        if !self.network.allow_ip_name_lookup {
            return Err(SocketError::denied());
        }
        let host = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(&name);
        let valid = !host.is_empty()
            && host.len() <= 253
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b));
        if !valid {
            return code(ErrorCode::InvalidArgument);
        }
        let mut addrs: Vec<IpAddr> = Vec::new();
        if let Ok(ip) = host.parse::<IpAddr>() {
            addrs.push(ip);
        } else {
            use std::net::ToSocketAddrs;
            let found = (host, 0u16)
                .to_socket_addrs()
                .map_err(|_| SocketError::Code(ErrorCode::NameUnresolvable))?;
            for a in found {
                if !addrs.contains(&a.ip()) {
                    addrs.push(a.ip());
                }
            }
            if addrs.is_empty() {
                return code(ErrorCode::NameUnresolvable);
            }
        }
        let addresses: Vec<IpAddress> = addrs.into_iter().map(from_ip).collect();
        Ok(self.push(ResolveAddressStream { addresses: addresses.into_iter() })?)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;
    use crate::p2::bindings::wasi::io::poll::{Host as _, HostPollable};
    use crate::p2::bindings::wasi::io::streams::{HostInputStream, HostOutputStream};
    use crate::{AddrRange, NetworkPolicy};
    use instance_network::Host as _;
    use ip_name_lookup::{Host as _, HostResolveAddressStream};
    use tcp::HostTcpSocket;
    use tcp_create_socket::Host as _;

    fn ctx(policy: NetworkPolicy) -> (WasiCtx, Resource<Network>) {
        let mut c = crate::WasiCtxBuilder::new().network(policy).build().unwrap();
        let n = c.instance_network().unwrap();
        (c, n)
    }

    fn b<T: 'static>(r: &Resource<T>) -> Resource<T> {
        Resource::new_borrow(r.rep())
    }

    fn range(s: &str) -> AddrRange {
        s.parse().unwrap()
    }

    fn err<T: std::fmt::Debug>(r: SockResult<T>) -> ErrorCode {
        match r {
            Err(SocketError::Code(c)) => c,
            other => panic!("expected an error code, got {other:?}"),
        }
    }

    fn v4(ip: [u8; 4], port: u16) -> IpSocketAddress {
        from_std(SocketAddr::from((ip, port)))
    }

    /// Waits on the socket's pollable (bounded by the test harness's own timeouts).
    fn block(c: &mut WasiCtx, s: &Resource<TcpSocket>) {
        let p = HostTcpSocket::subscribe(c, b(s)).unwrap();
        c.poll(vec![b(&p)]).unwrap();
        HostPollable::drop(c, p).unwrap();
    }

    #[test]
    fn default_policy_denies_everything() {
        let (mut c, n) = ctx(NetworkPolicy::default());
        assert!(matches!(err(c.create_tcp_socket(IpAddressFamily::Ipv4)), ErrorCode::AccessDenied));
        assert!(matches!(
            err(c.resolve_addresses(b(&n), "localhost".into())),
            ErrorCode::AccessDenied
        ));
        let p = NetworkPolicy { inherit_network: true, tcp: false, ..NetworkPolicy::default() };
        let (mut c, _n) = ctx(p);
        assert!(matches!(err(c.create_tcp_socket(IpAddressFamily::Ipv6)), ErrorCode::AccessDenied));
    }

    #[test]
    fn udp_ping_pong_within_the_policy() {
        use udp::{HostIncomingDatagramStream, HostOutgoingDatagramStream, HostUdpSocket};
        use udp_create_socket::Host as _;
        let (mut c, _n) = ctx(NetworkPolicy::default());
        assert!(matches!(err(c.create_udp_socket(IpAddressFamily::Ipv4)), ErrorCode::AccessDenied));
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let peer_addr = peer.local_addr().unwrap();
        let p = NetworkPolicy {
            allow_bind: vec![range("127.0.0.1:0")],
            allow_connect: vec![range(&peer_addr.to_string())],
            tcp: false,
            ..NetworkPolicy::default()
        };
        let (mut c, n) = ctx(p.clone());
        assert!(matches!(err(c.create_tcp_socket(IpAddressFamily::Ipv4)), ErrorCode::AccessDenied));
        let s = c.create_udp_socket(IpAddressFamily::Ipv4).unwrap();
        assert!(matches!(err(c.stream(b(&s), None)), ErrorCode::InvalidState));
        assert!(matches!(
            err(HostUdpSocket::start_bind(&mut c, b(&s), b(&n), v4([127, 0, 0, 1], 53))),
            ErrorCode::AccessDenied
        ));
        HostUdpSocket::start_bind(&mut c, b(&s), b(&n), v4([127, 0, 0, 1], 0)).unwrap();
        HostUdpSocket::finish_bind(&mut c, b(&s)).unwrap();
        let me = to_std(HostUdpSocket::local_address(&mut c, b(&s)).unwrap());
        // Unconnected: each datagram names its destination, checked against the policy.
        let (i, o) = c.stream(b(&s), None).unwrap();
        assert!(matches!(
            err(HostUdpSocket::remote_address(&mut c, b(&s))),
            ErrorCode::InvalidState
        ));
        assert_eq!(c.check_send(b(&o)).unwrap(), 64);
        let denied =
            OutgoingDatagram { data: b"x".to_vec(), remote_address: Some(v4([127, 0, 0, 1], 9)) };
        assert!(matches!(err(c.send(b(&o), vec![denied])), ErrorCode::AccessDenied));
        c.check_send(b(&o)).unwrap();
        let ping =
            OutgoingDatagram { data: b"ping".to_vec(), remote_address: Some(from_std(peer_addr)) };
        assert_eq!(c.send(b(&o), vec![ping]).unwrap(), 1);
        let mut buf = [0u8; 16];
        let (len, from) = peer.recv_from(&mut buf).unwrap();
        assert_eq!((&buf[..len], from), (&b"ping"[..], me));
        assert!(c.receive(b(&i), 4).unwrap().is_empty());
        peer.send_to(b"pong", me).unwrap();
        let ready = HostIncomingDatagramStream::subscribe(&mut c, b(&i)).unwrap();
        c.poll(vec![b(&ready)]).unwrap();
        HostPollable::drop(&mut c, ready).unwrap();
        let got = c.receive(b(&i), 4).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].data, b"pong");
        assert_eq!(to_std(got[0].remote_address), peer_addr);
        // Sending more than check-send permitted traps.
        let one =
            OutgoingDatagram { data: b"x".to_vec(), remote_address: Some(from_std(peer_addr)) };
        assert!(matches!(c.send(b(&o), vec![one]), Err(SocketError::Trap(_))));
        HostIncomingDatagramStream::drop(&mut c, i).unwrap();
        HostOutgoingDatagramStream::drop(&mut c, o).unwrap();
        // Connected to the peer; a stream to an address outside the list is denied.
        assert!(matches!(
            err(c.stream(b(&s), Some(v4([127, 0, 0, 1], 9)))),
            ErrorCode::AccessDenied
        ));
        let (i, o) = c.stream(b(&s), Some(from_std(peer_addr))).unwrap();
        assert_eq!(to_std(HostUdpSocket::remote_address(&mut c, b(&s)).unwrap()), peer_addr);
        c.check_send(b(&o)).unwrap();
        let two = vec![
            OutgoingDatagram { data: b"a".to_vec(), remote_address: None },
            OutgoingDatagram { data: b"b".to_vec(), remote_address: Some(from_std(peer_addr)) },
        ];
        assert_eq!(c.send(b(&o), two).unwrap(), 2);
        for want in [b"a", b"b"] {
            let (len, _) = peer.recv_from(&mut buf).unwrap();
            assert_eq!(&buf[..len], want);
        }
        HostIncomingDatagramStream::drop(&mut c, i).unwrap();
        HostOutgoingDatagramStream::drop(&mut c, o).unwrap();
        HostUdpSocket::drop(&mut c, s).unwrap();
        let (mut c, _n) = ctx(NetworkPolicy { udp: false, ..p });
        assert!(matches!(err(c.create_udp_socket(IpAddressFamily::Ipv6)), ErrorCode::AccessDenied));
    }

    #[test]
    fn client_connects_within_allow_list_only() {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = server.local_addr().unwrap().port();
        let policy = NetworkPolicy {
            allow_connect: vec![range(&format!("127.0.0.1:{port}"))],
            ..NetworkPolicy::default()
        };
        let (mut c, n) = ctx(policy);
        let s = c.create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        // Outside the list: denied; binding is not granted at all.
        let other = v4([127, 0, 0, 1], port.wrapping_add(1).max(1));
        assert!(matches!(err(c.start_connect(b(&s), b(&n), other)), ErrorCode::AccessDenied));
        assert!(matches!(
            err(c.start_bind(b(&s), b(&n), v4([127, 0, 0, 1], 0))),
            ErrorCode::AccessDenied
        ));
        // Argument checks come first.
        assert!(matches!(
            err(c.start_connect(b(&s), b(&n), v4([0, 0, 0, 0], port))),
            ErrorCode::InvalidArgument
        ));
        assert!(matches!(err(c.finish_connect(b(&s))), ErrorCode::NotInProgress));
        c.start_connect(b(&s), b(&n), v4([127, 0, 0, 1], port)).unwrap();
        let (mut peer, _) = server.accept().unwrap();
        block(&mut c, &s);
        let (i, o) = c.finish_connect(b(&s)).unwrap();
        assert!(matches!(
            err(c.start_connect(b(&s), b(&n), v4([127, 0, 0, 1], port))),
            ErrorCode::InvalidState
        ));
        assert!(matches!(c.remote_address(b(&s)), Ok(a) if to_std(a).port() == port));
        c.blocking_write_and_flush(b(&o), b"ping".to_vec()).unwrap();
        let mut got = [0u8; 4];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"ping");
        assert!(c.read(b(&i), 10).unwrap().is_empty(), "nothing to read yet");
        peer.write_all(b"pong").unwrap();
        assert_eq!(c.blocking_read(b(&i), 10).unwrap(), b"pong");
        c.shutdown(b(&s), ShutdownType::Send).unwrap();
        let mut rest = Vec::new();
        peer.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty());
        drop(peer);
        assert!(matches!(c.blocking_read(b(&i), 10), Err(crate::p2::StreamError::Closed)));
        HostInputStream::drop(&mut c, i).unwrap();
        HostOutputStream::drop(&mut c, o).unwrap();
        HostTcpSocket::drop(&mut c, s).unwrap();
    }

    #[test]
    fn connection_refused_is_reported_by_finish_connect() {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let (mut c, n) = ctx(NetworkPolicy { inherit_network: true, ..NetworkPolicy::default() });
        let s = c.create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        c.start_connect(b(&s), b(&n), v4([127, 0, 0, 1], port)).unwrap();
        block(&mut c, &s);
        assert!(matches!(err(c.finish_connect(b(&s))), ErrorCode::ConnectionRefused));
        assert!(matches!(err(c.finish_connect(b(&s))), ErrorCode::NotInProgress));
    }

    #[test]
    fn server_binds_listens_and_accepts() {
        let policy =
            NetworkPolicy { allow_bind: vec![range("127.0.0.1:0")], ..NetworkPolicy::default() };
        let (mut c, n) = ctx(policy);
        let s = c.create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        assert!(matches!(err(c.local_address(b(&s))), ErrorCode::InvalidState));
        assert!(matches!(err(c.start_listen(b(&s))), ErrorCode::InvalidState));
        assert!(matches!(err(c.finish_bind(b(&s))), ErrorCode::NotInProgress));
        assert!(matches!(
            err(c.start_bind(b(&s), b(&n), v4([127, 0, 0, 1], 8080))),
            ErrorCode::AccessDenied
        ));
        assert!(matches!(
            err(c.start_bind(b(&s), b(&n), from_std("[::1]:0".parse().unwrap()))),
            ErrorCode::InvalidArgument
        ));
        c.start_bind(b(&s), b(&n), v4([127, 0, 0, 1], 0)).unwrap();
        c.finish_bind(b(&s)).unwrap();
        assert!(matches!(
            err(c.start_bind(b(&s), b(&n), v4([127, 0, 0, 1], 0))),
            ErrorCode::InvalidState
        ));
        let addr = to_std(c.local_address(b(&s)).unwrap());
        assert!(addr.port() != 0);
        c.set_listen_backlog_size(b(&s), 16).unwrap();
        c.start_listen(b(&s)).unwrap();
        assert!(!c.is_listening(b(&s)).unwrap());
        c.finish_listen(b(&s)).unwrap();
        assert!(c.is_listening(b(&s)).unwrap());
        assert!(matches!(err(c.accept(b(&s))), ErrorCode::WouldBlock));
        for msg in [&b"one"[..], b"two"] {
            let mut client = std::net::TcpStream::connect(addr).unwrap();
            client.write_all(msg).unwrap();
            block(&mut c, &s);
            let (a, i, o) = c.accept(b(&s)).unwrap();
            assert!(matches!(c.address_family(b(&a)), Ok(IpAddressFamily::Ipv4)));
            assert_eq!(c.blocking_read(b(&i), 100).unwrap(), msg);
            c.blocking_write_and_flush(b(&o), msg.to_ascii_uppercase()).unwrap();
            c.shutdown(b(&a), ShutdownType::Both).unwrap();
            let mut back = Vec::new();
            client.read_to_end(&mut back).unwrap();
            assert_eq!(back, msg.to_ascii_uppercase());
            HostInputStream::drop(&mut c, i).unwrap();
            HostOutputStream::drop(&mut c, o).unwrap();
            HostTcpSocket::drop(&mut c, a).unwrap();
        }
        assert!(matches!(err(c.shutdown(b(&s), ShutdownType::Both)), ErrorCode::InvalidState));
    }

    #[test]
    fn options_get_and_set() {
        let (mut c, _n) = ctx(NetworkPolicy { inherit_network: true, ..NetworkPolicy::default() });
        let s = c.create_tcp_socket(IpAddressFamily::Ipv6).unwrap();
        assert!(matches!(c.address_family(b(&s)), Ok(IpAddressFamily::Ipv6)));
        c.set_keep_alive_enabled(b(&s), true).unwrap();
        assert!(c.keep_alive_enabled(b(&s)).unwrap());
        c.set_keep_alive_idle_time(b(&s), 1_500_000_000).unwrap();
        assert_eq!(c.keep_alive_idle_time(b(&s)).unwrap(), 2_000_000_000);
        c.set_keep_alive_interval(b(&s), 3_000_000_000).unwrap();
        assert_eq!(c.keep_alive_interval(b(&s)).unwrap(), 3_000_000_000);
        c.set_keep_alive_count(b(&s), 4).unwrap();
        assert_eq!(c.keep_alive_count(b(&s)).unwrap(), 4);
        c.set_hop_limit(b(&s), 42).unwrap();
        assert_eq!(c.hop_limit(b(&s)).unwrap(), 42);
        c.set_receive_buffer_size(b(&s), 65536).unwrap();
        assert!(c.receive_buffer_size(b(&s)).unwrap() >= 65536);
        c.set_send_buffer_size(b(&s), 65536).unwrap();
        assert!(c.send_buffer_size(b(&s)).unwrap() >= 65536);
        for r in [
            c.set_hop_limit(b(&s), 0),
            c.set_keep_alive_count(b(&s), 0),
            c.set_keep_alive_idle_time(b(&s), 0),
            c.set_receive_buffer_size(b(&s), 0),
            c.set_listen_backlog_size(b(&s), 0),
        ] {
            assert!(matches!(err(r), ErrorCode::InvalidArgument));
        }
    }

    #[test]
    fn name_lookup_needs_its_grant() {
        let p = NetworkPolicy { allow_ip_name_lookup: true, ..NetworkPolicy::default() };
        let (mut c, n) = ctx(p);
        let r = c.resolve_addresses(b(&n), "localhost".into()).unwrap();
        let mut found = Vec::new();
        while let Some(a) = c.resolve_next_address(b(&r)).unwrap() {
            found.push(a);
        }
        let loopback = |a: &IpAddress| {
            matches!(a, IpAddress::Ipv4((127, 0, 0, 1)) | IpAddress::Ipv6((0, 0, 0, 0, 0, 0, 0, 1)))
        };
        assert!(found.iter().any(loopback), "{found:?}");
        let r = c.resolve_addresses(b(&n), "10.1.2.3".into()).unwrap();
        assert!(matches!(c.resolve_next_address(b(&r)), Ok(Some(IpAddress::Ipv4((10, 1, 2, 3))))));
        assert!(matches!(
            err(c.resolve_addresses(b(&n), "a b".into())),
            ErrorCode::InvalidArgument
        ));
        // The grant to look names up is not a grant to connect.
        assert!(matches!(err(c.create_tcp_socket(IpAddressFamily::Ipv4)), ErrorCode::AccessDenied));
    }
}
