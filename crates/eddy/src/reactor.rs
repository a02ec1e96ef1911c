//! [`Reactor`]: one program instantiated once, its exports called many times, concurrently,
//! each call a future of its own result.
//!
//! - Async-lifted component exports (WASI 0.3 style, `async func` in WIT) run concurrently
//!   in one instance, inside the engine's concurrent loop on the process's event loop
//!   (`driver`).
//! - Synchronous exports (WASI 0.2 components' sync-lifted functions, preview1 reactor
//!   modules' functions) run in a pool of instances, each call on a blocking thread
//!   (`pool`).
//!
//! docs/RATIONALE.md, "The reactor API".

mod driver;
mod exports;
mod output;
mod pool;

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::component::{self, ComponentNamedList, Lift, Lower, Val};
use wasmtime::{Module, Val as CoreVal};

use crate::caps::Capabilities;
use crate::engine::Engine;
use crate::epoch::{deadline_in, Interrupt};
use crate::error::Error;
use crate::program::Program;
use crate::store::{self, trap, Host, Outputs};
use eddy_wasi::p1::P1Ctx;
use eddy_wasi::ExitCode;

use driver::{AsyncWork, Driver, Job, Outcome};
use exports::{At, Export};
use pool::{Pool, Slot, SyncWork};

/// The store of a pooled component instance and its function `index`. Errors
/// ([`NotCalled`]): the slot holds a core module, or the instance has no such function.
fn component_func(
    slot: &mut Slot,
    index: component::ComponentExportIndex,
) -> wasmtime::Result<(&mut wasmtime::Store<Host>, component::Func)> {
    let Slot::Component(store, instance) = slot else {
        return Err(NotCalled("not a component instance".into()).into());
    };
    let func = instance
        .get_func(&mut *store, index)
        .ok_or_else(|| NotCalled("not a function of the instance".into()))?;
    Ok((store, func))
}

/// A failure before the guest was entered (a type mismatch found by the engine): the
/// instance is still sound.
#[derive(Debug)]
pub(crate) struct NotCalled(String);

impl std::fmt::Display for NotCalled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotCalled {}

/// A program linked once for reactors: make any number of [`Reactor`]s from it cheaply
/// (each is a new instance; the linking, import checks and export resolution are shared).
///
/// ABI: a preview1 core module (imports `wasi_snapshot_preview1`; `_initialize` is run in
/// each new instance before any call) or a component (any `wasi:*@0.2.x` and, with
/// `caps.p3`, `wasi:*@0.3.x` import, as for [`crate::run`]); it need not export `_start`
/// or `wasi:cli/run`.
#[derive(Clone, Debug)]
pub struct ReactorPre {
    shared: Arc<Shared>,
}

/// What every reactor of one program shares.
#[derive(Debug)]
struct Shared {
    engine: Engine,
    /// The capabilities, without `timeout` (a reactor's is per call: `deadline`).
    caps: Capabilities,
    /// The default per-call deadline (`caps.timeout`).
    deadline: Option<Duration>,
    kind: Kind,
    /// Exports resolved so far, by the name callers use.
    exports: Mutex<HashMap<String, Arc<Export>>>,
}

/// The program, linked.
enum Kind {
    Module {
        module: Module,
        pre: wasmtime::InstancePre<Host<P1Ctx>>,
    },
    Component {
        component: component::Component,
        pre: component::InstancePre<Host>,
        has_async: bool,
    },
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kind::Module { .. } => f.write_str("Module"),
            Kind::Component { has_async, .. } => {
                f.debug_struct("Component").field("has_async", has_async).finish()
            }
        }
    }
}

impl ReactorPre {
    /// Links `program` with `caps` (no instance is made yet).
    ///
    /// `caps.timeout`, if set, is the default deadline of each call (not of the reactor's
    /// life); `caps.fuel` is the fuel of each pooled call (of the whole concurrent
    /// instance for async exports).
    ///
    /// Errors: `Error::UnknownImport`, `Error::IncompatibleImport` (a module import Eddy does
    /// not provide or provides with another type), `Error::Other` (a component import Eddy
    /// does not provide: the linker's message), `Error::Capability`.
    pub fn new(
        engine: &Engine,
        program: &Program,
        caps: Capabilities,
    ) -> Result<ReactorPre, Error> {
        let deadline = caps.timeout;
        let caps = Capabilities { timeout: None, ..caps };
        let kind = match program {
            Program::Module(m) => {
                let (_, pre) = store::prepare_module(engine, m, &caps, &Outputs::default())?;
                Kind::Module { module: m.clone(), pre }
            }
            Program::Component(c) => {
                let pre = store::component_pre(engine, c, &caps)?;
                Kind::Component {
                    component: c.clone(),
                    pre,
                    has_async: has_async_export(engine, c),
                }
            }
        };
        Ok(ReactorPre {
            shared: Arc::new(Shared {
                engine: engine.clone(),
                caps,
                deadline,
                kind,
                exports: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// A builder for a reactor of this program (pool size, deadline, output capture).
    pub fn builder(&self) -> ReactorBuilder {
        ReactorBuilder {
            pre: self.clone(),
            pool_size: cpus(),
            deadline: self.shared.deadline,
            stdout: None,
            stderr: None,
        }
    }

    /// A reactor with the defaults: [`ReactorPre::builder`] then [`ReactorBuilder::build`].
    /// Errors: those of [`ReactorBuilder::build`].
    pub fn instantiate(&self) -> Result<Reactor, Error> {
        self.builder().build()
    }
}

/// Whether a component exports any async-lifted function (top level or in an interface).
fn has_async_export(engine: &Engine, c: &component::Component) -> bool {
    use wasmtime::component::types::ComponentItem;
    c.component_type().exports(&engine.inner).any(|(_, e)| match e.ty {
        ComponentItem::ComponentFunc(f) => f.async_(),
        ComponentItem::ComponentInstance(i) => i
            .exports(&engine.inner)
            .any(|(_, e)| matches!(e.ty, ComponentItem::ComponentFunc(f) if f.async_())),
        _ => false,
    })
}

/// How to build a [`Reactor`]: from [`ReactorPre::builder`] or [`Reactor::builder`].
pub struct ReactorBuilder {
    pre: ReactorPre,
    pool_size: usize,
    deadline: Option<Duration>,
    stdout: Option<Box<dyn Write + Send>>,
    stderr: Option<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for ReactorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReactorBuilder")
            .field("pool_size", &self.pool_size)
            .field("deadline", &self.deadline)
            .field("stdout", &self.stdout.is_some())
            .field("stderr", &self.stderr.is_some())
            .finish()
    }
}

impl ReactorBuilder {
    /// How many instances may run synchronous exports at once (default: the number of
    /// CPUs; at least 1). Instances beyond the first are made when calls need them.
    pub fn pool_size(mut self, n: usize) -> ReactorBuilder {
        self.pool_size = n.max(1);
        self
    }

    /// The default deadline of each call, counted from when the call is made (queueing
    /// included); `None`: none. Default: the capabilities' `timeout`. A pooled call past it
    /// traps with `interrupt` at the next epoch tick (or its blocking host call returns the
    /// interrupt) and its instance is replaced; a concurrent call is dropped. Pooled calls
    /// need an engine with `epoch_interruption`.
    pub fn deadline(mut self, d: Option<Duration>) -> ReactorBuilder {
        self.deadline = d;
        self
    }

    /// Sends everything the guest writes to stdout (fd 1, `wasi:cli/stdout`) into `out`,
    /// from a thread of its own, in the order written, flushed after each piece. Default: as
    /// the capabilities say (`inherit_stdio`, else nowhere).
    pub fn stdout(mut self, out: impl Write + Send + 'static) -> ReactorBuilder {
        self.stdout = Some(Box::new(out));
        self
    }

    /// [`ReactorBuilder::stdout`] for stderr (fd 2, `wasi:cli/stderr`).
    pub fn stderr(mut self, out: impl Write + Send + 'static) -> ReactorBuilder {
        self.stderr = Some(Box::new(out));
        self
    }

    /// Makes the reactor and its first instance: for a component with async exports, the
    /// concurrent instance (on the event loop; this waits for it); else the pool's first
    /// instance (a module's `_initialize` is run). Errors: `Error::Capability` (output
    /// capture, a preopen), `Error::Trap` (instantiation or `_initialize` trapped),
    /// `Error::Other`.
    pub fn build(self) -> Result<Reactor, Error> {
        let outputs = Outputs {
            stdout: self.stdout.map(|w| output::capture(w, "stdout")).transpose()?,
            stderr: self.stderr.map(|w| output::capture(w, "stderr")).transpose()?,
        };
        let shared = self.pre.shared;
        let outputs = Arc::new(outputs);
        let concurrent = matches!(shared.kind, Kind::Component { has_async: true, .. });
        let first = if concurrent { None } else { Some(new_slot(&shared, &outputs)?) };
        let inner = Arc::new(Inner {
            pool: Arc::new(Pool::new(
                self.pool_size,
                first,
                Box::new({
                    let (shared, outputs) = (shared.clone(), outputs.clone());
                    move || new_slot(&shared, &outputs)
                }),
            )),
            driver: Mutex::new(None),
            deadline: self.deadline,
            outputs,
            shared,
        });
        if concurrent {
            let (tx, rx) = std::sync::mpsc::channel();
            let d = start_driver(&inner, Some(tx))?;
            rx.recv().map_err(|_| Error::Other("the event loop stopped".into()))??;
            *inner.driver.lock().unwrap_or_else(|p| p.into_inner()) = Some(d);
        }
        Ok(Reactor { inner })
    }
}

/// A program instantiated for export calls: each call is a future of its own result.
///
/// Calls may be made from any thread and awaited on any executor (the work runs on Eddy's
/// event loop and its blocking threads). Dropping a call's future cancels the call.
/// Dropping the reactor drops its instances once their running calls end.
///
/// Values are the component model's [`Val`]s ([`Reactor::call`]), Rust types through
/// wasmtime's `ComponentType`/`Lift`/`Lower` ([`Reactor::call_typed`]), or WAVE text
/// ([`Reactor::call_wave`]). For a core module, i32/i64/f32/f64 are `Val::S32`/`S64`/
/// `Float32`/`Float64` (a `Val::U32`/`U64` is accepted for i32/i64).
#[derive(Debug)]
pub struct Reactor {
    inner: Arc<Inner>,
}

/// A reactor's state.
#[derive(Debug)]
struct Inner {
    shared: Arc<Shared>,
    outputs: Arc<Outputs>,
    pool: Arc<Pool>,
    driver: Mutex<Option<Driver>>,
    deadline: Option<Duration>,
}

/// The number of CPUs this process may use, read once (`available_parallelism` reads
/// cgroup files on every call).
fn cpus() -> usize {
    static CPUS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CPUS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// A new pooled instance: a store, the instance, and a module's `_initialize` run.
fn new_slot(shared: &Shared, outputs: &Outputs) -> Result<Slot, Error> {
    match &shared.kind {
        Kind::Module { pre, .. } => {
            let mut store = store::module_store(&shared.engine, &shared.caps, outputs)?;
            let instance = store::instantiate_module_pre(&mut store, pre)?;
            if let Some(init) = instance.get_func(&mut store, "_initialize") {
                init.call(&mut store, &[], &mut []).map_err(|e| prefix("_initialize", trap(e)))?;
            }
            Ok(Slot::Module(store, instance))
        }
        Kind::Component { pre, .. } => {
            let mut store = store::new_store(&shared.engine, &shared.caps, outputs, Ok)?;
            let instance = pre.instantiate(&mut store).map_err(trap)?;
            Ok(Slot::Component(store, instance))
        }
    }
}

/// Starts a concurrent instance for `inner`.
fn start_driver(
    inner: &Inner,
    ready: Option<std::sync::mpsc::Sender<Result<(), Error>>>,
) -> Result<Driver, Error> {
    let Kind::Component { pre, .. } = &inner.shared.kind else {
        return Err(Error::Other("a module has no async exports".into()));
    };
    let (shared, outputs) = (inner.shared.clone(), inner.outputs.clone());
    Driver::start(
        move |watch: Arc<driver::Watch>| {
            let mut store = store::new_store(&shared.engine, &shared.caps, &outputs, Ok)?;
            if shared.engine.config.epoch_interruption {
                // The loop is one thread: a call computing without awaiting holds it, and
                // then no timer fires. So at each tick, a call past its deadline (or
                // cancelled) by more than a grace period means the loop is wedged: the
                // instance is stopped with the interrupt trap.
                store.epoch_deadline_callback(move |ctx| {
                    Ok(if ctx.data().interrupt.due() || watch.wedged() {
                        wasmtime::UpdateDeadline::Interrupt
                    } else {
                        wasmtime::UpdateDeadline::Continue(1)
                    })
                });
            }
            Ok(store)
        },
        pre.clone(),
        ready,
        inner.shared.engine.config.epoch_interruption,
    )
}

/// `` `name`: `` before an error's message.
fn prefix(name: &str, e: Error) -> Error {
    match e {
        Error::Trap(m) => Error::Trap(format!("`{name}` trapped: {m}")),
        Error::Usage(m) => Error::Usage(format!("`{name}`: {m}")),
        Error::Other(m) => Error::Other(format!("`{name}`: {m}")),
        e => e,
    }
}

/// A failed call as an [`Error`]: an exit, a cancellation, a deadline, a type mismatch
/// found before the call (`Error::Usage`), a trap with its wasm backtrace.
fn call_error(
    name: &str,
    e: wasmtime::Error,
    interrupt: &Interrupt,
    deadline: Option<Duration>,
) -> Error {
    if let Some(ExitCode(code)) = e.downcast_ref::<ExitCode>() {
        return Error::Exit { name: name.to_string(), status: *code };
    }
    if let Some(n) = e.downcast_ref::<NotCalled>() {
        return Error::Usage(format!("`{name}`: {n}"));
    }
    let interrupted = matches!(e.downcast_ref::<wasmtime::Trap>(), Some(wasmtime::Trap::Interrupt));
    if interrupted && interrupt.expired() {
        return deadline_error(name, deadline);
    }
    if interrupted && interrupt.cancelled() {
        return Error::Trap(format!("`{name}` was cancelled (interrupt)"));
    }
    prefix(name, trap(e))
}

/// The error of a call whose deadline passed.
fn deadline_error(name: &str, deadline: Option<Duration>) -> Error {
    let d = deadline.map(|d| format!(" of {d:?}")).unwrap_or_default();
    Error::Trap(format!("`{name}`: the call's deadline{d} passed (interrupt)"))
}

/// A boxed call future.
type CallFuture<R> = std::pin::Pin<Box<dyn Future<Output = Result<R, Error>> + Send>>;

impl Reactor {
    /// A reactor of `program` with the defaults: [`ReactorPre::new`] then
    /// [`ReactorPre::instantiate`]. Errors: theirs.
    pub fn new(engine: &Engine, program: &Program, caps: Capabilities) -> Result<Reactor, Error> {
        ReactorPre::new(engine, program, caps)?.instantiate()
    }

    /// A builder for a reactor of `program` ([`ReactorPre::new`], then
    /// [`ReactorPre::builder`]). Errors: those of [`ReactorPre::new`].
    pub fn builder(
        engine: &Engine,
        program: &Program,
        caps: Capabilities,
    ) -> Result<ReactorBuilder, Error> {
        Ok(ReactorPre::new(engine, program, caps)?.builder())
    }

    /// Calls export `name` with `args` and returns a future of its results: each result
    /// as a [`Val`] (none for a function without results). `name` is spelled as for
    /// `eddy run --invoke`: `f` (a top-level export; for a core module, its exported
    /// function), or `iface#f` (function `f` of the exported interface `iface`, e.g.
    /// `eddy:test/calc@1.0.0#mul`, or `calc#mul` when that names one interface).
    ///
    /// The call uses the reactor's default deadline. An async-lifted export runs
    /// concurrently with every other call in the one concurrent instance; a synchronous one
    /// takes a pooled instance (waiting for one when all are busy). Dropping the future
    /// cancels the call: a pooled call is interrupted at the next epoch tick (its instance
    /// replaced), a concurrent one is dropped from the loop.
    ///
    /// Errors, each naming the export: `Error::Usage` (no such export, listing them; the
    /// wrong argument count; an argument of another type), `Error::Trap` (the guest trapped:
    /// the trap and the wasm backtrace; the deadline passed; a concurrent instance that
    /// trapped during the call, which ends every call in it), `Error::Exit` (the guest
    /// exited during the call, with its status; a pooled instance is replaced),
    /// `Error::Other`.
    pub fn call(
        &self,
        name: &str,
        args: &[Val],
    ) -> impl Future<Output = Result<Vec<Val>, Error>> + Send + 'static {
        self.call_with_deadline(name, args, self.inner.deadline)
    }

    /// [`Reactor::call`] with this call's own `deadline` (`None`: none) instead of the
    /// reactor's default.
    pub fn call_with_deadline(
        &self,
        name: &str,
        args: &[Val],
        deadline: Option<Duration>,
    ) -> impl Future<Output = Result<Vec<Val>, Error>> + Send + 'static {
        let started = self.start_val(name, args, deadline);
        async move { started?.await }
    }

    /// Calls export `name` with typed parameters `P` (a tuple, e.g. `(u32, String)`) and
    /// results `R` (a tuple, e.g. `(u64,)`), as wasmtime's `TypedFunc` maps Rust types to
    /// component types (`u32` ↔ `u32`, `String` ↔ `string`, `Vec<T>` ↔ `list<T>`,
    /// `Option`, `Result`, derived records and variants). Components only. Errors: those of
    /// [`Reactor::call`], and `Error::Usage` when `P`/`R` are not the function's types or
    /// the program is a core module.
    pub fn call_typed<P, R>(
        &self,
        name: &str,
        params: P,
    ) -> impl Future<Output = Result<R, Error>> + Send + 'static
    where
        P: ComponentNamedList + Lower + Send + Sync + 'static,
        R: ComponentNamedList + Lift + Send + Sync + 'static,
    {
        let started = self.start_typed::<P, R>(name, params);
        async move { started?.await }
    }

    /// Calls a function written as a WAVE call, `NAME(ARGS)` as `eddy run --invoke` takes
    /// it (`add(2, 3)`, `calc#mul(6, 7)`, `flip({x: 1, y: -2})`; for a core module, numbers
    /// for its i32/i64/f32/f64 parameters), and returns the results in WAVE, separated by
    /// `, ` (empty for none). Errors: those of [`Reactor::call`], and `Error::Usage` for a
    /// call that does not parse or arguments not of their types (as `--invoke` reports
    /// them).
    pub fn call_wave(
        &self,
        expr: &str,
    ) -> impl Future<Output = Result<String, Error>> + Send + 'static {
        let started = self.start_wave(expr);
        async move { Ok(started?.await?.join(", ")) }
    }

    /// Parses a WAVE call and starts it.
    fn start_wave(&self, expr: &str) -> Result<CallFuture<Vec<String>>, Error> {
        let call = crate::calls::parse_call(expr)?;
        let export = self.export(call.name)?;
        let params: Vec<(String, component::Type)> = match &export.at {
            At::Component { ty, .. } => ty.params().map(|(n, t)| (n.to_string(), t)).collect(),
            At::Module { .. } => export
                .params
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("arg{}", i + 1), t.clone()))
                .collect(),
        };
        let args = crate::calls::typed_args(expr, &call, &params, &export.results)?;
        let name = export.name.clone();
        let fut = self.start_export(export, &args, self.inner.deadline)?;
        Ok(Box::pin(async move {
            let results = fut.await?;
            crate::calls::wave_results(&name, &results)
        }))
    }

    /// The export `name`, resolved once per program.
    fn export(&self, name: &str) -> Result<Arc<Export>, Error> {
        let shared = &self.inner.shared;
        if let Some(e) = shared.exports.lock().unwrap_or_else(|p| p.into_inner()).get(name) {
            return Ok(e.clone());
        }
        let e = Arc::new(match &shared.kind {
            Kind::Module { module, .. } => Export::module(module, name)?,
            Kind::Component { component, .. } => {
                Export::component(&shared.engine, component, name)?
            }
        });
        shared
            .exports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_string(), e.clone());
        Ok(e)
    }

    /// Starts a call with `Val`s.
    fn start_val(
        &self,
        name: &str,
        args: &[Val],
        deadline: Option<Duration>,
    ) -> Result<CallFuture<Vec<Val>>, Error> {
        let export = self.export(name)?;
        self.start_export(export, args, deadline)
    }

    /// Starts a call of a resolved export with `Val`s.
    fn start_export(
        &self,
        export: Arc<Export>,
        args: &[Val],
        deadline: Option<Duration>,
    ) -> Result<CallFuture<Vec<Val>>, Error> {
        export.check_arity(args.len())?;
        let name = export.name.clone();
        let unbox = |b: Box<dyn Any + Send>| -> Vec<Val> {
            b.downcast::<Vec<Val>>().map(|b| *b).unwrap_or_default()
        };
        match &export.at {
            At::Component { index, async_: true, .. } => {
                let (index, args, n) = (*index, args.to_vec(), export.results.len());
                let work: AsyncWork = Box::new(move |a, func| {
                    Box::pin(async move {
                        let mut results = vec![Val::Bool(false); n];
                        func.call_concurrent(a, &args, &mut results).await?;
                        Ok(Box::new(results) as Box<dyn Any + Send>)
                    })
                });
                let fut = self.start_async(name, index, deadline, work)?;
                Ok(Box::pin(async move { fut.await.map(unbox) }))
            }
            At::Component { index, async_: false, .. } => {
                let (index, args, n) = (*index, args.to_vec(), export.results.len());
                let work: SyncWork = Box::new(move |slot| {
                    let (store, func) = component_func(slot, index)?;
                    let mut results = vec![Val::Bool(false); n];
                    func.call(&mut *store, &args, &mut results)?;
                    Ok(Box::new(results) as Box<dyn Any + Send>)
                });
                let fut = self.start_sync(name, deadline, work)?;
                Ok(Box::pin(async move { fut.await.map(unbox) }))
            }
            At::Module { params, results } => {
                let core: Vec<CoreVal> = params
                    .iter()
                    .zip(args)
                    .enumerate()
                    .map(|(i, (t, v))| exports::to_core(&name, i, v, t))
                    .collect::<Result<_, _>>()?;
                let n = results.len();
                let fname = name.clone();
                let work: SyncWork = Box::new(move |slot| {
                    let Slot::Module(store, instance) = slot else {
                        return Err(NotCalled("not a module instance".into()).into());
                    };
                    let func = instance
                        .get_func(&mut *store, &fname)
                        .ok_or_else(|| NotCalled("not a function of the instance".into()))?;
                    let mut out = vec![CoreVal::I32(0); n];
                    func.call(&mut *store, &core, &mut out)?;
                    Ok(Box::new(out.iter().map(exports::from_core).collect::<Vec<Val>>())
                        as Box<dyn Any + Send>)
                });
                let fut = self.start_sync(name, deadline, work)?;
                Ok(Box::pin(async move { fut.await.map(unbox) }))
            }
        }
    }

    /// Starts a typed call.
    fn start_typed<P, R>(&self, name: &str, params: P) -> Result<CallFuture<R>, Error>
    where
        P: ComponentNamedList + Lower + Send + Sync + 'static,
        R: ComponentNamedList + Lift + Send + Sync + 'static,
    {
        let export = self.export(name)?;
        let name = export.name.clone();
        let deadline = self.inner.deadline;
        let unbox = |b: Box<dyn Any + Send>| -> Result<R, Error> {
            b.downcast::<R>()
                .map(|b| *b)
                .map_err(|_| Error::Other("a result of another type".into()))
        };
        match &export.at {
            At::Module { .. } => Err(Error::Usage(format!(
                "`{name}`: typed calls are for components; call a core module's exports with `call`"
            ))),
            At::Component { index, async_: true, .. } => {
                let index = *index;
                let work: AsyncWork = Box::new(move |a, func| {
                    Box::pin(async move {
                        let typed = a
                            .with(|s| func.typed::<P, R>(s))
                            .map_err(|e| NotCalled(format!("{e:#}")))?;
                        let r = typed.call_concurrent(a, params).await?;
                        Ok(Box::new(r) as Box<dyn Any + Send>)
                    })
                });
                let fut = self.start_async(name, index, deadline, work)?;
                Ok(Box::pin(async move { unbox(fut.await?) }))
            }
            At::Component { index, async_: false, .. } => {
                let index = *index;
                let work: SyncWork = Box::new(move |slot| {
                    let (store, func) = component_func(slot, index)?;
                    let typed =
                        func.typed::<P, R>(&*store).map_err(|e| NotCalled(format!("{e:#}")))?;
                    let r = typed.call(&mut *store, params)?;
                    Ok(Box::new(r) as Box<dyn Any + Send>)
                });
                let fut = self.start_sync(name, deadline, work)?;
                Ok(Box::pin(async move { unbox(fut.await?) }))
            }
        }
    }

    /// Queues `work` on the concurrent instance (started anew if the last one stopped).
    fn start_async(
        &self,
        name: String,
        index: component::ComponentExportIndex,
        deadline: Option<Duration>,
        work: AsyncWork,
    ) -> Result<CallFuture<Box<dyn Any + Send>>, Error> {
        let state = Arc::new(driver::CallState::new(deadline.map(deadline_in)));
        let when = deadline.map(|d| tokio::time::Instant::from_std(Instant::now() + d));
        let submit = move |inner: &Inner, work: AsyncWork, state: &Arc<driver::CallState>| {
            let (reply, rx) = tokio::sync::oneshot::channel();
            let job = Job { index, work, deadline: when, reply, state: state.clone() };
            let mut slot = inner.driver.lock().unwrap_or_else(|p| p.into_inner());
            let d = match slot.as_ref() {
                Some(d) if !d.stopped() => d.clone(),
                _ => {
                    let d = start_driver(inner, None)?;
                    *slot = Some(d.clone());
                    d
                }
            };
            d.send(job).map_err(|_| Error::Other("the instance stopped".to_string()))?;
            Ok::<_, Error>((d, rx))
        };
        let (mut driver, mut rx) =
            submit(&self.inner, work, &state).map_err(|e| prefix(&name, e))?;
        let inner = self.inner.clone();
        Ok(Box::pin(async move {
            // Dropping this future marks the call cancelled (the loop drops it; see Watch).
            let mut guard = driver::CancelOnDrop(Some(state.clone()));
            loop {
                let r = rx.await;
                match r {
                    // Queued on an instance that stopped before taking it: never entered
                    // the guest, so it goes to a new instance.
                    Ok(Outcome::NotStarted(work)) => {
                        (driver, rx) =
                            submit(&inner, work, &state).map_err(|e| prefix(&name, e))?;
                        continue;
                    }
                    _ => guard.0 = None,
                }
                return match r {
                    Ok(Outcome::Done(Ok(v))) => Ok(v),
                    Ok(Outcome::Done(Err(e))) => {
                        Err(call_error(&name, e, &Interrupt::default(), deadline))
                    }
                    Ok(Outcome::Deadline) => Err(deadline_error(&name, deadline)),
                    Ok(Outcome::NotStarted(_)) => {
                        Err(Error::Other(format!("`{name}`: not started")))
                    }
                    Err(_) => Err(Error::Trap(format!("`{name}`: {}", driver.why_stopped().await))),
                };
            }
        }))
    }

    /// Runs `work` on a pooled instance.
    fn start_sync(
        &self,
        name: String,
        deadline: Option<Duration>,
        work: SyncWork,
    ) -> Result<CallFuture<Box<dyn Any + Send>>, Error> {
        if deadline.is_some() && !self.inner.shared.engine.config.epoch_interruption {
            return Err(Error::Usage(format!(
                "`{name}`: a deadline on a synchronous export needs an engine with epoch_interruption"
            )));
        }
        let deadline_ns = deadline.map(deadline_in);
        let interrupt = Interrupt::new(deadline_ns);
        let inner = self.inner.clone();
        let fuel = inner
            .shared
            .engine
            .config
            .consume_fuel
            .then(|| inner.shared.caps.fuel.unwrap_or(u64::MAX));
        Ok(Box::pin(async move {
            // Dropping this future cancels the call (the guard's drop).
            let guard = CancelOnDrop(Some(interrupt.clone()));
            let r = inner.pool.run(interrupt.clone(), deadline_ns, fuel, work).await;
            let mut guard = guard;
            guard.0 = None;
            match r {
                Ok(Ok(v)) => Ok(v),
                Ok(Err(e)) => Err(call_error(&name, e, &interrupt, deadline)),
                Err(e) => Err(prefix(&name, e)),
            }
        }))
    }
}

/// Cancels a pooled call when its future is dropped before it finished.
struct CancelOnDrop(Option<Arc<Interrupt>>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(i) = self.0.take() {
            i.cancel();
        }
    }
}
