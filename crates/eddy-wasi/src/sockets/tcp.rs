//! The TCP state machine of `wasi:sockets/tcp`, once for every view: a non-blocking host
//! socket and where it is in the WIT's states ([`TcpState`]).
//!
//! The start-/finish- pairs do the OS work in `start-*`: `bind` and `listen` complete at once
//! (`finish-*` only moves the state, or says `not-in-progress`), `connect` is started
//! non-blocking and [`TcpSocket::finish_connect`] says `would-block` until the fd is
//! writable, then reports `SO_ERROR`. Arguments are checked first, then the state, then the
//! [`NetworkPolicy`], as the WIT orders the errors. The fd is an `Arc`: a view's byte streams
//! of the connection share it, and it closes when the socket and they are all dropped.

use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use rustix::event::PollFlags;
use rustix::net::{SocketFlags, SocketType};

use super::{os, AddressFamily, ErrorCode, NetworkPolicy};
use crate::errno::Errno;

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

/// Which directions `shutdown` closes (the WIT `shutdown-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShutdownKind {
    /// No more receiving (`SHUT_RD`).
    Receive,
    /// No more sending (`SHUT_WR`): the peer reads end of stream.
    Send,
    /// Both (`SHUT_RDWR`).
    Both,
}

/// A `wasi:sockets/tcp.tcp-socket`: a non-blocking host socket and its state. (`fd`, `state`
/// and `connect_error` are crate-visible for p2's poll, which reads them directly; views
/// should use [`TcpSocket::wait_for`].)
#[derive(Debug)]
pub struct TcpSocket {
    pub(crate) fd: Arc<OwnedFd>,
    family: AddressFamily,
    pub(crate) state: TcpState,
    /// The backlog `listen` uses (`set-listen-backlog-size`).
    backlog: u32,
    /// An error `connect(2)` reported at once, returned by `finish-connect`.
    pub(crate) connect_error: Option<ErrorCode>,
}

/// Linux's largest `TCP_KEEPIDLE` and `TCP_KEEPINTVL` (seconds).
const MAX_KEEPALIVE_SECS: u64 = 32_767;
/// Linux's largest `TCP_KEEPCNT`.
const MAX_KEEPALIVE_COUNT: u32 = 127;
/// The backlog `listen` uses unless `set-listen-backlog-size` says otherwise.
const DEFAULT_BACKLOG: u32 = 128;

/// A keep-alive duration as whole seconds (rounded up), clamped to what Linux takes (the
/// WIT: other values than 0 never fail, they may be clamped); 0 is `invalid-argument`.
fn keepalive_secs(d: Duration) -> Result<Duration, ErrorCode> {
    if d.is_zero() {
        return Err(ErrorCode::InvalidArgument);
    }
    let secs = d.as_nanos().div_ceil(1_000_000_000).min(u128::from(MAX_KEEPALIVE_SECS));
    Ok(Duration::from_secs(secs as u64))
}

impl TcpSocket {
    /// `create-tcp-socket` (0.2) / `tcp-socket.create` (0.3): a non-blocking socket of
    /// `family`. Creating a socket reaches no network, so it needs no grant: the policy is
    /// checked by bind, connect and listen. OS errors: `new-socket-limit`, `not-supported`…
    pub fn create(family: AddressFamily) -> Result<TcpSocket, ErrorCode> {
        let fd = super::new_socket(family, SocketType::STREAM)?;
        Ok(TcpSocket {
            fd: Arc::new(fd),
            family,
            state: TcpState::Unbound,
            backlog: DEFAULT_BACKLOG,
            connect_error: None,
        })
    }

    /// The socket's fd, shared with the connection's streams.
    pub fn fd(&self) -> &Arc<OwnedFd> {
        &self.fd
    }

    /// Where the socket is in the state machine.
    pub fn state(&self) -> TcpState {
        self.state
    }

    /// `address-family`: the family given at creation.
    pub fn family(&self) -> AddressFamily {
        self.family
    }

    /// `is-listening`.
    pub fn is_listening(&self) -> bool {
        self.state == TcpState::Listening
    }

    /// What to wait for before the pending operation can complete: the fd writable while
    /// connecting (`finish-connect`), readable while listening (`accept`); `None`: ready now
    /// (any other state, or a connect that failed at once).
    pub fn wait_for(&self) -> Option<(BorrowedFd<'_>, PollFlags)> {
        match self.state {
            TcpState::Connecting if self.connect_error.is_some() => None,
            TcpState::Connecting => Some((self.fd.as_fd(), PollFlags::OUT)),
            TcpState::Listening => Some((self.fd.as_fd(), PollFlags::IN)),
            _ => None,
        }
    }

    /// Rejects addresses that can never be used (a different family than the socket's, or
    /// an IPv4-mapped IPv6 address): `invalid-argument`.
    fn check_family(&self, a: &SocketAddr) -> Result<(), ErrorCode> {
        if AddressFamily::of(a) != self.family || super::is_ipv4_mapped(a) {
            return Err(ErrorCode::InvalidArgument);
        }
        Ok(())
    }

    /// `start-bind`: binds at once (with `SO_REUSEADDR`, as the WIT asks), if the policy
    /// allows the address; `finish-bind` then completes. Errors in order: `invalid-argument`
    /// (wrong family, IPv4-mapped, a multicast or broadcast address), `invalid-state` (not
    /// unbound), `access-denied` (policy), then the OS's (`address-in-use`…).
    pub fn start_bind(
        &mut self,
        policy: &NetworkPolicy,
        addr: SocketAddr,
    ) -> Result<(), ErrorCode> {
        self.check_family(&addr)?;
        if !super::is_unicast(addr.ip()) {
            // The WIT: `invalid-argument` for a multicast or broadcast local address (Linux
            // would bind an IPv4 one).
            return Err(ErrorCode::InvalidArgument);
        }
        if self.state != TcpState::Unbound {
            return Err(ErrorCode::InvalidState);
        }
        if !policy.may_bind(&addr) {
            return Err(ErrorCode::AccessDenied);
        }
        os(rustix::net::sockopt::set_socket_reuseaddr(&*self.fd, true))?;
        os(rustix::net::bind(&*self.fd, &addr))?;
        self.state = TcpState::BindStarted;
        Ok(())
    }

    /// `finish-bind`: completes a started bind; `not-in-progress` otherwise.
    pub fn finish_bind(&mut self) -> Result<(), ErrorCode> {
        if self.state != TcpState::BindStarted {
            return Err(ErrorCode::NotInProgress);
        }
        self.state = TcpState::Bound;
        Ok(())
    }

    /// `start-connect`: validates the address (`invalid-argument` for the wrong family, an
    /// unspecified address, port 0, a non-unicast address), the state (`concurrency-conflict`
    /// while connecting, `invalid-state` unless unbound or bound), the policy
    /// (`access-denied`), then starts a non-blocking `connect(2)`; an error it reports at
    /// once is kept for `finish-connect`.
    pub fn start_connect(
        &mut self,
        policy: &NetworkPolicy,
        addr: SocketAddr,
    ) -> Result<(), ErrorCode> {
        self.check_family(&addr)?;
        let ip = addr.ip();
        let broadcast = matches!(ip, IpAddr::V4(v4) if v4.is_broadcast());
        if ip.is_unspecified() || ip.is_multicast() || broadcast || addr.port() == 0 {
            return Err(ErrorCode::InvalidArgument);
        }
        match self.state {
            TcpState::Unbound | TcpState::Bound => {}
            TcpState::Connecting => return Err(ErrorCode::ConcurrencyConflict),
            _ => return Err(ErrorCode::InvalidState),
        }
        if !policy.may_connect(&addr) {
            return Err(ErrorCode::AccessDenied);
        }
        self.connect_error = match crate::sys::retry(|| rustix::net::connect(&*self.fd, &addr)) {
            Ok(()) | Err(Errno::Inprogress) => None,
            Err(e) => Some(ErrorCode::from(e)),
        };
        self.state = TcpState::Connecting;
        Ok(())
    }

    /// `finish-connect`: `not-in-progress` unless connecting; `would-block` while the
    /// connection is being made; then `Ok` (the socket is connected: a view hands out its
    /// streams over [`fd`](Self::fd)), or the connection's error (the socket is then closed).
    pub fn finish_connect(&mut self) -> Result<(), ErrorCode> {
        if self.state != TcpState::Connecting {
            return Err(ErrorCode::NotInProgress);
        }
        let err = match self.connect_error.take() {
            Some(e) => Some(e),
            None => {
                if !super::ready_now(self.fd.as_fd(), PollFlags::OUT) {
                    return Err(ErrorCode::WouldBlock);
                }
                os(rustix::net::sockopt::socket_error(&*self.fd))?.err().map(ErrorCode::from)
            }
        };
        if let Some(e) = err {
            self.state = TcpState::Closed;
            return Err(e);
        }
        self.state = TcpState::Connected;
        Ok(())
    }

    /// `start-listen`: listens at once on a bound socket (`concurrency-conflict` if a listen
    /// was started, `invalid-state` if not bound); `finish-listen` completes.
    pub fn start_listen(&mut self) -> Result<(), ErrorCode> {
        match self.state {
            TcpState::Bound => {}
            TcpState::ListenStarted => return Err(ErrorCode::ConcurrencyConflict),
            _ => return Err(ErrorCode::InvalidState),
        }
        let backlog = i32::try_from(self.backlog).unwrap_or(i32::MAX);
        os(rustix::net::listen(&*self.fd, backlog))?;
        self.state = TcpState::ListenStarted;
        Ok(())
    }

    /// `finish-listen`: completes a started listen; `not-in-progress` otherwise.
    pub fn finish_listen(&mut self) -> Result<(), ErrorCode> {
        if self.state != TcpState::ListenStarted {
            return Err(ErrorCode::NotInProgress);
        }
        self.state = TcpState::Listening;
        Ok(())
    }

    /// 0.3's `listen`, in one step: an unbound socket is first bound implicitly to the
    /// unspecified address of its family, port 0 (checked against the policy as that bind:
    /// a listener is reachable from anywhere, so listening needs a bind grant either way);
    /// then `start-listen` and `finish-listen`. Errors: `invalid-state` unless unbound or
    /// bound (connecting, connected, already listening, closed), `access-denied`, the OS's.
    pub fn listen(&mut self, policy: &NetworkPolicy) -> Result<(), ErrorCode> {
        match self.state {
            TcpState::Unbound => {
                self.start_bind(policy, self.family.unspecified(0))?;
                self.finish_bind()?;
            }
            TcpState::Bound => {}
            _ => return Err(ErrorCode::InvalidState),
        }
        self.start_listen()?;
        self.finish_listen()
    }

    /// `accept`: a pending connection as a connected socket (same family and backlog);
    /// `would-block` if none is pending, `invalid-state` if not listening.
    pub fn accept(&self) -> Result<TcpSocket, ErrorCode> {
        if self.state != TcpState::Listening {
            return Err(ErrorCode::InvalidState);
        }
        let fd = crate::sys::retry(|| rustix::net::accept_with(&*self.fd, ACCEPT_FLAGS))?;
        Ok(self.accepted(fd))
    }

    /// The listener of a listening socket, for a view that accepts on its own (0.3's
    /// stream of connections): it shares the fd and does not keep the socket's state.
    /// `invalid-state` unless listening.
    pub fn listener(&self) -> Result<TcpListener, ErrorCode> {
        if self.state != TcpState::Listening {
            return Err(ErrorCode::InvalidState);
        }
        Ok(TcpListener { fd: self.fd.clone(), family: self.family, backlog: self.backlog })
    }

    /// A connected socket over `fd`, accepted from this one.
    fn accepted(&self, fd: OwnedFd) -> TcpSocket {
        TcpSocket {
            fd: Arc::new(fd),
            family: self.family,
            state: TcpState::Connected,
            backlog: self.backlog,
            connect_error: None,
        }
    }

    /// `local-address`: `invalid-state` while unbound.
    pub fn local_address(&self) -> Result<SocketAddr, ErrorCode> {
        if matches!(self.state, TcpState::Unbound | TcpState::BindStarted) {
            return Err(ErrorCode::InvalidState);
        }
        super::sockname(self.fd.as_fd())
    }

    /// `remote-address`: `invalid-state` unless connected.
    pub fn remote_address(&self) -> Result<SocketAddr, ErrorCode> {
        if self.state != TcpState::Connected {
            return Err(ErrorCode::InvalidState);
        }
        let a = os(rustix::net::getpeername(&*self.fd))?.ok_or(ErrorCode::InvalidState)?;
        SocketAddr::try_from(a).map_err(|_| ErrorCode::Unknown)
    }

    /// `set-listen-backlog-size`: 0 is `invalid-argument`; `invalid-state` once connecting
    /// or connected; on a listening socket `listen` is called again with the new size.
    pub fn set_listen_backlog_size(&mut self, value: u64) -> Result<(), ErrorCode> {
        if value == 0 {
            return Err(ErrorCode::InvalidArgument);
        }
        let v = u32::try_from(value).unwrap_or(u32::MAX).min(i32::MAX as u32);
        match self.state {
            TcpState::Connecting | TcpState::Connected | TcpState::Closed => {
                return Err(ErrorCode::InvalidState)
            }
            TcpState::ListenStarted | TcpState::Listening => {
                os(rustix::net::listen(&*self.fd, v as i32))?;
            }
            _ => {}
        }
        self.backlog = v;
        Ok(())
    }

    /// `keep-alive-enabled` (`SO_KEEPALIVE`).
    pub fn keep_alive_enabled(&self) -> Result<bool, ErrorCode> {
        os(rustix::net::sockopt::socket_keepalive(&*self.fd))
    }

    /// `set-keep-alive-enabled`.
    pub fn set_keep_alive_enabled(&self, value: bool) -> Result<(), ErrorCode> {
        os(rustix::net::sockopt::set_socket_keepalive(&*self.fd, value))
    }

    /// `keep-alive-idle-time` (`TCP_KEEPIDLE`).
    pub fn keep_alive_idle_time(&self) -> Result<Duration, ErrorCode> {
        os(rustix::net::sockopt::tcp_keepidle(&*self.fd))
    }

    /// `set-keep-alive-idle-time`: 0 is `invalid-argument`; rounded up to whole seconds,
    /// clamped to 32767 s.
    pub fn set_keep_alive_idle_time(&self, value: Duration) -> Result<(), ErrorCode> {
        let d = keepalive_secs(value)?;
        os(rustix::net::sockopt::set_tcp_keepidle(&*self.fd, d))
    }

    /// `keep-alive-interval` (`TCP_KEEPINTVL`).
    pub fn keep_alive_interval(&self) -> Result<Duration, ErrorCode> {
        os(rustix::net::sockopt::tcp_keepintvl(&*self.fd))
    }

    /// `set-keep-alive-interval`: 0 is `invalid-argument`; rounded up to whole seconds,
    /// clamped to 32767 s.
    pub fn set_keep_alive_interval(&self, value: Duration) -> Result<(), ErrorCode> {
        let d = keepalive_secs(value)?;
        os(rustix::net::sockopt::set_tcp_keepintvl(&*self.fd, d))
    }

    /// `keep-alive-count` (`TCP_KEEPCNT`).
    pub fn keep_alive_count(&self) -> Result<u32, ErrorCode> {
        os(rustix::net::sockopt::tcp_keepcnt(&*self.fd))
    }

    /// `set-keep-alive-count`: 0 is `invalid-argument`; above 127 (Linux's most) is clamped.
    pub fn set_keep_alive_count(&self, value: u32) -> Result<(), ErrorCode> {
        if value == 0 {
            return Err(ErrorCode::InvalidArgument);
        }
        let value = value.min(MAX_KEEPALIVE_COUNT);
        os(rustix::net::sockopt::set_tcp_keepcnt(&*self.fd, value))
    }

    /// `hop-limit` (`IP_TTL` / `IPV6_UNICAST_HOPS`).
    pub fn hop_limit(&self) -> Result<u8, ErrorCode> {
        super::hop_limit(self.fd.as_fd(), self.family)
    }

    /// `set-hop-limit`: 0 is `invalid-argument`.
    pub fn set_hop_limit(&self, value: u8) -> Result<(), ErrorCode> {
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

    /// `shutdown`: `shutdown(2)` on a connected socket; `invalid-state` otherwise. The WIT
    /// also closes the input stream on `receive`/`both` (queued data is discarded): a view
    /// that has such a stream closes it itself when this succeeds.
    pub fn shutdown(&self, kind: ShutdownKind) -> Result<(), ErrorCode> {
        if self.state != TcpState::Connected {
            return Err(ErrorCode::InvalidState);
        }
        shutdown_fd(self.fd.as_fd(), kind)
    }
}

/// `shutdown(2)` of a connected socket's fd: what `shutdown` does, for a view's streams that
/// outlive the socket resource (0.3 shuts down sending when the send stream ends, receiving
/// when the receive stream is dropped).
pub fn shutdown_fd(fd: BorrowedFd<'_>, kind: ShutdownKind) -> Result<(), ErrorCode> {
    let how = match kind {
        ShutdownKind::Receive => rustix::net::Shutdown::Read,
        ShutdownKind::Send => rustix::net::Shutdown::Write,
        ShutdownKind::Both => rustix::net::Shutdown::Both,
    };
    os(rustix::net::shutdown(fd, how))
}

/// The flags of every accepted fd: non-blocking, close-on-exec.
const ACCEPT_FLAGS: SocketFlags = SocketFlags::NONBLOCK.union(SocketFlags::CLOEXEC);

/// A listening socket's fd as a view's accept loop holds it ([`TcpSocket::listener`]).
#[derive(Debug, Clone)]
pub struct TcpListener {
    fd: Arc<OwnedFd>,
    family: AddressFamily,
    backlog: u32,
}

impl TcpListener {
    /// The listening fd (readable when a connection is pending).
    pub fn fd(&self) -> &Arc<OwnedFd> {
        &self.fd
    }

    /// The next pending connection as a connected socket (the listener's family; Linux
    /// gives it the listener's options). Errors the WIT says to skip — a connection that
    /// failed before it was accepted (Linux passes its network error on: `ECONNABORTED`,
    /// `ENETDOWN`, `EPROTO`, `EHOSTUNREACH`…) — are skipped, so `would-block` means no
    /// connection is pending; any other error is the OS's (`new-socket-limit`…).
    pub fn accept(&self) -> Result<TcpSocket, ErrorCode> {
        loop {
            match rustix::net::accept_with(&*self.fd, ACCEPT_FLAGS) {
                Ok(fd) => {
                    return Ok(TcpSocket {
                        fd: Arc::new(fd),
                        family: self.family,
                        state: TcpState::Connected,
                        backlog: self.backlog,
                        connect_error: None,
                    })
                }
                Err(e) if e == rustix::io::Errno::INTR || transient_accept_error(e) => continue,
                Err(e) => return Err(ErrorCode::from(e)),
            }
        }
    }
}

/// Whether `accept(2)` failed for one connection only (Linux's list in accept(2), plus
/// `ECONNABORTED`): the listener is fine and the next connection can be accepted.
fn transient_accept_error(e: rustix::io::Errno) -> bool {
    use rustix::io::Errno as E;
    [
        E::CONNABORTED,
        E::NETDOWN,
        E::PROTO,
        E::NOPROTOOPT,
        E::HOSTDOWN,
        E::NONET,
        E::HOSTUNREACH,
        E::OPNOTSUPP,
        E::NETUNREACH,
    ]
    .contains(&e)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;
    use crate::AddrRange;

    fn range(s: &str) -> AddrRange {
        s.parse().unwrap()
    }

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    /// Waits (up to 10 s) until the socket's pending operation can complete.
    fn block(s: &TcpSocket) {
        if let Some((fd, flags)) = s.wait_for() {
            let mut p = [rustix::event::PollFd::from_borrowed_fd(fd, flags)];
            let t = rustix::time::Timespec { tv_sec: 10, tv_nsec: 0 };
            assert_eq!(rustix::event::poll(&mut p, Some(&t)).unwrap(), 1);
        }
    }

    fn write_all(s: &TcpSocket, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let n = rustix::io::write(&**s.fd(), bytes).unwrap();
            bytes = &bytes[n..];
        }
    }

    fn read_some(s: &TcpSocket) -> Result<Vec<u8>, Errno> {
        let mut buf = [0u8; 100];
        let n = crate::sys::retry(|| rustix::io::read(&**s.fd(), &mut buf))?;
        Ok(buf[..n].to_vec())
    }

    #[test]
    fn default_policy_denies_everything_but_creating() {
        // Creating a socket and its options reach no network: no grant needed.
        let p = NetworkPolicy::default();
        let mut s = TcpSocket::create(AddressFamily::Ipv4).unwrap();
        s.set_keep_alive_enabled(true).unwrap();
        assert!(s.keep_alive_enabled().unwrap());
        assert_eq!(s.start_bind(&p, sa("127.0.0.1:0")), Err(ErrorCode::AccessDenied));
        assert_eq!(s.start_connect(&p, sa("127.0.0.1:9")), Err(ErrorCode::AccessDenied));
        assert_eq!(s.listen(&p), Err(ErrorCode::AccessDenied));
        let p = NetworkPolicy { inherit_network: true, tcp: false, ..NetworkPolicy::default() };
        let mut s = TcpSocket::create(AddressFamily::Ipv6).unwrap();
        assert_eq!(s.start_bind(&p, sa("[::1]:0")), Err(ErrorCode::AccessDenied));
        assert_eq!(s.start_connect(&p, sa("[::1]:9")), Err(ErrorCode::AccessDenied));
    }

    #[test]
    fn client_connects_within_allow_list_only() {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = server.local_addr().unwrap().port();
        let policy = NetworkPolicy {
            allow_connect: vec![range(&format!("127.0.0.1:{port}"))],
            ..NetworkPolicy::default()
        };
        let mut s = TcpSocket::create(AddressFamily::Ipv4).unwrap();
        let at = |p: u16| SocketAddr::from(([127, 0, 0, 1], p));
        // Outside the list: denied; binding is not granted at all.
        let other = at(port.wrapping_add(1).max(1));
        assert_eq!(s.start_connect(&policy, other), Err(ErrorCode::AccessDenied));
        assert_eq!(s.start_bind(&policy, at(0)), Err(ErrorCode::AccessDenied));
        // Argument checks come first.
        let unspecified = SocketAddr::from(([0, 0, 0, 0], port));
        assert_eq!(s.start_connect(&policy, unspecified), Err(ErrorCode::InvalidArgument));
        assert_eq!(s.start_connect(&policy, sa("[::1]:80")), Err(ErrorCode::InvalidArgument));
        assert_eq!(s.finish_connect(), Err(ErrorCode::NotInProgress));
        s.start_connect(&policy, at(port)).unwrap();
        assert_eq!(s.start_connect(&policy, at(port)), Err(ErrorCode::ConcurrencyConflict));
        let (mut peer, _) = server.accept().unwrap();
        block(&s);
        s.finish_connect().unwrap();
        assert_eq!(s.state(), TcpState::Connected);
        assert!(s.wait_for().is_none());
        assert_eq!(s.start_connect(&policy, at(port)), Err(ErrorCode::InvalidState));
        assert_eq!(s.remote_address().unwrap(), at(port));
        write_all(&s, b"ping");
        let mut got = [0u8; 4];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"ping");
        assert_eq!(read_some(&s), Err(Errno::Again), "nothing to read yet");
        peer.write_all(b"pong").unwrap();
        let mut p = [rustix::event::PollFd::from_borrowed_fd(s.fd().as_fd(), PollFlags::IN)];
        rustix::event::poll(&mut p, None).unwrap();
        assert_eq!(read_some(&s).unwrap(), b"pong");
        s.shutdown(ShutdownKind::Send).unwrap();
        let mut rest = Vec::new();
        peer.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty());
    }

    #[test]
    fn connection_refused_is_reported_by_finish_connect() {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let p = NetworkPolicy { inherit_network: true, ..NetworkPolicy::default() };
        let mut s = TcpSocket::create(AddressFamily::Ipv4).unwrap();
        s.start_connect(&p, SocketAddr::from(([127, 0, 0, 1], port))).unwrap();
        block(&s);
        assert_eq!(s.finish_connect(), Err(ErrorCode::ConnectionRefused));
        assert_eq!(s.state(), TcpState::Closed);
        assert_eq!(s.finish_connect(), Err(ErrorCode::NotInProgress));
    }

    #[test]
    fn server_binds_listens_and_accepts() {
        let p =
            NetworkPolicy { allow_bind: vec![range("127.0.0.1:0")], ..NetworkPolicy::default() };
        let mut s = TcpSocket::create(AddressFamily::Ipv4).unwrap();
        assert_eq!(s.local_address(), Err(ErrorCode::InvalidState));
        assert_eq!(s.start_listen(), Err(ErrorCode::InvalidState));
        assert_eq!(s.finish_bind(), Err(ErrorCode::NotInProgress));
        assert_eq!(s.start_bind(&p, sa("127.0.0.1:8080")), Err(ErrorCode::AccessDenied));
        assert_eq!(s.start_bind(&p, sa("[::1]:0")), Err(ErrorCode::InvalidArgument));
        assert_eq!(s.start_bind(&p, sa("224.0.0.1:0")), Err(ErrorCode::InvalidArgument));
        s.start_bind(&p, sa("127.0.0.1:0")).unwrap();
        s.finish_bind().unwrap();
        assert_eq!(s.start_bind(&p, sa("127.0.0.1:0")), Err(ErrorCode::InvalidState));
        let addr = s.local_address().unwrap();
        assert!(addr.port() != 0);
        s.set_listen_backlog_size(16).unwrap();
        s.start_listen().unwrap();
        assert_eq!(s.start_listen(), Err(ErrorCode::ConcurrencyConflict));
        assert!(!s.is_listening());
        s.finish_listen().unwrap();
        assert!(s.is_listening());
        s.set_listen_backlog_size(32).unwrap();
        assert_eq!(s.accept().err(), Some(ErrorCode::WouldBlock));
        for msg in [&b"one"[..], b"two"] {
            let mut client = std::net::TcpStream::connect(addr).unwrap();
            client.write_all(msg).unwrap();
            block(&s);
            let mut a = s.accept().unwrap();
            assert_eq!((a.family(), a.state()), (AddressFamily::Ipv4, TcpState::Connected));
            assert_eq!(a.remote_address().unwrap(), client.local_addr().unwrap());
            assert_eq!(a.set_listen_backlog_size(1), Err(ErrorCode::InvalidState));
            write_all(&a, &msg.to_ascii_uppercase());
            a.shutdown(ShutdownKind::Both).unwrap();
            let mut back = Vec::new();
            client.read_to_end(&mut back).unwrap();
            assert_eq!(back, msg.to_ascii_uppercase());
        }
        assert_eq!(s.shutdown(ShutdownKind::Both), Err(ErrorCode::InvalidState));
    }

    #[test]
    fn options_get_and_set() {
        let s = TcpSocket::create(AddressFamily::Ipv6).unwrap();
        assert_eq!(s.family(), AddressFamily::Ipv6);
        s.set_keep_alive_enabled(true).unwrap();
        assert!(s.keep_alive_enabled().unwrap());
        s.set_keep_alive_idle_time(Duration::from_millis(1500)).unwrap();
        assert_eq!(s.keep_alive_idle_time().unwrap(), Duration::from_secs(2));
        s.set_keep_alive_interval(Duration::from_secs(3)).unwrap();
        assert_eq!(s.keep_alive_interval().unwrap(), Duration::from_secs(3));
        // Beyond Linux's maxima: clamped, not refused.
        s.set_keep_alive_interval(Duration::from_secs(1 << 40)).unwrap();
        assert_eq!(s.keep_alive_interval().unwrap(), Duration::from_secs(MAX_KEEPALIVE_SECS));
        s.set_keep_alive_count(4).unwrap();
        assert_eq!(s.keep_alive_count().unwrap(), 4);
        s.set_keep_alive_count(u32::MAX).unwrap();
        assert_eq!(s.keep_alive_count().unwrap(), MAX_KEEPALIVE_COUNT);
        s.set_hop_limit(42).unwrap();
        assert_eq!(s.hop_limit().unwrap(), 42);
        s.set_receive_buffer_size(65536).unwrap();
        assert!(s.receive_buffer_size().unwrap() >= 65536);
        s.set_send_buffer_size(65536).unwrap();
        assert!(s.send_buffer_size().unwrap() >= 65536);
        let mut s = s;
        for r in [
            s.set_hop_limit(0),
            s.set_keep_alive_count(0),
            s.set_keep_alive_idle_time(Duration::ZERO),
            s.set_keep_alive_interval(Duration::ZERO),
            s.set_receive_buffer_size(0),
            s.set_send_buffer_size(0),
            s.set_listen_backlog_size(0),
        ] {
            assert_eq!(r, Err(ErrorCode::InvalidArgument));
        }
    }

    #[test]
    fn listen_binds_implicitly_under_the_policy_and_the_listener_accepts() {
        // An unbound listener is bound to 0.0.0.0:0: a loopback-only grant does not cover it.
        let lo = NetworkPolicy { allow_bind: vec![range("127.0.0.1:0")], ..Default::default() };
        let mut s = TcpSocket::create(AddressFamily::Ipv4).unwrap();
        assert_eq!(s.listen(&lo), Err(ErrorCode::AccessDenied));
        assert_eq!(s.state(), TcpState::Unbound);
        assert_eq!(s.listener().err(), Some(ErrorCode::InvalidState));
        let any = NetworkPolicy { allow_bind: vec![range("0.0.0.0:0")], ..Default::default() };
        s.listen(&any).unwrap();
        assert!(s.is_listening());
        assert_eq!(s.listen(&any), Err(ErrorCode::InvalidState));
        let port = s.local_address().unwrap().port();
        assert!(port != 0);
        // A bound socket listens on its address.
        let mut b = TcpSocket::create(AddressFamily::Ipv4).unwrap();
        b.start_bind(&lo, sa("127.0.0.1:0")).unwrap();
        b.finish_bind().unwrap();
        b.listen(&NetworkPolicy::default()).unwrap();
        let l = b.listener().unwrap();
        assert_eq!(l.accept().err(), Some(ErrorCode::WouldBlock));
        let client = std::net::TcpStream::connect(b.local_address().unwrap()).unwrap();
        block(&b);
        let a = l.accept().unwrap();
        assert_eq!(a.state(), TcpState::Connected);
        assert_eq!(a.remote_address().unwrap(), client.local_addr().unwrap());
        shutdown_fd(a.fd().as_fd(), ShutdownKind::Send).unwrap();
        let mut rest = Vec::new();
        (&client).read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty());
    }
}
