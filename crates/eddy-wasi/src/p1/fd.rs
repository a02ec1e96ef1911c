//! `fd_*`: reads, writes, seeks and metadata on open fds.
//!
//! Regular files are always ready: every operation is one direct syscall on the calling
//! thread, reading into / writing from guest memory with no intermediate buffer.

use std::io::{IoSlice, IoSliceMut};

use rustix::fs::SeekFrom;
use std::os::fd::{AsFd, BorrowedFd};

use super::table::{FdEntry, Object};
use super::{rights, wasi_fn, GuestMemory, MODULE};
use crate::errno::{Errno, Result};
use crate::filesystem::{Descriptor, DescriptorKind};
use crate::readiness::Interest;
use crate::sys::retry;

/// Most iovecs gathered into one `writev`; more are a short write, which the spec allows.
pub(crate) const MAX_IOVS: usize = 16;

/// The host fd behind any p1 fd.
#[inline]
pub(crate) fn host_fd(e: &FdEntry) -> BorrowedFd<'_> {
    match &e.object {
        Object::Stdio(s) => s.fd.as_fd(),
        Object::Descriptor(d) => d.fd.as_fd(),
        Object::Socket(s) => s.fd.as_fd(),
    }
}

/// Checks that `e` holds `right`; `ENOTCAPABLE` if it was dropped or never granted.
#[inline]
pub(crate) fn need(e: &FdEntry, right: u64) -> Result<()> {
    if e.rights_base & right == right {
        Ok(())
    } else {
        Err(Errno::Notcapable)
    }
}

/// Checks that `e` holds `right` (`FD_SEEK` or `FD_TELL`). Without it: `ESPIPE` if the fd
/// cannot seek anyway (a pipe, socket or terminal: the type errno comes first), else
/// `ENOTCAPABLE`.
#[inline]
fn need_seek(e: &FdEntry, right: u64) -> Result<()> {
    need(e, right).map_err(|err| {
        use rustix::fs::FileType as F;
        match rustix::fs::fstat(host_fd(e)).map(|st| F::from_raw_mode(st.st_mode)) {
            Ok(F::Fifo | F::Socket | F::CharacterDevice) => Errno::Spipe,
            _ => err,
        }
    })
}

/// The fd, checked to be open for reading: `EISDIR` for a directory, `ENOTCAPABLE` if
/// `FD_READ` was dropped or the file was opened without read permission.
#[inline]
fn readable(e: &FdEntry) -> Result<BorrowedFd<'_>> {
    if let Object::Descriptor(d) = &e.object {
        if d.kind == DescriptorKind::Dir {
            return Err(Errno::Isdir);
        }
    }
    need(e, rights::FD_READ)?;
    if let Object::Descriptor(d) = &e.object {
        if !d.file_perms.read {
            return Err(Errno::Notcapable);
        }
    }
    Ok(host_fd(e))
}

/// The fd, checked to be open for writing (or for `right`, another right that changes the
/// file): `EISDIR` for a directory, `ENOTCAPABLE` if the right was dropped or the file was
/// opened without write permission.
#[inline]
fn writable(e: &FdEntry, right: u64) -> Result<BorrowedFd<'_>> {
    if let Object::Descriptor(d) = &e.object {
        if d.kind == DescriptorKind::Dir {
            return Err(Errno::Isdir);
        }
    }
    need(e, right)?;
    if let Object::Descriptor(d) = &e.object {
        if !d.file_perms.write {
            return Err(Errno::Notcapable);
        }
    }
    Ok(host_fd(e))
}

/// Most bytes one `fd_write` writes to a pipe, FIFO, tty or socket under a run deadline:
/// `PIPE_BUF`, which a pipe reported writable takes without blocking (a longer blocking
/// write would wait for the reader with no bound). A short write, which the spec allows.
const BOUNDED_WRITE: usize = PIPE_BUF;

/// Whether `e` is a regular file (or directory), whose reads and writes never wait for a peer.
#[inline]
fn never_waits(e: &FdEntry) -> bool {
    matches!(&e.object, Object::Descriptor(d) if d.regular_file || d.kind == DescriptorKind::Dir)
}

/// Under a run deadline (`-W timeout`), before a read or write that may block on `hfd` (a
/// pipe, FIFO, tty, socket or stdio), waits until it is ready for `interest`, bounded by the
/// deadline. A non-blocking fd (`fdflags::nonblock`) is not waited on: its operation answers
/// `EAGAIN` at once, as without a deadline. Errors: `Errno::Interrupted` (which traps) when
/// the deadline passes first, or the error of `fcntl` or `ppoll`.
#[inline(never)]
pub(crate) fn wait_ready(hfd: BorrowedFd<'_>, interest: Interest, deadline: u64) -> Result<()> {
    if retry(|| rustix::fs::fcntl_getfl(hfd))?.contains(rustix::fs::OFlags::NONBLOCK) {
        return Ok(());
    }
    if crate::readiness::wait_fd(hfd, interest, Some(deadline))? {
        Ok(())
    } else {
        Err(Errno::Interrupted)
    }
}

/// Gathers up to [`MAX_IOVS`] non-empty ciovecs into `out`; returns how many.
#[inline]
pub(crate) fn gather<'m>(
    mem: &'m GuestMemory<'_>,
    iovs: u32,
    iovs_len: u32,
    out: &mut [IoSlice<'m>; MAX_IOVS],
) -> Result<usize> {
    let mut n = 0;
    for i in 0..iovs_len {
        if n == MAX_IOVS {
            break;
        }
        let (buf, len) = mem.iovec(iovs, i)?;
        if len == 0 {
            continue;
        }
        out[n] = IoSlice::new(mem.slice(buf, len)?);
        n += 1;
    }
    Ok(n)
}

/// Runs `read` over up to [`MAX_IOVS`] non-empty iovecs of the array at `iovs`, as disjoint
/// mutable slices of guest memory in the guest's order (no host buffer). Every iovec used is
/// bounds-checked first (`EFAULT`); the list ends early at one that overlaps an earlier one
/// (a short read, which the spec allows). No iovec: returns 0 without calling `read`.
fn scatter(
    mem: &mut GuestMemory<'_>,
    iovs: u32,
    iovs_len: u32,
    read: impl FnOnce(&mut [IoSliceMut<'_>]) -> Result<usize>,
) -> Result<usize> {
    let mut list = [(0usize, 0usize); MAX_IOVS];
    let mut n = 0;
    'scan: for i in 0..iovs_len {
        if n == MAX_IOVS {
            break;
        }
        let (buf, len) = mem.iovec(iovs, i)?;
        if len == 0 {
            continue;
        }
        mem.slice(buf, len)?;
        let (start, end) = (buf as usize, buf as usize + len as usize);
        for &(s, e) in &list[..n] {
            if start < e && s < end {
                break 'scan;
            }
        }
        list[n] = (start, end);
        n += 1;
    }
    if n == 0 {
        return Ok(0);
    }
    // Carve the regions out of memory in address order, placing each at its guest index.
    let mut order = [0usize; MAX_IOVS];
    for (i, o) in order[..n].iter_mut().enumerate() {
        *o = i;
    }
    order[..n].sort_unstable_by_key(|&i| list[i].0);
    let mut bufs: [IoSliceMut<'_>; MAX_IOVS] = std::array::from_fn(|_| IoSliceMut::new(&mut []));
    let mut rest: &mut [u8] = mem.bytes_mut();
    let mut base = 0;
    for &i in &order[..n] {
        let (start, end) = list[i];
        let tail = std::mem::take(&mut rest).split_at_mut(start - base).1;
        let (buf, after) = tail.split_at_mut(end - start);
        bufs[i] = IoSliceMut::new(buf);
        rest = after;
        base = end;
    }
    read(&mut bufs[..n])
}

/// p1 `filetype` of a host fd (from `fstat`).
pub(crate) fn filetype(fd: BorrowedFd<'_>) -> Result<u8> {
    let st = rustix::fs::fstat(fd)?;
    Ok(filetype_of_mode(st.st_mode))
}

/// p1 `filetype` of a `st_mode`: unknown 0, block 1, char 2, directory 3, regular 4,
/// socket_dgram 5, socket_stream 6, symbolic_link 7. Sockets report socket_stream (a
/// datagram socket is never reached by path).
pub(crate) fn filetype_of_mode(mode: u32) -> u8 {
    filetype_of(rustix::fs::FileType::from_raw_mode(mode))
}

/// p1 `filetype` of a host file type (see [`filetype_of_mode`]); FIFOs are `unknown`.
pub(crate) fn filetype_of(t: rustix::fs::FileType) -> u8 {
    use rustix::fs::FileType as F;
    match t {
        F::BlockDevice => 1,
        F::CharacterDevice => 2,
        F::Directory => 3,
        F::RegularFile => 4,
        F::Socket => 6,
        F::Symlink => 7,
        _ => 0,
    }
}

/// A p1 `filestat`, from a host `stat`. Written in the preview1 layout (64 bytes) by
/// [`Filestat::write_p1`] and in the preview0 one (56 bytes, `nlink` u32) by
/// [`Filestat::write_p0`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

/// Nanoseconds since the epoch; times before it clamp to 0, overflow saturates.
#[inline]
fn nanos(sec: i64, nsec: u64) -> u64 {
    u64::try_from(sec).map_or(0, |s| s.saturating_mul(1_000_000_000).saturating_add(nsec))
}

impl Filestat {
    /// From a host `stat`.
    #[allow(clippy::useless_conversion)] // field widths differ between architectures
    pub(crate) fn of(st: &rustix::fs::Stat) -> Filestat {
        Filestat {
            dev: u64::from(st.st_dev),
            ino: u64::from(st.st_ino),
            filetype: filetype_of_mode(st.st_mode),
            nlink: u64::from(st.st_nlink),
            size: u64::try_from(st.st_size).unwrap_or(0),
            atim: nanos(i64::from(st.st_atime), u64::from(st.st_atime_nsec)),
            mtim: nanos(i64::from(st.st_mtime), u64::from(st.st_mtime_nsec)),
            ctim: nanos(i64::from(st.st_ctime), u64::from(st.st_ctime_nsec)),
        }
    }

    /// Writes the preview1 `filestat` (64 bytes): dev u64 @0, ino u64 @8, filetype u8 @16,
    /// nlink u64 @24, size u64 @32, atim @40, mtim @48, ctim @56. Errors: `EFAULT`.
    pub(crate) fn write_p1(&self, mem: &mut GuestMemory<'_>, ptr: u32) -> Result<()> {
        let out = mem.slice_mut(ptr, 64)?;
        out.fill(0);
        out[0..8].copy_from_slice(&self.dev.to_le_bytes());
        out[8..16].copy_from_slice(&self.ino.to_le_bytes());
        out[16] = self.filetype;
        out[24..32].copy_from_slice(&self.nlink.to_le_bytes());
        out[32..40].copy_from_slice(&self.size.to_le_bytes());
        out[40..48].copy_from_slice(&self.atim.to_le_bytes());
        out[48..56].copy_from_slice(&self.mtim.to_le_bytes());
        out[56..64].copy_from_slice(&self.ctim.to_le_bytes());
        Ok(())
    }

    /// Writes the preview0 `filestat` (56 bytes): dev u64 @0, ino u64 @8, filetype u8 @16,
    /// nlink u32 @20 (saturated), size u64 @24, atim @32, mtim @40, ctim @48.
    /// Errors: `EFAULT`.
    pub(crate) fn write_p0(&self, mem: &mut GuestMemory<'_>, ptr: u32) -> Result<()> {
        let out = mem.slice_mut(ptr, 56)?;
        out.fill(0);
        out[0..8].copy_from_slice(&self.dev.to_le_bytes());
        out[8..16].copy_from_slice(&self.ino.to_le_bytes());
        out[16] = self.filetype;
        let nlink = u32::try_from(self.nlink).unwrap_or(u32::MAX);
        out[20..24].copy_from_slice(&nlink.to_le_bytes());
        out[24..32].copy_from_slice(&self.size.to_le_bytes());
        out[32..40].copy_from_slice(&self.atim.to_le_bytes());
        out[40..48].copy_from_slice(&self.mtim.to_le_bytes());
        out[48..56].copy_from_slice(&self.ctim.to_le_bytes());
        Ok(())
    }
}

/// `fd_filestat_get` semantics (shared with preview0): `fstat` of any fd.
/// Errors: `EBADF`, `ENOTCAPABLE` (`FD_FILESTAT_GET` dropped).
pub(crate) fn filestat(e: &FdEntry) -> Result<Filestat> {
    need(e, rights::FD_FILESTAT_GET)?;
    let st = retry(|| rustix::fs::fstat(host_fd(e)))?;
    Ok(Filestat::of(&st))
}

/// fstflags bits.
const FST_ATIM: u32 = 1;
const FST_ATIM_NOW: u32 = 2;
const FST_MTIM: u32 = 4;
const FST_MTIM_NOW: u32 = 8;

/// The `utimensat` timestamps for p1 `(atim, mtim, fst_flags)`: a field is set to its value
/// (`ATIM`/`MTIM`), to now (`*_NOW`) or left alone. Errors: `EINVAL` for unknown flag bits or a
/// value and `_NOW` for the same field.
pub(crate) fn timestamps(atim: u64, mtim: u64, fst_flags: u32) -> Result<rustix::fs::Timestamps> {
    use rustix::fs::{Timespec, UTIME_NOW, UTIME_OMIT};
    if fst_flags & !0xf != 0
        || fst_flags & (FST_ATIM | FST_ATIM_NOW) == FST_ATIM | FST_ATIM_NOW
        || fst_flags & (FST_MTIM | FST_MTIM_NOW) == FST_MTIM | FST_MTIM_NOW
    {
        return Err(Errno::Inval);
    }
    let one = |ns: u64, set: u32, now: u32| {
        if fst_flags & now != 0 {
            Timespec { tv_sec: 0, tv_nsec: UTIME_NOW }
        } else if fst_flags & set != 0 {
            Timespec { tv_sec: (ns / 1_000_000_000) as i64, tv_nsec: (ns % 1_000_000_000) as _ }
        } else {
            Timespec { tv_sec: 0, tv_nsec: UTIME_OMIT }
        }
    };
    Ok(rustix::fs::Timestamps {
        last_access: one(atim, FST_ATIM, FST_ATIM_NOW),
        last_modification: one(mtim, FST_MTIM, FST_MTIM_NOW),
    })
}

/// p1 fdflags bits.
const FDFLAGS_APPEND: u32 = 1;
const FDFLAGS_NONBLOCK: u32 = 4;
/// DSYNC | RSYNC | SYNC: fixed at open on Linux (`F_SETFL` ignores them).
const FDFLAGS_SYNCS: u32 = 2 | 8 | 16;

/// The directory descriptor behind `e` (for `fd_readdir`): `ENOTDIR` if it is anything else.
#[inline]
fn dir_of(e: &FdEntry) -> Result<&Descriptor> {
    match &e.object {
        Object::Descriptor(d) if d.kind == DescriptorKind::Dir => Ok(d),
        _ => Err(Errno::Notdir),
    }
}

/// Fills `out` with directory entries of `dir` starting at `cookie` (see `fd_readdir`);
/// returns how many bytes were written. Reads with `getdents64` into a stack buffer: no
/// allocation. Cookies are the kernel's directory offsets (`d_off`), so resuming is one
/// `lseek`; cookie 0 is the start.
fn readdir(dir: BorrowedFd<'_>, cookie: u64, out: &mut [u8]) -> Result<usize> {
    use rustix::fs::{AtFlags, FileType, RawDir};
    use std::mem::MaybeUninit;
    if out.is_empty() {
        return Ok(0);
    }
    retry(|| rustix::fs::seek(dir, SeekFrom::Start(cookie)))?;
    let mut hbuf = [MaybeUninit::<u8>::uninit(); 8192];
    let mut entries = RawDir::new(dir, &mut hbuf);
    let mut used = 0;
    while used < out.len() {
        let ent = match entries.next() {
            None => break,
            Some(Err(rustix::io::Errno::INTR)) => continue,
            Some(Err(e)) => return Err(e.into()),
            Some(Ok(ent)) => ent,
        };
        let name = ent.file_name();
        let d_type = match ent.file_type() {
            // Some filesystems leave d_type unknown: ask.
            FileType::Unknown => rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
                .map_or(0, |st| filetype_of_mode(st.st_mode)),
            t => filetype_of(t),
        };
        let name = name.to_bytes();
        let mut hdr = [0u8; 24];
        hdr[0..8].copy_from_slice(&ent.next_entry_cookie().to_le_bytes());
        hdr[8..16].copy_from_slice(&ent.ino().to_le_bytes());
        hdr[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
        hdr[20] = d_type;
        // The last entry is cut off where the buffer ends, as the spec asks.
        for part in [&hdr[..], name] {
            let n = part.len().min(out.len() - used);
            out[used..used + n].copy_from_slice(&part[..n]);
            used += n;
        }
    }
    Ok(used)
}

wasi_fn! {
    module = MODULE, register = add;

    /// `fd_write(fd: fd, iovs: ciovec_array) -> Result<size, errno>` — writev(2) from guest
    /// memory: gathers up to 16 non-empty ciovecs (8 bytes each: buf u32, buf_len u32) of
    /// the `iovs_len` at `iovs` (more is a short write, which the spec allows) and writes
    /// the bytes written (u32) at `nwritten`. One buffer (the common case) is one
    /// write(2), cheaper in the kernel than writev(2); no host buffer.
    ///
    /// Errors: `EBADF` (not open, or not open for writing on the host), `EISDIR` (a
    /// directory), `ENOTCAPABLE` (`FD_WRITE` dropped, or the file was opened without write
    /// permission), `EFAULT` (an iovec or `nwritten` out of bounds), and the host's (`EPIPE`,
    /// `ENOSPC`, `EAGAIN`, …) as the OS reports.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_writefd-fd-iovs-ciovec_array---resultsize-errno>
    fn fd_write(ctx, mem, fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) {
        let e = ctx.table.get(fd)?;
        let hfd = writable(e, rights::FD_WRITE)?;
        let mut bufs = [IoSlice::new(&[]); MAX_IOVS];
        let n = gather(&mem, iovs, iovs_len, &mut bufs)?;
        if e.nonblock && n > 0 {
            // Emulated NONBLOCK: a writable pipe has room for at least PIPE_BUF bytes, so
            // the first buffer cut to that size cannot block (a short write, which NONBLOCK
            // allows).
            ready_now(hfd, rustix::event::PollFlags::OUT)?;
            let first: &[u8] = &bufs[0];
            let cut = &first[..first.len().min(PIPE_BUF)];
            let written = retry(|| rustix::io::write(hfd, cut))?;
            return mem.write_u32(nwritten, written as u32);
        }
        // Under a deadline, a write that may block waits for room first, then writes at most
        // what the fd takes at once.
        let bounded = match ctx.deadline {
            Some(d) if n > 0 && !never_waits(e) => {
                wait_ready(hfd, Interest::Write, d)?;
                true
            }
            _ => false,
        };
        // One buffer (the common case): write(2), cheaper in the kernel than writev(2).
        // stdio is written in pieces of at most 16 KiB when it is a pipe (`write_vectored`).
        let written = match (n, &e.object) {
            (0, _) => 0,
            _ if bounded => {
                let first: &[u8] = &bufs[0];
                retry(|| rustix::io::write(hfd, &first[..first.len().min(BOUNDED_WRITE)]))?
            }
            (_, Object::Stdio(s)) => s.write_vectored(&bufs[..n])?,
            (1, _) => retry(|| rustix::io::write(hfd, &bufs[0]))?,
            _ => retry(|| rustix::io::writev(hfd, &bufs[..n]))?,
        };
        mem.write_u32(nwritten, written as u32)
    }

    /// `fd_pwrite(fd: fd, iovs: ciovec_array, offset: filesize) -> Result<size, errno>` —
    /// pwritev(2) at byte `offset`, without moving the fd's offset; otherwise as
    /// [`fd_write`] (the bytes written, u32, at `nwritten`).
    ///
    /// Errors: as [`fd_write`], plus `ESPIPE` (a pipe, socket or tty) and `ENOTCAPABLE`
    /// without `FD_SEEK`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_pwritefd-fd-iovs-ciovec_array-offset-filesize---resultsize-errno>
    fn fd_pwrite(ctx, mem, fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32) {
        let e = ctx.table.get(fd)?;
        let hfd = writable(e, rights::FD_WRITE)?;
        need_seek(e, rights::FD_SEEK)?;
        let mut bufs = [IoSlice::new(&[]); MAX_IOVS];
        let n = gather(&mem, iovs, iovs_len, &mut bufs)?;
        let written = match n {
            0 => 0,
            1 => retry(|| rustix::io::pwrite(hfd, &bufs[0], offset))?,
            _ => retry(|| rustix::io::pwritev(hfd, &bufs[..n], offset))?,
        };
        mem.write_u32(nwritten, written as u32)
    }

    /// `fd_read(fd: fd, iovs: iovec_array) -> Result<size, errno>` — readv(2) straight into
    /// guest memory: up to 16 non-empty iovecs (8 bytes each: buf u32, buf_len u32) of
    /// the `iovs_len` at `iovs`, in the guest's order; an iovec overlapping an
    /// earlier one ends the list (a short read). Writes the bytes read (u32) at `nread`:
    /// 0 at end of file.
    ///
    /// Errors: `EBADF` (not open), `EISDIR` (a directory), `ENOTCAPABLE` (`FD_READ` dropped,
    /// or the file was opened without read permission), `EFAULT` (an iovec or `nread` out
    /// of bounds), and the host's (`EAGAIN`, `EIO`, …).
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_readfd-fd-iovs-iovec_array---resultsize-errno>
    fn fd_read(ctx, mem, fd: u32, iovs: u32, iovs_len: u32, nread: u32) {
        let e = ctx.table.get(fd)?;
        let hfd = readable(e)?;
        if e.nonblock {
            // Emulated NONBLOCK: once readable, one read(2) returns without waiting.
            ready_now(hfd, rustix::event::PollFlags::IN)?;
        }
        let deadline = if e.nonblock { None } else { ctx.deadline };
        let n = scatter(&mut mem, iovs, iovs_len, |bufs| {
            // Under a deadline, a read that may block waits for data (or EOF) first, bounded.
            if let Some(d) = deadline {
                if !never_waits(e) {
                    wait_ready(hfd, Interest::Read, d)?;
                }
            }
            match bufs {
                [one] => retry(|| rustix::io::read(hfd, &mut **one)),
                _ => retry(|| rustix::io::readv(hfd, bufs)),
            }
        })?;
        mem.write_u32(nread, n as u32)
    }

    /// `fd_pread(fd: fd, iovs: iovec_array, offset: filesize) -> Result<size, errno>` —
    /// preadv(2) at byte `offset`, without moving the fd's offset; otherwise as [`fd_read`]
    /// (the bytes read, u32, at `nread`).
    ///
    /// Errors: as [`fd_read`], plus `ESPIPE` (a pipe, tty or socket) and `ENOTCAPABLE`
    /// without `FD_SEEK`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_preadfd-fd-iovs-iovec_array-offset-filesize---resultsize-errno>
    fn fd_pread(ctx, mem, fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32) {
        let e = ctx.table.get(fd)?;
        let hfd = readable(e)?;
        need_seek(e, rights::FD_SEEK)?;
        let n = scatter(&mut mem, iovs, iovs_len, |bufs| match bufs {
            [one] => retry(|| rustix::io::pread(hfd, &mut **one, offset)),
            _ => retry(|| rustix::io::preadv(hfd, bufs, offset)),
        })?;
        mem.write_u32(nread, n as u32)
    }

    /// `fd_seek(fd: fd, offset: filedelta, whence: whence) -> Result<filesize, errno>` —
    /// lseek(2) by `offset` bytes from `whence` (set 0, cur 1, end 2); writes the new offset
    /// from the start of the file (u64) at `newoffset`. `offset` 0 from cur is a pure tell,
    /// which needs only `FD_TELL`.
    ///
    /// Errors: `EINVAL` (bad whence, or a negative result), `ESPIPE` (a pipe, tty or socket),
    /// `EBADF` (not open, or a directory), `ENOTCAPABLE` (`FD_SEEK`, or `FD_TELL` for a pure
    /// tell), `EFAULT` (`newoffset` out of bounds).
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_seekfd-fd-offset-filedelta-whence-whence---resultfilesize-errno>
    fn fd_seek(ctx, mem, fd: u32, offset: i64, whence: u32, newoffset: u32) {
        let pos = seek(ctx.table.get(fd)?, offset, whence)?;
        mem.write_u64(newoffset, pos)
    }

    /// `fd_tell(fd: fd) -> Result<filesize, errno>` — writes the current offset in bytes
    /// from the start of the file (u64) at `offset`.
    ///
    /// Errors: `EBADF`, `ESPIPE` (a pipe, tty or socket), `ENOTCAPABLE` (`FD_TELL`),
    /// `EFAULT`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_tellfd-fd---resultfilesize-errno>
    fn fd_tell(ctx, mem, fd: u32, offset: u32) {
        let e = ctx.table.get(fd)?;
        need_seek(e, rights::FD_TELL)?;
        let pos = retry(|| rustix::fs::tell(host_fd(e)))?;
        mem.write_u64(offset, pos)
    }

    /// `fd_close(fd: fd) -> Result<(), errno>` — closes the fd (preopens too).
    ///
    /// Errors: `EBADF` (not open).
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_closefd-fd---result-errno>
    fn fd_close(ctx, _mem, fd: u32) {
        ctx.table.remove(fd).map(drop)
    }

    /// `fd_fdstat_get(fd: fd) -> Result<fdstat, errno>` — writes the 24-byte `fdstat` at
    /// `stat`: fs_filetype u8 @0, fs_flags u16 @2 (fdflags: append 1, dsync 2, nonblock 4,
    /// rsync 8, sync 16), fs_rights_base u64 @8, fs_rights_inheriting u64 @16.
    ///
    /// Errors: `EBADF`, `EFAULT`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_fdstat_getfd-fd---resultfdstat-errno>
    fn fd_fdstat_get(ctx, mem, fd: u32, stat: u32) {
        let e = ctx.table.get(fd)?;
        let hfd = host_fd(e);
        let filetype = match &e.object {
            Object::Descriptor(d) if d.kind == DescriptorKind::Dir => 3,
            Object::Socket(_) => 6,
            _ => filetype(hfd)?,
        };
        let mut flags = fdflags(hfd)?;
        if e.nonblock {
            flags |= FDFLAGS_NONBLOCK as u16;
        }
        let out = mem.slice_mut(stat, 24)?;
        out.fill(0);
        out[0] = filetype;
        out[2..4].copy_from_slice(&flags.to_le_bytes());
        out[8..16].copy_from_slice(&e.rights_base.to_le_bytes());
        out[16..24].copy_from_slice(&e.rights_inheriting.to_le_bytes());
        Ok(())
    }

    /// `fd_prestat_get(fd: fd) -> Result<prestat, errno>` — for a preopened directory,
    /// writes the 8-byte `prestat` at `prestat`: tag u8 @0 (0 = dir), pr_name_len u32 @4 (the
    /// bytes of its guest path, for [`fd_prestat_dir_name`]).
    ///
    /// Errors: `EBADF` if `fd` is not open or not a preopen (wasi-libc stops its scan of
    /// preopens there), `EFAULT`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_prestat_getfd-fd---resultprestat-errno>
    fn fd_prestat_get(ctx, mem, fd: u32, prestat: u32) {
        let name = ctx.table.get(fd)?.preopen.as_ref().ok_or(Errno::Badf)?;
        let len = name.len() as u32;
        mem.write_u32(prestat, 0)?;
        mem.write_u32(prestat + 4, len)
    }

    /// `fd_prestat_dir_name(fd: fd, path: Pointer<u8>, path_len: size) -> Result<(), errno>`
    /// — writes the preopen's guest path at `path` (no NUL).
    ///
    /// Errors: `EBADF` (not open, or not a preopen), `ENAMETOOLONG` (`path_len` smaller than
    /// the name), `EFAULT`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_prestat_dir_namefd-fd-path-pointeru8-path_len-size---result-errno>
    fn fd_prestat_dir_name(ctx, mem, fd: u32, path: u32, path_len: u32) {
        let name = ctx.table.get(fd)?.preopen.as_ref().ok_or(Errno::Badf)?;
        if (path_len as usize) < name.len() {
            return Err(Errno::Nametoolong);
        }
        mem.write_bytes(path, name.as_bytes())
    }

    /// `fd_advise(fd: fd, offset: filesize, len: filesize, advice: advice) -> Result<(), errno>`
    /// — posix_fadvise(2) for the `len` bytes at `offset` (`len` 0: to the end of the file).
    /// advice: normal 0, sequential 1, random 2, willneed 3, dontneed 4, noreuse 5.
    ///
    /// Errors: `EBADF`, `EINVAL` (unknown advice), `ENOTCAPABLE` (`FD_ADVISE`), `ESPIPE` (a
    /// pipe).
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_advisefd-fd-offset-filesize-len-filesize-advice-advice---result-errno>
    fn fd_advise(ctx, _mem, fd: u32, offset: u64, len: u64, advice: u32) {
        use rustix::fs::Advice;
        let e = ctx.table.get(fd)?;
        let advice = match advice {
            0 => Advice::Normal,
            1 => Advice::Sequential,
            2 => Advice::Random,
            3 => Advice::WillNeed,
            4 => Advice::DontNeed,
            5 => Advice::NoReuse,
            _ => return Err(Errno::Inval),
        };
        need(e, rights::FD_ADVISE)?;
        retry(|| rustix::fs::fadvise(host_fd(e), offset, std::num::NonZeroU64::new(len), advice))
    }

    /// `fd_allocate(fd: fd, offset: filesize, len: filesize) -> Result<(), errno>` —
    /// posix_fallocate: makes sure the bytes `[offset, offset+len)` are allocated, growing the
    /// file if it ends before (emulated with ftruncate where the filesystem has no
    /// fallocate).
    ///
    /// Errors: `EBADF`, `EISDIR` (a directory), `ENOTCAPABLE` (`FD_ALLOCATE` dropped, or
    /// opened read-only), `EINVAL` (`len` 0), `EFBIG` (past the largest file size), `ENOSPC`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_allocatefd-fd-offset-filesize-len-filesize---result-errno>
    fn fd_allocate(ctx, _mem, fd: u32, offset: u64, len: u64) {
        let e = ctx.table.get(fd)?;
        let hfd = writable(e, rights::FD_ALLOCATE)?;
        if len == 0 {
            return Err(Errno::Inval);
        }
        let end = offset.checked_add(len).filter(|&n| n <= i64::MAX as u64).ok_or(Errno::Fbig)?;
        match retry(|| rustix::fs::fallocate(hfd, rustix::fs::FallocateFlags::empty(), offset, len))
        {
            Err(Errno::Notsup) => {
                let st = retry(|| rustix::fs::fstat(hfd))?;
                if (st.st_size as u64) < end {
                    retry(|| rustix::fs::ftruncate(hfd, end))?;
                }
                Ok(())
            }
            r => r,
        }
    }

    /// `fd_datasync(fd: fd) -> Result<(), errno>` — fdatasync(2): the file's data (not all
    /// its metadata) reaches the disk.
    ///
    /// Errors: `EBADF`, `ENOTCAPABLE` (`FD_DATASYNC`), `EINVAL` (a pipe or socket), `EIO`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_datasyncfd-fd---result-errno>
    fn fd_datasync(ctx, _mem, fd: u32) {
        let e = ctx.table.get(fd)?;
        need(e, rights::FD_DATASYNC)?;
        retry(|| rustix::fs::fdatasync(host_fd(e)))
    }

    /// `fd_sync(fd: fd) -> Result<(), errno>` — fsync(2): the file's data and metadata
    /// reach the disk.
    ///
    /// Errors: `EBADF`, `ENOTCAPABLE` (`FD_SYNC`), `EINVAL` (a pipe or socket), `EIO`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_syncfd-fd---result-errno>
    fn fd_sync(ctx, _mem, fd: u32) {
        let e = ctx.table.get(fd)?;
        need(e, rights::FD_SYNC)?;
        retry(|| rustix::fs::fsync(host_fd(e)))
    }

    /// `fd_fdstat_set_flags(fd: fd, flags: fdflags) -> Result<(), errno>` — sets `APPEND` (1)
    /// and `NONBLOCK` (4) (fcntl `F_SETFL`). `DSYNC`/`RSYNC`/`SYNC` (2, 8, 16) are fixed when
    /// the file is opened: passing them as they are is accepted, changing them is `ENOTSUP`.
    /// On stdio (fds the host lent, shared with other processes) the host fd is never
    /// changed: `NONBLOCK` is emulated in the fd entry ([`FdEntry::nonblock`]: `fd_read` and
    /// `fd_write` poll with zero timeout first and return `EAGAIN` if not ready; a write is
    /// then cut to `PIPE_BUF`, 4096 bytes), and changing `APPEND` is `ENOTSUP`.
    ///
    /// Errors: `EBADF`, `EINVAL` (unknown bits), `ENOTCAPABLE` (`FD_FDSTAT_SET_FLAGS`),
    /// `ENOTSUP`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_fdstat_set_flagsfd-fd-flags-fdflags---result-errno>
    fn fd_fdstat_set_flags(ctx, _mem, fd: u32, flags: u32) {
        use rustix::fs::OFlags;
        let e = ctx.table.get_mut(fd)?;
        if flags & !0x1f != 0 {
            return Err(Errno::Inval);
        }
        need(e, rights::FD_FDSTAT_SET_FLAGS)?;
        let hfd = host_fd(e);
        let cur = retry(|| rustix::fs::fcntl_getfl(hfd))?;
        let cur_syncs = u32::from(fdflags(hfd)?) & FDFLAGS_SYNCS;
        if (flags & FDFLAGS_SYNCS != 0) != (cur_syncs != 0) {
            return Err(Errno::Notsup);
        }
        if matches!(e.object, Object::Stdio(_)) {
            // stdio's host fd is not the guest's: its file-status flags are shared with the
            // processes around Eddy (the shell's pipe or terminal) and outlive the guest.
            // NONBLOCK is emulated per guest fd; APPEND cannot be, so it must stay as it is.
            if (flags & FDFLAGS_APPEND != 0) != cur.contains(OFlags::APPEND) {
                return Err(Errno::Notsup);
            }
            e.nonblock = flags & FDFLAGS_NONBLOCK != 0;
            return Ok(());
        }
        let mut new = cur - (OFlags::APPEND | OFlags::NONBLOCK);
        if flags & FDFLAGS_APPEND != 0 {
            new |= OFlags::APPEND;
        }
        if flags & FDFLAGS_NONBLOCK != 0 {
            new |= OFlags::NONBLOCK;
        }
        if new == cur {
            return Ok(());
        }
        retry(|| rustix::fs::fcntl_setfl(hfd, new))
    }

    /// `fd_fdstat_set_rights(fd: fd, fs_rights_base: rights, fs_rights_inheriting: rights) -> Result<(), errno>`
    /// — drops rights: the fd's base and inheriting rights become `base` and `inheriting`.
    ///
    /// Errors: `EBADF`, `ENOTCAPABLE` (adding any right).
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_fdstat_set_rightsfd-fd-fs_rights_base-rights-fs_rights_inheriting-rights---result-errno>
    fn fd_fdstat_set_rights(ctx, _mem, fd: u32, base: u64, inheriting: u64) {
        let e = ctx.table.get_mut(fd)?;
        if base & !e.rights_base != 0 || inheriting & !e.rights_inheriting != 0 {
            return Err(Errno::Notcapable);
        }
        e.rights_base = base;
        e.rights_inheriting = inheriting;
        Ok(())
    }

    /// `fd_filestat_get(fd: fd) -> Result<filestat, errno>` — fstat(2), written as the
    /// 64-byte `filestat` at `buf`: dev u64 @0, ino u64 @8, filetype u8 @16, nlink u64 @24,
    /// size u64 @32 (bytes), atim @40, mtim @48, ctim @56 (u64 ns since the epoch).
    ///
    /// Errors: `EBADF`, `ENOTCAPABLE` (`FD_FILESTAT_GET`), `EFAULT`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_filestat_getfd-fd---resultfilestat-errno>
    fn fd_filestat_get(ctx, mem, fd: u32, buf: u32) {
        mem.slice(buf, 64)?;
        let st = filestat(ctx.table.get(fd)?)?;
        st.write_p1(&mut mem, buf)
    }

    /// `fd_filestat_set_size(fd: fd, size: filesize) -> Result<(), errno>` — ftruncate(2) to
    /// `size` bytes (growing fills with zeros).
    ///
    /// Errors: `EBADF`, `EISDIR`, `ENOTCAPABLE` (`FD_FILESTAT_SET_SIZE` dropped, or opened
    /// read-only), `EFBIG`, `EINVAL` (not a regular file).
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_filestat_set_sizefd-fd-size-filesize---result-errno>
    fn fd_filestat_set_size(ctx, _mem, fd: u32, size: u64) {
        let e = ctx.table.get(fd)?;
        let hfd = writable(e, rights::FD_FILESTAT_SET_SIZE)?;
        if size > i64::MAX as u64 {
            return Err(Errno::Fbig);
        }
        retry(|| rustix::fs::ftruncate(hfd, size))
    }

    /// `fd_filestat_set_times(fd: fd, atim: timestamp, mtim: timestamp, fst_flags: fstflags) -> Result<(), errno>`
    /// — futimens(2): each time (ns since the epoch) is set to its value, to now, or left
    /// alone. fstflags: `ATIM` 1, `ATIM_NOW` 2, `MTIM` 4, `MTIM_NOW` 8.
    ///
    /// Errors: `EBADF`, `EINVAL` (unknown bits, or a value and `_NOW` for one field),
    /// `ENOTCAPABLE` (`FD_FILESTAT_SET_TIMES` dropped, a file opened read-only, a read-only
    /// directory).
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_filestat_set_timesfd-fd-atim-timestamp-mtim-timestamp-fst_flags-fstflags---result-errno>
    fn fd_filestat_set_times(ctx, _mem, fd: u32, atim: u64, mtim: u64, fst_flags: u32) {
        let e = ctx.table.get(fd)?;
        let ts = timestamps(atim, mtim, fst_flags)?;
        need(e, rights::FD_FILESTAT_SET_TIMES)?;
        if let Object::Descriptor(d) = &e.object {
            let ok = match d.kind {
                DescriptorKind::Dir => d.dir_perms.mutate,
                DescriptorKind::File => d.file_perms.write,
            };
            if !ok {
                return Err(Errno::Notcapable);
            }
        }
        retry(|| rustix::fs::futimens(host_fd(e), &ts))
    }

    /// `fd_readdir(fd: fd, buf: Pointer<u8>, buf_len: size, cookie: dircookie) -> Result<size, errno>`
    /// — fills the `buf_len` bytes at `buf` with `dirent`s (a 24-byte header: d_next u64 @0,
    /// d_ino u64 @8, d_namlen u32 @16, d_type u8 @20; then the name, no NUL) starting at
    /// `cookie` (0 = the start; each d_next resumes after its entry), and writes the bytes
    /// used (u32) at `bufused`. `.` and `..` are included. The buffer is filled completely
    /// when there are more entries, the last one cut short: the caller sees `bufused ==
    /// buf_len` and reads again from the last complete entry's d_next; `bufused < buf_len`
    /// means the end was reached. Reads with getdents64 into a stack buffer (no
    /// allocation); cookies are the kernel's directory offsets.
    ///
    /// Errors: `EBADF`, `ENOTDIR` (not a directory), `ENOTCAPABLE` (`FD_READDIR`, or a
    /// directory that may not be read), `EFAULT`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_readdirfd-fd-buf-pointeru8-buf_len-size-cookie-dircookie---resultsize-errno>
    fn fd_readdir(ctx, mem, fd: u32, buf: u32, buf_len: u32, cookie: u64, bufused: u32) {
        mem.slice(bufused, 4)?;
        mem.slice(buf, buf_len)?;
        let e = ctx.table.get(fd)?;
        let d = dir_of(e)?;
        need(e, rights::FD_READDIR)?;
        if !d.dir_perms.read {
            return Err(Errno::Notcapable);
        }
        let used = readdir(d.as_fd(), cookie, mem.slice_mut(buf, buf_len)?)?;
        mem.write_u32(bufused, used as u32)
    }

    /// `fd_renumber(fd: fd, to: fd) -> Result<(), errno>` — moves `fd` to `to`, closing what
    /// `to` held (`fd` == `to` does nothing).
    ///
    /// Errors: `EBADF` (either not open).
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-fd_renumberfd-fd-to-fd---result-errno>
    fn fd_renumber(ctx, _mem, fd: u32, to: u32) {
        ctx.table.renumber(fd, to)
    }
}

/// `fd_seek` semantics, shared with preview0 (which numbers `whence` differently).
pub(crate) fn seek(e: &FdEntry, offset: i64, whence: u32) -> Result<u64> {
    let pos = match whence {
        0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
        1 => SeekFrom::Current(offset),
        2 => SeekFrom::End(offset),
        _ => return Err(Errno::Inval),
    };
    let right = if offset == 0 && whence == 1 { rights::FD_TELL } else { rights::FD_SEEK };
    need_seek(e, right)?;
    if let Object::Descriptor(d) = &e.object {
        if d.kind == DescriptorKind::Dir {
            return Err(Errno::Badf);
        }
    }
    retry(|| rustix::fs::seek(host_fd(e), pos))
}

/// Bytes a pipe with room takes without blocking (POSIX `PIPE_BUF` on Linux).
const PIPE_BUF: usize = 4096;

/// For emulated `NONBLOCK`: `Ok` if `fd` is ready for `interest` right now (a zero-timeout
/// poll(2)), `EAGAIN` if not. An error or hang-up counts as ready (the read or write that
/// follows reports it).
fn ready_now(fd: BorrowedFd<'_>, interest: rustix::event::PollFlags) -> Result<()> {
    let mut p = [rustix::event::PollFd::from_borrowed_fd(fd, interest)];
    let zero = rustix::event::Timespec { tv_sec: 0, tv_nsec: 0 };
    if retry(|| rustix::event::poll(&mut p, Some(&zero)))? == 0 {
        return Err(Errno::Again);
    }
    Ok(())
}

/// p1 `fdflags` of a host fd: append 1, dsync 2, nonblock 4, rsync 8, sync 16.
pub(crate) fn fdflags(fd: BorrowedFd<'_>) -> Result<u16> {
    use rustix::fs::OFlags;
    let fl = rustix::fs::fcntl_getfl(fd)?;
    let mut f = 0;
    if fl.contains(OFlags::APPEND) {
        f |= 1;
    }
    if fl.contains(OFlags::DSYNC) {
        f |= 2;
    }
    if fl.contains(OFlags::NONBLOCK) {
        f |= 4;
    }
    if fl.contains(OFlags::RSYNC) {
        f |= 8;
    }
    if fl.contains(OFlags::SYNC) {
        f |= 16;
    }
    Ok(f)
}
