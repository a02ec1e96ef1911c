//! The UDP state machine of `wasi:sockets/udp`, once for every view: a non-blocking host
//! socket ([`UdpSocket`], [`UdpState`]), the remote address it is associated with, and the
//! datagram streams over its fd ([`IncomingDatagramStream`], [`OutgoingDatagramStream`]).
//!
//! Binding is checked against the policy's bind list; every destination — the address
//! given to [`UdpSocket::stream`] and, on an unassociated socket, each datagram's address —
//! against its connect list (`access-denied`). Receiving needs no grant beyond the bind.

use std::net::SocketAddr;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;

use rustix::event::PollFlags;
use rustix::net::SocketType;

use super::{os, AddressFamily, ErrorCode, NetworkPolicy};
use crate::errno::Errno;

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
/// address `stream` associated it with (if any). Its datagram streams share the fd.
#[derive(Debug)]
pub struct UdpSocket {
    fd: Arc<OwnedFd>,
    family: AddressFamily,
    state: UdpState,
    remote: Option<SocketAddr>,
}

/// A received datagram: its bytes and the address it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingDatagram {
    /// The payload.
    pub data: Vec<u8>,
    /// The sender.
    pub remote_address: SocketAddr,
}

/// A datagram to send: its bytes and, on a socket with no remote address, its destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingDatagram {
    /// The payload.
    pub data: Vec<u8>,
    /// The destination: required unless the socket's stream has a remote address, and then
    /// it must be that address if given.
    pub remote_address: Option<SocketAddr>,
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
    family: AddressFamily,
    remote: Option<SocketAddr>,
    /// Datagrams the last `check-send` permitted (0 after each `send`).
    permit: u64,
}

/// Why [`OutgoingDatagramStream::send`] sent nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The first datagram failed: the error for the guest.
    Code(ErrorCode),
    /// More datagrams than the last `check-send` permitted: the WIT makes this a trap.
    NotPermitted {
        /// How many datagrams were given.
        count: usize,
        /// How many the last `check-send` permitted.
        permitted: u64,
    },
}

/// Most datagrams one `check-send` permits (and one `receive` returns).
pub const MAX_DATAGRAMS: u64 = 64;

/// Largest UDP payload (IPv4/IPv6 without jumbograms): `receive` reads into a buffer this big.
pub const MAX_DATAGRAM_SIZE: usize = 65535;

/// `invalid-argument` for a destination the WIT rejects: wrong family, IPv4-mapped IPv6,
/// unspecified address, port 0.
fn check_remote(family: AddressFamily, a: &SocketAddr) -> Result<(), ErrorCode> {
    if AddressFamily::of(a) != family
        || super::is_ipv4_mapped(a)
        || a.ip().is_unspecified()
        || a.port() == 0
    {
        return Err(ErrorCode::InvalidArgument);
    }
    Ok(())
}

impl UdpSocket {
    /// `create-udp-socket` (0.2) / `udp-socket.create` (0.3): a non-blocking socket of
    /// `family`. Creating a socket reaches no network, so it needs no grant: the policy is
    /// checked by bind, connect (0.3) / `stream` (0.2) and every send.
    pub fn create(family: AddressFamily) -> Result<UdpSocket, ErrorCode> {
        let fd = super::new_socket(family, SocketType::DGRAM)?;
        Ok(UdpSocket { fd: Arc::new(fd), family, state: UdpState::Unbound, remote: None })
    }

    /// The socket's fd, shared with its datagram streams.
    pub fn fd(&self) -> &Arc<OwnedFd> {
        &self.fd
    }

    /// Where the socket is in the state machine.
    pub fn state(&self) -> UdpState {
        self.state
    }

    /// `address-family`: the family given at creation.
    pub fn family(&self) -> AddressFamily {
        self.family
    }

    /// `start-bind`: binds at once if the policy allows UDP on the address; `finish-bind`
    /// then completes. Errors in order: `invalid-argument` (wrong family, IPv4-mapped),
    /// `invalid-state` (not unbound), `access-denied`, then the OS's.
    pub fn start_bind(
        &mut self,
        policy: &NetworkPolicy,
        addr: SocketAddr,
    ) -> Result<(), ErrorCode> {
        if AddressFamily::of(&addr) != self.family || super::is_ipv4_mapped(&addr) {
            return Err(ErrorCode::InvalidArgument);
        }
        if self.state != UdpState::Unbound {
            return Err(ErrorCode::InvalidState);
        }
        if !policy.udp_may_bind(&addr) {
            return Err(ErrorCode::AccessDenied);
        }
        os(rustix::net::bind(&*self.fd, &addr))?;
        self.state = UdpState::BindStarted;
        Ok(())
    }

    /// `finish-bind`: completes a started bind; `not-in-progress` otherwise.
    pub fn finish_bind(&mut self) -> Result<(), ErrorCode> {
        if self.state != UdpState::BindStarted {
            return Err(ErrorCode::NotInProgress);
        }
        self.state = UdpState::Bound;
        Ok(())
    }

    /// `stream`: (re)associates the bound socket with `remote` (checked as a destination:
    /// `invalid-argument`, then `access-denied`) or with none, and returns a new pair of
    /// datagram streams; `invalid-state` unless bound. The previous pair stays usable.
    pub fn stream(
        &mut self,
        policy: &NetworkPolicy,
        remote: Option<SocketAddr>,
    ) -> Result<(IncomingDatagramStream, OutgoingDatagramStream), ErrorCode> {
        if self.state != UdpState::Bound {
            return Err(ErrorCode::InvalidState);
        }
        match remote {
            Some(a) => self.connect(policy, a)?,
            None if self.remote.is_some() => self.disconnect()?,
            None => {}
        }
        let incoming = IncomingDatagramStream { fd: self.fd.clone() };
        let outgoing =
            OutgoingDatagramStream { fd: self.fd.clone(), family: self.family, remote, permit: 0 };
        Ok((incoming, outgoing))
    }

    /// Associates the socket with `remote` (0.3's `connect`; 0.2's `stream(some)`): checked
    /// as a destination (`invalid-argument`: wrong family, IPv4-mapped, unspecified, port 0;
    /// then `access-denied` by the policy's connect list); a previous association is
    /// dissolved first. An unbound socket is bound by the kernel (an ephemeral port; only
    /// the peer can reach it, as for a TCP connect, so no bind grant is needed) and is then
    /// bound.
    pub fn connect(&mut self, policy: &NetworkPolicy, remote: SocketAddr) -> Result<(), ErrorCode> {
        check_remote(self.family, &remote)?;
        if !policy.udp_may_send(&remote) {
            return Err(ErrorCode::AccessDenied);
        }
        if self.remote.is_some() {
            self.disconnect()?;
        }
        os(rustix::net::connect(&*self.fd, &remote))?;
        self.remote = Some(remote);
        self.state = UdpState::Bound;
        Ok(())
    }

    /// Dissolves the association (0.3's `disconnect`; 0.2's `stream(none)`):
    /// `invalid-state` if the socket has none.
    pub fn disconnect(&mut self) -> Result<(), ErrorCode> {
        if self.remote.is_none() {
            return Err(ErrorCode::InvalidState);
        }
        os(rustix::net::connect_unspec(&*self.fd))?;
        self.remote = None;
        Ok(())
    }

    /// Where 0.3's `send(data, to)` sends: the checks of [`destination`] (`invalid-argument`,
    /// `access-denied`), then, on an unbound socket, the implicit bind the WIT asks for — to
    /// the unspecified address, port 0, checked as that bind (an unassociated socket can be
    /// reached by anyone, so this needs a bind grant as an explicit bind would). `None`: send
    /// to the associated peer.
    pub fn prepare_send(
        &mut self,
        policy: &NetworkPolicy,
        to: Option<SocketAddr>,
    ) -> Result<Option<SocketAddr>, ErrorCode> {
        let dest = destination(self.family, self.remote, policy, to)?;
        if self.state == UdpState::Unbound {
            self.start_bind(policy, self.family.unspecified(0))?;
            self.finish_bind()?;
        }
        Ok(dest)
    }

    /// `local-address`: `invalid-state` while unbound.
    pub fn local_address(&self) -> Result<SocketAddr, ErrorCode> {
        if self.state == UdpState::Unbound {
            return Err(ErrorCode::InvalidState);
        }
        super::sockname(self.fd.as_fd())
    }

    /// `remote-address`: the address `stream` associated the socket with; `invalid-state`
    /// if none.
    pub fn remote_address(&self) -> Result<SocketAddr, ErrorCode> {
        self.remote.ok_or(ErrorCode::InvalidState)
    }

    /// `unicast-hop-limit` (`IP_TTL` / `IPV6_UNICAST_HOPS`).
    pub fn unicast_hop_limit(&self) -> Result<u8, ErrorCode> {
        super::hop_limit(self.fd.as_fd(), self.family)
    }

    /// `set-unicast-hop-limit`: 0 is `invalid-argument`.
    pub fn set_unicast_hop_limit(&self, value: u8) -> Result<(), ErrorCode> {
        super::set_hop_limit(self.fd.as_fd(), self.family, value)
    }

    /// `receive-buffer-size` (`SO_RCVBUF`, as the kernel reports it).
    pub fn receive_buffer_size(&self) -> Result<u64, ErrorCode> {
        super::receive_buffer_size(self.fd.as_fd())
    }

    /// `set-receive-buffer-size`: 0 is `invalid-argument`; the kernel may adjust the value.
    pub fn set_receive_buffer_size(&self, value: u64) -> Result<(), ErrorCode> {
        super::set_receive_buffer_size(self.fd.as_fd(), value)
    }

    /// `send-buffer-size` (`SO_SNDBUF`, as the kernel reports it).
    pub fn send_buffer_size(&self) -> Result<u64, ErrorCode> {
        super::send_buffer_size(self.fd.as_fd())
    }

    /// `set-send-buffer-size`: 0 is `invalid-argument`; the kernel may adjust the value.
    pub fn set_send_buffer_size(&self, value: u64) -> Result<(), ErrorCode> {
        super::set_send_buffer_size(self.fd.as_fd(), value)
    }
}

impl IncomingDatagramStream {
    /// The fd it receives on (readable when a datagram is waiting).
    pub fn fd(&self) -> &Arc<OwnedFd> {
        &self.fd
    }

    /// `receive`: up to `max_results` (at most [`MAX_DATAGRAMS`]) datagrams that are
    /// waiting, without blocking; an empty list if none. An error only if the first receive
    /// fails.
    pub fn receive(&self, max_results: u64) -> Result<Vec<IncomingDatagram>, ErrorCode> {
        let mut out = Vec::new();
        let mut buf = vec![0u8; MAX_DATAGRAM_SIZE];
        while (out.len() as u64) < max_results.min(MAX_DATAGRAMS) {
            match receive_datagram(self.fd.as_fd(), &mut buf) {
                Ok(Some((n, from))) => {
                    out.push(IncomingDatagram { data: buf[..n].to_vec(), remote_address: from });
                }
                Ok(None) => continue,
                Err(Errno::Again) => break,
                Err(e) if out.is_empty() => return Err(ErrorCode::from(e)),
                Err(_) => break,
            }
        }
        Ok(out)
    }
}

impl OutgoingDatagramStream {
    /// The fd it sends on (writable when the socket can send).
    pub fn fd(&self) -> &Arc<OwnedFd> {
        &self.fd
    }

    /// `check-send`: [`MAX_DATAGRAMS`] when the socket can send now, else 0 (then wait for
    /// the fd to be writable). The permit lasts until the next `send`.
    pub fn check_send(&mut self) -> u64 {
        let writable = super::ready_now(self.fd.as_fd(), PollFlags::OUT);
        self.permit = if writable { MAX_DATAGRAMS } else { 0 };
        self.permit
    }

    /// `send`: sends the datagrams in order until one fails or would block; returns how many
    /// were sent (an error only if none was). Each datagram's destination is checked
    /// (`invalid-argument`: none on an unassociated stream, or not the associated address;
    /// then `access-denied` by the policy). [`SendError::NotPermitted`] if the last
    /// `check-send` did not permit this many; the permit is used up either way.
    pub fn send(
        &mut self,
        policy: &NetworkPolicy,
        datagrams: &[OutgoingDatagram],
    ) -> Result<u64, SendError> {
        let permitted = std::mem::take(&mut self.permit);
        if datagrams.len() as u64 > permitted {
            return Err(SendError::NotPermitted { count: datagrams.len(), permitted });
        }
        let mut sent = 0u64;
        for d in datagrams {
            match self.send_one(policy, d) {
                Ok(true) => sent += 1,
                Ok(false) => break,
                Err(e) if sent == 0 => return Err(SendError::Code(e)),
                Err(_) => break,
            }
        }
        Ok(sent)
    }

    /// Sends one datagram: `Ok(true)` if sent, `Ok(false)` if the socket would block.
    fn send_one(&self, policy: &NetworkPolicy, d: &OutgoingDatagram) -> Result<bool, ErrorCode> {
        let dest = destination(self.family, self.remote, policy, d.remote_address)?;
        send_datagram(self.fd.as_fd(), &d.data, dest)
    }
}

/// Where a datagram to `to` goes from a socket of `family` associated with `remote` (if
/// any): `None` for the associated peer (`send(2)`), `Some(a)` for `sendto(2)` to `a`.
/// Errors: `invalid-argument` when `to` is not the associated peer, when neither is given,
/// or for a destination the WIT rejects (wrong family, IPv4-mapped, unspecified, port 0);
/// `access-denied` when the policy's connect list does not have it.
pub fn destination(
    family: AddressFamily,
    remote: Option<SocketAddr>,
    policy: &NetworkPolicy,
    to: Option<SocketAddr>,
) -> Result<Option<SocketAddr>, ErrorCode> {
    match (to, remote) {
        (Some(a), Some(r)) if a != r => Err(ErrorCode::InvalidArgument),
        (_, Some(_)) => Ok(None),
        (None, None) => Err(ErrorCode::InvalidArgument),
        (Some(a), None) => {
            check_remote(family, &a)?;
            if !policy.udp_may_send(&a) {
                return Err(ErrorCode::AccessDenied);
            }
            Ok(Some(a))
        }
    }
}

/// Sends `data` as one datagram on `fd` without waiting, to `dest` (from [`destination`]):
/// `Ok(true)` if sent, `Ok(false)` if the socket would block; else the OS's error
/// (`datagram-too-large` beyond 64 KiB or the path's limit…).
pub fn send_datagram(
    fd: std::os::fd::BorrowedFd<'_>,
    data: &[u8],
    dest: Option<SocketAddr>,
) -> Result<bool, ErrorCode> {
    let flags = rustix::net::SendFlags::DONTWAIT | rustix::net::SendFlags::NOSIGNAL;
    let result = match dest {
        None => crate::sys::retry(|| rustix::net::send(fd, data, flags)),
        Some(a) => crate::sys::retry(|| rustix::net::sendto(fd, data, flags, &a)),
    };
    match result {
        Ok(_) => Ok(true),
        Err(Errno::Again) => Ok(false),
        Err(e) => Err(ErrorCode::from(e)),
    }
}

/// Receives one waiting datagram on `fd` into `buf` without waiting (a longer datagram is
/// cut to `buf`'s length): its length and sender; `None` for a datagram without an IP
/// sender (skip it); `Err(Again)` if none is waiting; else the OS's error.
pub fn receive_datagram(
    fd: std::os::fd::BorrowedFd<'_>,
    buf: &mut [u8],
) -> Result<Option<(usize, SocketAddr)>, Errno> {
    let flags = rustix::net::RecvFlags::DONTWAIT;
    match crate::sys::retry(|| rustix::net::recvfrom(fd, &mut *buf, flags))? {
        (n, _, Some(from)) => Ok(SocketAddr::try_from(from).ok().map(|from| (n, from))),
        (_, _, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn range(s: &str) -> crate::AddrRange {
        s.parse().unwrap()
    }

    fn dgram(data: &[u8], to: Option<SocketAddr>) -> OutgoingDatagram {
        OutgoingDatagram { data: data.to_vec(), remote_address: to }
    }

    #[test]
    fn udp_ping_pong_within_the_policy() {
        // Creating needs no grant; binding does.
        let mut s = UdpSocket::create(AddressFamily::Ipv4).unwrap();
        let none = NetworkPolicy::default();
        assert_eq!(
            s.start_bind(&none, "127.0.0.1:0".parse().unwrap()),
            Err(ErrorCode::AccessDenied)
        );
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let peer_addr = peer.local_addr().unwrap();
        let p = NetworkPolicy {
            allow_bind: vec![range("127.0.0.1:0")],
            allow_connect: vec![range(&peer_addr.to_string())],
            tcp: false,
            ..NetworkPolicy::default()
        };
        let mut s = UdpSocket::create(AddressFamily::Ipv4).unwrap();
        assert_eq!(s.stream(&p, None).err(), Some(ErrorCode::InvalidState));
        let at = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
        assert_eq!(s.start_bind(&p, at(53)), Err(ErrorCode::AccessDenied));
        assert_eq!(s.start_bind(&p, "[::1]:0".parse().unwrap()), Err(ErrorCode::InvalidArgument));
        assert_eq!(s.finish_bind(), Err(ErrorCode::NotInProgress));
        s.start_bind(&p, at(0)).unwrap();
        s.finish_bind().unwrap();
        assert_eq!(s.start_bind(&p, at(0)), Err(ErrorCode::InvalidState));
        let me = s.local_address().unwrap();
        // Unassociated: each datagram names its destination, checked against the policy.
        let (i, mut o) = s.stream(&p, None).unwrap();
        assert_eq!(s.remote_address(), Err(ErrorCode::InvalidState));
        assert_eq!(o.check_send(), MAX_DATAGRAMS);
        let r = o.send(&p, &[dgram(b"x", Some(at(9)))]);
        assert_eq!(r, Err(SendError::Code(ErrorCode::AccessDenied)));
        o.check_send();
        let r = o.send(&p, &[dgram(b"x", None)]);
        assert_eq!(r, Err(SendError::Code(ErrorCode::InvalidArgument)));
        o.check_send();
        assert_eq!(o.send(&p, &[dgram(b"ping", Some(peer_addr))]), Ok(1));
        let mut buf = [0u8; 16];
        let (len, from) = peer.recv_from(&mut buf).unwrap();
        assert_eq!((&buf[..len], from), (&b"ping"[..], me));
        assert!(i.receive(4).unwrap().is_empty());
        peer.send_to(b"pong", me).unwrap();
        let mut pfd = [rustix::event::PollFd::from_borrowed_fd(i.fd().as_fd(), PollFlags::IN)];
        rustix::event::poll(&mut pfd, None).unwrap();
        let got = i.receive(4).unwrap();
        assert_eq!(
            got,
            vec![IncomingDatagram { data: b"pong".to_vec(), remote_address: peer_addr }]
        );
        // Sending more than check-send permitted is refused (a trap in the views).
        let r = o.send(&p, &[dgram(b"x", Some(peer_addr))]);
        assert_eq!(r, Err(SendError::NotPermitted { count: 1, permitted: 0 }));
        // Associated with the peer; a stream to an address outside the list is denied.
        assert_eq!(s.stream(&p, Some(at(9))).err(), Some(ErrorCode::AccessDenied));
        assert_eq!(s.stream(&p, Some(at(0))).err(), Some(ErrorCode::InvalidArgument));
        let (_i, mut o) = s.stream(&p, Some(peer_addr)).unwrap();
        assert_eq!(s.remote_address(), Ok(peer_addr));
        o.check_send();
        let r = o.send(&p, &[dgram(b"a", Some(at(9)))]);
        assert_eq!(r, Err(SendError::Code(ErrorCode::InvalidArgument)));
        o.check_send();
        let two = [dgram(b"a", None), dgram(b"b", Some(peer_addr))];
        assert_eq!(o.send(&p, &two), Ok(2));
        for want in [b"a", b"b"] {
            let (len, _) = peer.recv_from(&mut buf).unwrap();
            assert_eq!(&buf[..len], want);
        }
        // A batch stops at the first failure and counts what was sent.
        o.check_send();
        let two = [dgram(b"c", None), dgram(b"d", Some(at(9)))];
        assert_eq!(o.send(&p, &two), Ok(1));
        let p = NetworkPolicy { udp: false, ..p };
        let mut s = UdpSocket::create(AddressFamily::Ipv4).unwrap();
        assert_eq!(s.start_bind(&p, at(0)), Err(ErrorCode::AccessDenied));
    }

    #[test]
    fn options_get_and_set() {
        let s = UdpSocket::create(AddressFamily::Ipv6).unwrap();
        assert_eq!((s.family(), s.state()), (AddressFamily::Ipv6, UdpState::Unbound));
        s.set_unicast_hop_limit(7).unwrap();
        assert_eq!(s.unicast_hop_limit(), Ok(7));
        s.set_receive_buffer_size(65536).unwrap();
        assert!(s.receive_buffer_size().unwrap() >= 65536);
        s.set_send_buffer_size(65536).unwrap();
        assert!(s.send_buffer_size().unwrap() >= 65536);
        for r in
            [s.set_unicast_hop_limit(0), s.set_receive_buffer_size(0), s.set_send_buffer_size(0)]
        {
            assert_eq!(r, Err(ErrorCode::InvalidArgument));
        }
        assert_eq!(s.local_address(), Err(ErrorCode::InvalidState));
    }

    #[test]
    fn connect_disconnect_and_implicit_binds() {
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let peer_addr = peer.local_addr().unwrap();
        let p = NetworkPolicy {
            allow_connect: vec![range(&peer_addr.to_string())],
            ..NetworkPolicy::default()
        };
        // Associating binds implicitly (the peer only can answer): no bind grant needed.
        let mut s = UdpSocket::create(AddressFamily::Ipv4).unwrap();
        assert_eq!(s.disconnect(), Err(ErrorCode::InvalidState));
        let other = SocketAddr::from(([127, 0, 0, 1], 9));
        assert_eq!(s.connect(&p, other), Err(ErrorCode::AccessDenied));
        assert_eq!(s.connect(&p, "0.0.0.0:9".parse().unwrap()), Err(ErrorCode::InvalidArgument));
        s.connect(&p, peer_addr).unwrap();
        assert_eq!((s.state(), s.remote_address()), (UdpState::Bound, Ok(peer_addr)));
        let me = s.local_address().unwrap();
        let dest = s.prepare_send(&p, None).unwrap();
        assert_eq!(dest, None);
        assert_eq!(s.prepare_send(&p, Some(other)), Err(ErrorCode::InvalidArgument));
        assert!(send_datagram(s.fd().as_fd(), b"hi", dest).unwrap());
        let mut buf = [0u8; 8];
        let (n, from) = peer.recv_from(&mut buf).unwrap();
        assert_eq!((&buf[..n], from), (&b"hi"[..], me));
        peer.send_to(b"yo", me).unwrap();
        let mut pfd = [rustix::event::PollFd::from_borrowed_fd(s.fd().as_fd(), PollFlags::IN)];
        rustix::event::poll(&mut pfd, None).unwrap();
        let mut got = [0u8; 8];
        assert_eq!(receive_datagram(s.fd().as_fd(), &mut got), Ok(Some((2, peer_addr))));
        assert_eq!(receive_datagram(s.fd().as_fd(), &mut got), Err(Errno::Again));
        s.disconnect().unwrap();
        assert_eq!(s.remote_address(), Err(ErrorCode::InvalidState));
        assert_eq!(s.prepare_send(&p, None), Err(ErrorCode::InvalidArgument));
        assert_eq!(s.prepare_send(&p, Some(peer_addr)), Ok(Some(peer_addr)));
        // Sending unassociated from an unbound socket binds it to 0.0.0.0:0: a bind grant.
        let mut u = UdpSocket::create(AddressFamily::Ipv4).unwrap();
        assert_eq!(u.prepare_send(&p, Some(peer_addr)), Err(ErrorCode::AccessDenied));
        assert_eq!(u.state(), UdpState::Unbound);
        let p = NetworkPolicy { allow_bind: vec![range("0.0.0.0:0")], ..p };
        assert_eq!(u.prepare_send(&p, Some(peer_addr)), Ok(Some(peer_addr)));
        assert_eq!(u.state(), UdpState::Bound);
        assert!(u.local_address().unwrap().port() != 0);
    }
}
