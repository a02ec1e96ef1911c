//! `random_get`.

use super::{wasi_fn, MODULE};

wasi_fn! {
    module = MODULE, register = add;

    /// `random_get(buf: Pointer<u8>, buf_len: size) -> Result<(), errno>` — fills the
    /// `buf_len` bytes at `buf` with secure random bytes straight from getrandom(2) (no host
    /// buffer), or from the seeded stream of a deterministic run
    /// ([`crate::random::RandomSource`]).
    ///
    /// Errors: `EFAULT` if the buffer is out of bounds.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-random_getbuf-pointeru8-buf_len-size---result-errno>
    fn random_get(ctx, mem, buf: u32, buf_len: u32) {
        ctx.fill_random(mem.slice_mut(buf, buf_len)?)
    }
}
