//! wasi:random — random, insecure and insecure-seed for components.
//!
//! `random` is the host's `getrandom(2)` (the same source as preview1's `random_get`);
//! `insecure` is a per-instance wyrand generator and `insecure-seed` a per-instance constant,
//! both seeded from `getrandom` on first use ([`crate::random::Insecure`]). A request for
//! more than [`crate::Limits::max_random_bytes`] traps: the host will not allocate a list
//! that large on a guest's behalf.

use super::bindings::wasi::random::{insecure, insecure_seed, random};

crate::random::impl_random_hosts!(insecure_seed);
