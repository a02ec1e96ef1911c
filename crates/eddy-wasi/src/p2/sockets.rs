//! wasi:sockets (0.2) — linked so components that import it run, but **denied**: until the
//! sockets issue grants network access, every function that can fail returns `access-denied`
//! (the intended default policy: network access is denied unless granted, DESIGN.md) and
//! never traps. `instance-network` gives a [`Network`] handle (it is not a grant); no
//! socket, datagram stream or name-lookup stream can be created, so their types are
//! uninhabited and their methods provably unreachable.
#![allow(clippy::needless_pass_by_value)]

use wasmtime::component::Resource;

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

/// A `wasi:sockets/network.network`: the instance's network, through which nothing is
/// currently granted.
#[derive(Debug)]
pub struct Network;

/// A `wasi:sockets/tcp.tcp-socket`. None can exist yet (creation is denied).
#[derive(Debug)]
pub enum TcpSocket {}

/// A `wasi:sockets/udp.udp-socket`. None can exist yet (creation is denied).
#[derive(Debug)]
pub enum UdpSocket {}

/// A `wasi:sockets/udp.incoming-datagram-stream`. None can exist yet.
#[derive(Debug)]
pub enum IncomingDatagramStream {}

/// A `wasi:sockets/udp.outgoing-datagram-stream`. None can exist yet.
#[derive(Debug)]
pub enum OutgoingDatagramStream {}

/// A `wasi:sockets/ip-name-lookup.resolve-address-stream`. None can exist yet (lookup is
/// denied).
#[derive(Debug)]
pub enum ResolveAddressStream {}

/// The error of a wasi:sockets call: an `error-code` for the guest, or a trap.
#[derive(Debug)]
pub enum SocketError {
    /// Returned to the guest.
    Code(ErrorCode),
    /// A host failure (a bad resource handle): traps.
    Trap(wasmtime::Error),
}

impl SocketError {
    /// `access-denied`: the policy until network grants exist.
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
    /// `network-error-code`: none; Eddy's stream errors are never network errors while no
    /// socket can exist.
    fn network_error_code(
        &mut self,
        err: Resource<IoError>,
    ) -> wasmtime::Result<Option<ErrorCode>> {
        self.get(&err)?;
        Ok(None)
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
    /// `instance-network`: a handle to the instance's (empty) network. Every operation
    /// given it is denied.
    fn instance_network(&mut self) -> wasmtime::Result<Resource<Network>> {
        self.push(Network)
    }
}

impl udp::HostUdpSocket for WasiCtx {
    /// `start-bind`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn start_bind(
        &mut self,
        self_: Resource<UdpSocket>,
        network: Resource<Network>,
        local_address: IpSocketAddress,
    ) -> Result<(), SocketError> {
        let _ = network;
        let _ = local_address;
        match *self.get(&self_)? {}
    }
    /// `finish-bind`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn finish_bind(&mut self, self_: Resource<UdpSocket>) -> Result<(), SocketError> {
        match *self.get(&self_)? {}
    }
    /// `stream`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn stream(
        &mut self,
        self_: Resource<UdpSocket>,
        remote_address: Option<IpSocketAddress>,
    ) -> Result<(Resource<IncomingDatagramStream>, Resource<OutgoingDatagramStream>), SocketError>
    {
        let _ = remote_address;
        match *self.get(&self_)? {}
    }
    /// `local-address`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn local_address(
        &mut self,
        self_: Resource<UdpSocket>,
    ) -> Result<IpSocketAddress, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `remote-address`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn remote_address(
        &mut self,
        self_: Resource<UdpSocket>,
    ) -> Result<IpSocketAddress, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `address-family`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn address_family(&mut self, self_: Resource<UdpSocket>) -> wasmtime::Result<IpAddressFamily> {
        match *self.get(&self_)? {}
    }
    /// `unicast-hop-limit`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn unicast_hop_limit(&mut self, self_: Resource<UdpSocket>) -> Result<u8, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `set-unicast-hop-limit`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn set_unicast_hop_limit(
        &mut self,
        self_: Resource<UdpSocket>,
        value: u8,
    ) -> Result<(), SocketError> {
        let _ = value;
        match *self.get(&self_)? {}
    }
    /// `receive-buffer-size`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn receive_buffer_size(&mut self, self_: Resource<UdpSocket>) -> Result<u64, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `set-receive-buffer-size`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<UdpSocket>,
        value: u64,
    ) -> Result<(), SocketError> {
        let _ = value;
        match *self.get(&self_)? {}
    }
    /// `send-buffer-size`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn send_buffer_size(&mut self, self_: Resource<UdpSocket>) -> Result<u64, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `set-send-buffer-size`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn set_send_buffer_size(
        &mut self,
        self_: Resource<UdpSocket>,
        value: u64,
    ) -> Result<(), SocketError> {
        let _ = value;
        match *self.get(&self_)? {}
    }
    /// `subscribe`: unreachable, as no `UdpSocket` can exist (every constructor returns `access-denied`).
    fn subscribe(&mut self, self_: Resource<UdpSocket>) -> wasmtime::Result<Resource<Pollable>> {
        match *self.get(&self_)? {}
    }
    /// Drops a `UdpSocket` (none can exist: every constructor denies).
    fn drop(&mut self, rep: Resource<UdpSocket>) -> wasmtime::Result<()> {
        match self.delete(rep)? {}
    }
}

impl udp::HostIncomingDatagramStream for WasiCtx {
    /// `receive`: unreachable, as no `IncomingDatagramStream` can exist (every constructor returns `access-denied`).
    fn receive(
        &mut self,
        self_: Resource<IncomingDatagramStream>,
        max_results: u64,
    ) -> Result<Vec<IncomingDatagram>, SocketError> {
        let _ = max_results;
        match *self.get(&self_)? {}
    }
    /// `subscribe`: unreachable, as no `IncomingDatagramStream` can exist (every constructor returns `access-denied`).
    fn subscribe(
        &mut self,
        self_: Resource<IncomingDatagramStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        match *self.get(&self_)? {}
    }
    /// Drops a `IncomingDatagramStream` (none can exist: every constructor denies).
    fn drop(&mut self, rep: Resource<IncomingDatagramStream>) -> wasmtime::Result<()> {
        match self.delete(rep)? {}
    }
}

impl udp::HostOutgoingDatagramStream for WasiCtx {
    /// `check-send`: unreachable, as no `OutgoingDatagramStream` can exist (every constructor returns `access-denied`).
    fn check_send(&mut self, self_: Resource<OutgoingDatagramStream>) -> Result<u64, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `send`: unreachable, as no `OutgoingDatagramStream` can exist (every constructor returns `access-denied`).
    fn send(
        &mut self,
        self_: Resource<OutgoingDatagramStream>,
        datagrams: Vec<OutgoingDatagram>,
    ) -> Result<u64, SocketError> {
        let _ = datagrams;
        match *self.get(&self_)? {}
    }
    /// `subscribe`: unreachable, as no `OutgoingDatagramStream` can exist (every constructor returns `access-denied`).
    fn subscribe(
        &mut self,
        self_: Resource<OutgoingDatagramStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        match *self.get(&self_)? {}
    }
    /// Drops a `OutgoingDatagramStream` (none can exist: every constructor denies).
    fn drop(&mut self, rep: Resource<OutgoingDatagramStream>) -> wasmtime::Result<()> {
        match self.delete(rep)? {}
    }
}

impl udp::Host for WasiCtx {}

impl udp_create_socket::Host for WasiCtx {
    /// `create-udp-socket`: `access-denied` (network access is denied by default).
    fn create_udp_socket(
        &mut self,
        address_family: IpAddressFamily,
    ) -> Result<Resource<UdpSocket>, SocketError> {
        let _ = address_family;
        Err(SocketError::denied())
    }
}

impl tcp::HostTcpSocket for WasiCtx {
    /// `start-bind`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn start_bind(
        &mut self,
        self_: Resource<TcpSocket>,
        network: Resource<Network>,
        local_address: IpSocketAddress,
    ) -> Result<(), SocketError> {
        let _ = network;
        let _ = local_address;
        match *self.get(&self_)? {}
    }
    /// `finish-bind`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn finish_bind(&mut self, self_: Resource<TcpSocket>) -> Result<(), SocketError> {
        match *self.get(&self_)? {}
    }
    /// `start-connect`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn start_connect(
        &mut self,
        self_: Resource<TcpSocket>,
        network: Resource<Network>,
        remote_address: IpSocketAddress,
    ) -> Result<(), SocketError> {
        let _ = network;
        let _ = remote_address;
        match *self.get(&self_)? {}
    }
    /// `finish-connect`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn finish_connect(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> Result<(Resource<InputStream>, Resource<OutputStream>), SocketError> {
        match *self.get(&self_)? {}
    }
    /// `start-listen`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn start_listen(&mut self, self_: Resource<TcpSocket>) -> Result<(), SocketError> {
        match *self.get(&self_)? {}
    }
    /// `finish-listen`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn finish_listen(&mut self, self_: Resource<TcpSocket>) -> Result<(), SocketError> {
        match *self.get(&self_)? {}
    }
    /// `accept`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn accept(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> Result<(Resource<TcpSocket>, Resource<InputStream>, Resource<OutputStream>), SocketError>
    {
        match *self.get(&self_)? {}
    }
    /// `local-address`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn local_address(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> Result<IpSocketAddress, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `remote-address`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn remote_address(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> Result<IpSocketAddress, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `is-listening`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn is_listening(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<bool> {
        match *self.get(&self_)? {}
    }
    /// `address-family`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn address_family(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<IpAddressFamily> {
        match *self.get(&self_)? {}
    }
    /// `set-listen-backlog-size`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn set_listen_backlog_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> Result<(), SocketError> {
        let _ = value;
        match *self.get(&self_)? {}
    }
    /// `keep-alive-enabled`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn keep_alive_enabled(&mut self, self_: Resource<TcpSocket>) -> Result<bool, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `set-keep-alive-enabled`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn set_keep_alive_enabled(
        &mut self,
        self_: Resource<TcpSocket>,
        value: bool,
    ) -> Result<(), SocketError> {
        let _ = value;
        match *self.get(&self_)? {}
    }
    /// `keep-alive-idle-time`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn keep_alive_idle_time(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> Result<Duration, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `set-keep-alive-idle-time`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn set_keep_alive_idle_time(
        &mut self,
        self_: Resource<TcpSocket>,
        value: Duration,
    ) -> Result<(), SocketError> {
        let _ = value;
        match *self.get(&self_)? {}
    }
    /// `keep-alive-interval`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn keep_alive_interval(&mut self, self_: Resource<TcpSocket>) -> Result<Duration, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `set-keep-alive-interval`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn set_keep_alive_interval(
        &mut self,
        self_: Resource<TcpSocket>,
        value: Duration,
    ) -> Result<(), SocketError> {
        let _ = value;
        match *self.get(&self_)? {}
    }
    /// `keep-alive-count`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn keep_alive_count(&mut self, self_: Resource<TcpSocket>) -> Result<u32, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `set-keep-alive-count`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn set_keep_alive_count(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u32,
    ) -> Result<(), SocketError> {
        let _ = value;
        match *self.get(&self_)? {}
    }
    /// `hop-limit`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn hop_limit(&mut self, self_: Resource<TcpSocket>) -> Result<u8, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `set-hop-limit`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn set_hop_limit(&mut self, self_: Resource<TcpSocket>, value: u8) -> Result<(), SocketError> {
        let _ = value;
        match *self.get(&self_)? {}
    }
    /// `receive-buffer-size`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn receive_buffer_size(&mut self, self_: Resource<TcpSocket>) -> Result<u64, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `set-receive-buffer-size`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> Result<(), SocketError> {
        let _ = value;
        match *self.get(&self_)? {}
    }
    /// `send-buffer-size`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn send_buffer_size(&mut self, self_: Resource<TcpSocket>) -> Result<u64, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `set-send-buffer-size`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn set_send_buffer_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> Result<(), SocketError> {
        let _ = value;
        match *self.get(&self_)? {}
    }
    /// `subscribe`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn subscribe(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<Resource<Pollable>> {
        match *self.get(&self_)? {}
    }
    /// `shutdown`: unreachable, as no `TcpSocket` can exist (every constructor returns `access-denied`).
    fn shutdown(
        &mut self,
        self_: Resource<TcpSocket>,
        shutdown_type: ShutdownType,
    ) -> Result<(), SocketError> {
        let _ = shutdown_type;
        match *self.get(&self_)? {}
    }
    /// Drops a `TcpSocket` (none can exist: every constructor denies).
    fn drop(&mut self, rep: Resource<TcpSocket>) -> wasmtime::Result<()> {
        match self.delete(rep)? {}
    }
}

impl tcp::Host for WasiCtx {}

impl tcp_create_socket::Host for WasiCtx {
    /// `create-tcp-socket`: `access-denied` (network access is denied by default).
    fn create_tcp_socket(
        &mut self,
        address_family: IpAddressFamily,
    ) -> Result<Resource<TcpSocket>, SocketError> {
        let _ = address_family;
        Err(SocketError::denied())
    }
}

impl ip_name_lookup::HostResolveAddressStream for WasiCtx {
    /// `resolve-next-address`: unreachable, as no `ResolveAddressStream` can exist (every constructor returns `access-denied`).
    fn resolve_next_address(
        &mut self,
        self_: Resource<ResolveAddressStream>,
    ) -> Result<Option<IpAddress>, SocketError> {
        match *self.get(&self_)? {}
    }
    /// `subscribe`: unreachable, as no `ResolveAddressStream` can exist (every constructor returns `access-denied`).
    fn subscribe(
        &mut self,
        self_: Resource<ResolveAddressStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        match *self.get(&self_)? {}
    }
    /// Drops a `ResolveAddressStream` (none can exist: every constructor denies).
    fn drop(&mut self, rep: Resource<ResolveAddressStream>) -> wasmtime::Result<()> {
        match self.delete(rep)? {}
    }
}

impl ip_name_lookup::Host for WasiCtx {
    /// `resolve-addresses`: `access-denied` (network access is denied by default).
    fn resolve_addresses(
        &mut self,
        network: Resource<Network>,
        name: String,
    ) -> Result<Resource<ResolveAddressStream>, SocketError> {
        let _ = network;
        let _ = name;
        Err(SocketError::denied())
    }
}
