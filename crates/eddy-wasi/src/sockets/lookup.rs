//! Name resolution of `wasi:sockets/ip-name-lookup`, once for every view.

use std::net::{IpAddr, ToSocketAddrs};

use super::{ErrorCode, NetworkPolicy};

/// Longest domain name (RFC 1035: 253 characters in text form).
const MAX_NAME_LEN: usize = 253;

/// `resolve-addresses`: the addresses of `name`, without duplicates, in the resolver's
/// order. `access-denied` unless the policy allows name lookup; an IP address (IPv6 also in
/// brackets) resolves to itself without the resolver; otherwise the host resolver
/// (`getaddrinfo`, through std) answers, blocking the calling thread. Errors:
/// `invalid-argument` for a name that cannot be a domain name (empty, too long, a character
/// no host name has), `name-unresolvable` when the resolver fails or finds nothing.
pub fn resolve_addresses(policy: &NetworkPolicy, name: &str) -> Result<Vec<IpAddr>, ErrorCode> {
    if !policy.allow_ip_name_lookup {
        return Err(ErrorCode::AccessDenied);
    }
    let host = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
    let valid = !host.is_empty()
        && host.len() <= MAX_NAME_LEN
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b));
    if !valid {
        return Err(ErrorCode::InvalidArgument);
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let found = (host, 0u16).to_socket_addrs().map_err(|_| ErrorCode::NameUnresolvable)?;
    let mut addrs: Vec<IpAddr> = Vec::new();
    for a in found {
        if !addrs.contains(&a.ip()) {
            addrs.push(a.ip());
        }
    }
    if addrs.is_empty() {
        return Err(ErrorCode::NameUnresolvable);
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_lookup_needs_its_grant() {
        let denied = resolve_addresses(&NetworkPolicy::default(), "localhost");
        assert_eq!(denied, Err(ErrorCode::AccessDenied));
        let p = NetworkPolicy { allow_ip_name_lookup: true, ..NetworkPolicy::default() };
        let found = resolve_addresses(&p, "localhost").unwrap();
        assert!(found.iter().any(IpAddr::is_loopback), "{found:?}");
        assert_eq!(resolve_addresses(&p, "10.1.2.3"), Ok(vec!["10.1.2.3".parse().unwrap()]));
        assert_eq!(resolve_addresses(&p, "[::1]"), Ok(vec!["::1".parse().unwrap()]));
        for bad in ["a b", "", "[]", "x/y", &"a".repeat(254)] {
            assert_eq!(resolve_addresses(&p, bad), Err(ErrorCode::InvalidArgument), "{bad:?}");
        }
        // The grant to look names up is not a grant to connect.
        let any: std::net::SocketAddr = "127.0.0.1:80".parse().unwrap();
        assert!(!p.may_connect(&any) && !p.may_bind(&any) && !p.udp_may_send(&any));
    }
}
