//! [`ErrorCode`]: the errors of the socket state machines, one case per WIT
//! `wasi:sockets/network.error-code` case, and the one mapping from OS errors onto them.

use crate::errno::Errno;

/// The error of a socket operation: the cases of the WIT `wasi:sockets/network.error-code`
/// (0.2; the 0.3 `error-code` has the same meanings). A view converts it to its binding's
/// enum case by case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ErrorCode {
    /// `unknown`: an OS error with no better case.
    #[error("unknown error")]
    Unknown,
    /// `access-denied`: the [`NetworkPolicy`](super::NetworkPolicy) (or the OS) forbids it.
    #[error("access denied")]
    AccessDenied,
    /// `not-supported`: the OS does not support the operation or family.
    #[error("not supported")]
    NotSupported,
    /// `invalid-argument`: an argument the WIT rejects (wrong family, port 0, a zero size…).
    #[error("invalid argument")]
    InvalidArgument,
    /// `out-of-memory`: the OS ran out of memory or buffers.
    #[error("out of memory")]
    OutOfMemory,
    /// `timeout`: the operation timed out.
    #[error("timeout")]
    Timeout,
    /// `concurrency-conflict`: another operation of the same kind is in progress.
    #[error("concurrency conflict")]
    ConcurrencyConflict,
    /// `not-in-progress`: a `finish-*` without its `start-*`.
    #[error("not in progress")]
    NotInProgress,
    /// `would-block`: the operation cannot complete now; wait on the socket and retry.
    #[error("would block")]
    WouldBlock,
    /// `invalid-state`: the socket is not in a state that allows the operation.
    #[error("invalid state")]
    InvalidState,
    /// `new-socket-limit`: the process or system is out of descriptors.
    #[error("new socket limit")]
    NewSocketLimit,
    /// `address-not-bindable`: the local address is not one of this host's.
    #[error("address not bindable")]
    AddressNotBindable,
    /// `address-in-use`: the local address is taken.
    #[error("address in use")]
    AddressInUse,
    /// `remote-unreachable`: no route to the remote host or network.
    #[error("remote unreachable")]
    RemoteUnreachable,
    /// `connection-refused`: the remote refused the connection.
    #[error("connection refused")]
    ConnectionRefused,
    /// `connection-reset`: the connection was reset.
    #[error("connection reset")]
    ConnectionReset,
    /// The connection cannot be written any more (`EPIPE`): 0.3's `connection-broken`; 0.2
    /// has no such case and says `connection-reset`.
    #[error("connection broken")]
    ConnectionBroken,
    /// `connection-aborted`: the connection was aborted.
    #[error("connection aborted")]
    ConnectionAborted,
    /// `datagram-too-large`: a UDP datagram larger than the socket can send.
    #[error("datagram too large")]
    DatagramTooLarge,
    /// `name-unresolvable`: the resolver found no address for the name.
    #[error("name unresolvable")]
    NameUnresolvable,
    /// `temporary-resolver-failure`: the resolver failed, possibly for a while only.
    #[error("temporary resolver failure")]
    TemporaryResolverFailure,
    /// `permanent-resolver-failure`: the resolver failed for good.
    #[error("permanent resolver failure")]
    PermanentResolverFailure,
}

impl ErrorCode {
    /// The socket error behind a stream's errno, for the errnos that are network errors
    /// (reset, aborted, refused, unreachable, timeout, `EPIPE`); `None` for the others. This
    /// is WASI 0.2's `network-error-code` of a stream `error`.
    pub fn of_stream_errno(e: Errno) -> Option<ErrorCode> {
        match e {
            Errno::Connreset
            | Errno::Connaborted
            | Errno::Connrefused
            | Errno::Hostunreach
            | Errno::Netunreach
            | Errno::Netdown
            | Errno::Timedout
            | Errno::Pipe => Some(ErrorCode::from(e)),
            _ => None,
        }
    }
}

impl From<Errno> for ErrorCode {
    /// The socket error for an OS error (already mapped onto an [`Errno`]).
    fn from(e: Errno) -> ErrorCode {
        match e {
            Errno::Acces | Errno::Perm => ErrorCode::AccessDenied,
            Errno::Notsup | Errno::Afnosupport | Errno::Protonosupport => ErrorCode::NotSupported,
            Errno::Inval | Errno::Destaddrreq => ErrorCode::InvalidArgument,
            Errno::Nomem | Errno::Nobufs => ErrorCode::OutOfMemory,
            Errno::Timedout => ErrorCode::Timeout,
            Errno::Again | Errno::Inprogress | Errno::Already => ErrorCode::WouldBlock,
            Errno::Isconn | Errno::Notconn => ErrorCode::InvalidState,
            Errno::Mfile | Errno::Nfile => ErrorCode::NewSocketLimit,
            Errno::Addrnotavail => ErrorCode::AddressNotBindable,
            Errno::Addrinuse => ErrorCode::AddressInUse,
            Errno::Hostunreach | Errno::Netunreach | Errno::Netdown => ErrorCode::RemoteUnreachable,
            Errno::Connrefused => ErrorCode::ConnectionRefused,
            Errno::Connreset => ErrorCode::ConnectionReset,
            Errno::Pipe => ErrorCode::ConnectionBroken,
            Errno::Connaborted => ErrorCode::ConnectionAborted,
            Errno::Msgsize => ErrorCode::DatagramTooLarge,
            _ => ErrorCode::Unknown,
        }
    }
}

impl From<rustix::io::Errno> for ErrorCode {
    /// The socket error for a raw OS error (through [`Errno`]).
    fn from(e: rustix::io::Errno) -> ErrorCode {
        ErrorCode::from(Errno::from(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_map_onto_the_wit_cases() {
        assert_eq!(ErrorCode::from(rustix::io::Errno::CONNREFUSED), ErrorCode::ConnectionRefused);
        assert_eq!(ErrorCode::from(Errno::Again), ErrorCode::WouldBlock);
        assert_eq!(ErrorCode::from(Errno::Pipe), ErrorCode::ConnectionBroken);
        assert_eq!(ErrorCode::from(Errno::Io), ErrorCode::Unknown);
        // Only network errnos have a network error code.
        assert_eq!(ErrorCode::of_stream_errno(Errno::Connreset), Some(ErrorCode::ConnectionReset));
        assert_eq!(ErrorCode::of_stream_errno(Errno::Timedout), Some(ErrorCode::Timeout));
        assert_eq!(ErrorCode::of_stream_errno(Errno::Io), None);
        assert_eq!(ErrorCode::of_stream_errno(Errno::Again), None);
    }
}
