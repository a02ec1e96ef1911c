//! `wasi_unstable` (preview0) functions whose ABI differs from preview1, registered under
//! [`MODULE_P0`]: `fd_seek` numbers `whence` differently (cur 0, end 1, set 2);
//! `fd_filestat_get` and `path_filestat_get` write the preview0 `filestat`, whose `nlink` is a
//! u32 (56 bytes: dev u64 @0, ino u64 @8, filetype u8 @16, nlink u32 @20, size u64 @24, atim
//! @32, mtim @40, ctim @48); `poll_oneoff` reads the preview0 `subscription` (56 bytes). The
//! work is the preview1 functions'; only the layout differs. Every other preview0 function is
//! the preview1 one under the other module name. Like preview1 calls, these go through the
//! dispatch point, so `--trace` logs them as `wasi_unstable::{name}(...)`.
//!
//! Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview0/docs.md>

use super::{fd, path, poll, wasi_fn, MODULE_P0};
use crate::errno::Errno;

wasi_fn! {
    module = MODULE_P0, register = add;

    /// `fd_seek(fd: fd, offset: filedelta, whence: whence) -> Result<filesize, errno>`
    /// (preview0) — as [`fd::fd_seek`] (lseek(2), the new offset written as a u64 at
    /// `newoffset`), with preview0's `whence` numbering: cur 0, end 1, set 2.
    ///
    /// Errors: `EINVAL` (bad whence, or a negative result), `ESPIPE` (pipe/tty/socket),
    /// `EBADF`, `ENOTCAPABLE` (`FD_SEEK`, or `FD_TELL` for a pure tell), `EFAULT`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview0/docs.md#-fd_seekfd-fd-offset-filedelta-whence-whence---resultfilesize-errno>
    fn fd_seek(ctx, mem, fd: u32, offset: i64, whence: u32, newoffset: u32) {
        let whence = match whence {
            0 => 1,
            1 => 2,
            2 => 0,
            _ => return Err(Errno::Inval),
        };
        let pos = fd::seek(ctx.table.get(fd)?, offset, whence)?;
        mem.write_u64(newoffset, pos)
    }

    /// `fd_filestat_get(fd: fd) -> Result<filestat, errno>` (preview0) — as
    /// [`fd::fd_filestat_get`] (fstat(2)), written as the 56-byte preview0 `filestat` at `buf`
    /// (layout in the module docs).
    ///
    /// Errors: as preview1: `EBADF`, `ENOTCAPABLE` (`FD_FILESTAT_GET`), `EFAULT`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview0/docs.md#-fd_filestat_getfd-fd---resultfilestat-errno>
    fn fd_filestat_get(ctx, mem, fd: u32, buf: u32) {
        mem.slice(buf, 56)?;
        let st = fd::filestat(ctx.table.get(fd)?)?;
        st.write_p0(&mut mem, buf)
    }

    /// `path_filestat_get(fd: fd, flags: lookupflags, path: string) -> Result<filestat, errno>`
    /// (preview0) — as [`path::path_filestat_get`] (stat of `path` beneath `fd`), written as
    /// the 56-byte preview0 `filestat` at `buf`.
    ///
    /// Errors: as preview1: `EBADF`, `ENOTDIR`, `EINVAL`, `ENOTCAPABLE`, `ENOENT`, `ELOOP`,
    /// `EFAULT`, `EILSEQ`.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview0/docs.md#-path_filestat_getfd-fd-flags-lookupflags-path-string---resultfilestat-errno>
    fn path_filestat_get(ctx, mem, fd: u32, flags: u32, path: u32, len: u32, buf: u32) {
        mem.slice(buf, 56)?;
        let st = path::path_filestat(ctx, &mem, fd, flags, path, len)?;
        st.write_p0(&mut mem, buf)
    }

    /// `poll_oneoff(in: ConstPointer<subscription>, out: Pointer<event>, nsubscriptions: size) -> Result<size, errno>`
    /// (preview0) — as [`poll::poll_oneoff`], reading the preview0 `subscription` layout
    /// (56 bytes: userdata u64 @0, tag u8 @8, clock {identifier u64 @16 (ignored), id u32
    /// @24, timeout u64 @32, precision u64 @40, flags u16 @48}; fd_readwrite {fd u32 @16});
    /// events are the same 32-byte `event`s.
    ///
    /// Errors: as preview1, in the result and per subscription.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview0/docs.md#-poll_oneoffin-constpointersubscription-out-pointerevent-nsubscriptions-size---resultsize-errno>
    fn poll_oneoff(ctx, mem, subscriptions: u32, events: u32, nsubscriptions: u32, nevents: u32) {
        poll::poll(ctx, &mut mem, poll::P0, subscriptions, events, nsubscriptions, nevents)
    }
}
