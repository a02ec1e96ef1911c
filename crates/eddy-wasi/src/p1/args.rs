//! `args_get`, `args_sizes_get`, `environ_get`, `environ_sizes_get`.

use wasmtime::Linker;

use super::P1View;
use super::{wasi_fn, GuestMemory};
use crate::errno::Result;

/// Writes a list of NUL-terminated strings the way `args_get`/`environ_get` do: `ptrs[i]`
/// (u32 each) points at string `i`, strings packed from `buf`.
fn write_list(mem: &mut GuestMemory<'_>, list: &[Vec<u8>], ptrs: u32, buf: u32) -> Result<()> {
    let (mut p, mut b) = (ptrs, buf);
    for s in list {
        mem.write_u32(p, b)?;
        mem.write_bytes(b, s)?;
        p = p.wrapping_add(4);
        b = b.wrapping_add(s.len() as u32);
    }
    Ok(())
}

/// Writes (count, total bytes including NULs) of a list.
fn write_sizes(mem: &mut GuestMemory<'_>, list: &[Vec<u8>], count: u32, size: u32) -> Result<()> {
    mem.write_u32(count, list.len() as u32)?;
    mem.write_u32(size, list.iter().map(|s| s.len() as u32).sum())
}

pub(crate) fn add<T: P1View>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    // args_get(argv: Pointer<Pointer<u8>>, argv_buf: Pointer<u8>) -> Result<(), errno>
    // Writes argv pointers and the NUL-terminated arguments. Errors: EFAULT.
    wasi_fn!(linker, "args_get", |ctx, mem, argv: u32, argv_buf: u32| {
        write_list(&mut mem, &ctx.args, argv, argv_buf)
    });
    // args_sizes_get() -> Result<(size, size), errno>: (argc, bytes of all args with NULs).
    wasi_fn!(linker, "args_sizes_get", |ctx, mem, argc: u32, argv_buf_size: u32| {
        write_sizes(&mut mem, &ctx.args, argc, argv_buf_size)
    });
    // environ_get(environ: Pointer<Pointer<u8>>, environ_buf: Pointer<u8>): `NAME=VALUE\0`.
    wasi_fn!(linker, "environ_get", |ctx, mem, environ: u32, environ_buf: u32| {
        write_list(&mut mem, &ctx.env, environ, environ_buf)
    });
    // environ_sizes_get() -> Result<(size, size), errno>.
    wasi_fn!(linker, "environ_sizes_get", |ctx, mem, count: u32, buf_size: u32| {
        write_sizes(&mut mem, &ctx.env, count, buf_size)
    });
    Ok(())
}
