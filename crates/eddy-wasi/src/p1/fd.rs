//! `fd_*`: reads, writes, seeks and metadata on open fds.
//!
//! Regular files are always ready: every operation is one direct syscall on the calling
//! thread, reading into / writing from guest memory with no intermediate buffer.

use std::io::IoSlice;

use rustix::fs::SeekFrom;
use std::os::fd::{AsFd, BorrowedFd};

use wasmtime::Linker;

use super::{rights, wasi_fn, GuestMemory};
use crate::ctx::WasiView;
use crate::errno::{Errno, Result};
use crate::filesystem::DescriptorKind;
use crate::table::{FdEntry, Object};

/// Most iovecs gathered into one `writev`; more are a short write, which the spec allows.
const MAX_IOVS: usize = 16;

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

/// The fd, checked to be open for reading: `EBADF` for a directory or a file opened
/// write-only, `ENOTCAPABLE` if `FD_READ` was dropped.
#[inline]
fn readable(e: &FdEntry) -> Result<BorrowedFd<'_>> {
    match &e.object {
        Object::Descriptor(d) if d.kind == DescriptorKind::Dir => return Err(Errno::Isdir),
        Object::Descriptor(d) if !d.file_perms.read => return Err(Errno::Badf),
        _ => {}
    }
    need(e, rights::FD_READ)?;
    Ok(host_fd(e))
}

/// The fd, checked to be open for writing: `EBADF` for a directory or a read-only file,
/// `ENOTCAPABLE` if `FD_WRITE` was dropped.
#[inline]
fn writable(e: &FdEntry) -> Result<BorrowedFd<'_>> {
    match &e.object {
        Object::Descriptor(d) if d.kind == DescriptorKind::Dir || !d.file_perms.write => {
            return Err(Errno::Badf)
        }
        _ => {}
    }
    need(e, rights::FD_WRITE)?;
    Ok(host_fd(e))
}

/// Retries a syscall interrupted by a signal.
#[inline]
pub(crate) fn retry<R>(mut f: impl FnMut() -> rustix::io::Result<R>) -> Result<R> {
    loop {
        match f() {
            Err(rustix::io::Errno::INTR) => continue,
            r => return r.map_err(Errno::from),
        }
    }
}

/// Gathers up to [`MAX_IOVS`] non-empty ciovecs into `out`; returns how many.
#[inline]
fn gather<'m>(
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

/// The first non-empty iovec (reads fill one buffer per call: a short read the spec allows,
/// and no aliasing of guest memory). `None` if every iovec is empty.
#[inline]
fn first_iovec(mem: &GuestMemory<'_>, iovs: u32, iovs_len: u32) -> Result<Option<(u32, u32)>> {
    for i in 0..iovs_len {
        let (buf, len) = mem.iovec(iovs, i)?;
        if len != 0 {
            return Ok(Some((buf, len)));
        }
    }
    Ok(None)
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
    use rustix::fs::FileType as F;
    match F::from_raw_mode(mode) {
        F::BlockDevice => 1,
        F::CharacterDevice => 2,
        F::Directory => 3,
        F::RegularFile => 4,
        F::Socket => 6,
        F::Symlink => 7,
        _ => 0,
    }
}

pub(crate) fn add<T: WasiView>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    // fd_write(fd, iovs: ciovec_array) -> Result<size, errno>: writev(2) from guest memory.
    // Errors: EBADF (not open, or not open for writing), ENOTCAPABLE (FD_WRITE dropped),
    // EFAULT (iovec out of bounds), EPIPE, ENOSPC, … as the OS reports.
    wasi_fn!(linker, "fd_write", |ctx, mem, fd: u32, iovs: u32, iovs_len: u32, nwritten: u32| {
        let e = ctx.table.get(fd)?;
        let hfd = writable(e)?;
        let mut bufs = [IoSlice::new(&[]); MAX_IOVS];
        let n = gather(&mem, iovs, iovs_len, &mut bufs)?;
        let written = if n == 0 { 0 } else { retry(|| rustix::io::writev(hfd, &bufs[..n]))? };
        mem.write_u32(nwritten, written as u32)
    });
    // fd_pwrite(fd, iovs, offset: filesize) -> Result<size, errno>: pwritev(2).
    // Errors: as fd_write, plus ESPIPE on a pipe/tty, ENOTCAPABLE without FD_SEEK.
    wasi_fn!(linker, "fd_pwrite", |ctx, mem, fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32| {
        let e = ctx.table.get(fd)?;
        let hfd = writable(e)?;
        need(e, rights::FD_SEEK)?;
        let mut bufs = [IoSlice::new(&[]); MAX_IOVS];
        let n = gather(&mem, iovs, iovs_len, &mut bufs)?;
        let written = if n == 0 { 0 } else { retry(|| rustix::io::pwritev(hfd, &bufs[..n], offset))? };
        mem.write_u32(nwritten, written as u32)
    });
    // fd_read(fd, iovs: iovec_array) -> Result<size, errno>: read(2) into the first non-empty
    // iovec; 0 at end of file. Errors: EBADF, EISDIR (a directory), ENOTCAPABLE, EFAULT.
    wasi_fn!(linker, "fd_read", |ctx, mem, fd: u32, iovs: u32, iovs_len: u32, nread: u32| {
        let e = ctx.table.get(fd)?;
        let hfd = readable(e)?;
        let n = match first_iovec(&mem, iovs, iovs_len)? {
            Some((buf, len)) => {
                let dst = mem.slice_mut(buf, len)?;
                retry(|| rustix::io::read(hfd, &mut *dst))?
            }
            None => 0,
        };
        mem.write_u32(nread, n as u32)
    });
    // fd_pread(fd, iovs, offset: filesize) -> Result<size, errno>: pread(2) into the first
    // non-empty iovec. Errors: as fd_read, plus ESPIPE, ENOTCAPABLE without FD_SEEK.
    wasi_fn!(linker, "fd_pread", |ctx, mem, fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32| {
        let e = ctx.table.get(fd)?;
        let hfd = readable(e)?;
        need(e, rights::FD_SEEK)?;
        let n = match first_iovec(&mem, iovs, iovs_len)? {
            Some((buf, len)) => {
                let dst = mem.slice_mut(buf, len)?;
                retry(|| rustix::io::pread(hfd, &mut *dst, offset))?
            }
            None => 0,
        };
        mem.write_u32(nread, n as u32)
    });
    // fd_seek(fd, offset: filedelta, whence) -> Result<filesize, errno>: lseek(2).
    // whence: set 0, cur 1, end 2. Errors: EINVAL (bad whence, or a negative result),
    // ESPIPE (pipe/tty/socket), EBADF, ENOTCAPABLE (FD_SEEK, or FD_TELL for a pure tell).
    wasi_fn!(linker, "fd_seek", |ctx, mem, fd: u32, offset: i64, whence: u32, newoffset: u32| {
        let pos = seek(ctx.table.get(fd)?, offset, whence)?;
        mem.write_u64(newoffset, pos)
    });
    // fd_tell(fd) -> Result<filesize, errno>: the current offset.
    // Errors: EBADF, ESPIPE, ENOTCAPABLE (FD_TELL).
    wasi_fn!(linker, "fd_tell", |ctx, mem, fd: u32, offset: u32| {
        let e = ctx.table.get(fd)?;
        need(e, rights::FD_TELL)?;
        let pos = retry(|| rustix::fs::tell(host_fd(e)))?;
        mem.write_u64(offset, pos)
    });
    // fd_close(fd) -> Result<(), errno>: closes the fd (preopens too). Errors: EBADF.
    wasi_fn!(linker, "fd_close", |ctx, _mem, fd: u32| {
        ctx.table.remove(fd).map(drop)
    });
    // fd_fdstat_get(fd) -> Result<fdstat, errno>: writes `fdstat` (24 bytes): fs_filetype u8
    // @0, fs_flags u16 @2, fs_rights_base u64 @8, fs_rights_inheriting u64 @16.
    // Errors: EBADF, EFAULT.
    wasi_fn!(linker, "fd_fdstat_get", |ctx, mem, fd: u32, stat: u32| {
        let e = ctx.table.get(fd)?;
        let hfd = host_fd(e);
        let filetype = match &e.object {
            Object::Descriptor(d) if d.kind == DescriptorKind::Dir => 3,
            Object::Socket(_) => 6,
            _ => filetype(hfd)?,
        };
        let flags = fdflags(hfd)?;
        let out = mem.slice_mut(stat, 24)?;
        out.fill(0);
        out[0] = filetype;
        out[2..4].copy_from_slice(&flags.to_le_bytes());
        out[8..16].copy_from_slice(&e.rights_base.to_le_bytes());
        out[16..24].copy_from_slice(&e.rights_inheriting.to_le_bytes());
        Ok(())
    });
    // fd_prestat_get(fd) -> Result<prestat, errno>: for a preopened directory writes
    // `prestat` (8 bytes): tag u8 @0 (0 = dir), pr_name_len u32 @4.
    // Errors: EBADF if `fd` is not open or not a preopen (wasi-libc stops its scan there).
    wasi_fn!(linker, "fd_prestat_get", |ctx, mem, fd: u32, prestat: u32| {
        let name = ctx.table.get(fd)?.preopen.as_ref().ok_or(Errno::Badf)?;
        let len = name.len() as u32;
        mem.write_u32(prestat, 0)?;
        mem.write_u32(prestat + 4, len)
    });
    // fd_prestat_dir_name(fd, path: Pointer<u8>, path_len: size) -> Result<(), errno>:
    // writes the preopen's guest path (no NUL). Errors: EBADF (not a preopen),
    // ENAMETOOLONG (`path_len` smaller than the name), EFAULT.
    wasi_fn!(linker, "fd_prestat_dir_name", |ctx, mem, fd: u32, path: u32, path_len: u32| {
        let name = ctx.table.get(fd)?.preopen.as_ref().ok_or(Errno::Badf)?;
        if (path_len as usize) < name.len() {
            return Err(Errno::Nametoolong);
        }
        mem.write_bytes(path, name.as_bytes())
    });
    Ok(())
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
    need(e, right)?;
    if let Object::Descriptor(d) = &e.object {
        if d.kind == DescriptorKind::Dir {
            return Err(Errno::Badf);
        }
    }
    retry(|| rustix::fs::seek(host_fd(e), pos))
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
