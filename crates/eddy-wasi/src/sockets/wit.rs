//! The conversions between a view's WIT socket types and std's, written once for every view.
//!
//! Each WASI version's bindings have their own Rust types for `ip-socket-address`,
//! `ip-address` and `ip-address-family`, but the same shapes (0.2 `wasi:sockets/network`,
//! 0.3 `wasi:sockets/types`: tuples of octets / segments, `port`, `flow-info`, `scope-id`).
//! [`wit_conversions!`] writes the conversions for one such module, in the view that
//! invokes it, so the logic exists once and no binding type appears in the core.

/// Defines, in the invoking module, the conversions between the WIT socket types of the
/// bindings module named `$wit` (an identifier in scope, e.g. `use …::network as wit;`) and
/// std's:
///
/// - `to_std(IpSocketAddress) -> SocketAddr` and `from_std(SocketAddr) -> IpSocketAddress`
///   (port, IPv6 flow info and scope id kept as they are);
/// - `to_ip(IpAddress) -> IpAddr` and `from_ip(IpAddr) -> IpAddress`;
/// - `to_family(IpAddressFamily) -> AddressFamily` and `from_family(AddressFamily) ->
///   IpAddressFamily` (the core's [`AddressFamily`](crate::sockets::AddressFamily)).
///
/// No conversion can fail: every WIT value is a std value and back.
macro_rules! wit_conversions {
    ($wit:ident) => {
        /// The std form of a WIT socket address.
        #[allow(dead_code)]
        pub(crate) fn to_std(a: $wit::IpSocketAddress) -> ::std::net::SocketAddr {
            use ::std::net::{SocketAddr, SocketAddrV4, SocketAddrV6};
            match a {
                $wit::IpSocketAddress::Ipv4(a) => {
                    SocketAddr::V4(SocketAddrV4::new(to_ip4(a.address), a.port))
                }
                $wit::IpSocketAddress::Ipv6(a) => SocketAddr::V6(SocketAddrV6::new(
                    to_ip6(a.address),
                    a.port,
                    a.flow_info,
                    a.scope_id,
                )),
            }
        }

        /// The WIT form of a std socket address.
        #[allow(dead_code)]
        pub(crate) fn from_std(a: ::std::net::SocketAddr) -> $wit::IpSocketAddress {
            match a {
                ::std::net::SocketAddr::V4(a) => {
                    let [x, y, z, w] = a.ip().octets();
                    $wit::IpSocketAddress::Ipv4($wit::Ipv4SocketAddress {
                        port: a.port(),
                        address: (x, y, z, w),
                    })
                }
                ::std::net::SocketAddr::V6(a) => {
                    $wit::IpSocketAddress::Ipv6($wit::Ipv6SocketAddress {
                        port: a.port(),
                        flow_info: a.flowinfo(),
                        address: from_ip6(*a.ip()),
                        scope_id: a.scope_id(),
                    })
                }
            }
        }

        /// A WIT IPv4 address (four octets) as std's.
        fn to_ip4((x, y, z, w): (u8, u8, u8, u8)) -> ::std::net::Ipv4Addr {
            ::std::net::Ipv4Addr::new(x, y, z, w)
        }

        /// A WIT IPv6 address (eight segments) as std's.
        fn to_ip6(
            (p, q, r, s, t, u, v, w): (u16, u16, u16, u16, u16, u16, u16, u16),
        ) -> ::std::net::Ipv6Addr {
            ::std::net::Ipv6Addr::new(p, q, r, s, t, u, v, w)
        }

        /// A std IPv6 address as WIT's eight segments.
        fn from_ip6(ip: ::std::net::Ipv6Addr) -> (u16, u16, u16, u16, u16, u16, u16, u16) {
            let [p, q, r, s, t, u, v, w] = ip.segments();
            (p, q, r, s, t, u, v, w)
        }

        /// The std form of a WIT IP address.
        #[allow(dead_code)]
        pub(crate) fn to_ip(ip: $wit::IpAddress) -> ::std::net::IpAddr {
            match ip {
                $wit::IpAddress::Ipv4(a) => ::std::net::IpAddr::V4(to_ip4(a)),
                $wit::IpAddress::Ipv6(a) => ::std::net::IpAddr::V6(to_ip6(a)),
            }
        }

        /// The WIT form of a std IP address.
        #[allow(dead_code)]
        pub(crate) fn from_ip(ip: ::std::net::IpAddr) -> $wit::IpAddress {
            match ip {
                ::std::net::IpAddr::V4(a) => {
                    let [x, y, z, w] = a.octets();
                    $wit::IpAddress::Ipv4((x, y, z, w))
                }
                ::std::net::IpAddr::V6(a) => $wit::IpAddress::Ipv6(from_ip6(a)),
            }
        }

        /// The core form of a WIT address family.
        #[allow(dead_code)]
        pub(crate) fn to_family(f: $wit::IpAddressFamily) -> $crate::sockets::AddressFamily {
            match f {
                $wit::IpAddressFamily::Ipv4 => $crate::sockets::AddressFamily::Ipv4,
                $wit::IpAddressFamily::Ipv6 => $crate::sockets::AddressFamily::Ipv6,
            }
        }

        /// The WIT form of a core address family.
        #[allow(dead_code)]
        pub(crate) fn from_family(f: $crate::sockets::AddressFamily) -> $wit::IpAddressFamily {
            match f {
                $crate::sockets::AddressFamily::Ipv4 => $wit::IpAddressFamily::Ipv4,
                $crate::sockets::AddressFamily::Ipv6 => $wit::IpAddressFamily::Ipv6,
            }
        }
    };
}

pub(crate) use wit_conversions;
