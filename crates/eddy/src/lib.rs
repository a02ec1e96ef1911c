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
//! - [`Program`]: a compiled program (a preview1 core module, or a WASI 0.2 or 0.3
//!   component).
//! - [`Capabilities`]: what the program may reach (args, environment, preopens, stdio) and
//!   the limits it runs under.
//! - [`run`] runs a command ([`run_async`]: as a future, so several WASI 0.3 commands share
//!   one event loop); [`invoke`] calls one export ([`invoke_component`]: one export of
//!   a component, with arguments and results in WAVE).
#![deny(missing_docs, missing_debug_implementations)]

// Modules, each using only those listed before it: error; program; cache (program); engine
// (cache, program); caps; runtime (error); store (caps, engine); run and invoke (store,
// program, caps, runtime).
mod cache;
mod caps;
mod engine;
mod epoch;
mod error;
mod invoke;
mod program;
mod reactor;
mod run;
mod runtime;
mod store;

pub use caps::{Capabilities, Preopen};
pub use engine::{Engine, EngineConfig, WasmFeature};
pub use error::Error;
pub use invoke::{invoke, invoke_component};
pub use program::{is_component, Program};
pub use reactor::{Reactor, ReactorBuilder, ReactorPre};
pub use run::{run, run_async};

pub use eddy_wasi::{AddrRange, DirPerms, FilePerms, Limits, NetworkPolicy};
