//! `path_*`: operations on paths beneath a directory fd.
//!
//! Every path is borrowed from guest memory and resolved by the sandbox
//! ([`crate::filesystem::resolve`]): opens through `openat2(RESOLVE_BENEATH)`, everything else
//! as an `*at` call on the final component in its parent, opened beneath the directory.
//! Permissions are checked before any syscall: the directory's p1 rights (`ENOTCAPABLE` when
//! missing), its [`DirPerms`](crate::DirPerms) for anything that changes an entry (`mutate`,
//! on both sides of a rename or link) and its [`FilePerms`] for opening files for writing,
//! creating or truncating them.
//!
//! Check order: both fds exist (`EBADF`), are directories (`ENOTDIR`), flags are known
//! (`EINVAL`), rights and permissions (`ENOTCAPABLE`), guest pointers (`EFAULT`, `EILSEQ`),
//! then the resolution and the syscall.

use std::mem::MaybeUninit;

use rustix::fs::OFlags;

use super::fd::{need, Filestat};
use super::table::{FdEntry, Object};
use super::P1Ctx;
use super::{rights, wasi_fn, GuestMemory, MODULE};
use crate::errno::{Errno, Result};
use crate::filesystem::resolve;
use crate::filesystem::{Descriptor, DescriptorKind, FilePerms};

/// lookupflags: follow a final symlink.
const SYMLINK_FOLLOW: u32 = 1;
/// oflags bits.
const O_CREAT: u32 = 1;
const O_DIRECTORY: u32 = 2;
const O_EXCL: u32 = 4;
const O_TRUNC: u32 = 8;
/// fdflags bits.
const FD_APPEND: u32 = 1;
const FD_DSYNC: u32 = 2;
const FD_NONBLOCK: u32 = 4;
const FD_RSYNC: u32 = 8;
const FD_SYNC: u32 = 16;

/// The directory behind `e`, checked to hold `right`: `ENOTDIR` if `e` is not a directory,
/// `ENOTCAPABLE` if the right is missing or the directory may not be read.
#[inline]
fn dir(e: &FdEntry, right: u64) -> Result<&Descriptor> {
    let d = match &e.object {
        Object::Descriptor(d) if d.kind == DescriptorKind::Dir => d,
        _ => return Err(Errno::Notdir),
    };
    need(e, right)?;
    if !d.dir_perms.read {
        return Err(Errno::Notcapable);
    }
    Ok(d)
}

/// As [`dir`], for operations that change the directory's entries: `ENOTCAPABLE` unless its
/// permissions include `mutate`.
#[inline]
fn dir_mut(e: &FdEntry, right: u64) -> Result<&Descriptor> {
    let d = dir(e, right)?;
    if !d.dir_perms.mutate {
        return Err(Errno::Notcapable);
    }
    Ok(d)
}

/// Checks lookupflags: `SYMLINK_FOLLOW` or nothing. Returns whether to follow.
#[inline]
fn lookupflags(flags: u32) -> Result<bool> {
    if flags & !SYMLINK_FOLLOW != 0 {
        return Err(Errno::Inval);
    }
    Ok(flags & SYMLINK_FOLLOW != 0)
}

/// `path_filestat_get` semantics, shared with preview0 (which writes another layout).
/// Errors: `EBADF`, `ENOTDIR`, `EINVAL` (flags), `ENOTCAPABLE` (`PATH_FILESTAT_GET`, or an
/// escape), `EFAULT`, `EILSEQ`, and the host's (`ENOENT`, `ELOOP`, `ENOTDIR`, …).
pub(crate) fn path_filestat(
    ctx: &P1Ctx,
    mem: &GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
) -> Result<Filestat> {
    let e = ctx.table.get(fd)?;
    let d = dir(e, rights::PATH_FILESTAT_GET)?;
    let follow = lookupflags(flags)?;
    let path = mem.str(path, path_len)?;
    let st = d.stat_at(follow, path)?;
    Ok(Filestat::of(&st))
}

/// The flags of a `path_open`, checked and translated.
struct OpenRequest {
    flags: OFlags,
    read: bool,
    write: bool,
    directory: bool,
}

/// Translates `path_open`'s flags and checks them against the directory `e`/`d`.
fn open_request(
    e: &FdEntry,
    d: &Descriptor,
    dirflags: u32,
    oflags: u32,
    rights_base: u64,
    fdflags: u32,
) -> Result<OpenRequest> {
    let follow = lookupflags(dirflags)?;
    if oflags & !0xf != 0 || fdflags & !0x1f != 0 {
        return Err(Errno::Inval);
    }
    let creat = oflags & O_CREAT != 0;
    let trunc = oflags & O_TRUNC != 0;
    let read = rights_base & rights::FD_READ != 0;
    let write = rights_base & rights::FD_WRITE != 0 || trunc || fdflags & FD_APPEND != 0;
    if creat {
        need(e, rights::PATH_CREATE_FILE)?;
        if !d.dir_perms.mutate {
            return Err(Errno::Notcapable);
        }
    }
    if trunc {
        need(e, rights::PATH_FILESTAT_SET_SIZE)?;
    }
    if (write || creat) && !d.file_perms.write || read && !d.file_perms.read {
        return Err(Errno::Notcapable);
    }
    let mut flags = OFlags::NOCTTY;
    flags |= match (read, write) {
        (_, false) => OFlags::RDONLY,
        (false, true) => OFlags::WRONLY,
        (true, true) => OFlags::RDWR,
    };
    for (bit, f) in [
        (O_CREAT, OFlags::CREATE),
        (O_DIRECTORY, OFlags::DIRECTORY),
        (O_EXCL, OFlags::EXCL),
        (O_TRUNC, OFlags::TRUNC),
    ] {
        if oflags & bit != 0 {
            flags |= f;
        }
    }
    for (bit, f) in [
        (FD_APPEND, OFlags::APPEND),
        (FD_DSYNC, OFlags::DSYNC),
        (FD_NONBLOCK, OFlags::NONBLOCK),
        (FD_RSYNC, OFlags::RSYNC),
        (FD_SYNC, OFlags::SYNC),
    ] {
        if fdflags & bit != 0 {
            flags |= f;
        }
    }
    if !follow {
        flags |= OFlags::NOFOLLOW;
    }
    Ok(OpenRequest { flags, read, write, directory: oflags & O_DIRECTORY != 0 })
}

wasi_fn! {
    module = MODULE, register = add;

    /// `path_open(fd: fd, dirflags: lookupflags, path: string, oflags: oflags, fs_rights_base: rights, fs_rights_inheriting: rights, fdflags: fdflags) -> Result<fd, errno>`
    /// — opens `path` (`path_len` bytes of UTF-8) beneath the directory `fd` and writes the
    /// new fd (u32) at `opened_fd`. oflags: `CREAT` 1, `DIRECTORY` 2, `EXCL` 4, `TRUNC` 8;
    /// dirflags: `SYMLINK_FOLLOW` 1 (else a final symlink is `ELOOP`); fdflags: `APPEND` 1,
    /// `DSYNC` 2, `NONBLOCK` 4, `RSYNC` 8, `SYNC` 16. The host file is opened for reading
    /// unless only `FD_WRITE` is asked, for writing if `FD_WRITE`, `TRUNC` or `APPEND` is.
    /// The new fd's rights are those asked for, within the directory's inheriting rights and
    /// what the object can do; its permissions are the directory's, narrowed to the access
    /// asked for.
    ///
    /// Errors: `EBADF`, `ENOTDIR` (`fd` not a directory, `DIRECTORY` on a non-directory, a
    /// trailing slash on a file), `EINVAL` (unknown flag bits), `ENOTCAPABLE` (`PATH_OPEN`;
    /// `CREAT` without `PATH_CREATE_FILE` or in a read-only directory; `TRUNC` without
    /// `PATH_FILESTAT_SET_SIZE`; writing, creating or truncating under read-only file
    /// permissions; an escape from the directory), `ELOOP` (symlink loop, or a final symlink
    /// without `SYMLINK_FOLLOW`), `EEXIST` (`CREAT|EXCL`), `EISDIR` (a directory for
    /// writing), `ENOENT`, `EMFILE`, `EFAULT`, `EILSEQ`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-path_openfd-fd-dirflags-lookupflags-path-string-oflags-oflags-fs_rights_base-rights-fs_rights_inheriting-rights-fdflags-fdflags---resultfd-errno>
    fn path_open(
        ctx,
        mem,
        fd: u32,
        dirflags: u32,
        path: u32,
        path_len: u32,
        oflags: u32,
        fs_rights_base: u64,
        fs_rights_inheriting: u64,
        fdflags: u32,
        opened_fd: u32,
    ) {
        mem.slice(opened_fd, 4)?;
        let e = ctx.table.get(fd)?;
        let d = dir(e, rights::PATH_OPEN)?;
        let req = open_request(e, d, dirflags, oflags, fs_rights_base, fdflags)?;
        let path = mem.str(path, path_len)?;
        let deadline = ctx.deadline;
        let object = d.open_at(path, req.flags, req.read, req.write, req.directory, deadline)?;
        let inh = e.rights_inheriting;
        let (base, inheriting) = if object.kind == DescriptorKind::Dir {
            rights::for_dir(object.dir_perms, object.file_perms)
        } else {
            // Metadata rights whatever the access; FD_READ only if opened for reading.
            let fp = object.file_perms;
            let mut b = rights::for_file(FilePerms { read: true, write: fp.write });
            if !fp.read {
                b &= !rights::FD_READ;
            }
            (b, inh)
        };
        let new_fd = ctx.table.insert(FdEntry {
            object: Object::Descriptor(std::sync::Arc::new(object)),
            rights_base: fs_rights_base & inh & base,
            rights_inheriting: fs_rights_inheriting & inh & inheriting,
            preopen: None,
            nonblock: false,
        })?;
        mem.write_u32(opened_fd, new_fd)
    }

    /// `path_create_directory(fd: fd, path: string) -> Result<(), errno>` — mkdirat(2) of
    /// `path` beneath `fd`, mode 0777 (less the host umask).
    ///
    /// Errors: `EBADF`, `ENOTDIR`, `ENOTCAPABLE` (`PATH_CREATE_DIRECTORY`, a read-only
    /// directory, an escape), `EEXIST`, `ENOENT` (missing parent, empty path), `EFAULT`,
    /// `EILSEQ`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-path_create_directoryfd-fd-path-string---result-errno>
    fn path_create_directory(ctx, mem, fd: u32, path: u32, path_len: u32) {
        let d = dir_mut(ctx.table.get(fd)?, rights::PATH_CREATE_DIRECTORY)?;
        let path = mem.str(path, path_len)?;
        d.create_directory_at(path)
    }

    /// `path_filestat_get(fd: fd, flags: lookupflags, path: string) -> Result<filestat, errno>`
    /// — stat of `path` beneath `fd` (following a final symlink with `SYMLINK_FOLLOW` 1),
    /// written as the 64-byte `filestat` at `buf` (layout as
    /// [`fd_filestat_get`](super::fd::fd_filestat_get):
    /// dev u64 @0, ino u64 @8, filetype u8 @16, nlink u64 @24, size u64 @32, atim @40,
    /// mtim @48, ctim @56).
    ///
    /// Errors: `EBADF`, `ENOTDIR`, `EINVAL` (flags), `ENOTCAPABLE` (`PATH_FILESTAT_GET`, an
    /// escape), `ENOENT`, `ELOOP`, `EFAULT`, `EILSEQ`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-path_filestat_getfd-fd-flags-lookupflags-path-string---resultfilestat-errno>
    fn path_filestat_get(ctx, mem, fd: u32, flags: u32, path: u32, path_len: u32, buf: u32) {
        mem.slice(buf, 64)?;
        let st = path_filestat(ctx, &mem, fd, flags, path, path_len)?;
        st.write_p1(&mut mem, buf)
    }

    /// `path_filestat_set_times(fd: fd, flags: lookupflags, path: string, atim: timestamp, mtim: timestamp, fst_flags: fstflags) -> Result<(), errno>`
    /// — utimensat(2): times in ns since the epoch, fstflags as
    /// [`fd_filestat_set_times`](super::fd::fd_filestat_set_times). A final symlink is
    /// followed (beneath `fd`) with `SYMLINK_FOLLOW`, else its own times are set.
    ///
    /// Errors: `EBADF`, `ENOTDIR`, `EINVAL` (unknown bits; a value and `_NOW` for one
    /// field), `ENOTCAPABLE` (`PATH_FILESTAT_SET_TIMES`, a read-only directory, an escape),
    /// `ENOENT`, `ELOOP`, `EFAULT`, `EILSEQ`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-path_filestat_set_timesfd-fd-flags-lookupflags-path-string-atim-timestamp-mtim-timestamp-fst_flags-fstflags---result-errno>
    fn path_filestat_set_times(
        ctx,
        mem,
        fd: u32,
        flags: u32,
        path: u32,
        path_len: u32,
        atim: u64,
        mtim: u64,
        fst_flags: u32,
    ) {
        let d = dir_mut(ctx.table.get(fd)?, rights::PATH_FILESTAT_SET_TIMES)?;
        let follow = lookupflags(flags)?;
        let ts = super::fd::timestamps(atim, mtim, fst_flags)?;
        let path = mem.str(path, path_len)?;
        d.set_times_at(follow, path, &ts)
    }

    /// `path_link(old_fd: fd, old_flags: lookupflags, old_path: string, new_fd: fd, new_path: string) -> Result<(), errno>`
    /// — linkat(2): a hard link at `new_path` (beneath `new_fd`) to `old_path` (beneath
    /// `old_fd`; to the target of a final symlink with `SYMLINK_FOLLOW`, resolved beneath
    /// `old_fd`).
    ///
    /// Errors: `EBADF` (either fd), `ENOTDIR`, `EINVAL` (flags), `ENOTCAPABLE`
    /// (`PATH_LINK_SOURCE` on `old_fd`, `PATH_LINK_TARGET` on `new_fd`, either read-only, an
    /// escape on either side), `EEXIST`, `ENOENT`, `EPERM` (a directory), `EXDEV`, `EFAULT`,
    /// `EILSEQ`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-path_linkold_fd-fd-old_flags-lookupflags-old_path-string-new_fd-fd-new_path-string---result-errno>
    fn path_link(
        ctx,
        mem,
        old_fd: u32,
        old_flags: u32,
        old_path: u32,
        old_len: u32,
        new_fd: u32,
        new_path: u32,
        new_len: u32,
    ) {
        let (oe, ne) = (ctx.table.get(old_fd)?, ctx.table.get(new_fd)?);
        let od = dir_mut(oe, rights::PATH_LINK_SOURCE)?;
        let nd = dir_mut(ne, rights::PATH_LINK_TARGET)?;
        let follow = lookupflags(old_flags)?;
        let old = mem.str(old_path, old_len)?;
        let new = mem.str(new_path, new_len)?;
        od.link_at(follow, old, nd, new)
    }

    /// `path_readlink(fd: fd, path: string, buf: Pointer<u8>, buf_len: size) -> Result<size, errno>`
    /// — readlinkat(2) into the `buf_len` bytes at `buf`, cut short at `buf_len` (no NUL);
    /// writes the bytes placed (u32) at `bufused`. The link's text is returned whatever it
    /// points at.
    ///
    /// Errors: `EBADF`, `ENOTDIR`, `ENOTCAPABLE` (`PATH_READLINK`, an escape in the
    /// directories leading to it), `EINVAL` (not a symlink), `ENOENT`, `EFAULT`, `EILSEQ`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-path_readlinkfd-fd-path-string-buf-pointeru8-buf_len-size---resultsize-errno>
    fn path_readlink(
        ctx,
        mem,
        fd: u32,
        path: u32,
        path_len: u32,
        buf: u32,
        buf_len: u32,
        bufused: u32,
    ) {
        mem.slice(buf, buf_len)?;
        mem.slice(bufused, 4)?;
        let d = dir(ctx.table.get(fd)?, rights::PATH_READLINK)?;
        let path = mem.str(path, path_len)?;
        let mut tmp = [MaybeUninit::<u8>::uninit(); resolve::MAX_PATH];
        let target = d.readlink_at(path, &mut tmp)?;
        let n = target.len().min(buf_len as usize);
        let target: &[u8] = &target[..n];
        mem.slice_mut(buf, n as u32)?.copy_from_slice(target);
        mem.write_u32(bufused, n as u32)
    }

    /// `path_remove_directory(fd: fd, path: string) -> Result<(), errno>` — unlinkat(2) with
    /// `AT_REMOVEDIR` of `path` beneath `fd`.
    ///
    /// Errors: `EBADF`, `ENOTDIR` (not a directory, including a symlink to one),
    /// `ENOTCAPABLE` (`PATH_REMOVE_DIRECTORY`, a read-only directory, an escape),
    /// `ENOTEMPTY`, `EINVAL` (`.`), `ENOENT`, `EFAULT`, `EILSEQ`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-path_remove_directoryfd-fd-path-string---result-errno>
    fn path_remove_directory(ctx, mem, fd: u32, path: u32, path_len: u32) {
        let d = dir_mut(ctx.table.get(fd)?, rights::PATH_REMOVE_DIRECTORY)?;
        let path = mem.str(path, path_len)?;
        d.remove_directory_at(path)
    }

    /// `path_rename(fd: fd, old_path: string, new_fd: fd, new_path: string) -> Result<(), errno>`
    /// — renameat(2) of `old_path` beneath `fd` to `new_path` beneath `new_fd`.
    ///
    /// Errors: `EBADF` (either fd), `ENOTDIR`, `ENOTCAPABLE` (`PATH_RENAME_SOURCE` on `fd`,
    /// `PATH_RENAME_TARGET` on `new_fd`, either read-only, an escape on either side),
    /// `ENOENT`, `EISDIR`, `ENOTEMPTY`, `EINVAL` (a directory into itself), `EXDEV`, `EFAULT`,
    /// `EILSEQ`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-path_renamefd-fd-old_path-string-new_fd-fd-new_path-string---result-errno>
    fn path_rename(
        ctx,
        mem,
        fd: u32,
        old_path: u32,
        old_len: u32,
        new_fd: u32,
        new_path: u32,
        new_len: u32,
    ) {
        let (oe, ne) = (ctx.table.get(fd)?, ctx.table.get(new_fd)?);
        let od = dir_mut(oe, rights::PATH_RENAME_SOURCE)?;
        let nd = dir_mut(ne, rights::PATH_RENAME_TARGET)?;
        let old = mem.str(old_path, old_len)?;
        let new = mem.str(new_path, new_len)?;
        od.rename_at(old, nd, new)
    }

    /// `path_symlink(old_path: string, fd: fd, new_path: string) -> Result<(), errno>` —
    /// symlinkat(2): a symlink at `new_path` (beneath `fd`) whose text is `old_path`. A
    /// relative text is stored as given, even one climbing out of the directory (the sandbox
    /// refuses to follow it).
    ///
    /// Errors: `EPERM` (`old_path` is absolute), `EBADF`, `ENOTDIR`, `ENOTCAPABLE`
    /// (`PATH_SYMLINK`, a read-only directory, an escape in `new_path`), `EEXIST`, `ENOENT`,
    /// `EFAULT`, `EILSEQ`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-path_symlinkold_path-string-fd-fd-new_path-string---result-errno>
    fn path_symlink(ctx, mem, old_path: u32, old_len: u32, fd: u32, new_path: u32, new_len: u32) {
        let d = dir_mut(ctx.table.get(fd)?, rights::PATH_SYMLINK)?;
        let target = mem.str(old_path, old_len)?;
        let new = mem.str(new_path, new_len)?;
        d.symlink_at(target, new)
    }

    /// `path_unlink_file(fd: fd, path: string) -> Result<(), errno>` — unlinkat(2) of `path`
    /// beneath `fd` (a symlink itself, never its target).
    ///
    /// Errors: `EBADF`, `ENOTDIR`, `ENOTCAPABLE` (`PATH_UNLINK_FILE`, a read-only directory,
    /// an escape), `EISDIR`, `ENOENT`, `EFAULT`, `EILSEQ`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-path_unlink_filefd-fd-path-string---result-errno>
    fn path_unlink_file(ctx, mem, fd: u32, path: u32, path_len: u32) {
        let d = dir_mut(ctx.table.get(fd)?, rights::PATH_UNLINK_FILE)?;
        let path = mem.str(path, path_len)?;
        d.unlink_file_at(path)
    }
}
