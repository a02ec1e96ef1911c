//! wasi:random — secure random bytes from the host's `getrandom(2)`, and a fast insecure
//! generator for `wasi:random/insecure`; or, in a deterministic run, both from one seed
//! ([`RandomSource::Seeded`]).

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

/// Where an instance's "secure" random bytes come from (preview1 `random_get`,
/// `wasi:random/random` 0.2 and 0.3), and what seeds its insecure generator; chosen when the
/// [`WasiCtx`] is built ([`crate::WasiCtxBuilder::random_seed`]).
#[derive(Debug, Default)]
pub enum RandomSource {
    /// The host's `getrandom(2)` ([`fill_secure`]); the insecure generator is seeded from it.
    #[default]
    Host,
    /// A ChaCha20 stream (the `chacha20` crate's `ChaCha20Rng`, stream 0) from a 64-bit seed,
    /// for deterministic runs: the same seed gives the same bytes in the same order. **Not
    /// cryptographically secure in this mode**: anyone who knows the seed knows every byte.
    /// The insecure generator and `insecure-seed` come from stream 1 of the same seed, so
    /// they do not depend on how many secure bytes were read before.
    Seeded {
        /// The generator of the secure-interface bytes (boxed: 300+ bytes of state, kept
        /// out of the context's common size).
        rng: Box<chacha20::ChaCha20Rng>,
        /// The seed, for stream 1.
        seed: u64,
    },
}

impl RandomSource {
    /// A seeded source ([`RandomSource::Seeded`]).
    pub fn seeded(seed: u64) -> RandomSource {
        use chacha20::rand_core::SeedableRng;
        RandomSource::Seeded { rng: Box::new(chacha20::ChaCha20Rng::seed_from_u64(seed)), seed }
    }

    /// Fills `buf`. Errors: the host source's (never expected; a seeded source cannot fail).
    #[inline]
    pub fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        match self {
            RandomSource::Host => fill_secure(buf),
            RandomSource::Seeded { rng, .. } => {
                use chacha20::rand_core::Rng;
                rng.fill_bytes(buf);
                Ok(())
            }
        }
    }

    /// The 24 bytes that seed the insecure generator: from the host, or stream 1 of the seed.
    fn insecure_seed_bytes(&self) -> Result<[u8; 24]> {
        let mut b = [0u8; 24];
        match self {
            RandomSource::Host => fill_secure(&mut b)?,
            RandomSource::Seeded { seed, .. } => {
                use chacha20::rand_core::{Rng, SeedableRng};
                let mut r = chacha20::ChaCha20Rng::seed_from_u64(*seed);
                r.set_stream(1);
                r.fill_bytes(&mut b);
            }
        }
        Ok(b)
    }
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
        Insecure::from_source(&RandomSource::Host)
    }

    /// A generator seeded from `source` (the host's, or a deterministic run's seed).
    /// Errors: as [`fill_secure`].
    pub fn from_source(source: &RandomSource) -> Result<Insecure> {
        let b = source.insecure_seed_bytes()?;
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
            let g = Insecure::from_source(&self.random).map_err(getrandom_failed)?;
            self.insecure = Some(g);
        }
        Ok(self.insecure.as_mut().expect("just set"))
    }

    /// Fills `buf` from the instance's [`RandomSource`] (`getrandom(2)`, or the seeded
    /// stream of a deterministic run): what preview1 `random_get` writes into guest memory.
    /// Errors: the host source failed (never expected).
    #[inline]
    pub fn fill_random(&mut self, buf: &mut [u8]) -> Result<()> {
        self.random.fill(buf)
    }

    /// `len` secure random bytes (from [`WasiCtx::fill_random`]): what `get-random-bytes`
    /// returns in every component view. Errors (a trap): `len` over
    /// [`crate::Limits::max_random_bytes`], or the host source failed.
    pub(crate) fn random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        let mut b = self.random_buf(len)?;
        self.random.fill(&mut b).map_err(getrandom_failed)?;
        Ok(b)
    }

    /// 64 secure random bits (`get-random-u64`). Errors (a trap): the host source failed.
    pub(crate) fn random_u64(&mut self) -> wasmtime::Result<u64> {
        let mut b = [0u8; 8];
        self.random.fill(&mut b).map_err(getrandom_failed)?;
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

    #[test]
    fn seeded_source_repeats_per_seed_and_differs_across_seeds() {
        let bytes = |seed| {
            let mut s = RandomSource::seeded(seed);
            let mut b = [0u8; 16];
            s.fill(&mut b).unwrap();
            let g = Insecure::from_source(&s).unwrap();
            (b, g.seed)
        };
        assert_eq!(bytes(0), bytes(0));
        assert_ne!(bytes(0).0, bytes(1).0);
        assert_ne!(bytes(0).1, bytes(1).1);
        // The insecure seed does not depend on how much was read before.
        let mut s = RandomSource::seeded(7);
        let before = Insecure::from_source(&s).unwrap().seed;
        s.fill(&mut [0u8; 100]).unwrap();
        assert_eq!(Insecure::from_source(&s).unwrap().seed, before);
    }
}
