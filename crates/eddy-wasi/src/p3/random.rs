//! wasi:random@0.3 — random, insecure and insecure-seed, on the same sources as the other
//! views: `random` is `getrandom(2)`, `insecure` the instance's wyrand generator,
//! `insecure-seed` its per-instance constant ([`crate::random::Insecure`]). A request for
//! more than [`crate::Limits::max_random_bytes`] traps.

use super::bindings::wasi::random::{insecure, insecure_seed, random};

crate::random::impl_random_hosts!(get_insecure_seed);
