//! wasi:filesystem host objects: a [`Descriptor`] is an open host file or directory plus the
//! permissions the guest holds on it. The p1 fd table and the component resource table (of the
//! WASI 0.2 and 0.3 views) all use this one type.
//!
//! Every path a guest names is resolved beneath a directory descriptor by [`resolve`]; the
//! sandbox lives there and nowhere else. [`ops`] holds the path operations (permission check,
//! resolution, syscall) that every ABI calls; [`host`] the rest of the component views'
//! descriptor methods (checks, flags, stat, timestamps, directory listing) over neutral
//! types, with the one errno → `error-code` table.

pub mod host;
pub mod ops;
pub mod resolve;
#[cfg(test)]
mod sandbox_fuzz;

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

/// What a guest may do with the files beneath a directory descriptor, or with an open file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilePerms {
    /// May read file contents.
    pub read: bool,
    /// May write, truncate, resize or set times on files.
    pub write: bool,
}

/// What a guest may do with a directory descriptor itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirPerms {
    /// May list entries, stat, open beneath it and read links.
    pub read: bool,
    /// May create, remove, rename and link entries beneath it.
    pub mutate: bool,
}

impl FilePerms {
    /// Read and write.
    pub const ALL: FilePerms = FilePerms { read: true, write: true };
    /// Read only.
    pub const READ: FilePerms = FilePerms { read: true, write: false };
}

impl DirPerms {
    /// List, open, create, remove.
    pub const ALL: DirPerms = DirPerms { read: true, mutate: true };
    /// List and open only.
    pub const READ: DirPerms = DirPerms { read: true, mutate: false };
}

/// Whether a descriptor is a regular file (or other non-directory) or a directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DescriptorKind {
    /// A regular file, or a character/block device, FIFO or socket opened by path.
    File,
    /// A directory: paths are resolved beneath it.
    Dir,
}

/// An open host file or directory plus the guest's permissions on it (wasi:filesystem
/// `descriptor`; a p1 file or directory fd).
#[derive(Debug)]
pub struct Descriptor {
    /// The host fd. For a directory this is an `O_DIRECTORY` fd used as the `dirfd` of every
    /// `*at` call beneath it. Shared with the WASI 0.2 streams made from the descriptor, which
    /// may outlive its handle (the WIT does not make them its children).
    pub fd: std::sync::Arc<OwnedFd>,
    /// File or directory.
    pub kind: DescriptorKind,
    /// For a file: what the guest may do with it. For a directory: what the guest may do with
    /// files opened beneath it (a child never gets more than its parent).
    pub file_perms: FilePerms,
    /// For a directory: what the guest may do with the directory (children inherit at most
    /// this). For a file: unused (`DirPerms::READ`).
    pub dir_perms: DirPerms,
    /// Whether this is a regular file (always ready: polls answer without a syscall). False
    /// for directories, devices, FIFOs and sockets opened by path. Fixed at open time.
    pub regular_file: bool,
}

impl Descriptor {
    /// Wraps an open directory fd (e.g. a preopen) with the permissions given.
    pub fn dir(fd: OwnedFd, dir_perms: DirPerms, file_perms: FilePerms) -> Descriptor {
        Descriptor {
            fd: std::sync::Arc::new(fd),
            kind: DescriptorKind::Dir,
            file_perms,
            dir_perms,
            regular_file: false,
        }
    }

    /// Wraps an open non-directory fd with the permissions given; `regular_file` says
    /// whether it is a regular file (from the `fstat` done at open).
    pub fn file(fd: OwnedFd, file_perms: FilePerms, regular_file: bool) -> Descriptor {
        Descriptor {
            fd: std::sync::Arc::new(fd),
            kind: DescriptorKind::File,
            file_perms,
            dir_perms: DirPerms::READ,
            regular_file,
        }
    }

    /// Opens a host directory to be granted as a preopen (`open(O_DIRECTORY|O_PATH)`-like:
    /// read-only, close-on-exec). Errors: the host's error opening `path`.
    pub fn open_preopen(
        path: &std::path::Path,
        dir_perms: DirPerms,
        file_perms: FilePerms,
    ) -> std::io::Result<Descriptor> {
        use rustix::fs::{open, Mode, OFlags};
        let fd = open(path, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
        Ok(Descriptor::dir(fd, dir_perms, file_perms))
    }

    /// The host fd, borrowed.
    #[inline]
    pub fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
