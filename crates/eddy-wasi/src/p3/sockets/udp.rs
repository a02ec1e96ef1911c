//! `wasi:sockets/types.udp-socket` (0.3): the UDP state machine of
//! [`crate::sockets::udp`] behind the 0.3 methods.
//!
//! - `create`, the options and the addresses: the core's, at once (no grant needed).
//! - `bind`: policy-checked against the bind list; `connect` / `disconnect`: the socket's
//!   association, the remote checked against the connect list.
//! - `send` (WIT `async`): the destination checked (every datagram, against the connect
//!   list), then one `send(2)`/`sendto(2)` once the fd is writable.
//! - `receive` (WIT `async`): one `recvfrom(2)` once the fd is readable, into a 64 KiB
//!   buffer (the largest UDP payload), returned as the datagram.

use wasmtime::component::{Accessor, Resource};

use super::super::bytes::{fd_of, Registered};
use super::super::WasiP3;
use super::wit::{self, IpAddressFamily, IpSocketAddress};
use super::{from_family, from_std, os_error, register, to_family, to_std, SockResult, UdpSocket};
use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::sockets::udp::{receive_datagram, send_datagram, MAX_DATAGRAM_SIZE};
use crate::sockets::{self as host, UdpState};

impl<T: Send> wit::HostUdpSocketWithStore<T> for WasiP3 {
    /// `send(data, remote-address)`: checks the destination
    /// ([`crate::sockets::UdpSocket::prepare_send`]: `invalid-argument` for a destination
    /// that is not the associated peer or none on an unassociated socket, a wrong family,
    /// `0.0.0.0`, port 0; `access-denied` by the connect list; an unbound socket is bound to
    /// the unspecified address, port 0, if the bind list allows it), then sends `data` as
    /// one datagram once the socket can send. Errors: the OS's (`datagram-too-large` beyond
    /// 64 KiB or the path's limit, `connection-refused`, `remote-unreachable`…).
    async fn send(
        accessor: &Accessor<T, Self>,
        self_: Resource<UdpSocket>,
        data: Vec<u8>,
        remote_address: Option<IpSocketAddress>,
    ) -> SockResult<()> {
        let _held = super::waiting(accessor, "UDP send")?;
        let (io, dest) = accessor.with(|mut a| -> SockResult<_> {
            let (s, policy) = a.get().udp3(&self_)?;
            let dest = s.sock.prepare_send(policy, remote_address.map(to_std))?;
            Ok((s.io.clone(), dest))
        })?;
        loop {
            let mut guard = io.writable().await.map_err(os_error)?;
            if send_datagram(fd_of(&io), &data, dest)? {
                return Ok(());
            }
            guard.clear_ready();
        }
    }

    /// `receive`: the next datagram (at most 64 KiB; a longer one is cut) and its sender,
    /// once one is waiting (on an associated socket the kernel delivers only the peer's).
    /// Errors: `invalid-state` while unbound, the OS's (`connection-refused` after an ICMP
    /// port unreachable, `remote-unreachable`…).
    async fn receive(
        accessor: &Accessor<T, Self>,
        self_: Resource<UdpSocket>,
    ) -> SockResult<(Vec<u8>, IpSocketAddress)> {
        let _held = super::waiting(accessor, "UDP receive")?;
        let io = accessor.with(|mut a| -> SockResult<Registered> {
            let s = a.get().get(&self_)?;
            if s.sock.state() == UdpState::Unbound {
                return Err(host::ErrorCode::InvalidState.into());
            }
            Ok(s.io.clone())
        })?;
        let mut buf = vec![0u8; MAX_DATAGRAM_SIZE];
        loop {
            let mut guard = io.readable().await.map_err(os_error)?;
            match receive_datagram(fd_of(&io), &mut buf) {
                Ok(Some((n, from))) => {
                    buf.truncate(n);
                    return Ok((buf, from_std(from)));
                }
                Ok(None) => {}
                Err(Errno::Again) => guard.clear_ready(),
                Err(e) => return Err(host::ErrorCode::from(e).into()),
            }
        }
    }
}

impl wit::HostUdpSocket for WasiCtx {
    /// `create(address-family)`: a non-blocking socket, registered with the reactor. Needs no
    /// grant. Errors: the OS's (`not-supported`, `other` at the descriptor limit).
    fn create(&mut self, address_family: IpAddressFamily) -> SockResult<Resource<UdpSocket>> {
        let sock = host::UdpSocket::create(to_family(address_family))?;
        let io = register(sock.fd().clone()).map_err(os_error)?;
        Ok(self.push(UdpSocket { sock, io })?)
    }

    /// `bind(local-address)`: [`crate::sockets::UdpSocket::start_bind`] and finish-bind.
    /// Errors: `invalid-argument` (wrong family, IPv4-mapped), `invalid-state` (bound),
    /// `access-denied` (the bind list), the OS's (`address-in-use`, `address-not-bindable`).
    fn bind(
        &mut self,
        self_: Resource<UdpSocket>,
        local_address: IpSocketAddress,
    ) -> SockResult<()> {
        let (s, policy) = self.udp3(&self_)?;
        s.sock.start_bind(policy, to_std(local_address))?;
        Ok(s.sock.finish_bind()?)
    }

    /// `connect(remote-address)`: [`crate::sockets::UdpSocket::connect`] — associates the
    /// socket with the peer (`invalid-argument`, then `access-denied` by the connect list);
    /// an unbound socket gets an ephemeral port.
    fn connect(
        &mut self,
        self_: Resource<UdpSocket>,
        remote_address: IpSocketAddress,
    ) -> SockResult<()> {
        let (s, policy) = self.udp3(&self_)?;
        Ok(s.sock.connect(policy, to_std(remote_address))?)
    }

    /// `disconnect`: dissolves the association; `invalid-state` if there is none.
    fn disconnect(&mut self, self_: Resource<UdpSocket>) -> SockResult<()> {
        Ok(self.udp3(&self_)?.0.sock.disconnect()?)
    }

    /// `get-local-address`: `invalid-state` while unbound.
    fn get_local_address(&mut self, self_: Resource<UdpSocket>) -> SockResult<IpSocketAddress> {
        Ok(from_std(self.udp3(&self_)?.0.sock.local_address()?))
    }

    /// `get-remote-address`: the associated peer; `invalid-state` if none.
    fn get_remote_address(&mut self, self_: Resource<UdpSocket>) -> SockResult<IpSocketAddress> {
        Ok(from_std(self.udp3(&self_)?.0.sock.remote_address()?))
    }

    /// `get-address-family`: the family given at creation.
    fn get_address_family(
        &mut self,
        self_: Resource<UdpSocket>,
    ) -> wasmtime::Result<IpAddressFamily> {
        Ok(from_family(self.get(&self_)?.sock.family()))
    }

    /// `get-unicast-hop-limit` (`IP_TTL` / `IPV6_UNICAST_HOPS`).
    fn get_unicast_hop_limit(&mut self, self_: Resource<UdpSocket>) -> SockResult<u8> {
        Ok(self.udp3(&self_)?.0.sock.unicast_hop_limit()?)
    }

    /// `set-unicast-hop-limit`: 0 is `invalid-argument`.
    fn set_unicast_hop_limit(&mut self, self_: Resource<UdpSocket>, value: u8) -> SockResult<()> {
        Ok(self.udp3(&self_)?.0.sock.set_unicast_hop_limit(value)?)
    }

    /// `get-receive-buffer-size` (`SO_RCVBUF`, bytes, as the kernel reports it).
    fn get_receive_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SockResult<u64> {
        Ok(self.udp3(&self_)?.0.sock.receive_buffer_size()?)
    }

    /// `set-receive-buffer-size` (bytes): 0 is `invalid-argument`; the kernel may adjust it.
    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<UdpSocket>,
        value: u64,
    ) -> SockResult<()> {
        Ok(self.udp3(&self_)?.0.sock.set_receive_buffer_size(value)?)
    }

    /// `get-send-buffer-size` (`SO_SNDBUF`, bytes, as the kernel reports it).
    fn get_send_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SockResult<u64> {
        Ok(self.udp3(&self_)?.0.sock.send_buffer_size()?)
    }

    /// `set-send-buffer-size` (bytes): 0 is `invalid-argument`; the kernel may adjust it.
    fn set_send_buffer_size(&mut self, self_: Resource<UdpSocket>, value: u64) -> SockResult<()> {
        Ok(self.udp3(&self_)?.0.sock.set_send_buffer_size(value)?)
    }

    /// Drops a socket (its fd closes).
    fn drop(&mut self, rep: Resource<UdpSocket>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}
