//! Sockets the host grants a preview1 guest (`-S tcplisten=ADDR`): preview1's
//! `sock_accept`/`sock_recv`/`sock_send`/`sock_shutdown` operate on these.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

/// Whether a socket listens for connections or is one end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketKind {
    /// A listening TCP socket: `sock_accept` takes connections from it.
    TcpListener,
    /// A connected TCP stream: `sock_recv`/`sock_send`/`sock_shutdown` work on it.
    TcpStream,
}

/// A host socket granted to the guest.
#[derive(Debug)]
pub struct Socket {
    /// The host socket fd (non-blocking is not assumed).
    pub fd: OwnedFd,
    /// Listener or stream.
    pub kind: SocketKind,
}

impl Socket {
    /// The host fd, borrowed.
    #[inline]
    pub fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
