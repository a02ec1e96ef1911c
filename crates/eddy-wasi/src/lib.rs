//! Eddy's WASI host.
//!
//! One set of host objects — [`filesystem::Descriptor`], [`stdio::Stdio`], [`sockets::Socket`]
//! — owned by a [`WasiCtx`], and the ABIs that are *views* over them: the preview1 view
//! ([`p1`]): `wasi_snapshot_preview1` (and the `wasi_unstable` names whose ABI is the same)
//! implemented directly against guest memory; the WASI 0.2 view ([`p2`]), serving
//! `wasi:cli/command@0.2.x` components through `bindgen!` bindings over the same objects; and
//! the WASI 0.3 view ([`p3`]), for async components.
//!
//! Layout, bottom up (one module per WASI interface): [`sys`] (syscall helpers), [`errno`],
//! [`clocks`], [`random`], [`stdio`], [`filesystem`] (with the sandbox in
//! `filesystem::resolve`, the shared path operations in `filesystem::ops` and the rest of the
//! component views' descriptor in `filesystem::host`), [`sockets`]
//! (policy and the TCP/UDP/lookup state machines), [`readiness`] (one wait for every poll),
//! [`ctx`] (the grants), [`budget`] (the count against `Limits::max_resources`); then the views, which import only the modules above and never each
//! other: [`p1`] (the preview1 functions, one file per family, and p1's fd table), [`p2`]
//! (one file per WASI 0.2 interface) and [`p3`] (one file per WASI 0.3 interface).
#![deny(missing_docs, missing_debug_implementations)]

pub mod budget;
pub mod clocks;
pub mod ctx;
pub mod errno;
pub mod filesystem;
pub mod p1;
pub mod p2;
pub mod p3;
pub mod random;
pub mod readiness;
pub mod sockets;
pub mod stdio;
pub mod sys;

pub use ctx::{Limits, Preopen, WasiCtx, WasiCtxBuilder, WasiView};
pub use errno::Errno;
pub use filesystem::{DirPerms, FilePerms};
pub use sockets::{AddrRange, NetworkPolicy};

/// The error a guest's `proc_exit(code)` (or `wasi:cli/exit`'s `exit`/`exit-with-code`) raises to unwind out of
/// wasm. The embedder downcasts the call's error to this type to get the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("guest exited with status {0}")]
pub struct ExitCode(pub i32);
