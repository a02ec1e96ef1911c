//! p3_rs_bench_tcp: the TCP echo server of the WASI 0.3 benchmark rows (see p3_rs_bench), in a
//! component of its own because it imports wasi:sockets@0.3:
//!   p3_rs_bench_tcp tcp PORT [CONNS]
//! Listens on 127.0.0.1:PORT (create-tcp-socket, bind, listen) and echoes every accepted
//! connection concurrently: each one's receive stream is read into one 64 KiB buffer and each
//! read is written, all of it, into the connection's send stream, until the client ends its
//! side; then the send stream is closed and both results are awaited. After CONNS
//! connections (default 1; 0 = no limit) have been accepted and finished, it exits (status
//! 0). The client (benches/programs/tcp_load.c) does the timing; this prints nothing on
//! success, `FAILED: ...` on stdout and status 1 on failure.
#[path = "../../p3_common/out.rs"]
mod out;
#[path = "../../p3_rs_bench/src/common.rs"]
mod common;

use common::{arg, report};
use futures::{StreamExt, TryStreamExt};
use out::kebab;
use wasip3::sockets::types::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, TcpSocket};
use wasip3::wit_bindgen::StreamResult;

struct Bench;
wasip3::cli::command::export!(Bench);

const BUF: usize = 64 * 1024;

impl wasip3::exports::cli::run::Guest for Bench {
    async fn run() -> Result<(), ()> {
        let args = wasip3::cli::environment::get_arguments();
        match args.get(1).map(String::as_str) {
            Some("tcp") => match serve(&args).await {
                Ok(()) => Ok(()),
                Err(e) => report(Err(e), false).await,
            },
            other => report(Err(format!("unknown mode {other:?}: tcp PORT [CONNS]")), false).await,
        }
    }
}

async fn serve(args: &[String]) -> Result<(), String> {
    let port: u16 = arg(args, 2, "PORT")?;
    let conns: usize = if args.len() > 3 { arg(args, 3, "CONNS")? } else { 1 };
    let addr = IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address: (127, 0, 0, 1) });
    let listener = TcpSocket::create(IpAddressFamily::Ipv4).map_err(|e| format!("tcp create: {}", kebab(&e)))?;
    listener.bind(addr).map_err(|e| format!("bind 127.0.0.1:{port}: {}", kebab(&e)))?;
    let accepts = listener.listen().map_err(|e| format!("listen: {}", kebab(&e)))?;
    futures::stream::unfold(accepts, |mut s| async move { s.next().await.map(|c| (c, s)) })
        .take(if conns == 0 { usize::MAX } else { conns })
        .map(Ok::<_, String>)
        .try_for_each_concurrent(None, echo)
        .await
}

/// One connection: receive into one 64 KiB buffer, send all of each read, until EOF.
async fn echo(conn: TcpSocket) -> Result<(), String> {
    let (mut rx, received) = conn.receive();
    let (mut tx, reader) = wasip3::wit_stream::new();
    let sent = conn.send(reader);
    let mut buf = Vec::with_capacity(BUF);
    loop {
        let (status, v) = rx.read(buf).await;
        buf = v;
        if !buf.is_empty() {
            // write_all hands the Vec back emptied, its 64 KiB capacity kept for the next read
            buf = tx.write_all(buf).await;
            if !buf.is_empty() {
                drop(tx);
                return Err(match sent.await {
                    Err(e) => format!("echo send: {}", kebab(&e)),
                    Ok(()) => "echo: send stream closed early".into(),
                });
            }
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
