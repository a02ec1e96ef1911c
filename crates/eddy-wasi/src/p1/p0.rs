//! `wasi_unstable` (preview0) functions whose ABI differs from preview1: `fd_seek` numbers
//! `whence` differently (cur 0, end 1, set 2).

use wasmtime::Linker;

use super::{fd, MODULE_P0};
use crate::ctx::WasiView;
use crate::errno::Errno;

pub(crate) fn add<T: WasiView>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
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
    Ok(())
}
