//! `wasi:sockets/types.tcp-socket` (0.3): the TCP state machine of
//! [`crate::sockets::tcp`] behind the 0.3 methods.
//!
//! - `create`, the options and the addresses: the core's, at once (no grant needed).
//! - `bind`: the core's start-bind and finish-bind, policy-checked.
//! - `connect` (WIT `async`): starts a non-blocking `connect(2)` (policy-checked), then waits
//!   for the fd to be writable and reports `SO_ERROR`; a failed connection leaves the socket
//!   `closed`.
//! - `listen`: listens (binding implicitly, policy-checked, if unbound) and returns a
//!   `stream<tcp-socket>` of accepted connections: each guest read waits for the listener to
//!   be readable and accepts one connection, made a socket resource of the guest's table.
//! - `send` / `receive`: the connection's byte streams ([`super::super::bytes`]), once each.

use std::pin::Pin;
use std::task::{Context, Poll};

use wasmtime::component::{
    Access, Accessor, Destination, FutureReader, Resource, StreamProducer, StreamReader,
    StreamResult,
};
use wasmtime::StoreContextMut;

use super::super::bytes::{
    budget, ready_future, Counted, Outcome, ReadStream, Registered, WriteStream, WriteTo,
};
use super::super::WasiP3;
use super::wit::{self, Duration, ErrorCode, IpAddressFamily, IpSocketAddress};
use super::{
    from_family, from_std, os_error, stream_code, to_family, to_std, waiting, SockResult,
    SocketError, TcpSocket,
};
use crate::ctx::WasiCtx;
use crate::sockets::{self as host, TcpState};

impl TcpSocket {
    /// The registration a `send` stream uses: once, on a connected socket; else
    /// `invalid-state`.
    fn start_send(&mut self) -> Result<Registered, ErrorCode> {
        if self.sock.state() != TcpState::Connected || self.sending {
            return Err(ErrorCode::InvalidState);
        }
        self.sending = true;
        Ok(self.io.clone())
    }

    /// The registration a `receive` stream uses: once, on a connected socket; else
    /// `invalid-state`.
    fn start_receive(&mut self) -> Result<Registered, ErrorCode> {
        if self.sock.state() != TcpState::Connected || self.receiving {
            return Err(ErrorCode::InvalidState);
        }
        self.receiving = true;
        Ok(self.io.clone())
    }
}

/// The host end of the `stream<tcp-socket>` `listen` returns: each read accepts one
/// connection once the listener is readable (transient accept errors skipped) and hands it
/// to the guest as a new socket resource. The stream ends only on a fatal error (logged).
struct Accepting<T: 'static> {
    listener: host::tcp::TcpListener,
    io: Registered,
    /// The instance's context in the store's data (where accepted sockets are pushed).
    ctx: fn(&mut T) -> &mut WasiCtx,
}

impl<T: 'static> StreamProducer<T> for Accepting<T> {
    type Item = Resource<TcpSocket>;
    type Buffer = Option<Resource<TcpSocket>>;

    fn poll_produce<'a>(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut store: StoreContextMut<'a, T>,
        mut dst: Destination<'a, Self::Item, Self::Buffer>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let me = self.get_mut();
        let pending = |finish: bool| {
            if finish {
                Poll::Ready(Ok(StreamResult::Cancelled))
            } else {
                Poll::Pending
            }
        };
        if dst.remaining(&mut store) == Some(0) {
            // A zero-length read waits until a connection is pending.
            return match me.io.poll_read_ready(cx) {
                Poll::Ready(_) => Poll::Ready(Ok(StreamResult::Completed)),
                Poll::Pending => pending(finish),
            };
        }
        loop {
            let mut guard = match me.io.poll_read_ready(cx) {
                Poll::Pending => return pending(finish),
                Poll::Ready(Err(e)) => {
                    tracing::warn!("wasi:sockets listen stream ends: waiting: {e}");
                    return Poll::Ready(Ok(StreamResult::Dropped));
                }
                Poll::Ready(Ok(g)) => g,
            };
            let sock = match me.listener.accept() {
                Ok(s) => s,
                Err(host::ErrorCode::WouldBlock) => {
                    guard.clear_ready();
                    continue;
                }
                Err(e) => {
                    tracing::warn!("wasi:sockets listen stream ends: accept: {e}");
                    return Poll::Ready(Ok(StreamResult::Dropped));
                }
            };
            match TcpSocket::new(sock) {
                Ok(s) => {
                    let r = (me.ctx)(store.data_mut()).push(s)?;
                    dst.set_buffer(Some(r));
                    return Poll::Ready(Ok(StreamResult::Completed));
                }
                // The connection is dropped (closed); the listener goes on.
                Err(e) => tracing::warn!("wasi:sockets accepted connection dropped: {e}"),
            }
        }
    }
}

impl<T: Send> wit::HostTcpSocketWithStore<T> for WasiP3 {
    /// `connect(remote-address)`: [`crate::sockets::TcpSocket::start_connect`] (argument,
    /// state and policy checks, then a non-blocking `connect(2)`), then waits for the fd to
    /// be writable and completes with [`crate::sockets::TcpSocket::finish_connect`]. Errors:
    /// `invalid-argument`, `invalid-state` (connecting, connected, listening, closed),
    /// `access-denied`, then the connection's (`connection-refused`, `timeout`…; the socket
    /// is then closed).
    async fn connect(
        accessor: &Accessor<T, Self>,
        self_: Resource<TcpSocket>,
        remote_address: IpSocketAddress,
    ) -> SockResult<()> {
        let _held = waiting(accessor, "TCP connect")?;
        let io = accessor.with(|mut a| -> SockResult<Registered> {
            let (s, policy) = a.get().tcp3(&self_)?;
            s.sock.start_connect(policy, to_std(remote_address))?;
            Ok(s.io.clone())
        })?;
        let finish =
            || accessor.with(|mut a| a.get().tcp3(&self_).map(|(s, _)| s.sock.finish_connect()));
        let mut r = finish()?;
        while r == Err(host::ErrorCode::WouldBlock) {
            let mut guard = io.writable().await.map_err(os_error)?;
            r = finish()?;
            if r == Err(host::ErrorCode::WouldBlock) {
                guard.clear_ready();
            }
        }
        Ok(r?)
    }

    /// `listen`: [`crate::sockets::TcpSocket::listen`] (an unbound socket is bound to the
    /// unspecified address, port 0, if the policy allows that bind), then the stream of
    /// accepted connections (each a connected socket of the listener's family, with its
    /// options as Linux copies them from the listener). Errors: `invalid-state` (connecting,
    /// connected, already listening), `access-denied`, the OS's (`address-in-use`…).
    fn listen(
        mut store: Access<'_, T, Self>,
        self_: Resource<TcpSocket>,
    ) -> SockResult<StreamReader<Resource<TcpSocket>>> {
        let ctx = store.getter();
        let budget = budget(&mut store);
        let (listener, io) = {
            let (s, policy) = store.get().tcp3(&self_)?;
            s.sock.listen(policy)?;
            (s.sock.listener()?, s.io.clone())
        };
        let accepting = Counted::new(&budget, "stream", Accepting { listener, io, ctx })
            .map_err(|_| SocketError::Code(ErrorCode::OutOfMemory))?;
        Ok(StreamReader::new(&mut store, accepting)?)
    }

    /// `send(data)`: writes the guest's stream to the connection as it is written; its end
    /// shuts the connection down for sending (FIN). The future resolves `ok` once the stream
    /// ended and everything was handed to the kernel, or with the write's error
    /// (`connection-broken`, `connection-reset`…). `invalid-state` (in the future; the
    /// stream is closed) unless connected, or on a second `send`.
    fn send(
        mut store: Access<'_, T, Self>,
        self_: Resource<TcpSocket>,
        mut data: StreamReader<u8>,
    ) -> wasmtime::Result<FutureReader<Result<(), ErrorCode>>> {
        let budget = budget(&mut store);
        let io = store.get().get_mut(&self_)?.start_send();
        match io {
            Ok(io) => {
                let (outcome, future) = Outcome::new(&mut store, &budget, stream_code)?;
                let sink = WriteStream::new(WriteTo::Socket(io), outcome);
                data.pipe(&mut store, Counted::new(&budget, "stream", sink)?)?;
                Ok(future)
            }
            Err(code) => {
                data.close(&mut store)?;
                ready_future(&mut store, &budget, Err(code))
            }
        }
    }

    /// `receive`: the stream of the bytes the peer sends (each guest read one `recv(2)` into
    /// its buffer) and a future that resolves `ok` at the peer's FIN, or with the error that
    /// ended the stream (`connection-reset`…). Dropping the stream shuts the connection down
    /// for receiving. Unless connected, or on a second `receive`: an empty stream and
    /// `invalid-state`.
    fn receive(
        mut store: Access<'_, T, Self>,
        self_: Resource<TcpSocket>,
    ) -> wasmtime::Result<(StreamReader<u8>, FutureReader<Result<(), ErrorCode>>)> {
        let budget = budget(&mut store);
        let io = store.get().get_mut(&self_)?.start_receive();
        match io {
            Ok(io) => {
                let (outcome, future) = Outcome::new(&mut store, &budget, stream_code)?;
                let stream = Counted::new(&budget, "stream", ReadStream::socket(io, outcome))?;
                Ok((StreamReader::new(&mut store, stream)?, future))
            }
            Err(code) => {
                let empty = Counted::new(&budget, "stream", std::iter::empty::<u8>())?;
                let stream = StreamReader::new(&mut store, empty)?;
                Ok((stream, ready_future(&mut store, &budget, Err(code))?))
            }
        }
    }
}

impl wit::HostTcpSocket for WasiCtx {
    /// `create(address-family)`: a non-blocking socket, registered with the reactor. Needs no
    /// grant. Errors: the OS's (`not-supported`, `other` at the descriptor limit).
    fn create(&mut self, address_family: IpAddressFamily) -> SockResult<Resource<TcpSocket>> {
        let sock = TcpSocket::new(host::TcpSocket::create(to_family(address_family))?)?;
        Ok(self.push(sock)?)
    }

    /// `bind(local-address)`: [`crate::sockets::TcpSocket::start_bind`] (with `SO_REUSEADDR`)
    /// and finish-bind. Errors: `invalid-argument` (wrong family, IPv4-mapped, not unicast),
    /// `invalid-state` (bound), `access-denied`, the OS's (`address-in-use`,
    /// `address-not-bindable`). A failed bind may be retried.
    fn bind(
        &mut self,
        self_: Resource<TcpSocket>,
        local_address: IpSocketAddress,
    ) -> SockResult<()> {
        let (s, policy) = self.tcp3(&self_)?;
        s.sock.start_bind(policy, to_std(local_address))?;
        Ok(s.sock.finish_bind()?)
    }

    /// `get-local-address`: `invalid-state` while unbound.
    fn get_local_address(&mut self, self_: Resource<TcpSocket>) -> SockResult<IpSocketAddress> {
        Ok(from_std(self.tcp3(&self_)?.0.sock.local_address()?))
    }

    /// `get-remote-address`: `invalid-state` unless connected.
    fn get_remote_address(&mut self, self_: Resource<TcpSocket>) -> SockResult<IpSocketAddress> {
        Ok(from_std(self.tcp3(&self_)?.0.sock.remote_address()?))
    }

    /// `get-is-listening`.
    fn get_is_listening(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<bool> {
        Ok(self.get(&self_)?.sock.is_listening())
    }

    /// `get-address-family`: the family given at creation.
    fn get_address_family(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> wasmtime::Result<IpAddressFamily> {
        Ok(from_family(self.get(&self_)?.sock.family()))
    }

    /// `set-listen-backlog-size`: 0 is `invalid-argument`; `invalid-state` once connecting
    /// or connected; a listening socket listens again with the new size.
    fn set_listen_backlog_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> SockResult<()> {
        Ok(self.tcp3(&self_)?.0.sock.set_listen_backlog_size(value)?)
    }

    /// `get-keep-alive-enabled` (`SO_KEEPALIVE`).
    fn get_keep_alive_enabled(&mut self, self_: Resource<TcpSocket>) -> SockResult<bool> {
        Ok(self.tcp3(&self_)?.0.sock.keep_alive_enabled()?)
    }

    /// `set-keep-alive-enabled`.
    fn set_keep_alive_enabled(
        &mut self,
        self_: Resource<TcpSocket>,
        value: bool,
    ) -> SockResult<()> {
        Ok(self.tcp3(&self_)?.0.sock.set_keep_alive_enabled(value)?)
    }

    /// `get-keep-alive-idle-time` (`TCP_KEEPIDLE`), ns.
    fn get_keep_alive_idle_time(&mut self, self_: Resource<TcpSocket>) -> SockResult<Duration> {
        Ok(host::ns_of_duration(self.tcp3(&self_)?.0.sock.keep_alive_idle_time()?))
    }

    /// `set-keep-alive-idle-time` (ns): 0 is `invalid-argument`; rounded up to whole
    /// seconds, clamped to 32767 s.
    fn set_keep_alive_idle_time(
        &mut self,
        self_: Resource<TcpSocket>,
        value: Duration,
    ) -> SockResult<()> {
        let d = host::duration_from_ns(value);
        Ok(self.tcp3(&self_)?.0.sock.set_keep_alive_idle_time(d)?)
    }

    /// `get-keep-alive-interval` (`TCP_KEEPINTVL`), ns.
    fn get_keep_alive_interval(&mut self, self_: Resource<TcpSocket>) -> SockResult<Duration> {
        Ok(host::ns_of_duration(self.tcp3(&self_)?.0.sock.keep_alive_interval()?))
    }

    /// `set-keep-alive-interval` (ns): 0 is `invalid-argument`; rounded up to whole seconds,
    /// clamped to 32767 s.
    fn set_keep_alive_interval(
        &mut self,
        self_: Resource<TcpSocket>,
        value: Duration,
    ) -> SockResult<()> {
        let d = host::duration_from_ns(value);
        Ok(self.tcp3(&self_)?.0.sock.set_keep_alive_interval(d)?)
    }

    /// `get-keep-alive-count` (`TCP_KEEPCNT`).
    fn get_keep_alive_count(&mut self, self_: Resource<TcpSocket>) -> SockResult<u32> {
        Ok(self.tcp3(&self_)?.0.sock.keep_alive_count()?)
    }

    /// `set-keep-alive-count`: 0 is `invalid-argument`; above 127 (Linux's most) is clamped.
    fn set_keep_alive_count(&mut self, self_: Resource<TcpSocket>, value: u32) -> SockResult<()> {
        Ok(self.tcp3(&self_)?.0.sock.set_keep_alive_count(value)?)
    }

    /// `get-hop-limit` (`IP_TTL` / `IPV6_UNICAST_HOPS`).
    fn get_hop_limit(&mut self, self_: Resource<TcpSocket>) -> SockResult<u8> {
        Ok(self.tcp3(&self_)?.0.sock.hop_limit()?)
    }

    /// `set-hop-limit`: 0 is `invalid-argument`.
    fn set_hop_limit(&mut self, self_: Resource<TcpSocket>, value: u8) -> SockResult<()> {
        Ok(self.tcp3(&self_)?.0.sock.set_hop_limit(value)?)
    }

    /// `get-receive-buffer-size` (`SO_RCVBUF`, bytes, as the kernel reports it).
    fn get_receive_buffer_size(&mut self, self_: Resource<TcpSocket>) -> SockResult<u64> {
        Ok(self.tcp3(&self_)?.0.sock.receive_buffer_size()?)
    }

    /// `set-receive-buffer-size` (bytes): 0 is `invalid-argument`; the kernel may adjust it.
    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> SockResult<()> {
        Ok(self.tcp3(&self_)?.0.sock.set_receive_buffer_size(value)?)
    }

    /// `get-send-buffer-size` (`SO_SNDBUF`, bytes, as the kernel reports it).
    fn get_send_buffer_size(&mut self, self_: Resource<TcpSocket>) -> SockResult<u64> {
        Ok(self.tcp3(&self_)?.0.sock.send_buffer_size()?)
    }

    /// `set-send-buffer-size` (bytes): 0 is `invalid-argument`; the kernel may adjust it.
    fn set_send_buffer_size(&mut self, self_: Resource<TcpSocket>, value: u64) -> SockResult<()> {
        Ok(self.tcp3(&self_)?.0.sock.set_send_buffer_size(value)?)
    }

    /// Drops a socket (the fd closes once its streams are dropped too).
    fn drop(&mut self, rep: Resource<TcpSocket>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

/// End to end on loopback, inside the engine's concurrent loop as a guest's calls would run:
/// listen, connect, accept through the stream, send and receive through byte streams.
#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use tokio::sync::mpsc;
    use wasmtime::component::{Accessor, Source, StreamConsumer, StreamReader, StreamResult};
    use wasmtime::StoreContextMut;

    use super::super::super::WasiP3;
    use super::super::wit::{HostTcpSocket, HostTcpSocketWithStore as Tcp, IpAddressFamily};
    use super::super::{from_std, TcpSocket};
    use crate::ctx::WasiCtx;
    use crate::NetworkPolicy;

    /// A host consumer of a stream: sends every item on a channel (closed when dropped).
    struct Collect<T>(mpsc::UnboundedSender<T>);

    impl<D, T: wasmtime::component::Lift + Send + Sync + 'static> StreamConsumer<D> for Collect<T> {
        type Item = T;

        fn poll_consume(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            store: StoreContextMut<D>,
            mut src: Source<'_, T>,
            _finish: bool,
        ) -> Poll<wasmtime::Result<StreamResult>> {
            let mut got = Vec::with_capacity(64);
            src.read(store, &mut got)?;
            for x in got {
                let _ = self.0.send(x);
            }
            Poll::Ready(Ok(StreamResult::Completed))
        }
    }

    fn b<T: 'static>(r: &wasmtime::component::Resource<T>) -> wasmtime::component::Resource<T> {
        wasmtime::component::Resource::new_borrow(r.rep())
    }

    #[tokio::test]
    async fn loopback_echo_through_the_streams() {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model_async(true);
        let engine = wasmtime::Engine::new(&config).unwrap();
        let policy = NetworkPolicy {
            allow_bind: vec!["127.0.0.1:0".parse().unwrap()],
            allow_connect: vec!["127.0.0.1:1-65535".parse().unwrap()],
            ..NetworkPolicy::default()
        };
        let ctx = crate::WasiCtxBuilder::new().network(policy).build().unwrap();
        let mut store = wasmtime::Store::new(&engine, ctx);
        let run = store.run_concurrent(async |acc| {
            let a: Accessor<WasiCtx, WasiP3> = acc.with_getter(|c: &mut WasiCtx| c);
            let v4 = IpAddressFamily::Ipv4;
            let server = a.with(|mut x| HostTcpSocket::create(x.get(), v4)).unwrap();
            let any = from_std("127.0.0.1:0".parse().unwrap());
            a.with(|mut x| HostTcpSocket::bind(x.get(), b(&server), any)).unwrap();
            let addr =
                a.with(|mut x| HostTcpSocket::get_local_address(x.get(), b(&server))).ok().unwrap();
            let conns = a.with(|x| WasiP3::listen(x, b(&server))).ok().unwrap();
            let (tx, mut accepted) = mpsc::unbounded_channel();
            a.with(|mut x| {
                conns.pipe(&mut x, Collect::<wasmtime::component::Resource<TcpSocket>>(tx))
            })
            .unwrap();

            let client = a.with(|mut x| HostTcpSocket::create(x.get(), v4)).unwrap();
            WasiP3::connect(&a, b(&client), addr).await.ok().unwrap();
            assert!(WasiP3::connect(&a, b(&client), addr).await.is_err());
            let conn = accepted.recv().await.expect("an accepted connection");

            // Client -> server: "ping", then the end of the send stream (FIN).
            let data = a.with(|mut x| StreamReader::new(&mut x, b"ping".to_vec())).unwrap();
            let _sent = a.with(|x| <WasiP3 as Tcp<WasiCtx>>::send(x, b(&client), data)).unwrap();
            let (rx, _done) = a.with(|x| <WasiP3 as Tcp<WasiCtx>>::receive(x, b(&conn))).unwrap();
            let (tx, mut bytes) = mpsc::unbounded_channel();
            a.with(|mut x| rx.pipe(&mut x, Collect::<u8>(tx))).unwrap();
            let mut got = Vec::new();
            while let Some(byte) = bytes.recv().await {
                got.push(byte);
            }
            assert_eq!(got, b"ping", "everything, then the end of stream");

            // A second receive is refused.
            let (again, _f) = a.with(|x| <WasiP3 as Tcp<WasiCtx>>::receive(x, b(&conn))).unwrap();
            let (tx, mut none) = mpsc::unbounded_channel();
            a.with(|mut x| again.pipe(&mut x, Collect::<u8>(tx))).unwrap();
            assert_eq!(none.recv().await, None);

            // UDP: a datagram each way, awaited on readiness.
            use super::super::super::bindings::wasi::sockets::ip_name_lookup::HostWithStore as _;
            use super::super::wit::{HostUdpSocket, HostUdpSocketWithStore as Udp};
            let u = a.with(|mut x| HostUdpSocket::create(x.get(), v4)).unwrap();
            a.with(|mut x| HostUdpSocket::bind(x.get(), b(&u), any)).unwrap();
            let me = super::super::to_std(
                a.with(|mut x| HostUdpSocket::get_local_address(x.get(), b(&u))).ok().unwrap(),
            );
            let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            let to = Some(from_std(peer.local_addr().unwrap()));
            <WasiP3 as Udp<WasiCtx>>::send(&a, b(&u), b"dgram".to_vec(), to).await.ok().unwrap();
            let mut buf = [0u8; 16];
            let (n, from) = peer.recv_from(&mut buf).unwrap();
            assert_eq!((&buf[..n], from), (&b"dgram"[..], me));
            peer.send_to(b"back", me).unwrap();
            let (data, _) = <WasiP3 as Udp<WasiCtx>>::receive(&a, b(&u)).await.ok().unwrap();
            assert_eq!(data, b"back");
            // Name lookup is not granted here.
            let r = WasiP3::resolve_addresses(&a, "localhost".into()).await.unwrap();
            assert!(r.is_err());
        });
        tokio::time::timeout(std::time::Duration::from_secs(20), run)
            .await
            .expect("the echo finishes")
            .unwrap();
    }
}
