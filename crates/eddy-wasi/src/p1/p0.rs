//! `wasi_unstable` (preview0) functions whose ABI differs from preview1: `fd_seek` numbers
//! `whence` differently (cur 0, end 1, set 2); `fd_filestat_get` and `path_filestat_get`
//! write the preview0 `filestat`, whose `nlink` is a u32 (56 bytes: dev u64 @0, ino u64 @8,
//! filetype u8 @16, nlink u32 @20, size u64 @24, atim @32, mtim @40, ctim @48). The work is
//! the preview1 functions'; only the layout differs.

use wasmtime::Linker;

use super::P1View;
use super::{fd, path, MODULE_P0};
use crate::errno::Errno;

pub(crate) fn add<T: P1View>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    // fd_seek(fd, offset: filedelta, whence) -> Result<filesize, errno>, preview0 numbering.
    linker.func_wrap(
        MODULE_P0,
        "fd_seek",
        |mut caller: wasmtime::Caller<'_, T>, fd: u32, offset: i64, whence: u32, newoffset: u32| {
            let (mut mem, ctx) = super::split(&mut caller)?;
            let r = (|| {
                let whence = match whence {
                    0 => 1,
                    1 => 2,
                    2 => 0,
                    _ => return Err(Errno::Inval),
                };
                let pos = fd::seek(ctx.table.get(fd)?, offset, whence)?;
                mem.write_u64(newoffset, pos)
            })();
            Ok(super::code(r))
        },
    )?;
    // fd_filestat_get(fd) -> Result<filestat, errno>, preview0 layout. Errors: as preview1
    // (EBADF, ENOTCAPABLE, EFAULT).
    linker.func_wrap(
        MODULE_P0,
        "fd_filestat_get",
        |mut caller: wasmtime::Caller<'_, T>, fd: u32, buf: u32| {
            let (mut mem, ctx) = super::split(&mut caller)?;
            let r = (|| {
                mem.slice(buf, 56)?;
                let st = fd::filestat(ctx.table.get(fd)?)?;
                st.write_p0(&mut mem, buf)
            })();
            Ok(super::code(r))
        },
    )?;
    // path_filestat_get(fd, flags: lookupflags, path: string) -> Result<filestat, errno>,
    // preview0 layout. Errors: as preview1 (EBADF, ENOTDIR, EINVAL, ENOTCAPABLE, ENOENT,
    // ELOOP, EFAULT, EILSEQ).
    linker.func_wrap(
        MODULE_P0,
        "path_filestat_get",
        |mut caller: wasmtime::Caller<'_, T>,
         fd: u32,
         flags: u32,
         path: u32,
         len: u32,
         buf: u32| {
            let (mut mem, ctx) = super::split(&mut caller)?;
            let r = (|| {
                mem.slice(buf, 56)?;
                let st = path::path_filestat(ctx, &mem, fd, flags, path, len)?;
                st.write_p0(&mut mem, buf)
            })();
            Ok(super::code(r))
        },
    )?;
    Ok(())
}
