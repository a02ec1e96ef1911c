//! wasi:random@0.3 — random, insecure and insecure-seed, on the same sources as the other
//! views: `random` is `getrandom(2)`, `insecure` the instance's wyrand generator,
//! `insecure-seed` its per-instance constant ([`crate::random::Insecure`]). A request for
//! more than [`crate::Limits::max_random_bytes`] traps.

use super::bindings::wasi::random::{insecure, insecure_seed, random};
use crate::ctx::WasiCtx;
use crate::random::fill_secure;

/// The trap for a failed host random source.
fn getrandom_failed(e: crate::Errno) -> wasmtime::Error {
    wasmtime::Error::msg(format!("getrandom: {e}"))
}

impl random::Host for WasiCtx {
    /// `get-random-bytes(max-len)`: `max-len` secure random bytes.
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        let mut b = self.random_buf(len)?;
        fill_secure(&mut b).map_err(getrandom_failed)?;
        Ok(b)
    }

    /// `get-random-u64`: 64 secure random bits.
    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        let mut b = [0u8; 8];
        fill_secure(&mut b).map_err(getrandom_failed)?;
        Ok(u64::from_le_bytes(b))
    }
}

impl insecure::Host for WasiCtx {
    /// `get-insecure-random-bytes(max-len)`: `max-len` fast pseudo-random bytes.
    fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        let mut b = self.random_buf(len)?;
        self.insecure()?.fill(&mut b);
        Ok(b)
    }

    /// `get-insecure-random-u64`: 64 fast pseudo-random bits.
    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        Ok(self.insecure()?.next_u64())
    }
}

impl insecure_seed::Host for WasiCtx {
    /// `get-insecure-seed`: the instance's 128-bit seed, the same on every call.
    fn get_insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        Ok(self.insecure()?.seed)
    }
}
