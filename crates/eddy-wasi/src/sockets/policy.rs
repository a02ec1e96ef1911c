//! The [`NetworkPolicy`]: which addresses a guest may bind, connect and send to, and whether
//! it may resolve names; [`AddrRange`] is one `--allow-connect` / `--allow-bind` entry.

use std::net::{IpAddr, SocketAddr};

/// Which network operations a guest may perform (`wasi:sockets`, 0.2 and 0.3). The default
/// denies everything that reaches the network: no bind, connect, listen or send, no name
/// resolved. A denied operation returns `access-denied` to the guest and never reaches the
/// OS. Creating a socket and reading or setting its options reach no network and need no
/// grant.
///
/// - [`inherit_network`](Self::inherit_network) allows every address (`-S inherit-network`).
/// - [`allow_connect`](Self::allow_connect) / [`allow_bind`](Self::allow_bind) allow only the
///   listed address/port ranges for `start-connect` (TCP) and UDP destinations / `start-bind`
///   (`--allow-connect`, `--allow-bind`).
/// - [`tcp`](Self::tcp) / [`udp`](Self::udp) switch a protocol off (`-S tcp=n`); they only
///   matter once some address is allowed.
/// - [`allow_ip_name_lookup`](Self::allow_ip_name_lookup) allows `resolve-addresses`
///   (`-S allow-ip-name-lookup`), independently of the address grants.
///
/// Address families are matched as given: an IPv4 range does not match an IPv4-mapped IPv6
/// address (WASI rejects those anyway). Binding port 0 (any free port) needs a range that
/// includes port 0, e.g. `127.0.0.1:0-65535` or `127.0.0.1:0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkPolicy {
    /// Every address may be connected to and bound on.
    pub inherit_network: bool,
    /// `wasi:sockets/ip-name-lookup` may resolve names.
    pub allow_ip_name_lookup: bool,
    /// TCP may be used (default true; needs an address grant too).
    pub tcp: bool,
    /// UDP may be used (default true; needs an address grant too).
    pub udp: bool,
    /// Remote addresses the guest may connect to, and send UDP datagrams to (besides
    /// `inherit_network`).
    pub allow_connect: Vec<AddrRange>,
    /// Local addresses the guest may bind (and so listen) on (besides `inherit_network`).
    pub allow_bind: Vec<AddrRange>,
}

impl Default for NetworkPolicy {
    fn default() -> NetworkPolicy {
        NetworkPolicy {
            inherit_network: false,
            allow_ip_name_lookup: false,
            tcp: true,
            udp: true,
            allow_connect: Vec::new(),
            allow_bind: Vec::new(),
        }
    }
}

impl NetworkPolicy {
    /// Whether the guest may connect (TCP) to `addr`.
    pub fn may_connect(&self, addr: &SocketAddr) -> bool {
        self.tcp && (self.inherit_network || self.allow_connect.iter().any(|r| r.contains(addr)))
    }

    /// Whether the guest may bind a TCP socket on `addr`.
    pub fn may_bind(&self, addr: &SocketAddr) -> bool {
        self.tcp && (self.inherit_network || self.allow_bind.iter().any(|r| r.contains(addr)))
    }

    /// Whether the guest may bind a UDP socket on `addr` (the `allow_bind` list).
    pub fn udp_may_bind(&self, addr: &SocketAddr) -> bool {
        self.udp && (self.inherit_network || self.allow_bind.iter().any(|r| r.contains(addr)))
    }

    /// Whether the guest may send UDP datagrams to `addr` (the `allow_connect` list).
    pub fn udp_may_send(&self, addr: &SocketAddr) -> bool {
        self.udp && (self.inherit_network || self.allow_connect.iter().any(|r| r.contains(addr)))
    }
}

/// A set of socket addresses: an IP address or CIDR block, and a port range. Written
/// `ADDR[/PREFIX]:PORT[-PORT]`, IPv6 in brackets: `127.0.0.1:8080`, `10.0.0.0/8:1-1023`,
/// `[::1]:80`, `[fd00::/8]:8000-9000`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrRange {
    /// The network address (bits beyond `prefix` are ignored).
    pub addr: IpAddr,
    /// How many leading bits of `addr` must match (32 / 128: exactly this address).
    pub prefix: u8,
    /// Lowest allowed port.
    pub port_lo: u16,
    /// Highest allowed port (inclusive).
    pub port_hi: u16,
}

impl AddrRange {
    /// Whether `a` lies in this range (same family, matching prefix, port in range).
    pub fn contains(&self, a: &SocketAddr) -> bool {
        if a.port() < self.port_lo || a.port() > self.port_hi {
            return false;
        }
        let bits = |prefix: u8, width: u32| -> u128 {
            if prefix == 0 {
                0
            } else {
                (!0u128 << (width - u32::from(prefix))) & (!0u128 >> (128 - width))
            }
        };
        match (self.addr, a.ip()) {
            (IpAddr::V4(n), IpAddr::V4(x)) => {
                let m = bits(self.prefix, 32);
                (u128::from(u32::from(n)) & m) == (u128::from(u32::from(x)) & m)
            }
            (IpAddr::V6(n), IpAddr::V6(x)) => {
                let m = bits(self.prefix, 128);
                (u128::from(n) & m) == (u128::from(x) & m)
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for AddrRange {
    type Err = String;

    /// Parses `ADDR[/PREFIX]:PORT[-PORT]` (IPv6 as `[ADDR[/PREFIX]]:PORT[-PORT]`).
    fn from_str(s: &str) -> Result<AddrRange, String> {
        let bad = |why: &str| format!("`{s}`: {why} (expected ADDR[/PREFIX]:PORT[-PORT])");
        let (host, ports) = if let Some(rest) = s.strip_prefix('[') {
            let (h, p) = rest.split_once(']').ok_or_else(|| bad("missing `]`"))?;
            (h, p.strip_prefix(':').ok_or_else(|| bad("missing `:PORT`"))?)
        } else {
            s.rsplit_once(':').ok_or_else(|| bad("missing `:PORT`"))?
        };
        let (ip, prefix) = match host.split_once('/') {
            Some((ip, p)) => (ip, Some(p)),
            None => (host, None),
        };
        let addr: IpAddr = ip.parse().map_err(|_| bad("invalid IP address"))?;
        if addr.is_ipv6() && !s.starts_with('[') {
            return Err(bad("write IPv6 addresses in brackets"));
        }
        let width = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => {
                p.parse::<u8>().ok().filter(|&p| p <= width).ok_or_else(|| bad("invalid prefix"))?
            }
            None => width,
        };
        let port = |p: &str| p.parse::<u16>().map_err(|_| bad("invalid port"));
        let (port_lo, port_hi) = match ports.split_once('-') {
            Some((a, b)) => (port(a)?, port(b)?),
            None => (port(ports)?, port(ports)?),
        };
        if port_lo > port_hi {
            return Err(bad("empty port range"));
        }
        Ok(AddrRange { addr, prefix, port_lo, port_hi })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_parse_and_match() {
        let r: AddrRange = "127.0.0.1:8000-9000".parse().unwrap();
        assert!(r.contains(&sa("127.0.0.1:8000")) && r.contains(&sa("127.0.0.1:9000")));
        assert!(!r.contains(&sa("127.0.0.1:7999")) && !r.contains(&sa("127.0.0.2:8000")));
        assert!(!r.contains(&sa("[::1]:8000")));
        let r: AddrRange = "10.0.0.0/8:80".parse().unwrap();
        assert!(r.contains(&sa("10.200.3.4:80")) && !r.contains(&sa("11.0.0.1:80")));
        let r: AddrRange = "0.0.0.0/0:0-65535".parse().unwrap();
        assert!(r.contains(&sa("1.2.3.4:0")));
        let r: AddrRange = "[::1]:80".parse().unwrap();
        assert!(r.contains(&sa("[::1]:80")) && !r.contains(&sa("127.0.0.1:80")));
        let r: AddrRange = "[fd00::/8]:1-2".parse().unwrap();
        assert!(r.contains(&sa("[fd12::5]:2")) && !r.contains(&sa("[fe00::]:2")));
        for bad in ["127.0.0.1", "127.0.0.1:x", "::1:80", "1.2.3.4/33:1", "1.2.3.4:9-1", "[::1]80"]
        {
            assert!(bad.parse::<AddrRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn policy_defaults_deny() {
        let p = NetworkPolicy::default();
        assert!(!p.may_connect(&sa("127.0.0.1:80")) && !p.may_bind(&sa("127.0.0.1:80")));
        assert!(!p.udp_may_send(&sa("127.0.0.1:80")) && !p.udp_may_bind(&sa("127.0.0.1:80")));
        let p = NetworkPolicy { allow_connect: vec!["127.0.0.1:80".parse().unwrap()], ..p };
        assert!(p.may_connect(&sa("127.0.0.1:80")) && p.udp_may_send(&sa("127.0.0.1:80")));
        assert!(!p.may_connect(&sa("127.0.0.1:81")) && !p.may_bind(&sa("127.0.0.1:80")));
        let p = NetworkPolicy { tcp: false, ..p };
        assert!(!p.may_connect(&sa("127.0.0.1:80")) && p.udp_may_send(&sa("127.0.0.1:80")));
        let p = NetworkPolicy { inherit_network: true, ..NetworkPolicy::default() };
        assert!(p.may_bind(&sa("[::]:0")) && p.may_connect(&sa("1.1.1.1:443")));
    }
}
