//! Path operations beneath a directory [`Descriptor`], shared by every ABI (preview1's
//! `path_*` and WASI 0.2's `descriptor.*-at`): the permission check, the sandboxed
//! resolution ([`super::resolve`]) and the syscall, in one place.
//!
//! Each function checks the directory's [`DirPerms`](super::DirPerms) first (`ENOTDIR` for a
//! file, `ENOTCAPABLE` without `read`, or without `mutate` for anything that changes an
//! entry), then resolves and calls. ABI-specific checks (p1 rights, flag decoding) come
//! before, in the callers.

use std::borrow::Cow;
use std::mem::MaybeUninit;
use std::os::fd::{BorrowedFd, OwnedFd};

use rustix::fs::{AtFlags, Mode, OFlags, Timestamps};

use super::{resolve, Descriptor, DescriptorKind, FilePerms};
use crate::errno::{Errno, Result};
use crate::sys::retry;

impl Descriptor {
    /// This directory's fd, checked: `ENOTDIR` if it is not a directory, `ENOTCAPABLE` if it
    /// may not be read, or (with `mutate`) its entries may not be changed.
    #[inline]
    pub fn dir_fd(&self, mutate: bool) -> Result<BorrowedFd<'_>> {
        if self.kind != DescriptorKind::Dir {
            return Err(Errno::Notdir);
        }
        if !self.dir_perms.read || (mutate && !self.dir_perms.mutate) {
            return Err(Errno::Notcapable);
        }
        Ok(self.as_fd())
    }

    /// Opens `path` beneath this directory with `flags` (access mode, `CREATE`, `TRUNC`, …,
    /// `NOFOLLOW` unless following a final symlink); mode 0666 less umask for a new file.
    /// The new descriptor is a directory with this one's permissions, or a file with this
    /// one's file permissions narrowed to `read`/`write` as asked.
    ///
    /// With the run's `deadline` (monotonic ns, `-W timeout`), an open that would block
    /// (a FIFO waiting for its other end, a device waiting for carrier) is bounded by it:
    /// see [`open_bounded`].
    ///
    /// Checks: `CREATE` needs `mutate`; `write` (or `CREATE`/`TRUNC`) needs file write
    /// permission, `read` file read permission (`ENOTCAPABLE`). Errors: those, the host's
    /// (`ENOENT`, `EEXIST`, `EISDIR`, `ELOOP`, `ENOTDIR`, an escape's `ENOTCAPABLE`, …), and
    /// `Errno::Interrupted` (which traps) when the deadline passed while the open waited.
    pub fn open_at(
        &self,
        path: &str,
        flags: OFlags,
        read: bool,
        write: bool,
        directory: bool,
        deadline: Option<u64>,
    ) -> Result<Descriptor> {
        let create = flags.contains(OFlags::CREATE);
        let dir = self.dir_fd(create)?;
        let trunc = flags.contains(OFlags::TRUNC);
        if (write || create || trunc) && !self.file_perms.write || read && !self.file_perms.read {
            return Err(Errno::Notcapable);
        }
        let mode = Mode::from_raw_mode(0o666);
        let hfd: OwnedFd = match deadline {
            Some(d) if !directory => open_bounded(dir, path, flags, mode, d)?,
            _ => resolve::open(dir, path, flags, mode)?,
        };
        let ft = if directory {
            rustix::fs::FileType::Directory
        } else {
            rustix::fs::FileType::from_raw_mode(retry(|| rustix::fs::fstat(&hfd))?.st_mode)
        };
        Ok(if ft == rustix::fs::FileType::Directory {
            Descriptor::dir(hfd, self.dir_perms, self.file_perms)
        } else {
            let fp = FilePerms {
                read: read && self.file_perms.read,
                write: write && self.file_perms.write,
            };
            Descriptor::file(hfd, fp, ft == rustix::fs::FileType::RegularFile)
        })
    }

    /// `mkdirat(path, 0777)` beneath this directory (needs `mutate`).
    pub fn create_directory_at(&self, path: &str) -> Result<()> {
        let (p, name) = resolve::parent(self.dir_fd(true)?, path)?;
        retry(|| rustix::fs::mkdirat(&p, name, Mode::from_raw_mode(0o777)))
    }

    /// `unlinkat(path)` of a non-directory (a symlink itself, never its target; needs
    /// `mutate`).
    pub fn unlink_file_at(&self, path: &str) -> Result<()> {
        let (p, name) = resolve::parent(self.dir_fd(true)?, path)?;
        retry(|| rustix::fs::unlinkat(&p, name, AtFlags::empty()))
    }

    /// `unlinkat(path, AT_REMOVEDIR)` of an empty directory (needs `mutate`).
    pub fn remove_directory_at(&self, path: &str) -> Result<()> {
        let (p, name) = resolve::parent(self.dir_fd(true)?, path)?;
        retry(|| rustix::fs::unlinkat(&p, name, AtFlags::REMOVEDIR))
    }

    /// `renameat(old beneath self, new beneath new_dir)` (both need `mutate`).
    pub fn rename_at(&self, old: &str, new_dir: &Descriptor, new: &str) -> Result<()> {
        let (od, nd) = (self.dir_fd(true)?, new_dir.dir_fd(true)?);
        let (op, oname) = resolve::parent(od, old)?;
        let (np, nname) = resolve::parent(nd, new)?;
        retry(|| rustix::fs::renameat(&op, oname, &np, nname))
    }

    /// `symlinkat(target, new)` beneath this directory (needs `mutate`). An absolute
    /// `target` is refused with `EPERM` (preview1 `ERRNO_PERM`, 0.2 `not-permitted`): inside
    /// a preopen it would point every host process that later follows it at the host's own
    /// root. A relative target is stored as given, even one that climbs out: the sandbox
    /// refuses to follow it, and archives and build tools create such links.
    pub fn symlink_at(&self, target: &str, new: &str) -> Result<()> {
        if target.starts_with('/') {
            return Err(Errno::Perm);
        }
        let (p, name) = resolve::parent(self.dir_fd(true)?, new)?;
        retry(|| rustix::fs::symlinkat(target, &p, name))
    }

    /// `linkat(old beneath self, new beneath new_dir)`, following a final symlink of `old`
    /// (beneath this directory) if `follow`. Both directories need `mutate` (see
    /// docs/RATIONALE.md on `path_link`).
    pub fn link_at(&self, follow: bool, old: &str, new_dir: &Descriptor, new: &str) -> Result<()> {
        let (od, nd) = (self.dir_fd(true)?, new_dir.dir_fd(true)?);
        let (op, oname) = lookup(od, old, follow)?;
        let (np, nname) = resolve::parent(nd, new)?;
        retry(|| rustix::fs::linkat(&op, &*oname, &np, nname, AtFlags::empty()))
    }

    /// Reads the symlink at `path` into `buf`; returns its target (at most
    /// [`resolve::MAX_PATH`] bytes).
    pub fn readlink_at<'b>(
        &self,
        path: &str,
        buf: &'b mut [MaybeUninit<u8>; resolve::MAX_PATH],
    ) -> Result<&'b [u8]> {
        let (p, name) = resolve::lookup(self.dir_fd(false)?, path)?;
        let (target, _) = rustix::fs::readlinkat_raw(&p, name, buf)?;
        Ok(target)
    }

    /// `utimensat(path, times)` beneath this directory, following a final symlink if
    /// `follow` (within the sandbox). Needs `mutate`.
    pub fn set_times_at(&self, follow: bool, path: &str, ts: &Timestamps) -> Result<()> {
        let (p, name) = lookup(self.dir_fd(true)?, path, follow)?;
        retry(|| rustix::fs::utimensat(&p, &*name, ts, AtFlags::SYMLINK_NOFOLLOW))
    }

    /// `stat` of `path` beneath this directory, following a final symlink if `follow`.
    pub fn stat_at(&self, follow: bool, path: &str) -> Result<rustix::fs::Stat> {
        resolve::stat(self.dir_fd(false)?, path, follow)
    }
}

/// [`resolve::lookup_follow`] or [`resolve::lookup`], by `follow`.
fn lookup<'d, 'p>(
    dir: BorrowedFd<'d>,
    path: &'p str,
    follow: bool,
) -> Result<(resolve::DirFd<'d>, Cow<'p, str>)> {
    if follow {
        resolve::lookup_follow(dir, path)
    } else {
        let (p, name) = resolve::lookup(dir, path)?;
        Ok((p, Cow::Borrowed(name)))
    }
}

/// `resolve::open` that cannot block past `deadline` (monotonic ns). `open(2)` of a FIFO
/// blocks until its other end is opened, and nothing can bound that wait from outside (no
/// `poll` tells when a peer opens, and a timer signal would need a process-wide handler).
/// So the file is first opened with `O_NONBLOCK`, which never blocks:
/// - not a FIFO (or opened read-write, which never waits): that is the descriptor, with
///   `O_NONBLOCK` cleared again unless the guest asked for it (the open file description
///   is the guest's alone);
/// - a FIFO for reading or writing (write-only with no reader fails `ENXIO` this way): the
///   blocking open runs on a helper thread and this thread waits for its answer, bounded
///   by the deadline. If the deadline passes first, `Errno::Interrupted` (the guest traps)
///   and the helper is left to finish on its own, closing what it opens.
///
/// Costs an `fstat` and two `fcntl`s per open, only under a deadline; a thread per FIFO
/// open.
fn open_bounded(
    dir: BorrowedFd<'_>,
    path: &str,
    flags: OFlags,
    mode: Mode,
    deadline: u64,
) -> Result<OwnedFd> {
    use rustix::fs::FileType;
    let fifo = |st: rustix::fs::Stat| FileType::from_raw_mode(st.st_mode) == FileType::Fifo;
    let asked_nonblock = flags.contains(OFlags::NONBLOCK);
    let waits = !asked_nonblock && !flags.contains(OFlags::RDWR);
    match resolve::open(dir, path, flags | OFlags::NONBLOCK, mode) {
        Ok(fd) => {
            if waits && fifo(retry(|| rustix::fs::fstat(&fd))?) {
                drop(fd);
                return open_on_helper(dir, path, flags, mode, deadline);
            }
            if !asked_nonblock {
                let fl = retry(|| rustix::fs::fcntl_getfl(&fd))?;
                retry(|| rustix::fs::fcntl_setfl(&fd, fl - OFlags::NONBLOCK))?;
            }
            Ok(fd)
        }
        Err(Errno::Nxio) if waits && is_fifo(dir, path, flags) => {
            open_on_helper(dir, path, flags, mode, deadline)
        }
        Err(e) => Err(e),
    }
}

/// Runs the (blocking) `resolve::open` of `path` beneath a duplicate of `dir` on a helper
/// thread and waits for it until `deadline` (monotonic ns). Errors: the open's own,
/// `Errno::Interrupted` when the deadline passes first, the host's failing to duplicate
/// the fd or start the thread (`EMFILE`, `EAGAIN`).
#[cold]
fn open_on_helper(
    dir: BorrowedFd<'_>,
    path: &str,
    flags: OFlags,
    mode: Mode,
    deadline: u64,
) -> Result<OwnedFd> {
    let dir = retry(|| rustix::io::fcntl_dupfd_cloexec(dir, 0))?;
    let path = path.to_owned();
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new().name("eddy-fifo-open".into()).spawn(move || {
        // If the waiter has gone (the deadline passed), the fd is dropped: closed.
        let _ = tx.send(resolve::open(std::os::fd::AsFd::as_fd(&dir), &path, flags, mode));
    })?;
    loop {
        let left = deadline.saturating_sub(crate::clocks::Clock::Monotonic.now());
        if left == 0 {
            return Err(Errno::Interrupted);
        }
        match rx.recv_timeout(std::time::Duration::from_nanos(left)) {
            Ok(r) => return r,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Err(Errno::Io),
        }
    }
}

/// Whether `path` beneath `dir` (its final symlink followed unless `flags` has `NOFOLLOW`,
/// resolved by the sandbox) is a FIFO. An `O_PATH` open, which never blocks.
fn is_fifo(dir: BorrowedFd<'_>, path: &str, flags: OFlags) -> bool {
    use rustix::fs::FileType;
    let f = OFlags::PATH | (flags & OFlags::NOFOLLOW);
    resolve::open(dir, path, f, Mode::empty())
        .ok()
        .and_then(|fd| rustix::fs::fstat(&fd).ok())
        .is_some_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Fifo)
}

/// Writes `bytes` at the end of the file, atomically (`pwritev2(RWF_APPEND)`, Linux 4.16+);
/// where the kernel lacks that flag, at the size `fstat` reports (not atomic against other
/// writers). Returns the bytes written.
pub fn append_at_end(fd: BorrowedFd<'_>, bytes: &[u8]) -> Result<usize> {
    use rustix::io::ReadWriteFlags;
    let bufs = [std::io::IoSlice::new(bytes)];
    match crate::sys::retry(|| rustix::io::pwritev2(fd, &bufs, 0, ReadWriteFlags::APPEND)) {
        Err(Errno::Notsup | Errno::Inval | Errno::Nosys) => {
            let end = retry(|| rustix::fs::fstat(fd))?.st_size as u64;
            retry(|| rustix::io::pwrite(fd, bytes, end))
        }
        r => r,
    }
}
