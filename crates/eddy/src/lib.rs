//! Eddy's embedding API.
//!
//! ```no_run
//! # fn main() -> Result<(), eddy::Error> {
//! let engine = eddy::Engine::new(&eddy::EngineConfig::default())?;
//! let program = engine.load_file("hello.wasm".as_ref())?;
//! let mut caps = eddy::Capabilities::default();
//! caps.args.push("hello.wasm".into());
//! caps.inherit_stdio = true;
//! let status = eddy::run(&engine, &program, &caps)?;
//! # let _ = status; Ok(()) }
//! ```
//!
//! - [`Engine`]: the `wasmtime::Engine` with Eddy's configuration and the compile cache.
//! - [`Program`]: a compiled program (a preview1 core module or a WASI 0.2 component).
//! - [`Capabilities`]: what the program may reach (args, environment, preopens, stdio) and
//!   the limits it runs under.
//! - [`run`] runs a command; [`invoke`] calls one export ([`invoke_component`]: one export of
//!   a component, with arguments and results in WAVE).
#![deny(missing_docs, missing_debug_implementations)]

mod cache;
mod engine;
mod error;
mod invoke;
mod run;

pub use engine::{is_component, Engine, EngineConfig, Program, WasmFeature};
pub use error::Error;
pub use invoke::invoke_component;
pub use run::{invoke, run, Capabilities, Preopen};

pub use eddy_wasi::{AddrRange, DirPerms, FilePerms, Limits, NetworkPolicy};
