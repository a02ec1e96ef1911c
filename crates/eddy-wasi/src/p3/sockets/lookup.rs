//! `wasi:sockets/ip-name-lookup` (0.3): `resolve-addresses`, the core's
//! [`crate::sockets::resolve_addresses`] on tokio's blocking-thread pool (`getaddrinfo`
//! blocks), so the event loop never waits for the resolver.

use wasmtime::component::Accessor;

use super::super::bindings::wasi::sockets::ip_name_lookup::{self, ErrorCode, IpAddress};
use super::super::WasiP3;
use super::from_ip;
use crate::ctx::WasiCtx;
use crate::sockets as host;

/// The `ip-name-lookup.error-code` for a core error: the lookup's own cases as they are,
/// anything else `other` with the core's description.
fn lookup_code(e: host::ErrorCode) -> ErrorCode {
    use host::ErrorCode as C;
    match e {
        C::AccessDenied => ErrorCode::AccessDenied,
        C::InvalidArgument => ErrorCode::InvalidArgument,
        C::NameUnresolvable => ErrorCode::NameUnresolvable,
        C::TemporaryResolverFailure => ErrorCode::TemporaryResolverFailure,
        C::PermanentResolverFailure => ErrorCode::PermanentResolverFailure,
        other => ErrorCode::Other(Some(other.to_string())),
    }
}

impl ip_name_lookup::Host for WasiCtx {}

impl<T: Send> ip_name_lookup::HostWithStore<T> for WasiP3 {
    /// `resolve-addresses(name)`: the addresses of `name`, in the resolver's order, without
    /// duplicates (never none). Errors: `access-denied` unless the policy allows name lookup
    /// (`-S allow-ip-name-lookup`); `invalid-argument` for a name that cannot be a host name
    /// (empty, longer than 253, a character no host name has — non-ASCII names included: no
    /// IDNA); `name-unresolvable` when the resolver fails or finds nothing. An IP address
    /// (IPv6 also in brackets) is itself, without the resolver. Traps only if the resolver's
    /// thread panicked.
    async fn resolve_addresses(
        accessor: &Accessor<T, Self>,
        name: String,
    ) -> wasmtime::Result<Result<Vec<IpAddress>, ErrorCode>> {
        let held = accessor.with(|mut a| a.get().budget.hold("name lookup"));
        let _held = match held {
            Ok(h) => h,
            Err(e) => return Ok(Err(ErrorCode::Other(Some(e.to_string())))),
        };
        let policy = accessor.with(|mut a| a.get().network.clone());
        if !policy.allow_ip_name_lookup {
            // Denied at once, without a trip to the thread pool.
            return Ok(Err(ErrorCode::AccessDenied));
        }
        let found =
            tokio::task::spawn_blocking(move || host::resolve_addresses(&policy, &name)).await?;
        Ok(found.map(|a| a.into_iter().map(from_ip).collect()).map_err(lookup_code))
    }
}
