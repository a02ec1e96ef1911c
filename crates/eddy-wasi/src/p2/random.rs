//! wasi:random — random, insecure and insecure-seed for components.
//!
//! `random` is the host's `getrandom(2)` (the same source as preview1's `random_get`);
//! `insecure` is a per-instance wyrand generator and `insecure-seed` a per-instance constant,
//! both seeded from `getrandom` on first use ([`crate::random::Insecure`]). A request for
//! more than [`crate::Limits::max_random_bytes`] traps: the host will not allocate a list
//! that large on a guest's behalf.

use super::bindings::wasi::random::{insecure, insecure_seed, random};
use crate::ctx::WasiCtx;
use crate::random::fill_secure;

impl random::Host for WasiCtx {
    /// `get-random-bytes(len)`: `len` secure random bytes.
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        let mut b = self.random_buf(len)?;
        fill_secure(&mut b).map_err(|e| wasmtime::Error::msg(format!("getrandom: {e}")))?;
        Ok(b)
    }

    /// `get-random-u64`: 64 secure random bits.
    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        let mut b = [0u8; 8];
        fill_secure(&mut b).map_err(|e| wasmtime::Error::msg(format!("getrandom: {e}")))?;
        Ok(u64::from_le_bytes(b))
    }
}

impl insecure::Host for WasiCtx {
    /// `get-insecure-random-bytes(len)`: `len` fast pseudo-random bytes.
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
    /// `insecure-seed`: the same 128 bits for the instance's whole life.
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        Ok(self.insecure()?.seed)
    }
}
