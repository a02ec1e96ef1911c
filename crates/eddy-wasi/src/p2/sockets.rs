//! wasi:sockets (0.2) under the context's [`NetworkPolicy`]: denied by default. A denied
//! call returns `access-denied` before any syscall.
//!
//! This file is glue: the state machines live below the views, in [`crate::sockets`] (one
//! implementation for 0.2 and 0.3): TCP in [`crate::sockets::tcp`], UDP in
//! [`crate::sockets::udp`], name lookup in [`crate::sockets::lookup`]. Here the WIT types are
//! converted to std types and back, core [`ErrorCode`](crate::sockets::ErrorCode)s to the
//! binding's, and resources, streams and pollables are made:
//!
//! - TCP: [`TcpSocket`] is the core socket plus the read state of its input stream (so that
//!   `shutdown(receive)` closes it). Socket streams are
//!   [`InputSource::Tcp`](super::InputSource::Tcp) / [`OutputStream::Tcp`] on the same fd;
//!   `subscribe` pollables join `wasi:io/poll` through the fd.
//! - UDP: [`UdpSocket`] and the datagram streams are the core types themselves.
//! - `ip-name-lookup`: resolved with the host resolver when allowed.
#![allow(clippy::needless_pass_by_value)]

use std::net::IpAddr;
use std::ops::{Deref, DerefMut};
use std::os::fd::OwnedFd;
use std::sync::Arc;

use wasmtime::component::Resource;

use super::io::direct::ReadState;
use super::io::error::IoError;
use super::io::poll::Pollable;
use super::io::streams::{InputStream, OutputStream};
use crate::ctx::WasiCtx;
use crate::p2::bindings::wasi::clocks::monotonic_clock::Duration;
use crate::p2::bindings::wasi::sockets::network::ErrorCode;
use crate::p2::bindings::wasi::sockets::network::{IpAddress, IpAddressFamily, IpSocketAddress};
use crate::p2::bindings::wasi::sockets::tcp::ShutdownType;
use crate::p2::bindings::wasi::sockets::udp::{IncomingDatagram, OutgoingDatagram};
use crate::p2::bindings::wasi::sockets::{
    instance_network, ip_name_lookup, network, tcp, tcp_create_socket, udp, udp_create_socket,
};
use crate::sockets::{self as host, NetworkPolicy, SendError, ShutdownKind};
pub use crate::sockets::{
    IncomingDatagramStream, OutgoingDatagramStream, TcpState, UdpSocket, UdpState,
};

/// A `wasi:sockets/network.network`: the instance's network; what it reaches is the
/// context's [`NetworkPolicy`].
#[derive(Debug)]
pub struct Network;

/// A `wasi:sockets/ip-name-lookup.resolve-address-stream`: the addresses still to return.
#[derive(Debug)]
pub struct ResolveAddressStream {
    addresses: std::vec::IntoIter<IpAddr>,
}

/// A `wasi:sockets/tcp.tcp-socket`: the core [`crate::sockets::TcpSocket`] (its state
/// machine, reached through `Deref`) and the read state its input stream shares once
/// connected, which `shutdown(receive)` closes.
#[derive(Debug)]
pub struct TcpSocket {
    sock: host::TcpSocket,
    input: Arc<ReadState>,
}

impl Deref for TcpSocket {
    type Target = host::TcpSocket;

    fn deref(&self) -> &host::TcpSocket {
        &self.sock
    }
}

impl DerefMut for TcpSocket {
    fn deref_mut(&mut self) -> &mut host::TcpSocket {
        &mut self.sock
    }
}

impl From<host::TcpSocket> for TcpSocket {
    fn from(sock: host::TcpSocket) -> TcpSocket {
        TcpSocket { sock, input: Arc::default() }
    }
}

/// The error of a wasi:sockets call: an `error-code` for the guest, or a trap.
#[derive(Debug)]
pub enum SocketError {
    /// Returned to the guest.
    Code(ErrorCode),
    /// A host failure (a bad resource handle) or a guest contract violation: traps.
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

impl From<host::ErrorCode> for SocketError {
    fn from(e: host::ErrorCode) -> SocketError {
        SocketError::Code(wit_code(e))
    }
}

/// The binding's `error-code` for a core one (the same case).
fn wit_code(e: host::ErrorCode) -> ErrorCode {
    use host::ErrorCode as C;
    match e {
        C::Unknown => ErrorCode::Unknown,
        C::AccessDenied => ErrorCode::AccessDenied,
        C::NotSupported => ErrorCode::NotSupported,
        C::InvalidArgument => ErrorCode::InvalidArgument,
        C::OutOfMemory => ErrorCode::OutOfMemory,
        C::Timeout => ErrorCode::Timeout,
        C::ConcurrencyConflict => ErrorCode::ConcurrencyConflict,
        C::NotInProgress => ErrorCode::NotInProgress,
        C::WouldBlock => ErrorCode::WouldBlock,
        C::InvalidState => ErrorCode::InvalidState,
        C::NewSocketLimit => ErrorCode::NewSocketLimit,
        C::AddressNotBindable => ErrorCode::AddressNotBindable,
        C::AddressInUse => ErrorCode::AddressInUse,
        C::RemoteUnreachable => ErrorCode::RemoteUnreachable,
        C::ConnectionRefused => ErrorCode::ConnectionRefused,
        // 0.2 has no `connection-broken`: `EPIPE` is a reset there.
        C::ConnectionReset | C::ConnectionBroken => ErrorCode::ConnectionReset,
        C::ConnectionAborted => ErrorCode::ConnectionAborted,
        C::DatagramTooLarge => ErrorCode::DatagramTooLarge,
        C::NameUnresolvable => ErrorCode::NameUnresolvable,
        C::TemporaryResolverFailure => ErrorCode::TemporaryResolverFailure,
        C::PermanentResolverFailure => ErrorCode::PermanentResolverFailure,
    }
}

type SockResult<T> = Result<T, SocketError>;

use crate::p2::bindings::wasi::sockets::network as wit;
crate::sockets::wit_conversions!(wit);

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
        Ok(host::ErrorCode::of_stream_errno(self.get(&err)?.0).map(wit_code))
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

impl WasiCtx {
    /// The TCP socket behind a handle, mutably.
    fn tcp(&mut self, s: &Resource<TcpSocket>) -> SockResult<&mut TcpSocket> {
        Ok(self.get_mut(s)?)
    }

    /// The TCP socket behind a handle, mutably, and the policy its operations check.
    fn tcp_in(&mut self, s: &Resource<TcpSocket>) -> SockResult<(&mut TcpSocket, &NetworkPolicy)> {
        let sock = self.resources.get_mut(s).map_err(crate::ctx::table_trap)?;
        Ok((sock, &self.network))
    }

    /// The UDP socket behind a handle, mutably, and the policy its operations check.
    fn udp_in(&mut self, s: &Resource<UdpSocket>) -> SockResult<(&mut UdpSocket, &NetworkPolicy)> {
        let sock = self.resources.get_mut(s).map_err(crate::ctx::table_trap)?;
        Ok((sock, &self.network))
    }

    /// The UDP socket behind a handle.
    fn udp(&self, s: &Resource<UdpSocket>) -> SockResult<&UdpSocket> {
        Ok(self.get(s)?)
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
    /// `start-bind`: [`crate::sockets::TcpSocket::start_bind`].
    fn start_bind(
        &mut self,
        self_: Resource<TcpSocket>,
        network: Resource<Network>,
        local_address: IpSocketAddress,
    ) -> SockResult<()> {
        self.get(&network)?;
        let (sock, policy) = self.tcp_in(&self_)?;
        Ok(sock.start_bind(policy, to_std(local_address))?)
    }

    /// `finish-bind`: completes a started bind; `not-in-progress` otherwise.
    fn finish_bind(&mut self, self_: Resource<TcpSocket>) -> SockResult<()> {
        Ok(self.tcp(&self_)?.finish_bind()?)
    }

    /// `start-connect`: [`crate::sockets::TcpSocket::start_connect`].
    fn start_connect(
        &mut self,
        self_: Resource<TcpSocket>,
        network: Resource<Network>,
        remote_address: IpSocketAddress,
    ) -> SockResult<()> {
        self.get(&network)?;
        let (sock, policy) = self.tcp_in(&self_)?;
        Ok(sock.start_connect(policy, to_std(remote_address))?)
    }

    /// `finish-connect`: `would-block` while the connection is being made; then the
    /// socket's streams, or the error (the socket is then `closed`).
    fn finish_connect(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> SockResult<(Resource<InputStream>, Resource<OutputStream>)> {
        let sock = self.tcp(&self_)?;
        sock.finish_connect()?;
        let (fd, input) = (sock.fd().clone(), sock.input.clone());
        self.tcp_streams(&fd, &input)
    }

    /// `start-listen`: listens at once on a bound socket; `finish-listen` completes.
    fn start_listen(&mut self, self_: Resource<TcpSocket>) -> SockResult<()> {
        Ok(self.tcp(&self_)?.start_listen()?)
    }

    /// `finish-listen`: completes a started listen; `not-in-progress` otherwise.
    fn finish_listen(&mut self, self_: Resource<TcpSocket>) -> SockResult<()> {
        Ok(self.tcp(&self_)?.finish_listen()?)
    }

    /// `accept`: a pending connection as a connected socket with its streams;
    /// `would-block` if none is pending, `invalid-state` if not listening.
    fn accept(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> SockResult<(Resource<TcpSocket>, Resource<InputStream>, Resource<OutputStream>)> {
        let new = TcpSocket::from(self.tcp(&self_)?.accept()?);
        let (fd, input) = (new.fd().clone(), new.input.clone());
        let s = self.push(new)?;
        let (i, o) = self.tcp_streams(&fd, &input)?;
        Ok((s, i, o))
    }

    /// `local-address`: `invalid-state` while unbound.
    fn local_address(&mut self, self_: Resource<TcpSocket>) -> SockResult<IpSocketAddress> {
        Ok(from_std(self.tcp(&self_)?.local_address()?))
    }

    /// `remote-address`: `invalid-state` unless connected.
    fn remote_address(&mut self, self_: Resource<TcpSocket>) -> SockResult<IpSocketAddress> {
        Ok(from_std(self.tcp(&self_)?.remote_address()?))
    }

    /// `is-listening`.
    fn is_listening(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<bool> {
        Ok(self.get(&self_)?.is_listening())
    }

    /// `address-family`: the family given at creation.
    fn address_family(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<IpAddressFamily> {
        Ok(from_family(self.get(&self_)?.family()))
    }

    /// `set-listen-backlog-size`: [`crate::sockets::TcpSocket::set_listen_backlog_size`].
    fn set_listen_backlog_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> SockResult<()> {
        Ok(self.tcp(&self_)?.set_listen_backlog_size(value)?)
    }

    /// `keep-alive-enabled` (`SO_KEEPALIVE`).
    fn keep_alive_enabled(&mut self, self_: Resource<TcpSocket>) -> SockResult<bool> {
        Ok(self.tcp(&self_)?.keep_alive_enabled()?)
    }

    /// `set-keep-alive-enabled`.
    fn set_keep_alive_enabled(
        &mut self,
        self_: Resource<TcpSocket>,
        value: bool,
    ) -> SockResult<()> {
        Ok(self.tcp(&self_)?.set_keep_alive_enabled(value)?)
    }

    /// `keep-alive-idle-time` (`TCP_KEEPIDLE`), in ns.
    fn keep_alive_idle_time(&mut self, self_: Resource<TcpSocket>) -> SockResult<Duration> {
        Ok(host::ns_of_duration(self.tcp(&self_)?.keep_alive_idle_time()?))
    }

    /// `set-keep-alive-idle-time`: 0 is `invalid-argument`; rounded up to whole seconds.
    fn set_keep_alive_idle_time(
        &mut self,
        self_: Resource<TcpSocket>,
        value: Duration,
    ) -> SockResult<()> {
        Ok(self.tcp(&self_)?.set_keep_alive_idle_time(host::duration_from_ns(value))?)
    }

    /// `keep-alive-interval` (`TCP_KEEPINTVL`), in ns.
    fn keep_alive_interval(&mut self, self_: Resource<TcpSocket>) -> SockResult<Duration> {
        Ok(host::ns_of_duration(self.tcp(&self_)?.keep_alive_interval()?))
    }

    /// `set-keep-alive-interval`: 0 is `invalid-argument`; rounded up to whole seconds.
    fn set_keep_alive_interval(
        &mut self,
        self_: Resource<TcpSocket>,
        value: Duration,
    ) -> SockResult<()> {
        Ok(self.tcp(&self_)?.set_keep_alive_interval(host::duration_from_ns(value))?)
    }

    /// `keep-alive-count` (`TCP_KEEPCNT`).
    fn keep_alive_count(&mut self, self_: Resource<TcpSocket>) -> SockResult<u32> {
        Ok(self.tcp(&self_)?.keep_alive_count()?)
    }

    /// `set-keep-alive-count`: 0 is `invalid-argument`; above 127 (Linux's most) is clamped.
    fn set_keep_alive_count(&mut self, self_: Resource<TcpSocket>, value: u32) -> SockResult<()> {
        Ok(self.tcp(&self_)?.set_keep_alive_count(value)?)
    }

    /// `hop-limit` (`IP_TTL` / `IPV6_UNICAST_HOPS`).
    fn hop_limit(&mut self, self_: Resource<TcpSocket>) -> SockResult<u8> {
        Ok(self.tcp(&self_)?.hop_limit()?)
    }

    /// `set-hop-limit`: 0 is `invalid-argument`.
    fn set_hop_limit(&mut self, self_: Resource<TcpSocket>, value: u8) -> SockResult<()> {
        Ok(self.tcp(&self_)?.set_hop_limit(value)?)
    }

    /// `receive-buffer-size` (`SO_RCVBUF`, as the kernel reports it).
    fn receive_buffer_size(&mut self, self_: Resource<TcpSocket>) -> SockResult<u64> {
        Ok(self.tcp(&self_)?.receive_buffer_size()?)
    }

    /// `set-receive-buffer-size`: 0 is `invalid-argument`; the kernel may adjust the value.
    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> SockResult<()> {
        Ok(self.tcp(&self_)?.set_receive_buffer_size(value)?)
    }

    /// `send-buffer-size` (`SO_SNDBUF`, as the kernel reports it).
    fn send_buffer_size(&mut self, self_: Resource<TcpSocket>) -> SockResult<u64> {
        Ok(self.tcp(&self_)?.send_buffer_size()?)
    }

    /// `set-send-buffer-size`: 0 is `invalid-argument`; the kernel may adjust the value.
    fn set_send_buffer_size(&mut self, self_: Resource<TcpSocket>, value: u64) -> SockResult<()> {
        Ok(self.tcp(&self_)?.set_send_buffer_size(value)?)
    }

    /// `subscribe`: ready when `finish-connect` (writable), `accept` (readable) would not
    /// block; at once in other states. Joins `poll` through the socket's fd.
    fn subscribe(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<Resource<Pollable>> {
        self.push_child(Pollable::Tcp(self_.rep()), &self_)
    }

    /// `shutdown`: `shutdown(2)` on a connected socket; `invalid-state` otherwise. Shutting
    /// down `receive` also closes the input stream (see docs/RATIONALE.md).
    fn shutdown(
        &mut self,
        self_: Resource<TcpSocket>,
        shutdown_type: ShutdownType,
    ) -> SockResult<()> {
        let sock = self.tcp(&self_)?;
        let kind = match shutdown_type {
            ShutdownType::Receive => ShutdownKind::Receive,
            ShutdownType::Send => ShutdownKind::Send,
            ShutdownType::Both => ShutdownKind::Both,
        };
        sock.shutdown(kind)?;
        if kind != ShutdownKind::Send {
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

impl tcp::Host for WasiCtx {}

impl tcp_create_socket::Host for WasiCtx {
    /// `create-tcp-socket`: [`crate::sockets::TcpSocket::create`].
    fn create_tcp_socket(
        &mut self,
        address_family: IpAddressFamily,
    ) -> SockResult<Resource<TcpSocket>> {
        let sock = host::TcpSocket::create(to_family(address_family))?;
        Ok(self.push(TcpSocket::from(sock))?)
    }
}

impl udp::HostUdpSocket for WasiCtx {
    /// `start-bind`: [`crate::sockets::UdpSocket::start_bind`].
    fn start_bind(
        &mut self,
        self_: Resource<UdpSocket>,
        network: Resource<Network>,
        local_address: IpSocketAddress,
    ) -> SockResult<()> {
        self.get(&network)?;
        let (sock, policy) = self.udp_in(&self_)?;
        Ok(sock.start_bind(policy, to_std(local_address))?)
    }

    /// `finish-bind`: completes a started bind; `not-in-progress` otherwise.
    fn finish_bind(&mut self, self_: Resource<UdpSocket>) -> SockResult<()> {
        Ok(self.udp_in(&self_)?.0.finish_bind()?)
    }

    /// `stream`: [`crate::sockets::UdpSocket::stream`], the two streams as resources.
    fn stream(
        &mut self,
        self_: Resource<UdpSocket>,
        remote_address: Option<IpSocketAddress>,
    ) -> SockResult<(Resource<IncomingDatagramStream>, Resource<OutgoingDatagramStream>)> {
        let (sock, policy) = self.udp_in(&self_)?;
        let (i, o) = sock.stream(policy, remote_address.map(to_std))?;
        Ok((self.push(i)?, self.push(o)?))
    }

    /// `local-address`: `invalid-state` while unbound.
    fn local_address(&mut self, self_: Resource<UdpSocket>) -> SockResult<IpSocketAddress> {
        Ok(from_std(self.udp(&self_)?.local_address()?))
    }

    /// `remote-address`: the address `stream` connected to; `invalid-state` if none.
    fn remote_address(&mut self, self_: Resource<UdpSocket>) -> SockResult<IpSocketAddress> {
        Ok(from_std(self.udp(&self_)?.remote_address()?))
    }

    /// `address-family`: the family given at creation.
    fn address_family(&mut self, self_: Resource<UdpSocket>) -> wasmtime::Result<IpAddressFamily> {
        Ok(from_family(self.get(&self_)?.family()))
    }

    /// `unicast-hop-limit` (`IP_TTL` / `IPV6_UNICAST_HOPS`).
    fn unicast_hop_limit(&mut self, self_: Resource<UdpSocket>) -> SockResult<u8> {
        Ok(self.udp(&self_)?.unicast_hop_limit()?)
    }

    /// `set-unicast-hop-limit`: 0 is `invalid-argument`.
    fn set_unicast_hop_limit(&mut self, self_: Resource<UdpSocket>, value: u8) -> SockResult<()> {
        Ok(self.udp(&self_)?.set_unicast_hop_limit(value)?)
    }

    /// `receive-buffer-size` (`SO_RCVBUF`, as the kernel reports it).
    fn receive_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SockResult<u64> {
        Ok(self.udp(&self_)?.receive_buffer_size()?)
    }

    /// `set-receive-buffer-size`: 0 is `invalid-argument`; the kernel may adjust the value.
    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<UdpSocket>,
        value: u64,
    ) -> SockResult<()> {
        Ok(self.udp(&self_)?.set_receive_buffer_size(value)?)
    }

    /// `send-buffer-size` (`SO_SNDBUF`, as the kernel reports it).
    fn send_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SockResult<u64> {
        Ok(self.udp(&self_)?.send_buffer_size()?)
    }

    /// `set-send-buffer-size`: 0 is `invalid-argument`; the kernel may adjust the value.
    fn set_send_buffer_size(&mut self, self_: Resource<UdpSocket>, value: u64) -> SockResult<()> {
        Ok(self.udp(&self_)?.set_send_buffer_size(value)?)
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
    /// `receive`: [`crate::sockets::IncomingDatagramStream::receive`].
    fn receive(
        &mut self,
        self_: Resource<IncomingDatagramStream>,
        max_results: u64,
    ) -> SockResult<Vec<IncomingDatagram>> {
        let got = self.get(&self_)?.receive(max_results)?;
        let wit = |d: host::IncomingDatagram| IncomingDatagram {
            data: d.data,
            remote_address: from_std(d.remote_address),
        };
        Ok(got.into_iter().map(wit).collect())
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
        Ok(self.get_mut(&self_)?.check_send())
    }

    /// `send`: [`crate::sockets::OutgoingDatagramStream::send`]. Traps if `check-send` did
    /// not permit this many.
    fn send(
        &mut self,
        self_: Resource<OutgoingDatagramStream>,
        datagrams: Vec<OutgoingDatagram>,
    ) -> SockResult<u64> {
        let datagrams: Vec<host::OutgoingDatagram> = datagrams
            .into_iter()
            .map(|d| host::OutgoingDatagram {
                data: d.data,
                remote_address: d.remote_address.map(to_std),
            })
            .collect();
        let s = self.resources.get_mut(&self_).map_err(crate::ctx::table_trap)?;
        match s.send(&self.network, &datagrams) {
            Ok(n) => Ok(n),
            Err(SendError::Code(e)) => Err(e.into()),
            Err(SendError::NotPermitted { count, permitted }) => {
                Err(SocketError::Trap(wasmtime::Error::msg(format!(
                    "wasi:sockets outgoing-datagram-stream.send of {count} datagrams, but \
                     check-send permitted {permitted}"
                ))))
            }
        }
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
    /// `create-udp-socket`: [`crate::sockets::UdpSocket::create`].
    fn create_udp_socket(
        &mut self,
        address_family: IpAddressFamily,
    ) -> SockResult<Resource<UdpSocket>> {
        let sock = UdpSocket::create(to_family(address_family))?;
        Ok(self.push(sock)?)
    }
}

impl ip_name_lookup::HostResolveAddressStream for WasiCtx {
    /// `resolve-next-address`: the next address, or `none` when all were returned.
    fn resolve_next_address(
        &mut self,
        self_: Resource<ResolveAddressStream>,
    ) -> SockResult<Option<IpAddress>> {
        Ok(self.get_mut(&self_)?.addresses.next().map(from_ip))
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
    /// `resolve-addresses`: [`crate::sockets::resolve_addresses`], once, here (the stream
    /// is then ready at once).
    fn resolve_addresses(
        &mut self,
        network: Resource<Network>,
        name: String,
    ) -> SockResult<Resource<ResolveAddressStream>> {
        self.get(&network)?;
        let addresses = host::resolve_addresses(&self.network, &name)?;
        Ok(self.push(ResolveAddressStream { addresses: addresses.into_iter() })?)
    }
}

/// The glue's own tests: WIT conversions, resources, streams and traps. The state machines
/// are tested in `crate::sockets`.
#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6};

    use super::*;
    use crate::p2::bindings::wasi::io::poll::{Host as _, HostPollable};
    use crate::p2::bindings::wasi::io::streams::{HostInputStream, HostOutputStream};
    use crate::p2::bindings::wasi::sockets::network::Ipv6SocketAddress;
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
    fn addresses_convert_both_ways() {
        for a in ["1.2.3.4:5", "[fe80::1%7]:80", "[::ffff:1.2.3.4]:0"] {
            let a: SocketAddr = a.parse().unwrap();
            assert_eq!(to_std(from_std(a)), a);
        }
        let v6 = SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 3, 4));
        assert!(matches!(
            from_std(v6),
            IpSocketAddress::Ipv6(Ipv6SocketAddress { port: 9, flow_info: 3, scope_id: 4, .. })
        ));
        assert!(matches!(from_ip(IpAddr::from([10, 1, 2, 3])), IpAddress::Ipv4((10, 1, 2, 3))));
        assert_eq!(host::ns_of_duration(std::time::Duration::MAX), u64::MAX);
        assert!(matches!(wit_code(host::ErrorCode::WouldBlock), ErrorCode::WouldBlock));
    }

    #[test]
    fn default_policy_denies_everything_but_creating() {
        // Creating a socket needs no grant; what reaches the network does.
        let (mut c, n) = ctx(NetworkPolicy::default());
        let s = c.create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        c.set_keep_alive_enabled(b(&s), true).unwrap();
        assert!(matches!(
            err(c.start_bind(b(&s), b(&n), v4([127, 0, 0, 1], 0))),
            ErrorCode::AccessDenied
        ));
        assert!(matches!(
            err(c.start_connect(b(&s), b(&n), v4([127, 0, 0, 1], 9))),
            ErrorCode::AccessDenied
        ));
        assert!(matches!(
            err(c.resolve_addresses(b(&n), "localhost".into())),
            ErrorCode::AccessDenied
        ));
        let p = NetworkPolicy { inherit_network: true, tcp: false, ..NetworkPolicy::default() };
        let (mut c, n) = ctx(p);
        let s = c.create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        assert!(matches!(
            err(c.start_connect(b(&s), b(&n), v4([127, 0, 0, 1], 9))),
            ErrorCode::AccessDenied
        ));
    }

    #[test]
    fn udp_datagrams_through_the_resources() {
        use udp::{HostIncomingDatagramStream, HostOutgoingDatagramStream, HostUdpSocket};
        use udp_create_socket::Host as _;
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let peer_addr = peer.local_addr().unwrap();
        let p = NetworkPolicy {
            allow_bind: vec![range("127.0.0.1:0")],
            allow_connect: vec![range(&peer_addr.to_string())],
            ..NetworkPolicy::default()
        };
        let (mut c, n) = ctx(p);
        let s = c.create_udp_socket(IpAddressFamily::Ipv4).unwrap();
        assert!(matches!(
            err(HostUdpSocket::start_bind(&mut c, b(&s), b(&n), v4([127, 0, 0, 1], 53))),
            ErrorCode::AccessDenied
        ));
        HostUdpSocket::start_bind(&mut c, b(&s), b(&n), v4([127, 0, 0, 1], 0)).unwrap();
        HostUdpSocket::finish_bind(&mut c, b(&s)).unwrap();
        assert!(matches!(HostUdpSocket::address_family(&mut c, b(&s)), Ok(IpAddressFamily::Ipv4)));
        let me = to_std(HostUdpSocket::local_address(&mut c, b(&s)).unwrap());
        let (i, o) = c.stream(b(&s), None).unwrap();
        assert_eq!(c.check_send(b(&o)).unwrap(), 64);
        let ping =
            OutgoingDatagram { data: b"ping".to_vec(), remote_address: Some(from_std(peer_addr)) };
        assert_eq!(c.send(b(&o), vec![ping]).unwrap(), 1);
        let mut buf = [0u8; 16];
        let (len, from) = peer.recv_from(&mut buf).unwrap();
        assert_eq!((&buf[..len], from), (&b"ping"[..], me));
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
        let (i, o) = c.stream(b(&s), Some(from_std(peer_addr))).unwrap();
        assert_eq!(to_std(HostUdpSocket::remote_address(&mut c, b(&s)).unwrap()), peer_addr);
        HostIncomingDatagramStream::drop(&mut c, i).unwrap();
        HostOutgoingDatagramStream::drop(&mut c, o).unwrap();
        HostUdpSocket::drop(&mut c, s).unwrap();
    }

    #[test]
    fn client_streams_and_shutdown() {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = server.local_addr().unwrap().port();
        let policy = NetworkPolicy {
            allow_connect: vec![range(&format!("127.0.0.1:{port}"))],
            ..NetworkPolicy::default()
        };
        let (mut c, n) = ctx(policy);
        let s = c.create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        assert!(matches!(
            err(c.start_connect(b(&s), b(&n), v4([127, 0, 0, 1], port.wrapping_add(1).max(1)))),
            ErrorCode::AccessDenied
        ));
        assert!(matches!(err(c.finish_connect(b(&s))), ErrorCode::NotInProgress));
        c.start_connect(b(&s), b(&n), v4([127, 0, 0, 1], port)).unwrap();
        let (mut peer, _) = server.accept().unwrap();
        block(&mut c, &s);
        let (i, o) = c.finish_connect(b(&s)).unwrap();
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
        // `shutdown(receive)` closes the input stream even with bytes queued.
        peer.write_all(b"late").unwrap();
        c.shutdown(b(&s), ShutdownType::Receive).unwrap();
        assert!(matches!(c.blocking_read(b(&i), 10), Err(crate::p2::StreamError::Closed)));
        HostInputStream::drop(&mut c, i).unwrap();
        HostOutputStream::drop(&mut c, o).unwrap();
        HostTcpSocket::drop(&mut c, s).unwrap();
    }

    #[test]
    fn server_accepts_with_streams() {
        let policy =
            NetworkPolicy { allow_bind: vec![range("127.0.0.1:0")], ..NetworkPolicy::default() };
        let (mut c, n) = ctx(policy);
        let s = c.create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        assert!(matches!(
            err(c.start_bind(b(&s), b(&n), v4([127, 0, 0, 1], 8080))),
            ErrorCode::AccessDenied
        ));
        c.start_bind(b(&s), b(&n), v4([127, 0, 0, 1], 0)).unwrap();
        c.finish_bind(b(&s)).unwrap();
        let addr = to_std(c.local_address(b(&s)).unwrap());
        c.set_keep_alive_idle_time(b(&s), 1_500_000_000).unwrap();
        assert_eq!(c.keep_alive_idle_time(b(&s)).unwrap(), 2_000_000_000);
        c.start_listen(b(&s)).unwrap();
        assert!(!c.is_listening(b(&s)).unwrap());
        c.finish_listen(b(&s)).unwrap();
        assert!(c.is_listening(b(&s)).unwrap());
        assert!(matches!(err(c.accept(b(&s))), ErrorCode::WouldBlock));
        let mut client = std::net::TcpStream::connect(addr).unwrap();
        client.write_all(b"one").unwrap();
        block(&mut c, &s);
        let (a, i, o) = c.accept(b(&s)).unwrap();
        assert!(matches!(c.address_family(b(&a)), Ok(IpAddressFamily::Ipv4)));
        assert_eq!(c.blocking_read(b(&i), 100).unwrap(), b"one");
        c.blocking_write_and_flush(b(&o), b"ONE".to_vec()).unwrap();
        c.shutdown(b(&a), ShutdownType::Both).unwrap();
        let mut back = Vec::new();
        client.read_to_end(&mut back).unwrap();
        assert_eq!(back, b"ONE");
        HostInputStream::drop(&mut c, i).unwrap();
        HostOutputStream::drop(&mut c, o).unwrap();
        HostTcpSocket::drop(&mut c, a).unwrap();
        assert!(matches!(err(c.shutdown(b(&s), ShutdownType::Both)), ErrorCode::InvalidState));
    }

    #[test]
    fn name_lookup_returns_wit_addresses() {
        let p = NetworkPolicy { allow_ip_name_lookup: true, ..NetworkPolicy::default() };
        let (mut c, n) = ctx(p);
        let r = c.resolve_addresses(b(&n), "10.1.2.3".into()).unwrap();
        assert!(matches!(c.resolve_next_address(b(&r)), Ok(Some(IpAddress::Ipv4((10, 1, 2, 3))))));
        assert!(matches!(c.resolve_next_address(b(&r)), Ok(None)));
        assert!(matches!(
            err(c.resolve_addresses(b(&n), "a b".into())),
            ErrorCode::InvalidArgument
        ));
    }
}
