//! Eddy's embedding API: compile WASI programs, grant them capabilities, run commands, and
//! call the exports of reactors concurrently.
//!
//! ```no_run
//! use std::time::Duration;
//! use eddy::{Capabilities, Engine, EngineConfig, Reactor};
//! use wasmtime::component::Val;
//!
//! # fn main() -> Result<(), eddy::Error> {
//! // An engine with epoch interruption, so calls can have deadlines and be cancelled. A
//! // library engine has no disk cache unless `cache_dir` names one.
//! let engine = Engine::new(&EngineConfig { epoch_interruption: true, ..Default::default() })?;
//!
//! // A command: run it to its exit status.
//! let hello = engine.load_file("hello.wasm".as_ref())?;
//! let mut caps = Capabilities::default();
//! caps.args.push("hello.wasm".into());
//! caps.inherit_stdio = true;
//! let status = eddy::run(&engine, &hello, &caps)?;
//! assert_eq!(status, 0);
//!
//! // A reactor: one instance, many calls, each a future of its own result. A WASI 0.3
//! // component's async exports run concurrently inside one instance; sync exports (WASI
//! // 0.2 components, preview1 reactor modules) on a pool of instances.
//! let program = engine.load_file("service.wasm".as_ref())?;
//! let reactor = Reactor::builder(&engine, &program, Capabilities::default())?
//!     .deadline(Some(Duration::from_secs(5)))
//!     .stdout(std::io::stderr())
//!     .build()?;
//! let calls: Vec<_> = (0..100u32)
//!     .map(|i| reactor.call("api#delayed", &[Val::U32(i), Val::U32(10)]))
//!     .collect();
//! let results = futures::executor::block_on(futures::future::join_all(calls));
//! for r in results {
//!     println!("{:?}", r?);
//! }
//! // Typed, and WAVE text as `eddy run --invoke` takes it.
//! let (x,): (u64,) =
//!     futures::executor::block_on(reactor.call_typed("api#delayed", (20u32, 1u32)))?;
//! let text = futures::executor::block_on(reactor.call_wave("api#delayed(20, 1)"))?;
//! assert_eq!(x.to_string(), text);
//! # Ok(()) }
//! ```
//!
//! - [`Engine`]: the `wasmtime::Engine` with Eddy's configuration, the compile cache, and one
//!   epoch ticker for per-store deadlines.
//! - [`Program`]: a compiled program (a preview1 core module, or a WASI 0.2 or 0.3
//!   component).
//! - [`Capabilities`]: what the program may reach (args, environment, preopens, stdio) and
//!   the limits it runs under.
//! - [`run`] runs a command ([`run_async`]: as a future, so several WASI 0.3 commands share
//!   one event loop); [`invoke`] calls one export ([`invoke_component`]: one export of
//!   a component, with arguments and results in WAVE).
//! - [`Reactor`] calls exports many times, concurrently ([`ReactorPre`]: a program linked
//!   once, for cheap reactors; [`ReactorBuilder`]: pool size, deadline, output capture).
#![deny(missing_docs, missing_debug_implementations)]

// Modules, each using only those listed before it: error; program; cache (program); epoch;
// engine (cache, program, epoch); caps; runtime (error); store (caps, engine, epoch); run
// (store, program, caps, runtime); calls (engine, program); reactor (all of them); invoke
// (reactor, calls).
mod cache;
mod calls;
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

pub use cache::{cache_stats, clear_cache, CacheStats, DEFAULT_CACHE_MAX_BYTES};
pub use caps::{Capabilities, Deterministic, Preopen};
pub use engine::{
    default_cache_dir, CompileObserver, CompileStart, Engine, EngineConfig, OptLevel, Profiler,
    WasmFeature,
};
pub use error::Error;
pub use invoke::{invoke, invoke_component};
pub use program::{is_component, Program};
pub use reactor::{Reactor, ReactorBuilder, ReactorPre};
pub use run::{run, run_async};

pub use eddy_wasi::{AddrRange, DirPerms, FilePerms, Limits, NetworkPolicy};
