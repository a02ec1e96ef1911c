//! UDP: datagram streams between sockets of this guest over IPv4 and IPv6 loopback
//! (`udp`), and the UDP options (`udp-options`).

use std::net::Ipv6Addr;

use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::network::Network;
use wasip2::sockets::udp::{
    IncomingDatagram, IncomingDatagramStream, OutgoingDatagram, OutgoingDatagramStream, UdpSocket,
};
use wasip2::sockets::udp_create_socket::create_udp_socket;

use crate::util::*;

/// A UDP socket of `family` bound to loopback port 0 (no output) and its address.
fn bound(net: &Network, family: IpAddressFamily) -> (UdpSocket, IpSocketAddress) {
    let sock = create_udp_socket(family).expect("create-udp-socket");
    sock.start_bind(net, loopback(family, 0)).expect("start-bind");
    sock.finish_bind().expect("finish-bind");
    let addr = sock.local_address().expect("local-address");
    (sock, addr)
}

/// `check-send`, then `send` of as many of `datagrams` as it permits.
fn send(out: &OutgoingDatagramStream, datagrams: &[OutgoingDatagram]) -> Result<u64, ErrorCode> {
    let ready = out.subscribe();
    let permitted = loop {
        match out.check_send()? {
            0 => wait(&ready),
            n => break n,
        }
    };
    let n = datagrams.len().min(permitted as usize);
    out.send(&datagrams[..n])
}

/// One datagram, to the stream's remote address (`None`) or to `to`.
fn datagram(data: &[u8], to: Option<IpSocketAddress>) -> OutgoingDatagram {
    OutgoingDatagram { data: data.to_vec(), remote_address: to }
}

/// Receives `n` datagrams, polling the stream's pollable while none is waiting.
fn receive(input: &IncomingDatagramStream, n: usize) -> Result<Vec<IncomingDatagram>, ErrorCode> {
    let ready = input.subscribe();
    let mut got = Vec::new();
    while got.len() < n {
        wait(&ready);
        got.extend(input.receive((n - got.len()) as u64)?);
    }
    Ok(got)
}

/// Prints each datagram's payload and whether it came from `from`.
fn print_received(who: &str, got: &[IncomingDatagram], from: &IpSocketAddress) {
    for d in got {
        println!(
            "{who} received {} from the sender's address: {}",
            text(&d.data),
            yes(same(&d.remote_address, from))
        );
    }
}

/// `udp`: the whole flow for IPv4, then for IPv6.
pub fn datagrams() {
    let net = instance_network();
    for family in [IpAddressFamily::Ipv4, IpAddressFamily::Ipv6] {
        println!("== {} ==", family_name(family));
        connected_pair(&net, family);
        unconnected(&net, family);
    }
}

/// Two sockets streaming to each other (`stream(some(peer))`).
fn connected_pair(net: &Network, family: IpAddressFamily) {
    let fam = family_name(family);
    let lo = loopback_text(family);

    // Socket a: create, the calls that need a bound socket, bind.
    let a = must(&format!("create-udp-socket({fam})"), create_udp_socket(family));
    println!("address-family: {}", family_name(a.address_family()));
    say("unbound: local-address", a.local_address());
    say("unbound: stream(none)", a.stream(None));
    say("unbound: finish-bind", a.finish_bind());
    must(&format!("start-bind({lo}:0)"), a.start_bind(net, loopback(family, 0)));
    must("finish-bind", a.finish_bind());
    say("finish-bind again", a.finish_bind());
    say("bound: start-bind again", a.start_bind(net, loopback(family, 0)));
    let a_addr = must("local-address", a.local_address());
    println!(
        "bound to {}, port chosen by the OS: {}",
        ip_text(&a_addr),
        yes(port_of(&a_addr) != 0)
    );
    println!("socket pollable ready: {}", yes(ready_now(&a.subscribe())));
    say("remote-address before stream", a.remote_address());

    // Socket b, and streams connecting the two.
    let (b, b_addr) = bound(net, family);
    let (a_in, a_out) = must("a stream(some(b))", a.stream(Some(b_addr)));
    let (b_in, b_out) = must("b stream(some(a))", b.stream(Some(a_addr)));
    let a_remote = must("a remote-address", a.remote_address());
    println!("a remote-address matches b local-address: {}", yes(same(&a_remote, &b_addr)));

    // a -> b: three datagrams without an address (the stream's remote address).
    let dgs = [datagram(b"one", None), datagram(b"two", None), datagram(b"three", None)];
    println!(
        "a check-send permits 3 or more: {}",
        yes(matches!(a_out.check_send(), Ok(n) if n >= 3))
    );
    println!("a send 3 datagrams: sent {}", show_value(send(&a_out, &dgs)));
    print_received("b", &receive(&b_in, 3).expect("receive"), &a_addr);

    // b -> a: with the stream's own remote address given explicitly.
    let reply = [datagram(b"reply", Some(a_addr))];
    println!("b send to a's address: sent {}", show_value(send(&b_out, &reply)));
    print_received("a", &receive(&a_in, 1).expect("receive"), &b_addr);

    // What a connected stream refuses, and receive's edge cases.
    let elsewhere = with_port(b_addr, port_of(&b_addr).wrapping_add(1).max(1));
    say("a send to another address", send(&a_out, &[datagram(b"x", Some(elsewhere))]));
    println!("a send of no datagrams: sent {}", show_value(send(&a_out, &[])));
    println!("a receive(0): {} datagrams", show_len(a_in.receive(0)));
    println!("a receive(10) with nothing waiting: {} datagrams", show_len(a_in.receive(10)));
    let too_big = vec![0u8; 65536];
    say("a send of 65536 bytes", send(&a_out, &[datagram(&too_big, None)]));

    // A connected socket only receives from its peer: c's datagram to a is dropped (b's
    // datagram, sent after it, is the next one a sees).
    let (c, _) = bound(net, family);
    let (c_in, c_out) = c.stream(None).expect("stream");
    println!(
        "stranger send to a: sent {}",
        show_value(send(&c_out, &[datagram(b"stranger", Some(a_addr))]))
    );
    send(&b_out, &[datagram(b"from b", None)]).expect("send");
    print_received("a", &receive(&a_in, 1).expect("receive"), &b_addr);
    drop((c_in, c_out, c));

    // stream(none) dissociates a (its old streams dropped first, as the WIT asks).
    drop((a_in, a_out));
    let (a_in, a_out) = must("a stream(none)", a.stream(None));
    say("a remote-address after stream(none)", a.remote_address());
    drop((a_in, a_out, b_in, b_out, a, b));
}

/// Unconnected streams (`stream(none)`): every datagram names its destination.
fn unconnected(net: &Network, family: IpAddressFamily) {
    let (c, c_addr) = bound(net, family);
    let (d, d_addr) = bound(net, family);
    let (_c_in, c_out) = must("c stream(none)", c.stream(None));
    let (d_in, _d_out) = must("d stream(none)", d.stream(None));
    let to_d = [datagram(b"to d", Some(d_addr)), datagram(b"to d again", Some(d_addr))];
    println!("c send 2 datagrams to d's address: sent {}", show_value(send(&c_out, &to_d)));
    print_received("d", &receive(&d_in, 2).expect("receive"), &c_addr);

    // Destinations the WIT rejects with invalid-argument.
    say("c send without an address", send(&c_out, &[datagram(b"x", None)]));
    say("c send to port 0", send(&c_out, &[datagram(b"x", Some(with_port(d_addr, 0)))]));
    let unspecified = match family {
        IpAddressFamily::Ipv4 => v4([0, 0, 0, 0], port_of(&d_addr)),
        IpAddressFamily::Ipv6 => v6(Ipv6Addr::UNSPECIFIED, port_of(&d_addr)),
    };
    say("c send to the unspecified address", send(&c_out, &[datagram(b"x", Some(unspecified))]));
    let other_family = match family {
        IpAddressFamily::Ipv4 => v6(Ipv6Addr::LOCALHOST, port_of(&d_addr)),
        IpAddressFamily::Ipv6 => v4([127, 0, 0, 1], port_of(&d_addr)),
    };
    say("c send to the other family", send(&c_out, &[datagram(b"x", Some(other_family))]));
    say("c stream(some(port 0))", c.stream(Some(with_port(d_addr, 0))));
}

/// A count, or an error code.
fn show_len<T>(r: Result<Vec<T>, ErrorCode>) -> String {
    match r {
        Ok(v) => v.len().to_string(),
        Err(e) => e.name().to_string(),
    }
}

/// A value, or an error code.
fn show_value<T: std::fmt::Display>(r: Result<T, ErrorCode>) -> String {
    match r {
        Ok(v) => v.to_string(),
        Err(e) => e.name().to_string(),
    }
}

/// `udp-options`: unicast-hop-limit and the buffer sizes on IPv4 and IPv6 sockets.
pub fn options() {
    for family in [IpAddressFamily::Ipv4, IpAddressFamily::Ipv6] {
        let fam = family_name(family);
        let s = must(&format!("create-udp-socket({fam})"), create_udp_socket(family));
        println!("unicast-hop-limit > 0: {}", yes(matches!(s.unicast_hop_limit(), Ok(n) if n > 0)));
        say("set-unicast-hop-limit(0)", s.set_unicast_hop_limit(0));
        for v in [1, 17, 255] {
            let r = s.set_unicast_hop_limit(v);
            println!(
                "set-unicast-hop-limit({v}): {}, get: {}",
                outcome(&r),
                show_value(s.unicast_hop_limit())
            );
        }
        for (name, set, get) in [
            (
                "receive-buffer-size",
                UdpSocket::set_receive_buffer_size as fn(&UdpSocket, u64) -> Result<(), ErrorCode>,
                UdpSocket::receive_buffer_size as fn(&UdpSocket) -> Result<u64, ErrorCode>,
            ),
            ("send-buffer-size", UdpSocket::set_send_buffer_size, UdpSocket::send_buffer_size),
        ] {
            println!("{name} > 0: {}", yes(matches!(get(&s), Ok(n) if n > 0)));
            say(&format!("set-{name}(0)"), set(&s, 0));
            let r = set(&s, 65536);
            let got = get(&s);
            println!(
                "set-{name}(65536): {}, get >= 65536: {}",
                outcome(&r),
                yes(matches!(got, Ok(n) if n >= 65536))
            );
            let r = set(&s, 1 << 40);
            let got = get(&s);
            println!(
                "set-{name}(1 TiB): {}, get > 0: {}",
                outcome(&r),
                yes(matches!(got, Ok(n) if n > 0))
            );
        }
    }
}
