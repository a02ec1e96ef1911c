//! Stores and instances: the one place that turns [`Capabilities`] into a store's data (the
//! WASI context and resource limits) and instantiates a program in it, for both
//! [`crate::run`] and [`crate::invoke`]; and how a guest call that did not return becomes an
//! exit status or an error.

use eddy_wasi::p1::{P1Ctx, P1View};
use eddy_wasi::sockets::{Socket, SocketKind};
use eddy_wasi::stdio::{Stdio, StdioKind};
use eddy_wasi::{DirPerms, ExitCode, FilePerms, WasiCtx, WasiCtxBuilder, WasiView};
use wasmtime::component::{self, Component};
use wasmtime::{Instance, Linker, Module, Store, StoreLimits, StoreLimitsBuilder};

use std::os::fd::OwnedFd;
use std::sync::Arc;

use crate::caps::Capabilities;
use crate::engine::Engine;
use crate::epoch::{deadline_in, Interrupt};
use crate::error::{one_line, Error};

/// A store's data: the instance's WASI state — the shared [`WasiCtx`] for a component, the
/// preview1 view [`P1Ctx`] (which wraps one) for a core module — plus wasmtime's resource
/// limits.
pub(crate) struct Host<C = WasiCtx> {
    pub(crate) ctx: C,
    limits: StoreLimits,
    /// When the guest must stop (a deadline, a cancelled call), checked at each epoch tick.
    pub(crate) interrupt: Arc<Interrupt>,
}

impl WasiView for Host<WasiCtx> {
    #[inline]
    fn wasi(&mut self) -> &mut WasiCtx {
        &mut self.ctx
    }
}

impl P1View for Host<P1Ctx> {
    #[inline]
    fn p1(&mut self) -> &mut P1Ctx {
        &mut self.ctx
    }
}

/// Where a store's stdout and stderr go when not as `caps.inherit_stdio` says: the write end
/// of a pipe each (the reactor's output capture), duplicated for each store.
#[derive(Debug, Default)]
pub(crate) struct Outputs {
    /// fd 1.
    pub(crate) stdout: Option<OwnedFd>,
    /// fd 2.
    pub(crate) stderr: Option<OwnedFd>,
}

/// The WASI context for `caps`; `deadline` (monotonic ns) bounds blocking host calls.
fn build_ctx(
    caps: &Capabilities,
    deadline: Option<u64>,
    outputs: &Outputs,
) -> Result<WasiCtx, Error> {
    let mut b = WasiCtxBuilder::new();
    b.deadline(deadline);
    for a in &caps.args {
        b.arg(a.clone());
    }
    for (k, v) in &caps.env {
        b.env(k.clone(), v.clone());
    }
    if caps.inherit_stdio {
        // A stream left unset is `/dev/null`.
        for (on, kind) in [
            (caps.inherit_stdin, StdioKind::Stdin),
            (caps.inherit_stdout, StdioKind::Stdout),
            (caps.inherit_stderr, StdioKind::Stderr),
        ] {
            if on {
                b.stdio(Stdio::inherit(kind));
            }
        }
    }
    b.initial_cwd(caps.initial_cwd.clone());
    for (fd, kind) in [
        (&outputs.stdout, eddy_wasi::stdio::StdioKind::Stdout),
        (&outputs.stderr, eddy_wasi::stdio::StdioKind::Stderr),
    ] {
        if let Some(fd) = fd {
            let dup = fd
                .try_clone()
                .map_err(|e| Error::Capability(format!("cannot set up the guest's output: {e}")))?;
            b.stdio(eddy_wasi::stdio::Stdio::owned(kind, dup));
        }
    }
    for p in &caps.preopens {
        let (d, f) = if p.read_only {
            (DirPerms::READ, FilePerms::READ)
        } else {
            (DirPerms::ALL, FilePerms::ALL)
        };
        b.preopened_dir(&p.host, p.guest.clone(), d, f).map_err(|e| {
            Error::Capability(format!(
                "cannot open directory `{}` for --dir: {e}",
                p.host.display()
            ))
        })?;
    }
    for addr in &caps.tcp_listen {
        let listener = std::net::TcpListener::bind(addr).map_err(|e| {
            Error::Capability(format!("cannot listen on {addr} for -S tcplisten: {e}"))
        })?;
        b.socket(Socket { fd: listener.into(), kind: SocketKind::TcpListener });
    }
    if let Some(d) = caps.deterministic {
        let n = &caps.network;
        let net = n.inherit_network
            || n.allow_ip_name_lookup
            || !n.allow_connect.is_empty()
            || !n.allow_bind.is_empty();
        if net || !caps.tcp_listen.is_empty() {
            return Err(Error::Capability(
                "a deterministic run has no network: remove the network grants".to_string(),
            ));
        }
        b.clocks(eddy_wasi::clocks::ClockSource::virtual_clock(d.wall_start, d.tick));
        b.random_seed(Some(d.seed));
    }
    b.network(caps.network.clone());
    b.limits(caps.limits).trace(caps.trace);
    b.build().map_err(|e| Error::Capability(format!("cannot set up WASI: {e}")))
}

/// A store for one run: the store data `make` builds from the WASI context, resource limits,
/// the deadline (`caps.timeout`, counted from now) and fuel.
///
/// The deadline is this store's own: with epoch interruption on, the engine's ticker
/// ([`crate::epoch`]) bumps the epoch every tick and this store's epoch callback traps with
/// `interrupt` once `Host::interrupt` says so (the deadline passed, or the reactor cancelled
/// the call); other stores of the engine are not affected.
pub(crate) fn new_store<C: Send + 'static>(
    engine: &Engine,
    caps: &Capabilities,
    outputs: &Outputs,
    make: impl FnOnce(WasiCtx) -> Result<C, Error>,
) -> Result<Store<Host<C>>, Error> {
    // The timeout bounds both wasm code (the epoch callback below) and blocking host calls
    // (this deadline, read on the same clock the host waits on): see docs/RATIONALE.md,
    // "How does `-W timeout` stop a guest blocked in a host call?".
    let timeout = caps.timeout.filter(|_| engine.config.epoch_interruption);
    let deadline = timeout.map(deadline_in);
    let ctx = make(build_ctx(caps, deadline, outputs)?)?;
    let limits = StoreLimitsBuilder::new()
        .memory_size(caps.max_memory_bytes)
        .table_elements(caps.max_table_elements)
        .instances(caps.max_instances)
        .tables(caps.max_tables)
        .memories(caps.max_memories)
        .trap_on_grow_failure(caps.trap_on_grow_failure)
        .build();
    let interrupt = Interrupt::new(deadline);
    let mut store = Store::new(&engine.inner, Host { ctx, limits, interrupt });
    store.limiter(|h| &mut h.limits);
    if engine.config.epoch_interruption {
        engine.start_ticker();
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|ctx| {
            Ok(if ctx.data().interrupt.due() {
                wasmtime::UpdateDeadline::Interrupt
            } else {
                wasmtime::UpdateDeadline::Continue(1)
            })
        });
    }
    if engine.config.consume_fuel {
        store.set_fuel(caps.fuel.unwrap_or(u64::MAX)).map_err(|e| Error::Other(one_line(&e)))?;
    }
    Ok(store)
}

/// Instantiates a core module with `caps`: links every preview1 import to Eddy's host (with
/// `caps.unknown_imports_trap`, other imports trap when called) and hands the instance's
/// `memory` export to the WASI context. Errors: `Error::UnknownImport`, `Error::Capability`,
/// `Error::Trap` (a start function trapped), `Error::Other`.
pub(crate) fn instantiate_module(
    engine: &Engine,
    module: &Module,
    caps: &Capabilities,
) -> Result<(Store<Host<P1Ctx>>, Instance), Error> {
    let (mut store, pre) = prepare_module(engine, module, caps, &Outputs::default())?;
    let instance = instantiate_module_pre(&mut store, &pre)?;
    Ok((store, instance))
}

/// A store for a core module ([`new_store`] with a preview1 context). Errors:
/// `Error::Capability`, `Error::Other`.
pub(crate) fn module_store(
    engine: &Engine,
    caps: &Capabilities,
    outputs: &Outputs,
) -> Result<Store<Host<P1Ctx>>, Error> {
    new_store(engine, caps, outputs, |wasi| {
        P1Ctx::new(wasi).map_err(|e| Error::Capability(format!("cannot set up WASI: {e}")))
    })
}

/// A core module linked for preview1, ready to instantiate.
pub(crate) type ModulePre = wasmtime::InstancePre<Host<P1Ctx>>;

/// A store for `caps` and the module linked for it (every preview1 import; with
/// `caps.unknown_imports_trap`, other imports trap when called), ready to instantiate, any
/// number of times, in stores of [`module_store`]. Errors: `Error::UnknownImport`,
/// `Error::IncompatibleImport`, `Error::Capability`, `Error::Other`.
pub(crate) fn prepare_module(
    engine: &Engine,
    module: &Module,
    caps: &Capabilities,
    outputs: &Outputs,
) -> Result<(Store<Host<P1Ctx>>, ModulePre), Error> {
    let mut store = module_store(engine, caps, outputs)?;
    let mut linker: Linker<Host<P1Ctx>> = Linker::new(&engine.inner);
    eddy_wasi::p1::add_to_linker(&mut linker).map_err(|e| Error::Other(one_line(&e)))?;
    for (name, program) in &caps.preloads {
        let crate::Program::Module(pre) = program else {
            return Err(Error::Usage(format!(
                "--preload {name}: a component cannot be preloaded (core modules only)"
            )));
        };
        check_imports(&linker, &mut store, pre)?;
        let instance = linker.instantiate(&mut store, pre).map_err(trap)?;
        linker
            .instance(&mut store, name, instance)
            .map_err(|e| Error::Usage(format!("--preload {name}: {}", one_line(&e))))?;
    }
    if caps.unknown_imports_trap {
        linker.define_unknown_imports_as_traps(module).map_err(|e| Error::Other(one_line(&e)))?;
    }
    if caps.unknown_imports_default {
        linker
            .define_unknown_imports_as_default_values(&mut store, module)
            .map_err(|e| Error::Other(one_line(&e)))?;
    }
    check_imports(&linker, &mut store, module)?;
    let pre = linker.instantiate_pre(module).map_err(|e| Error::Other(one_line(&e)))?;
    Ok((store, pre))
}

/// Instantiates a prepared module in `store` and hands the instance's `memory` export to
/// the WASI context. Errors: `Error::Trap` (a start function trapped).
pub(crate) fn instantiate_module_pre(
    store: &mut Store<Host<P1Ctx>>,
    pre: &ModulePre,
) -> Result<Instance, Error> {
    let instance = pre.instantiate(&mut *store).map_err(trap)?;
    if let Some(m) = instance.get_shared_memory(&mut *store, "memory") {
        store.data_mut().ctx.set_shared_memory(m);
    } else if let Some(m) = instance.get_memory(&mut *store, "memory") {
        store.data_mut().ctx.set_memory(m);
    }
    Ok(instance)
}

/// `Error::UnknownImport` or `Error::IncompatibleImport` for the first import of `module`
/// that `linker` does not provide, or provides with another type.
fn check_imports(
    linker: &Linker<Host<P1Ctx>>,
    store: &mut Store<Host<P1Ctx>>,
    module: &Module,
) -> Result<(), Error> {
    for import in module.imports() {
        let Ok(provided) = linker.get(&mut *store, import.module(), import.name()) else {
            return Err(Error::UnknownImport {
                module: import.module().to_string(),
                name: import.name().to_string(),
            });
        };
        check_import_type(&import, provided.ty(&*store))?;
    }
    Ok(())
}

/// `Error::IncompatibleImport` if `import` does not accept what Eddy `provided` under its name
/// (a function of another type, or a function where the module wants another kind of item):
/// caught here so the error names the import, where instantiation would only say
/// `types incompatible`.
fn check_import_type(
    import: &wasmtime::ImportType<'_>,
    provided: wasmtime::ExternType,
) -> Result<(), Error> {
    use wasmtime::ExternType as T;
    let kind = |t: &T| match t {
        T::Func(f) => {
            let s = f.to_string();
            s.strip_prefix("(type ")
                .and_then(|s| s.strip_suffix(')'))
                .map(str::to_string)
                .unwrap_or(s)
        }
        T::Global(_) => "global".to_string(),
        T::Table(_) => "table".to_string(),
        T::Memory(_) => "memory".to_string(),
        T::Tag(_) => "tag".to_string(),
    };
    let wanted = import.ty();
    let ok = match (&provided, &wanted) {
        (T::Func(have), T::Func(want)) => have.matches(want),
        // Eddy provides only functions; anything else is left to instantiation.
        (T::Func(_), _) => false,
        _ => true,
    };
    if ok {
        return Ok(());
    }
    Err(Error::IncompatibleImport {
        module: import.module().to_string(),
        name: import.name().to_string(),
        expected: kind(&provided),
        found: kind(&wanted),
    })
}

/// The names of the functions an instance of a core module exports, in order.
pub(crate) fn function_exports(store: &mut Store<Host<P1Ctx>>, instance: &Instance) -> Vec<String> {
    instance
        .exports(&mut *store)
        .filter(|e| e.clone().into_func().is_some())
        .map(|e| e.name().to_string())
        .collect()
}

/// A component instantiated, or the guest's exit status if it exited while being
/// instantiated.
pub(crate) enum Started {
    /// Instantiated: the store and the instance.
    Running(Store<Host>, component::Instance),
    /// `wasi:cli/exit` was called during instantiation, with this status.
    Exited(i32),
}

/// A linker for components: every `wasi:*@0.2.x` import, and with `caps.p3` (on an engine
/// with component-model-async) every `wasi:*@0.3.x` import, so one component may import
/// both; with `caps.unknown_imports_trap`, other imports trap when called. Errors:
/// `Error::Other` (the linker's message).
fn component_linker(
    engine: &Engine,
    component: &Component,
    caps: &Capabilities,
) -> Result<component::Linker<Host>, Error> {
    let mut linker: component::Linker<Host> = component::Linker::new(&engine.inner);
    eddy_wasi::p2::add_to_linker(&mut linker).map_err(|e| Error::Other(one_line(&e)))?;
    if caps.p3 && engine.component_model_async() {
        eddy_wasi::p3::add_to_linker(&mut linker).map_err(|e| Error::Other(one_line(&e)))?;
    } else if let Some((name, _)) = component
        .component_type()
        .imports(&engine.inner)
        .find(|(n, _)| n.starts_with("wasi:") && n.contains("@0.3."))
    {
        // Said plainly, rather than as the linker's "implementation is missing".
        let why = if caps.p3 { "-W component-model-async=n" } else { "-S p3=n" };
        return Err(Error::Other(format!(
            "the component imports `{name}` (WASI 0.3), which {why} turns off"
        )));
    }
    if caps.unknown_imports_trap {
        linker
            .define_unknown_imports_as_traps(component)
            .map_err(|e| Error::Other(one_line(&e)))?;
    }
    Ok(linker)
}

/// A store for `caps` and the component linked for it ([`component_linker`]), ready to
/// instantiate. Errors: `Error::Other` (an import Eddy does not provide: the linker's
/// message), `Error::Capability`.
fn prepare_component(
    engine: &Engine,
    component: &Component,
    caps: &Capabilities,
) -> Result<(Store<Host>, component::InstancePre<Host>), Error> {
    let store = new_store(engine, caps, &Outputs::default(), Ok)?;
    let pre = component_pre(engine, component, caps)?;
    Ok((store, pre))
}

/// The component linked for `caps` ([`component_linker`]), ready to instantiate any number
/// of times. Errors: `Error::Other` (an import Eddy does not provide: the linker's message).
pub(crate) fn component_pre(
    engine: &Engine,
    component: &Component,
    caps: &Capabilities,
) -> Result<component::InstancePre<Host>, Error> {
    let linker = component_linker(engine, component, caps)?;
    linker.instantiate_pre(component).map_err(|e| Error::Other(one_line(&e)))
}

/// The instance, or the exit status if the guest exited while being instantiated.
fn started(store: Store<Host>, r: wasmtime::Result<component::Instance>) -> Result<Started, Error> {
    match r {
        Ok(instance) => Ok(Started::Running(store, instance)),
        Err(e) => exit_or_trap(e).map(Started::Exited),
    }
}

/// Links a component ([`component_linker`]) and instantiates it with `caps`. Errors: those
/// of [`prepare_component`], `Error::Trap`, and what [`exit_or_trap`] returns.
pub(crate) fn instantiate_component(
    engine: &Engine,
    component: &Component,
    caps: &Capabilities,
) -> Result<Started, Error> {
    let (mut store, pre) = prepare_component(engine, component, caps)?;
    let r = pre.instantiate(&mut store);
    started(store, r)
}

/// [`instantiate_component`] for a component that must run on the event loop (a WASI 0.3
/// command, or one importing async host functions): instantiates with the async entry
/// point. Same errors.
pub(crate) async fn instantiate_component_async(
    engine: &Engine,
    component: &Component,
    caps: &Capabilities,
) -> Result<Started, Error> {
    let (mut store, pre) = prepare_component(engine, component, caps)?;
    let r = pre.instantiate_async(&mut store).await;
    started(store, r)
}

/// The message for an exit status outside `[0, 126)`, as wasmtime words it.
pub(crate) const INVALID_EXIT_STATUS: &str = "exit with invalid exit status outside of [0..126)";

/// Checks a guest's exit status (`proc_exit`'s u32, `exit-with-code`'s u8, as the i32 they
/// are carried in). Statuses from 126 up (as unsigned: `-1` is 4294967295) are refused, as
/// wasmtime refuses them: the OS would truncate them to 8 bits (256 would look like success)
/// and shells reserve 126 and up (not executable, not found, killed by a signal).
/// Errors: `Error::Other` naming the status.
pub(crate) fn exit_status(code: i32) -> Result<i32, Error> {
    let status = code as u32;
    if status < 126 {
        Ok(code)
    } else {
        Err(Error::Other(format!("{INVALID_EXIT_STATUS} (status {status})")))
    }
}

/// Turns a failed call into an exit status (`proc_exit`, `wasi:cli/exit`; checked by
/// [`exit_status`]) or a trap error.
pub(crate) fn exit_or_trap(e: wasmtime::Error) -> Result<i32, Error> {
    match e.downcast_ref::<ExitCode>() {
        Some(ExitCode(code)) => exit_status(*code),
        None => Err(trap(e)),
    }
}

/// The trap (or host error) that ended a call, then the wasm backtrace if there is one. The
/// host's own Rust backtrace (captured under `RUST_BACKTRACE`) is left out: it describes Eddy,
/// not the guest.
pub(crate) fn trap(e: wasmtime::Error) -> Error {
    let mut msg = e.root_cause().to_string();
    if let Some(bt) = e.downcast_ref::<wasmtime::WasmBacktrace>() {
        msg.push('\n');
        msg.push_str(bt.to_string().trim_end());
    }
    Error::Trap(msg)
}
