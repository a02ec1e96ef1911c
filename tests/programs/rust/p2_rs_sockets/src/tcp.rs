//! TCP: a full connection over loopback (`tcp4` / `tcp6`), the state machine's error codes
//! (`tcp-states`) and every socket option (`tcp-options`).

use std::net::Ipv6Addr;

use wasip2::io::streams::{InputStream, OutputStream};
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::network::Network;
use wasip2::sockets::tcp::{ShutdownType, TcpSocket};
use wasip2::sockets::tcp_create_socket::create_tcp_socket;

use crate::util::*;

/// `finish-connect`, polling the socket's `subscribe` pollable while it is `would-block`.
fn finish_connect(sock: &TcpSocket) -> Result<(InputStream, OutputStream), ErrorCode> {
    let ready = sock.subscribe();
    loop {
        wait(&ready);
        match sock.finish_connect() {
            Err(ErrorCode::WouldBlock) => continue,
            other => return other,
        }
    }
}

/// `start-connect` then [`finish_connect`].
fn connect(
    sock: &TcpSocket,
    net: &Network,
    to: IpSocketAddress,
) -> Result<(InputStream, OutputStream), ErrorCode> {
    sock.start_connect(net, to)?;
    finish_connect(sock)
}

/// `accept`, polling the listener's `subscribe` pollable while it is `would-block`.
fn accept(listener: &TcpSocket) -> Result<(TcpSocket, InputStream, OutputStream), ErrorCode> {
    let ready = listener.subscribe();
    loop {
        wait(&ready);
        match listener.accept() {
            Err(ErrorCode::WouldBlock) => continue,
            other => return other,
        }
    }
}

/// A socket of `family` bound to loopback port 0 (no output).
fn bound(net: &Network, family: IpAddressFamily) -> TcpSocket {
    let sock = create_tcp_socket(family).expect("create-tcp-socket");
    sock.start_bind(net, loopback(family, 0)).expect("start-bind");
    sock.finish_bind().expect("finish-bind");
    sock
}

/// `tcp4` / `tcp6`: listener and client in this guest, a connection between them, bytes both
/// ways, the addresses on both ends, and a graceful shutdown in each direction.
pub fn connection(family: IpAddressFamily) {
    let net = instance_network();
    let fam = family_name(family);
    let lo = loopback_text(family);

    // A listener: create, bind to port 0 (the OS picks one), listen.
    let listener = must(&format!("create-tcp-socket({fam})"), create_tcp_socket(family));
    println!("address-family: {}", family_name(listener.address_family()));
    println!("is-listening before listen: {}", listener.is_listening());
    say("local-address before bind", listener.local_address());
    must(&format!("start-bind({lo}:0)"), listener.start_bind(&net, loopback(family, 0)));
    must("finish-bind", listener.finish_bind());
    let local = must("local-address", listener.local_address());
    println!("bound to {}, port chosen by the OS: {}", ip_text(&local), yes(port_of(&local) != 0));
    must("start-listen", listener.start_listen());
    must("finish-listen", listener.finish_listen());
    println!("is-listening: {}", listener.is_listening());
    say("accept with no client yet", listener.accept());

    // A client connecting to it: start-connect, poll the socket's pollable, finish-connect.
    let client = must("client create-tcp-socket", create_tcp_socket(family));
    must("client start-connect", client.start_connect(&net, local));
    let (c_in, c_out) = must("client finish-connect", finish_connect(&client));
    println!("client is-listening: {}", client.is_listening());
    let (server, s_in, s_out) = must("accept", accept(&listener));
    println!("accepted address-family: {}", family_name(server.address_family()));
    println!("accepted is-listening: {}", server.is_listening());

    // Both ends agree on the addresses.
    let c_local = must("client local-address", client.local_address());
    let c_remote = must("client remote-address", client.remote_address());
    let s_local = must("accepted local-address", server.local_address());
    let s_remote = must("accepted remote-address", server.remote_address());
    println!("client local-address is {}", ip_text(&c_local));
    println!(
        "client remote-address matches the listener's address: {}",
        yes(same(&c_remote, &local))
    );
    println!(
        "accepted local-address matches the listener's address: {}",
        yes(same(&s_local, &local))
    );
    println!(
        "accepted remote-address matches client local-address: {}",
        yes(same(&s_remote, &c_local))
    );
    say("listener remote-address", listener.remote_address());

    // Bytes both ways through the socket streams.
    let hello = b"hello from the client";
    write_all(&c_out, hello).expect("client write");
    println!("server read: {}", text(&read_exact(&s_in, hello.len()).expect("server read")));
    let back = b"hello from the server";
    write_all(&s_out, back).expect("server write");
    println!("client read: {}", text(&read_exact(&c_in, back.len()).expect("client read")));

    // 256 KiB each way in 4 KiB steps, read back as the writes go (more than one buffer).
    let data: Vec<u8> = (0..256 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    let mut intact = true;
    for chunk in data.chunks(4096) {
        write_all(&c_out, chunk).expect("client write");
        let echoed = read_exact(&s_in, chunk.len()).expect("server read");
        write_all(&s_out, &echoed).expect("server write");
        intact &= read_exact(&c_in, chunk.len()).expect("client read") == chunk;
    }
    println!("256 KiB client -> server -> client intact: {}", yes(intact));

    // shutdown(send): the peer reads the end of the stream, this side's output is closed,
    // the other direction still works; a second shutdown is a no-op.
    must("client shutdown(send)", client.shutdown(ShutdownType::Send));
    let (rest, end) = read_to_end(&s_in);
    println!("server reads after it: {} bytes, then {end}", rest.len());
    println!("client write after shutdown(send): {}", write_error(&c_out));
    say("client shutdown(send) again", client.shutdown(ShutdownType::Send));
    write_all(&s_out, b"half-closed").expect("server write");
    println!("client still reads: {}", text(&read_exact(&c_in, 11).expect("client read")));
    must("accepted shutdown(both)", server.shutdown(ShutdownType::Both));
    let (rest, end) = read_to_end(&c_in);
    println!("client reads after it: {} bytes, then {end}", rest.len());
    say("listener shutdown(send)", listener.shutdown(ShutdownType::Send));
}

/// The error a one-byte write reports (`closed`), or `ok`.
fn write_error(out: &OutputStream) -> &'static str {
    match out.blocking_write_and_flush(b"x") {
        Ok(()) => "ok",
        Err(e) => stream_error(&e),
    }
}

/// `tcp-states`: each call in a state the WIT says it is not allowed in, and the error code
/// the WIT gives for it.
pub fn states() {
    let net = instance_network();
    let family = IpAddressFamily::Ipv4;

    // An unbound socket: nothing is in progress, nothing but bind/connect is possible.
    let s = must("create-tcp-socket(ipv4)", create_tcp_socket(family));
    say("unbound: finish-bind", s.finish_bind());
    say("unbound: finish-listen", s.finish_listen());
    say("unbound: finish-connect", s.finish_connect());
    say("unbound: start-listen", s.start_listen());
    say("unbound: accept", s.accept());
    say("unbound: local-address", s.local_address());
    say("unbound: remote-address", s.remote_address());
    say("unbound: shutdown(both)", s.shutdown(ShutdownType::Both));
    let ipv6_address = v6(Ipv6Addr::LOCALHOST, 0);
    say("start-bind([::1]:0) on an ipv4 socket", s.start_bind(&net, ipv6_address));

    // Binding: start-bind then finish-bind; a bound socket cannot be bound again.
    must("start-bind(127.0.0.1:0)", s.start_bind(&net, loopback(family, 0)));
    must("finish-bind", s.finish_bind());
    say("finish-bind again", s.finish_bind());
    say("bound: start-bind(127.0.0.1:0)", s.start_bind(&net, loopback(family, 0)));
    say("bound: accept", s.accept());
    say("bound: remote-address", s.remote_address());
    say("bound: shutdown(send)", s.shutdown(ShutdownType::Send));

    // Listening.
    say("set-listen-backlog-size(0)", s.set_listen_backlog_size(0));
    must("start-listen", s.start_listen());
    say("start-listen again before finish-listen", s.start_listen());
    must("finish-listen", s.finish_listen());
    say("finish-listen again", s.finish_listen());
    say("listening: start-listen", s.start_listen());
    say("listening: start-bind(127.0.0.1:0)", s.start_bind(&net, loopback(family, 0)));
    let listen_addr = s.local_address().expect("local-address");
    say("listening: start-connect to itself", s.start_connect(&net, listen_addr));
    say("listening: set-listen-backlog-size(0)", s.set_listen_backlog_size(0));
    say("listening: set-listen-backlog-size(16)", s.set_listen_backlog_size(16));
    say("listening: accept with no client", s.accept());

    // Binding the listener's address from another socket.
    let other = create_tcp_socket(family).expect("create-tcp-socket");
    say("start-bind to the listener's address", other.start_bind(&net, listen_addr));
    drop(other);

    // start-connect's address checks (the socket stays usable after each).
    let c = must("client create-tcp-socket(ipv4)", create_tcp_socket(family));
    let bad: [(&str, IpSocketAddress); 5] = [
        ("port 0", with_port(listen_addr, 0)),
        ("0.0.0.0", v4([0, 0, 0, 0], port_of(&listen_addr))),
        ("255.255.255.255", v4([255, 255, 255, 255], port_of(&listen_addr))),
        ("224.0.0.1", v4([224, 0, 0, 1], port_of(&listen_addr))),
        ("[::1]", v6(Ipv6Addr::LOCALHOST, port_of(&listen_addr))),
    ];
    for (what, addr) in bad {
        say(&format!("start-connect to {what}"), c.start_connect(&net, addr));
    }

    // A connection, and what a connected socket refuses.
    must("start-connect to the listener", c.start_connect(&net, listen_addr));
    say("start-connect again before finish-connect", c.start_connect(&net, listen_addr));
    say("connecting: set-listen-backlog-size(16)", c.set_listen_backlog_size(16));
    let (c_in, c_out) = must("finish-connect", finish_connect(&c));
    say("finish-connect again", c.finish_connect());
    say("connected: start-connect", c.start_connect(&net, listen_addr));
    say("connected: start-bind(127.0.0.1:0)", c.start_bind(&net, loopback(family, 0)));
    say("connected: start-listen", c.start_listen());
    say("connected: accept", c.accept());
    say("connected: set-listen-backlog-size(16)", c.set_listen_backlog_size(16));
    let (accepted, a_in, a_out) = must("accept", accept(&s));
    say("accepted: start-listen", accepted.start_listen());
    drop((a_in, a_out, accepted, c_in, c_out, c));

    // A port that is bound but not listening refuses connections; the socket is then closed.
    let closed_port = bound(&net, family);
    let target = closed_port.local_address().expect("local-address");
    let r = must("client create-tcp-socket(ipv4)", create_tcp_socket(family));
    must("start-connect to a bound port nobody listens on", r.start_connect(&net, target));
    say("finish-connect", finish_connect(&r));
    say("after the failure: start-connect", r.start_connect(&net, listen_addr));
    drop((r, closed_port));

    // IPv6 sockets take no IPv4-mapped addresses, and no IPv4 addresses (invalid-argument).
    let s6 = must("create-tcp-socket(ipv6)", create_tcp_socket(IpAddressFamily::Ipv6));
    let mapped: Ipv6Addr = "::ffff:127.0.0.1".parse().unwrap();
    say("ipv6 start-bind([::ffff:127.0.0.1]:0)", s6.start_bind(&net, v6(mapped, 0)));
    say("ipv6 start-connect([::ffff:127.0.0.1])", s6.start_connect(&net, v6(mapped, 80)));
    say("ipv6 start-bind(127.0.0.1:0)", s6.start_bind(&net, v4([127, 0, 0, 1], 0)));
    say("ipv6 start-connect(127.0.0.1:80)", s6.start_connect(&net, v4([127, 0, 0, 1], 80)));
    // Nor a multicast address to bind to.
    let multicast: Ipv6Addr = "ff02::1".parse().unwrap();
    say("ipv6 start-bind([ff02::1]:0)", s6.start_bind(&net, v6(multicast, 0)));
    drop(s6);

    pending_connect(&net);
}

/// `finish-connect` while the connection cannot complete: the listener's queue is full
/// (backlog 1 queues two connections on Linux), so the third client's SYN is dropped and its
/// connect stays in progress: the pollable is not ready and `finish-connect` is `would-block`.
fn pending_connect(net: &Network) {
    let family = IpAddressFamily::Ipv4;
    let l = bound(net, family);
    say("backlog listener: set-listen-backlog-size(1)", l.set_listen_backlog_size(1));
    l.start_listen().expect("start-listen");
    l.finish_listen().expect("finish-listen");
    let to = l.local_address().expect("local-address");
    let first = create_tcp_socket(family).expect("create");
    let first_streams = connect(&first, net, to);
    let second = create_tcp_socket(family).expect("create");
    let second_streams = connect(&second, net, to);
    println!(
        "two clients connect (queued, not accepted): {}, {}",
        outcome(&first_streams),
        outcome(&second_streams)
    );
    let third = create_tcp_socket(family).expect("create");
    must("third client start-connect", third.start_connect(net, to));
    let ready = third.subscribe();
    println!("third client pollable ready: {}", yes(ready_now(&ready)));
    say("third client finish-connect", third.finish_connect());
    drop(ready);
    drop((third, second_streams, second, first_streams, first, l));
}

/// `tcp-options`: every option on fresh IPv4 and IPv6 sockets (0 is `invalid-argument`
/// where the WIT says so; other values never fail, but may be rounded), then the options an
/// accepted socket inherits from its listener.
pub fn options() {
    for family in [IpAddressFamily::Ipv4, IpAddressFamily::Ipv6] {
        let fam = family_name(family);
        let s = must(&format!("create-tcp-socket({fam})"), create_tcp_socket(family));
        option_setters(&s);
    }
    inherited_options();
}

/// Sets and reads back each option of `s` (any state: these are unbound sockets).
fn option_setters(s: &TcpSocket) {
    // keep-alive-enabled: off by default on Linux.
    println!("keep-alive-enabled: {}", show_value(s.keep_alive_enabled()));
    let r = s.set_keep_alive_enabled(true);
    println!(
        "set-keep-alive-enabled(true): {}, get: {}",
        outcome(&r),
        show_value(s.keep_alive_enabled())
    );
    let r = s.set_keep_alive_enabled(false);
    println!(
        "set-keep-alive-enabled(false): {}, get: {}",
        outcome(&r),
        show_value(s.keep_alive_enabled())
    );

    // keep-alive-idle-time / -interval (durations in ns; whole seconds come back as set).
    let idle = s.keep_alive_idle_time();
    println!("keep-alive-idle-time > 0: {}", yes(matches!(idle, Ok(d) if d > 0)));
    say("set-keep-alive-idle-time(0)", s.set_keep_alive_idle_time(0));
    let r = s.set_keep_alive_idle_time(30 * SECOND);
    println!(
        "set-keep-alive-idle-time(30s): {}, get: {}",
        outcome(&r),
        show_secs(s.keep_alive_idle_time())
    );
    let r = s.set_keep_alive_idle_time(1_500_000_000);
    let got = s.keep_alive_idle_time();
    println!(
        "set-keep-alive-idle-time(1.5s): {}, get > 0: {}",
        outcome(&r),
        yes(matches!(got, Ok(d) if d > 0))
    );

    let interval = s.keep_alive_interval();
    println!("keep-alive-interval > 0: {}", yes(matches!(interval, Ok(d) if d > 0)));
    say("set-keep-alive-interval(0)", s.set_keep_alive_interval(0));
    let r = s.set_keep_alive_interval(10 * SECOND);
    println!(
        "set-keep-alive-interval(10s): {}, get: {}",
        outcome(&r),
        show_secs(s.keep_alive_interval())
    );
    // keep-alive-count.
    let count = s.keep_alive_count();
    println!("keep-alive-count > 0: {}", yes(matches!(count, Ok(n) if n > 0)));
    say("set-keep-alive-count(0)", s.set_keep_alive_count(0));
    let r = s.set_keep_alive_count(5);
    println!("set-keep-alive-count(5): {}, get: {}", outcome(&r), show_value(s.keep_alive_count()));

    // hop-limit (IP_TTL / IPV6_UNICAST_HOPS): 0 is invalid, 1..=255 are kept exactly.
    let hops = s.hop_limit();
    println!("hop-limit > 0: {}", yes(matches!(hops, Ok(n) if n > 0)));
    say("set-hop-limit(0)", s.set_hop_limit(0));
    for v in [1, 42, 255] {
        let r = s.set_hop_limit(v);
        println!("set-hop-limit({v}): {}, get: {}", outcome(&r), show_value(s.hop_limit()));
    }

    // Buffer sizes: the kernel may round (Linux doubles), but 64 KiB is never cut down.
    buffer_size(
        "receive-buffer-size",
        |v| s.set_receive_buffer_size(v),
        || s.receive_buffer_size(),
    );
    buffer_size("send-buffer-size", |v| s.set_send_buffer_size(v), || s.send_buffer_size());

    // listen-backlog-size has no getter: 0 is invalid, anything else is a hint.
    say("set-listen-backlog-size(0)", s.set_listen_backlog_size(0));
    say("set-listen-backlog-size(1)", s.set_listen_backlog_size(1));
    say("set-listen-backlog-size(1000)", s.set_listen_backlog_size(1000));
}

/// The checks of one buffer-size option, printed under `name`.
fn buffer_size(
    name: &str,
    set: impl Fn(u64) -> Result<(), ErrorCode>,
    get: impl Fn() -> Result<u64, ErrorCode>,
) {
    println!("{name} > 0: {}", yes(matches!(get(), Ok(n) if n > 0)));
    say(&format!("set-{name}(0)"), set(0));
    let r = set(65536);
    println!(
        "set-{name}(65536): {}, get >= 65536: {}",
        outcome(&r),
        yes(matches!(get(), Ok(n) if n >= 65536))
    );
    let r = set(1 << 40);
    println!(
        "set-{name}(1 TiB): {}, get > 0: {}",
        outcome(&r),
        yes(matches!(get(), Ok(n) if n > 0))
    );
}

/// A getter's value, or its error code.
fn show_value<T: std::fmt::Display>(r: Result<T, ErrorCode>) -> String {
    match r {
        Ok(v) => v.to_string(),
        Err(e) => e.name().to_string(),
    }
}

/// A duration getter's value in seconds, or its error code.
fn show_secs(r: Result<u64, ErrorCode>) -> String {
    match r {
        Ok(ns) => secs(ns),
        Err(e) => e.name().to_string(),
    }
}

/// The WIT lists the options an accepted socket inherits from its listener: set each on a
/// listener, accept a connection, read them on the accepted socket.
fn inherited_options() {
    let net = instance_network();
    let family = IpAddressFamily::Ipv4;
    let l = bound(&net, family);
    l.set_keep_alive_enabled(true).expect("set-keep-alive-enabled");
    l.set_keep_alive_idle_time(40 * SECOND).expect("set-keep-alive-idle-time");
    l.set_keep_alive_interval(7 * SECOND).expect("set-keep-alive-interval");
    l.set_keep_alive_count(3).expect("set-keep-alive-count");
    l.set_hop_limit(33).expect("set-hop-limit");
    l.set_receive_buffer_size(65536).expect("set-receive-buffer-size");
    l.set_send_buffer_size(65536).expect("set-send-buffer-size");
    println!(
        "listener: keep-alive on, idle 40s, interval 7s, count 3, hop-limit 33, buffers 64 KiB"
    );
    l.start_listen().expect("start-listen");
    l.finish_listen().expect("finish-listen");
    let to = l.local_address().expect("local-address");
    let client = create_tcp_socket(family).expect("create-tcp-socket");
    let client_streams = connect(&client, &net, to).expect("connect");
    let (a, a_in, a_out) = must("accept", accept(&l));
    println!("accepted keep-alive-enabled: {}", show_value(a.keep_alive_enabled()));
    println!("accepted keep-alive-idle-time: {}", show_secs(a.keep_alive_idle_time()));
    println!("accepted keep-alive-interval: {}", show_secs(a.keep_alive_interval()));
    println!("accepted keep-alive-count: {}", show_value(a.keep_alive_count()));
    println!("accepted hop-limit: {}", show_value(a.hop_limit()));
    let same_size = |x: Result<u64, ErrorCode>, y: Result<u64, ErrorCode>| {
        yes(matches!((x, y), (Ok(x), Ok(y)) if x == y))
    };
    println!(
        "accepted receive-buffer-size equals the listener's: {}",
        same_size(a.receive_buffer_size(), l.receive_buffer_size())
    );
    println!(
        "accepted send-buffer-size equals the listener's: {}",
        same_size(a.send_buffer_size(), l.send_buffer_size())
    );
    drop((a_in, a_out, a, client_streams, client, l));
}

/// One day in ns.
const DAY: u64 = 86_400 * SECOND;

/// `edge-cases`: calls whose result the WIT fixes but where Linux alone would answer
/// otherwise (see the host test), so the host must step in.
pub fn edge_cases() {
    let net = instance_network();

    // start-bind: "`invalid-argument`: `local-address` is not a unicast address."
    // (An IPv6 multicast address is already refused: see `states`.)
    for (what, addr) in [("224.0.0.1", [224, 0, 0, 1]), ("255.255.255.255", [255, 255, 255, 255])] {
        let s = create_tcp_socket(IpAddressFamily::Ipv4).expect("create-tcp-socket");
        say(&format!("tcp start-bind({what}:0)"), s.start_bind(&net, v4(addr, 0)));
    }

    // Keep-alive settings: "Any other value [than 0] will never cause an error, but it might
    // be silently clamped and/or rounded." (Linux's own limits are 32767 s and 127.)
    let s = create_tcp_socket(IpAddressFamily::Ipv4).expect("create-tcp-socket");
    say("set-keep-alive-idle-time(1 day)", s.set_keep_alive_idle_time(DAY));
    say("set-keep-alive-interval(1 day)", s.set_keep_alive_interval(DAY));
    say("set-keep-alive-count(1000)", s.set_keep_alive_count(1000));
    drop(s);

    // shutdown(receive): "The `input-stream` associated with this socket will be closed. Any
    // data still in the receive queue at time of calling this method will be discarded."
    let l = bound(&net, IpAddressFamily::Ipv4);
    l.start_listen().expect("start-listen");
    l.finish_listen().expect("finish-listen");
    let to = l.local_address().expect("local-address");
    let client = create_tcp_socket(IpAddressFamily::Ipv4).expect("create-tcp-socket");
    let (c_in, c_out) = connect(&client, &net, to).expect("connect");
    let (server, s_in, s_out) = accept(&l).expect("accept");
    write_all(&s_out, b"queued").expect("server write");
    // The bytes are in the client's receive queue once its input stream is readable.
    wait(&c_in.subscribe());
    must("client shutdown(receive) with 6 bytes queued", client.shutdown(ShutdownType::Receive));
    let (rest, end) = read_to_end(&c_in);
    println!("client reads after it: {} bytes, then {end}", rest.len());
    drop((s_in, s_out, server, c_in, c_out, client, l));
}
