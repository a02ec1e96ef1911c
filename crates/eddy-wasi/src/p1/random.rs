//! `random_get`.

use wasmtime::Linker;

use super::wasi_fn;
use super::P1View;

pub(crate) fn add<T: P1View>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    // random_get(buf: Pointer<u8>, buf_len: size) -> Result<(), errno>: fills the buffer with
    // secure random bytes straight from getrandom(2) (no host buffer).
    // Errors: EFAULT if the buffer is out of bounds.
    wasi_fn!(linker, "random_get", |_ctx, mem, buf: u32, buf_len: u32| {
        crate::random::fill_secure(mem.slice_mut(buf, buf_len)?)
    });
    Ok(())
}
