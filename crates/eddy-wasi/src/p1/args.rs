//! `args_get`, `args_sizes_get`, `environ_get`, `environ_sizes_get`.

use super::{wasi_fn, GuestMemory, MODULE};
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

wasi_fn! {
    module = MODULE, register = add;

    /// `args_get(argv: Pointer<Pointer<u8>>, argv_buf: Pointer<u8>) -> Result<(), errno>` —
    /// writes the program's arguments: `argv[i]` (a u32 pointer, 4 bytes each) points at
    /// argument `i`, and the NUL-terminated arguments are packed one after another from
    /// `argv_buf`. The guest sizes both arrays with [`args_sizes_get`].
    ///
    /// Errors: `EFAULT` if either array is out of bounds.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-args_getargv-pointerpointeru8-argv_buf-pointeru8---result-errno>
    fn args_get(ctx, mem, argv: u32, argv_buf: u32) {
        write_list(&mut mem, &ctx.args, argv, argv_buf)
    }

    /// `args_sizes_get() -> Result<(size, size), errno>` — writes the number of arguments
    /// (u32 at `argc`) and the bytes of all arguments with their NULs (u32 at
    /// `argv_buf_size`).
    ///
    /// Errors: `EFAULT` if either result pointer is out of bounds.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-args_sizes_get---resultsize-size-errno>
    fn args_sizes_get(ctx, mem, argc: u32, argv_buf_size: u32) {
        write_sizes(&mut mem, &ctx.args, argc, argv_buf_size)
    }

    /// `environ_get(environ: Pointer<Pointer<u8>>, environ_buf: Pointer<u8>) -> Result<(), errno>`
    /// — writes the environment as `args_get` writes arguments: `environ[i]` (u32) points at
    /// variable `i`, a NUL-terminated `NAME=VALUE`, packed from `environ_buf`. The guest
    /// sizes both arrays with [`environ_sizes_get`].
    ///
    /// Errors: `EFAULT` if either array is out of bounds.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-environ_getenviron-pointerpointeru8-environ_buf-pointeru8---result-errno>
    fn environ_get(ctx, mem, environ: u32, environ_buf: u32) {
        write_list(&mut mem, &ctx.env, environ, environ_buf)
    }

    /// `environ_sizes_get() -> Result<(size, size), errno>` — writes the number of
    /// environment variables (u32 at `count`) and the bytes of all `NAME=VALUE` strings with
    /// their NULs (u32 at `buf_size`).
    ///
    /// Errors: `EFAULT` if either result pointer is out of bounds.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-environ_sizes_get---resultsize-size-errno>
    fn environ_sizes_get(ctx, mem, count: u32, buf_size: u32) {
        write_sizes(&mut mem, &ctx.env, count, buf_size)
    }
}
