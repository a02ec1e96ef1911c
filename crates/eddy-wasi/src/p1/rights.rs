//! p1 `rights` (witx `rights`, u64 bitflags) and the rights Eddy grants per object.
//!
//! Rights are the p1 view of permissions: the real check is the descriptor's
//! [`FilePerms`]/[`DirPerms`]; rights are reported by `fd_fdstat_get`, may only be dropped by
//! `fd_fdstat_set_rights`, and an operation whose right was dropped fails with `ENOTCAPABLE`.

#![allow(missing_docs)]

use crate::filesystem::{DirPerms, FilePerms};

pub const FD_DATASYNC: u64 = 1 << 0;
pub const FD_READ: u64 = 1 << 1;
pub const FD_SEEK: u64 = 1 << 2;
pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
pub const FD_SYNC: u64 = 1 << 4;
pub const FD_TELL: u64 = 1 << 5;
pub const FD_WRITE: u64 = 1 << 6;
pub const FD_ADVISE: u64 = 1 << 7;
pub const FD_ALLOCATE: u64 = 1 << 8;
pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
pub const PATH_CREATE_FILE: u64 = 1 << 10;
pub const PATH_LINK_SOURCE: u64 = 1 << 11;
pub const PATH_LINK_TARGET: u64 = 1 << 12;
pub const PATH_OPEN: u64 = 1 << 13;
pub const FD_READDIR: u64 = 1 << 14;
pub const PATH_READLINK: u64 = 1 << 15;
pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
pub const PATH_RENAME_TARGET: u64 = 1 << 17;
pub const PATH_FILESTAT_GET: u64 = 1 << 18;
pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
pub const FD_FILESTAT_GET: u64 = 1 << 21;
pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
pub const PATH_SYMLINK: u64 = 1 << 24;
pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
pub const PATH_UNLINK_FILE: u64 = 1 << 26;
pub const POLL_FD_READWRITE: u64 = 1 << 27;
pub const SOCK_SHUTDOWN: u64 = 1 << 28;
pub const SOCK_ACCEPT: u64 = 1 << 29;

/// Every right a regular file can use.
pub const FILE_READ: u64 = FD_READ
    | FD_SEEK
    | FD_TELL
    | FD_ADVISE
    | FD_FILESTAT_GET
    | POLL_FD_READWRITE
    | FD_FDSTAT_SET_FLAGS;
/// Rights that change a file.
pub const FILE_WRITE: u64 =
    FD_DATASYNC | FD_SYNC | FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE | FD_FILESTAT_SET_TIMES;
/// Rights that read a directory.
pub const DIR_READ: u64 = FD_FDSTAT_SET_FLAGS
    | PATH_OPEN
    | FD_READDIR
    | PATH_READLINK
    | PATH_FILESTAT_GET
    | FD_FILESTAT_GET
    | FD_ADVISE
    | FD_SYNC
    | FD_DATASYNC;
/// Rights that change a directory's entries (or files beneath it, by path).
pub const DIR_MUTATE: u64 = PATH_CREATE_DIRECTORY
    | PATH_CREATE_FILE
    | PATH_LINK_SOURCE
    | PATH_LINK_TARGET
    | PATH_RENAME_SOURCE
    | PATH_RENAME_TARGET
    | PATH_FILESTAT_SET_SIZE
    | PATH_FILESTAT_SET_TIMES
    | PATH_SYMLINK
    | PATH_REMOVE_DIRECTORY
    | PATH_UNLINK_FILE
    | FD_FILESTAT_SET_TIMES;
/// stdin.
pub const STDIN: u64 = FD_READ | POLL_FD_READWRITE | FD_FILESTAT_GET | FD_FDSTAT_SET_FLAGS;
/// stdout and stderr.
pub const STDOUT: u64 = FD_WRITE | POLL_FD_READWRITE | FD_FILESTAT_GET | FD_FDSTAT_SET_FLAGS;
/// A socket.
pub const SOCKET: u64 = FD_READ
    | FD_WRITE
    | POLL_FD_READWRITE
    | SOCK_SHUTDOWN
    | SOCK_ACCEPT
    | FD_FILESTAT_GET
    | FD_FDSTAT_SET_FLAGS;

/// Rights of a regular file with permissions `p`.
pub fn for_file(p: FilePerms) -> u64 {
    let mut r = 0;
    if p.read {
        r |= FILE_READ;
    }
    if p.write {
        r |= FILE_WRITE | FD_SEEK | FD_TELL | FD_FILESTAT_GET | POLL_FD_READWRITE;
        r |= FD_FDSTAT_SET_FLAGS | FD_ADVISE;
    }
    r
}

/// (base, inheriting) rights of a directory with permissions `d` over files with `f`.
pub fn for_dir(d: DirPerms, f: FilePerms) -> (u64, u64) {
    let mut base = 0;
    if d.read {
        base |= DIR_READ;
    }
    if d.mutate {
        base |= DIR_MUTATE;
    }
    (base, base | for_file(f))
}
