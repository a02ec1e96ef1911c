//! p3_rs_tcp: wasi:sockets@0.3 over loopback, self-contained. `p3_rs_tcp [M]` (default 100):
//! a TCP listener on 127.0.0.1:0 serves M connections concurrently, each echoing what it
//! receives until the client ends its side; M concurrent clients each send 64 KiB and check
//! that the same bytes come back. Then a UDP datagram between two loopback sockets, and
//! ip-name-lookup of `localhost`.
#[path = "../../p3_common/out.rs"]
mod out;

use futures::{StreamExt, TryStreamExt};
use out::{kebab, Out};
use wasip3::sockets::ip_name_lookup::resolve_addresses;
use wasip3::sockets::types::{
    IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, TcpSocket, UdpSocket,
};
use wasip3::wit_bindgen::StreamResult;

struct Tcp;
wasip3::cli::command::export!(Tcp);

const SIZE: usize = 64 * 1024;
const LOOPBACK: IpSocketAddress = IpSocketAddress::Ipv4(Ipv4SocketAddress { port: 0, address: (127, 0, 0, 1) });

impl wasip3::exports::cli::run::Guest for Tcp {
    async fn run() -> Result<(), ()> {
        let mut o = Out::stdout();
        let r = steps(&mut o).await;
        if let Err(e) = &r {
            o.line(format!("FAILED: {e}")).await;
        }
        o.close().await;
        r.map_err(|_| ())
    }
}

async fn steps(o: &mut Out) -> Result<(), String> {
    let args = wasip3::cli::environment::get_arguments();
    let m: usize = args.get(1).map(|a| a.parse().expect("M")).unwrap_or(100);

    // tcp: create, bind to an ephemeral loopback port, listen; the port is read back.
    let listener = TcpSocket::create(IpAddressFamily::Ipv4).map_err(|e| format!("tcp create: {}", kebab(&e)))?;
    listener.bind(LOOPBACK).map_err(|e| format!("bind: {}", kebab(&e)))?;
    // A backlog of M, so that all M clients can be queued before the first accept.
    listener.set_listen_backlog_size(m as u64).map_err(|e| format!("set-listen-backlog-size: {}", kebab(&e)))?;
    let accepts = listener.listen().map_err(|e| format!("listen: {}", kebab(&e)))?;
    let addr = listener.get_local_address().map_err(|e| format!("get-local-address: {}", kebab(&e)))?;
    o.line("tcp listen 127.0.0.1 ok").await;

    // Server: the listen stream yields accepted sockets; M of them are echoed concurrently.
    let server = futures::stream::unfold(accepts, |mut s| async move { s.next().await.map(|c| (c, s)) })
        .take(m)
        .map(Ok::<_, String>)
        .try_for_each_concurrent(None, echo);
    // Clients: M at once, each with its own content so mixed-up connections show.
    let clients = futures::future::try_join_all((0..m).map(|i| client(addr, i)));
    let (served, echoed) = futures::join!(server, clients);
    // A client's error first: a failed client drops its connection, which the server then
    // sees as connection-broken.
    let echoed = echoed?;
    served?;
    o.line(format!("{} echoes ok", echoed.len())).await;

    // udp: two sockets bound on loopback; a datagram from a to b arrives whole, from a.
    let a = UdpSocket::create(IpAddressFamily::Ipv4).map_err(|e| format!("udp create: {}", kebab(&e)))?;
    let b = UdpSocket::create(IpAddressFamily::Ipv4).map_err(|e| format!("udp create: {}", kebab(&e)))?;
    a.bind(LOOPBACK).map_err(|e| format!("udp bind: {}", kebab(&e)))?;
    b.bind(LOOPBACK).map_err(|e| format!("udp bind: {}", kebab(&e)))?;
    let (a_addr, b_addr) = (a.get_local_address().map_err(|e| kebab(&e))?, b.get_local_address().map_err(|e| kebab(&e))?);
    a.send(b"datagram".to_vec(), Some(b_addr)).await.map_err(|e| format!("udp send: {}", kebab(&e)))?;
    let (data, from) = b.receive().await.map_err(|e| format!("udp receive: {}", kebab(&e)))?;
    if data != b"datagram" || port(from) != port(a_addr) {
        return Err(format!("udp: got {} bytes from port {}", data.len(), port(from)));
    }
    o.line("udp ok").await;

    // ip-name-lookup: localhost resolves to at least one address.
    let addrs = resolve_addresses("localhost".into()).await.map_err(|e| format!("resolve-addresses: {}", kebab(&e)))?;
    if addrs.is_empty() {
        return Err("resolve-addresses localhost: no addresses".into());
    }
    o.line("lookup localhost ok").await;
    Ok(())
}

/// One accepted connection: its receive stream is copied through guest memory into a send
/// stream until the client ends its side; then the send stream is closed (the host shuts
/// down the write side) and both results are awaited.
async fn echo(conn: TcpSocket) -> Result<(), String> {
    let (mut rx, received) = conn.receive();
    let (mut tx, reader) = wasip3::wit_stream::new();
    let sent = conn.send(reader);
    loop {
        let (status, buf) = rx.read(Vec::with_capacity(16 * 1024)).await;
        if !buf.is_empty() && !tx.write_all(buf).await.is_empty() {
            // The host stopped taking data: send's result says why.
            drop(tx);
            return Err(match sent.await {
                Err(e) => format!("echo send: {}", kebab(&e)),
                Ok(()) => "echo: send stream closed early".into(),
            });
        }
        if status == StreamResult::Dropped {
            break;
        }
    }
    drop(rx);
    drop(tx);
    received.await.map_err(|e| format!("echo receive: {}", kebab(&e)))?;
    sent.await.map_err(|e| format!("echo send: {}", kebab(&e)))?;
    Ok(())
}

/// Client `i`: connect, send 64 KiB (and end the send side), read until the server closes,
/// compare.
async fn client(addr: IpSocketAddress, i: usize) -> Result<(), String> {
    let sock = TcpSocket::create(IpAddressFamily::Ipv4).map_err(|e| format!("client create: {}", kebab(&e)))?;
    sock.connect(addr).await.map_err(|e| format!("connect: {}", kebab(&e)))?;
    let data: Vec<u8> = (0..SIZE).map(|j| (j.wrapping_mul(31) ^ i) as u8).collect();
    let (mut tx, reader) = wasip3::wit_stream::new();
    let sent = sock.send(reader);
    let (rx, received) = sock.receive();
    let send_side = async {
        tx.write_all(data.clone()).await;
        drop(tx);
        sent.await
    };
    let (sent, back) = futures::join!(send_side, rx.collect());
    sent.map_err(|e| format!("client send: {}", kebab(&e)))?;
    received.await.map_err(|e| format!("client receive: {}", kebab(&e)))?;
    if back != data {
        return Err(format!("client {i}: {} bytes back, content differs", back.len()));
    }
    Ok(())
}

fn port(a: IpSocketAddress) -> u16 {
    match a {
        IpSocketAddress::Ipv4(a) => a.port,
        IpSocketAddress::Ipv6(a) => a.port,
    }
}
