//! wasi:random — secure random bytes from the host's `getrandom(2)`, and a fast insecure
//! generator for `wasi:random/insecure`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, Result};

/// Fills `buf` with cryptographically secure random bytes (`getrandom(2)`, blocking until the
/// kernel's pool is initialised). Errors: the OS error mapped to an errno (never expected).
pub fn fill_secure(buf: &mut [u8]) -> Result<()> {
    let mut done = 0;
    while done < buf.len() {
        match rustix::rand::getrandom(&mut buf[done..], rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => done += n,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(Errno::from(e)),
        }
    }
    Ok(())
}

/// The generator behind `wasi:random/insecure` and the value of `insecure-seed`: not for
/// secrets, only fast. Both are seeded once per instance from [`fill_secure`].
#[derive(Debug, Clone)]
pub struct Insecure {
    state: u64,
    /// `insecure-seed`'s answer: fixed for the instance's life, as the WIT asks.
    pub seed: (u64, u64),
}

impl Insecure {
    /// A generator seeded from the host's secure source. Errors: as [`fill_secure`].
    pub fn new() -> Result<Insecure> {
        let mut b = [0u8; 24];
        fill_secure(&mut b)?;
        let w = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        Ok(Insecure { state: w(0), seed: (w(8), w(16)) })
    }

    /// The next 64 pseudo-random bits (wyrand: an add, a 128-bit multiply and a xor).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.state) * u128::from(self.state ^ 0xe703_7ed1_a0b4_28db);
        (t >> 64) as u64 ^ t as u64
    }

    /// Fills `buf` with pseudo-random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

impl WasiCtx {
    /// A zeroed buffer of `len` bytes. Errors (a trap): `len` is over the limit.
    pub(crate) fn random_buf(&self, len: u64) -> wasmtime::Result<Vec<u8>> {
        if len > u64::from(self.limits.max_random_bytes) {
            wasmtime::bail!(
                "random request of {len} bytes exceeds the limit of {} bytes",
                self.limits.max_random_bytes
            );
        }
        Ok(vec![0; len as usize])
    }

    /// The instance's insecure generator, seeded on first use. Errors (a trap): the host's
    /// random source failed.
    pub(crate) fn insecure(&mut self) -> wasmtime::Result<&mut Insecure> {
        if self.insecure.is_none() {
            let g = Insecure::new().map_err(|e| wasmtime::Error::msg(format!("getrandom: {e}")))?;
            self.insecure = Some(g);
        }
        Ok(self.insecure.as_mut().expect("just set"))
    }

    /// `len` secure random bytes (`getrandom(2)`): what `get-random-bytes` returns in every
    /// component view. Errors (a trap): `len` over [`crate::Limits::max_random_bytes`], or
    /// the host source failed.
    pub(crate) fn random_bytes(&self, len: u64) -> wasmtime::Result<Vec<u8>> {
        let mut b = self.random_buf(len)?;
        fill_secure(&mut b).map_err(getrandom_failed)?;
        Ok(b)
    }

    /// 64 secure random bits (`get-random-u64`). Errors (a trap): the host source failed.
    pub(crate) fn random_u64(&self) -> wasmtime::Result<u64> {
        let mut b = [0u8; 8];
        fill_secure(&mut b).map_err(getrandom_failed)?;
        Ok(u64::from_le_bytes(b))
    }

    /// `len` bytes of the instance's insecure generator (`get-insecure-random-bytes`).
    /// Errors (a trap): `len` over the limit, or seeding failed.
    pub(crate) fn insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        let mut b = self.random_buf(len)?;
        self.insecure()?.fill(&mut b);
        Ok(b)
    }
}

/// The trap for a failed host random source.
fn getrandom_failed(e: Errno) -> wasmtime::Error {
    wasmtime::Error::msg(format!("getrandom: {e}"))
}

/// Implements the `wasi:random` host traits (`random`, `insecure`, `insecure-seed`) on
/// [`WasiCtx`] for one component view: the view brings its generated `random`, `insecure`
/// and `insecure_seed` modules into scope and names its seed function (`insecure-seed` in
/// 0.2, `get-insecure-seed` in 0.3). One body for both views, over the methods above.
macro_rules! impl_random_hosts {
    ($seed_fn:ident) => {
        impl random::Host for $crate::ctx::WasiCtx {
            /// `get-random-bytes(len)`: `len` secure random bytes.
            fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
                self.random_bytes(len)
            }

            /// `get-random-u64`: 64 secure random bits.
            fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
                self.random_u64()
            }
        }

        impl insecure::Host for $crate::ctx::WasiCtx {
            /// `get-insecure-random-bytes(len)`: `len` fast pseudo-random bytes.
            fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
                self.insecure_random_bytes(len)
            }

            /// `get-insecure-random-u64`: 64 fast pseudo-random bits.
            fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
                Ok(self.insecure()?.next_u64())
            }
        }

        impl insecure_seed::Host for $crate::ctx::WasiCtx {
            /// The instance's 128-bit seed, the same for its whole life.
            fn $seed_fn(&mut self) -> wasmtime::Result<(u64, u64)> {
                Ok(self.insecure()?.seed)
            }
        }
    };
}
pub(crate) use impl_random_hosts;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insecure_fills_every_length_and_keeps_its_seed() {
        let mut g = Insecure::new().unwrap();
        let seed = g.seed;
        for len in [0, 1, 7, 8, 9, 100] {
            let mut b = vec![0u8; len];
            g.fill(&mut b);
            if len >= 8 {
                assert!(b.iter().any(|&x| x != 0), "len {len} left zero");
            }
        }
        assert_ne!(g.next_u64(), g.next_u64());
        assert_eq!(g.seed, seed);
    }
}
