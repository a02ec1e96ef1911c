//! `errno`: the preview1 error codes, and the one mapping from OS errors onto them.
//!
//! Source: `wasi_snapshot_preview1` witx, type `errno` (u16).
//! <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#errno>

use std::fmt;

macro_rules! errnos {
    ($($name:ident = $val:literal, $os:ident, $doc:literal;)*) => {
        /// A preview1 `errno` (witx `errno`, u16). `Success` is 0; every other value names an
        /// error. Host functions return `Result<T, Errno>` and the dispatch point writes the
        /// number back to the guest.
        #[repr(u16)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum Errno {
            $(#[doc = $doc] $name = $val,)*
            /// Host-only, never written to guest memory: the run's deadline (`-W timeout`)
            /// passed while the call was blocked. The dispatch point turns it into the
            /// interrupt trap ([`crate::readiness::DeadlinePassed::trap`]).
            Interrupted = 0xffff,
        }

        impl Errno {
            /// The spec's lower-case name (`"badf"`, `"notcapable"`), as used in traces.
            pub fn name(self) -> &'static str {
                match self {
                    $(Errno::$name => stringify!($name),)*
                    Errno::Interrupted => "interrupted",
                }
            }

            /// The errno with preview1 number `v`, if there is one.
            pub fn from_wasi(v: u16) -> Option<Errno> {
                match v { $($val => Some(Errno::$name),)* _ => None }
            }

            /// Maps a raw Linux errno value onto the preview1 errno; unknown values map to
            /// `Io`.
            pub fn from_raw_os(raw: i32) -> Errno {
                $(if !matches!(Errno::$name, Errno::Success | Errno::Notcapable)
                    && raw == rustix::io::Errno::$os.raw_os_error()
                {
                    return Errno::$name;
                })*
                Errno::Io
            }
        }
    };
}

errnos! {
    Success = 0, NOTSUP, "No error occurred.";
    Toobig = 1, TOOBIG, "Argument list too long.";
    Acces = 2, ACCESS, "Permission denied.";
    Addrinuse = 3, ADDRINUSE, "Address in use.";
    Addrnotavail = 4, ADDRNOTAVAIL, "Address not available.";
    Afnosupport = 5, AFNOSUPPORT, "Address family not supported.";
    Again = 6, AGAIN, "Resource unavailable, or operation would block.";
    Already = 7, ALREADY, "Connection already in progress.";
    Badf = 8, BADF, "Bad file descriptor.";
    Badmsg = 9, BADMSG, "Bad message.";
    Busy = 10, BUSY, "Device or resource busy.";
    Canceled = 11, CANCELED, "Operation canceled.";
    Child = 12, CHILD, "No child processes.";
    Connaborted = 13, CONNABORTED, "Connection aborted.";
    Connrefused = 14, CONNREFUSED, "Connection refused.";
    Connreset = 15, CONNRESET, "Connection reset.";
    Deadlk = 16, DEADLK, "Resource deadlock would occur.";
    Destaddrreq = 17, DESTADDRREQ, "Destination address required.";
    Dom = 18, DOM, "Mathematics argument out of domain of function.";
    Dquot = 19, DQUOT, "Reserved.";
    Exist = 20, EXIST, "File exists.";
    Fault = 21, FAULT, "Bad address.";
    Fbig = 22, FBIG, "File too large.";
    Hostunreach = 23, HOSTUNREACH, "Host is unreachable.";
    Idrm = 24, IDRM, "Identifier removed.";
    Ilseq = 25, ILSEQ, "Illegal byte sequence.";
    Inprogress = 26, INPROGRESS, "Operation in progress.";
    Intr = 27, INTR, "Interrupted function.";
    Inval = 28, INVAL, "Invalid argument.";
    Io = 29, IO, "I/O error.";
    Isconn = 30, ISCONN, "Socket is connected.";
    Isdir = 31, ISDIR, "Is a directory.";
    Loop = 32, LOOP, "Too many levels of symbolic links.";
    Mfile = 33, MFILE, "File descriptor value too large.";
    Mlink = 34, MLINK, "Too many links.";
    Msgsize = 35, MSGSIZE, "Message too large.";
    Multihop = 36, MULTIHOP, "Reserved.";
    Nametoolong = 37, NAMETOOLONG, "Filename too long.";
    Netdown = 38, NETDOWN, "Network is down.";
    Netreset = 39, NETRESET, "Connection aborted by network.";
    Netunreach = 40, NETUNREACH, "Network unreachable.";
    Nfile = 41, NFILE, "Too many files open in system.";
    Nobufs = 42, NOBUFS, "No buffer space available.";
    Nodev = 43, NODEV, "No such device.";
    Noent = 44, NOENT, "No such file or directory.";
    Noexec = 45, NOEXEC, "Executable file format error.";
    Nolck = 46, NOLCK, "No locks available.";
    Nolink = 47, NOLINK, "Reserved.";
    Nomem = 48, NOMEM, "Not enough space.";
    Nomsg = 49, NOMSG, "No message of the desired type.";
    Noprotoopt = 50, NOPROTOOPT, "Protocol not available.";
    Nospc = 51, NOSPC, "No space left on device.";
    Nosys = 52, NOSYS, "Function not supported.";
    Notconn = 53, NOTCONN, "The socket is not connected.";
    Notdir = 54, NOTDIR, "Not a directory or a symbolic link to a directory.";
    Notempty = 55, NOTEMPTY, "Directory not empty.";
    Notrecoverable = 56, NOTRECOVERABLE, "State not recoverable.";
    Notsock = 57, NOTSOCK, "Not a socket.";
    Notsup = 58, OPNOTSUPP, "Not supported, or operation not supported on socket.";
    Notty = 59, NOTTY, "Inappropriate I/O control operation.";
    Nxio = 60, NXIO, "No such device or address.";
    Overflow = 61, OVERFLOW, "Value too large to be stored in data type.";
    Ownerdead = 62, OWNERDEAD, "Previous owner died.";
    Perm = 63, PERM, "Operation not permitted.";
    Pipe = 64, PIPE, "Broken pipe.";
    Proto = 65, PROTO, "Protocol error.";
    Protonosupport = 66, PROTONOSUPPORT, "Protocol not supported.";
    Prototype = 67, PROTOTYPE, "Protocol wrong type for socket.";
    Range = 68, RANGE, "Result too large.";
    Rofs = 69, ROFS, "Read-only file system.";
    Spipe = 70, SPIPE, "Invalid seek.";
    Srch = 71, SRCH, "No such process.";
    Stale = 72, STALE, "Reserved.";
    Timedout = 73, TIMEDOUT, "Connection timed out.";
    Txtbsy = 74, TXTBSY, "Text file busy.";
    Xdev = 75, XDEV, "Cross-device link.";
    Notcapable = 76, NOTSUP, "Extension: Capabilities insufficient.";
}

impl From<rustix::io::Errno> for Errno {
    fn from(e: rustix::io::Errno) -> Errno {
        // `Success` and `Notcapable` carry placeholder OS codes above; `from_raw_os` never
        // maps an OS error onto them.
        Errno::from_raw_os(e.raw_os_error())
    }
}

impl From<crate::readiness::DeadlinePassed> for Errno {
    fn from(_: crate::readiness::DeadlinePassed) -> Errno {
        Errno::Interrupted
    }
}

impl From<std::io::Error> for Errno {
    fn from(e: std::io::Error) -> Errno {
        match e.raw_os_error() {
            Some(raw) => Errno::from(rustix::io::Errno::from_raw_os_error(raw)),
            None => match e.kind() {
                std::io::ErrorKind::NotFound => Errno::Noent,
                std::io::ErrorKind::PermissionDenied => Errno::Acces,
                std::io::ErrorKind::InvalidInput => Errno::Inval,
                std::io::ErrorKind::OutOfMemory => Errno::Nomem,
                _ => Errno::Io,
            },
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), *self as u16)
    }
}

impl std::error::Error for Errno {}

/// Shorthand for results of host operations that fail with a preview1 `errno`.
pub type Result<T, E = Errno> = std::result::Result<T, E>;
