//! wasi:cli stdin/stdout/stderr host objects.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};

/// A host fd that is either owned by the guest's context or borrowed from the host process
/// (the CLI's inherited fds 0-2, which Eddy must never close).
#[derive(Debug)]
pub enum HostFd {
    /// Closed when dropped.
    Owned(OwnedFd),
    /// Borrowed for the life of the process; never closed by Eddy.
    Inherited(RawFd),
}

impl AsFd for HostFd {
    #[inline]
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            HostFd::Owned(fd) => fd.as_fd(),
            // SAFETY: `Inherited` is only built (by `Stdio::inherit`) for fds 0-2, which stay
            // open for the life of the process.
            HostFd::Inherited(raw) => unsafe { BorrowedFd::borrow_raw(*raw) },
        }
    }
}

/// Which standard stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StdioKind {
    /// fd 0, readable.
    Stdin,
    /// fd 1, writable.
    Stdout,
    /// fd 2, writable.
    Stderr,
}

/// A standard stream as the guest sees it: a host fd (the process's own stdio, a file, a pipe,
/// or `/dev/null`) and which of the three it is.
#[derive(Debug)]
pub struct Stdio {
    /// The host fd reads/writes go to.
    pub fd: HostFd,
    /// stdin, stdout or stderr.
    pub kind: StdioKind,
}

impl Stdio {
    /// The host process's own stream (fd 0, 1 or 2), borrowed.
    pub fn inherit(kind: StdioKind) -> Stdio {
        let raw = match kind {
            StdioKind::Stdin => 0,
            StdioKind::Stdout => 1,
            StdioKind::Stderr => 2,
        };
        Stdio { fd: HostFd::Inherited(raw), kind }
    }

    /// A stream backed by an owned host fd (a file, pipe or socket end).
    pub fn owned(kind: StdioKind, fd: OwnedFd) -> Stdio {
        Stdio { fd: HostFd::Owned(fd), kind }
    }

    /// A stream on `/dev/null`: reads give EOF, writes are discarded.
    pub fn null(kind: StdioKind) -> std::io::Result<Stdio> {
        use rustix::fs::{open, Mode, OFlags};
        let fd = open("/dev/null", OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())?;
        Ok(Stdio::owned(kind, fd))
    }

    /// Whether the stream is a terminal (`isatty`).
    pub fn is_terminal(&self) -> bool {
        rustix::termios::isatty(self.fd.as_fd())
    }
}
