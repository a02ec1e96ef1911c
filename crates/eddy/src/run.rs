//! Running programs: [`Capabilities`] say what a guest may reach, [`run`] runs a command,
//! [`invoke`] calls one export.

use std::path::PathBuf;
use std::time::Duration;

use eddy_wasi::p1::{P1Ctx, P1View};
use eddy_wasi::sockets::{Socket, SocketKind};
use eddy_wasi::{DirPerms, ExitCode, FilePerms, Limits, WasiCtx, WasiCtxBuilder, WasiView};
use wasmtime::component::{self, Component};
use wasmtime::{Instance, Linker, Store, StoreLimits, StoreLimitsBuilder, Val, ValType};

use crate::engine::{Engine, Program};
use crate::error::{one_line, Error};

/// A host directory granted to the guest (`--dir HOST[::GUEST][:ro]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preopen {
    /// The host directory.
    pub host: PathBuf,
    /// The path the guest sees (`fd_prestat_dir_name`).
    pub guest: String,
    /// Read-only: no file opened for writing, nothing created, removed, renamed or changed.
    pub read_only: bool,
}

/// What a guest may reach and the limits it runs under. The default grants nothing: no args,
/// no environment, stdio on `/dev/null`, no directories.
#[derive(Clone, Debug)]
pub struct Capabilities {
    /// `argv`, including `argv[0]`.
    pub args: Vec<String>,
    /// Environment variables, in order.
    pub env: Vec<(String, String)>,
    /// Granted directories; they get fds 3, 4, … in this order.
    pub preopens: Vec<Preopen>,
    /// Give the guest the host process's stdin/stdout/stderr (else `/dev/null`).
    pub inherit_stdio: bool,
    /// Host-side limits (fds, poll sizes, …).
    pub limits: Limits,
    /// Most bytes any one linear memory may grow to (`-W max-memory-size`). Default 4 GiB.
    pub max_memory_bytes: usize,
    /// Most table elements any one table may hold. Default 10 million.
    pub max_table_elements: usize,
    /// Wall-clock limit for the whole run (`-W timeout`); the guest traps with "interrupt"
    /// when it passes. Needs an engine built with `epoch_interruption`.
    pub timeout: Option<Duration>,
    /// Fuel for the whole run (`-W fuel`); needs an engine built with `consume_fuel`.
    pub fuel: Option<u64>,
    /// Turn unknown imports into functions that trap when called, instead of a load error.
    pub unknown_imports_trap: bool,
    /// Log one line per hostcall (`--trace`).
    pub trace: bool,
    /// TCP addresses to listen on for a preview1 guest (`-S tcplisten=ADDR`): each socket is
    /// bound and listening before the guest starts, and gets the next fd after the preopens
    /// (for `sock_accept`). Nothing else of the network is reachable.
    pub tcp_listen: Vec<std::net::SocketAddr>,
    /// What a WASI 0.2 guest may do through `wasi:sockets` (`-S inherit-network`,
    /// `--allow-connect`, …). Default: nothing; every call is `access-denied`.
    pub network: eddy_wasi::NetworkPolicy,
}

impl Default for Capabilities {
    fn default() -> Capabilities {
        Capabilities {
            args: Vec::new(),
            env: Vec::new(),
            preopens: Vec::new(),
            inherit_stdio: false,
            limits: Limits::default(),
            max_memory_bytes: 4 << 30,
            max_table_elements: 10_000_000,
            timeout: None,
            fuel: None,
            unknown_imports_trap: false,
            trace: false,
            tcp_listen: Vec::new(),
            network: eddy_wasi::NetworkPolicy::default(),
        }
    }
}

/// A store's data: the instance's WASI state — the shared [`WasiCtx`] for a component, the
/// preview1 view [`P1Ctx`] (which wraps one) for a core module — plus wasmtime's resource
/// limits.
pub(crate) struct Host<C = WasiCtx> {
    ctx: C,
    limits: StoreLimits,
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

fn build_ctx(caps: &Capabilities) -> Result<WasiCtx, Error> {
    let mut b = WasiCtxBuilder::new();
    for a in &caps.args {
        b.arg(a.clone());
    }
    for (k, v) in &caps.env {
        b.env(k.clone(), v.clone());
    }
    if caps.inherit_stdio {
        b.inherit_stdio();
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
    b.network(caps.network.clone());
    b.limits(caps.limits).trace(caps.trace);
    b.build().map_err(|e| Error::Capability(format!("cannot set up WASI: {e}")))
}

/// A store for one component run: the WASI context, resource limits, the timeout thread and
/// fuel.
pub(crate) fn new_store(engine: &Engine, caps: &Capabilities) -> Result<Store<Host>, Error> {
    new_store_with(engine, caps, Ok)
}

/// A store for one core-module run: as [`new_store`], with the preview1 view over the context.
pub(crate) fn new_p1_store(
    engine: &Engine,
    caps: &Capabilities,
) -> Result<Store<Host<P1Ctx>>, Error> {
    new_store_with(engine, caps, |wasi| {
        P1Ctx::new(wasi).map_err(|e| Error::Capability(format!("cannot set up WASI: {e}")))
    })
}

fn new_store_with<C: Send + 'static>(
    engine: &Engine,
    caps: &Capabilities,
    make: impl FnOnce(WasiCtx) -> Result<C, Error>,
) -> Result<Store<Host<C>>, Error> {
    let ctx = make(build_ctx(caps)?)?;
    let limits = StoreLimitsBuilder::new()
        .memory_size(caps.max_memory_bytes)
        .table_elements(caps.max_table_elements)
        .build();
    let mut store = Store::new(&engine.inner, Host { ctx, limits });
    store.limiter(|h| &mut h.limits);
    if engine.config.epoch_interruption {
        match caps.timeout {
            Some(t) => {
                store.set_epoch_deadline(1);
                let e = engine.inner.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(t);
                    e.increment_epoch();
                });
            }
            None => store.set_epoch_deadline(u64::MAX),
        }
    }
    if engine.config.consume_fuel {
        store.set_fuel(caps.fuel.unwrap_or(u64::MAX)).map_err(|e| Error::Other(one_line(&e)))?;
    }
    Ok(store)
}

fn instantiate(
    engine: &Engine,
    module: &wasmtime::Module,
    caps: &Capabilities,
) -> Result<(Store<Host<P1Ctx>>, Instance), Error> {
    let mut store = new_p1_store(engine, caps)?;
    let mut linker: Linker<Host<P1Ctx>> = Linker::new(&engine.inner);
    eddy_wasi::p1::add_to_linker(&mut linker).map_err(|e| Error::Other(one_line(&e)))?;
    if caps.unknown_imports_trap {
        linker.define_unknown_imports_as_traps(module).map_err(|e| Error::Other(one_line(&e)))?;
    }
    for import in module.imports() {
        if linker.get(&mut store, import.module(), import.name()).is_err() {
            return Err(Error::UnknownImport {
                module: import.module().to_string(),
                name: import.name().to_string(),
            });
        }
    }
    let instance = linker.instantiate(&mut store, module).map_err(trap)?;
    if let Some(m) = instance.get_memory(&mut store, "memory") {
        store.data_mut().ctx.set_memory(m);
    }
    Ok((store, instance))
}

/// Turns a failed call into an exit status (`proc_exit`) or a trap error.
pub(crate) fn exit_or_trap(e: wasmtime::Error) -> Result<i32, Error> {
    match e.downcast_ref::<ExitCode>() {
        Some(ExitCode(code)) => Ok(*code),
        None => Err(trap(e)),
    }
}

/// The trap (or host error) that ended a call, then the wasm backtrace if there is one. The
/// host's own Rust backtrace (captured under `RUST_BACKTRACE`) is left out: it describes Eddy,
/// not the guest.
fn trap(e: wasmtime::Error) -> Error {
    let mut msg = e.root_cause().to_string();
    if let Some(bt) = e.downcast_ref::<wasmtime::WasmBacktrace>() {
        msg.push('\n');
        msg.push_str(bt.to_string().trim_end());
    }
    Error::Trap(msg)
}

/// Runs a command. A core module is a preview1 command: instantiates `program` with `caps` and calls `_start` (after
/// `_initialize`, if the module also exports one). Returns the exit status: 0 when `_start`
/// returns, `n` for `proc_exit(n)`.
///
/// A component is a WASI 0.2 command: it is linked against `wasi:cli/command` (any
/// `0.2.x`) and its `wasi:cli/run@0.2.x` export's `run` is called: `run` returning `ok` →
/// 0, `err` → 1; `wasi:cli/exit.exit(ok)` → 0, `exit(err)` → 1, `exit-with-code(n)` → n.
///
/// Errors: `Error::UnknownImport` (an import Eddy does not provide), `Error::Capability` (a
/// preopen that cannot be opened), `Error::Usage` (no `_start` export, or a component with
/// no `wasi:cli/run` export), `Error::Other` (a component import Eddy does not provide),
/// `Error::Trap` (the guest trapped; message with wasm backtrace).
pub fn run(engine: &Engine, program: &Program, caps: &Capabilities) -> Result<i32, Error> {
    let module = match program {
        Program::Module(m) => m,
        Program::Component(c) => return run_component(engine, c, caps),
    };
    let (mut store, instance) = instantiate(engine, module, caps)?;
    let Some(start) = instance.get_func(&mut store, "_start") else {
        return Err(Error::Usage(format!(
            "the module exports no `_start` function (a reactor?); call an export with --invoke NAME. It exports: {}",
            export_list(&mut store, &instance)
        )));
    };
    if let Some(init) = instance.get_func(&mut store, "_initialize") {
        if let Err(e) = init.call(&mut store, &[], &mut []) {
            return exit_or_trap(e);
        }
    }
    match start.call(&mut store, &[], &mut []) {
        Ok(()) => Ok(0),
        Err(e) => exit_or_trap(e),
    }
}

fn export_list(store: &mut Store<Host<P1Ctx>>, instance: &Instance) -> String {
    let names: Vec<String> = instance
        .exports(&mut *store)
        .filter(|e| e.clone().into_func().is_some())
        .map(|e| e.name().to_string())
        .collect();
    if names.is_empty() {
        "no functions".to_string()
    } else {
        names.join(", ")
    }
}

/// Calls the export `name` of a core module with `args` parsed by its parameter types
/// (i32, i64, f32, f64), after running `_initialize` if the module exports one. Returns each
/// result formatted as text (integers in decimal, floats as Rust prints them).
///
/// For a component, `name` is a WAVE call `NAME(ARGS)` and `args` must be empty: see
/// [`crate::invoke_component`].
///
/// Errors: `Error::Usage` (no such exported function — the message lists the exports; wrong
/// argument count or an argument that does not parse; an unsupported parameter type),
/// `Error::Trap`, plus everything [`run`] can return before the call. A `proc_exit(n)` during
/// the call is `Ok` with no results only if `n == 0`; otherwise `Error::Trap` says so.
pub fn invoke(
    engine: &Engine,
    program: &Program,
    caps: &Capabilities,
    name: &str,
    args: &[String],
) -> Result<Vec<String>, Error> {
    let module = match program {
        Program::Module(m) => m,
        Program::Component(c) if args.is_empty() => {
            return crate::invoke::invoke_component(engine, c, caps, name)
        }
        Program::Component(_) => {
            return Err(Error::Usage(format!(
                "a component's --invoke takes its arguments inside the WAVE call (`f(1, \"a\")`); unexpected arguments after the file: {}",
                args.join(" ")
            )))
        }
    };
    let (mut store, instance) = instantiate(engine, module, caps)?;
    if let Some(init) = instance.get_func(&mut store, "_initialize") {
        init.call(&mut store, &[], &mut []).map_err(trap)?;
    }
    let Some(func) = instance.get_func(&mut store, name) else {
        return Err(Error::Usage(format!(
            "no exported function `{name}`; the module exports: {}",
            export_list(&mut store, &instance)
        )));
    };
    let ty = func.ty(&store);
    if ty.params().len() != args.len() {
        return Err(Error::Usage(format!(
            "`{name}` takes {} argument(s), {} given",
            ty.params().len(),
            args.len()
        )));
    }
    let mut params = Vec::with_capacity(args.len());
    for (i, (p, a)) in ty.params().zip(args).enumerate() {
        let bad =
            || Error::Usage(format!("argument {} of `{name}`: `{a}` is not a valid {p}", i + 1));
        params.push(match p {
            ValType::I32 => Val::I32(
                a.parse::<i32>()
                    .or_else(|_| a.parse::<u32>().map(|v| v as i32))
                    .map_err(|_| bad())?,
            ),
            ValType::I64 => Val::I64(
                a.parse::<i64>()
                    .or_else(|_| a.parse::<u64>().map(|v| v as i64))
                    .map_err(|_| bad())?,
            ),
            ValType::F32 => Val::F32(a.parse::<f32>().map_err(|_| bad())?.to_bits()),
            ValType::F64 => Val::F64(a.parse::<f64>().map_err(|_| bad())?.to_bits()),
            other => {
                return Err(Error::Usage(format!(
                    "`{name}` takes a {other} parameter; --invoke supports i32, i64, f32 and f64"
                )))
            }
        });
    }
    let mut results = vec![Val::I32(0); ty.results().len()];
    if let Err(e) = func.call(&mut store, &params, &mut results) {
        return match exit_or_trap(e)? {
            0 => Ok(Vec::new()),
            n => Err(Error::Trap(format!("`{name}` exited with status {n}"))),
        };
    }
    Ok(results
        .iter()
        .map(|v| match v {
            Val::I32(x) => x.to_string(),
            Val::I64(x) => x.to_string(),
            Val::F32(x) => f32::from_bits(*x).to_string(),
            Val::F64(x) => f64::from_bits(*x).to_string(),
            other => format!("{other:?}"),
        })
        .collect())
}

/// The name of a component's `wasi:cli/run` export of any `0.2.x` version (the highest if
/// it exports several), e.g. `wasi:cli/run@0.2.6`.
fn run_export_name(engine: &Engine, component: &Component) -> Option<String> {
    component
        .component_type()
        .exports(&engine.inner)
        .map(|(name, _)| name)
        .filter(|n| n.starts_with("wasi:cli/run@0.2."))
        .max_by_key(|n| n["wasi:cli/run@0.2.".len()..].parse::<u64>().unwrap_or(0))
        .map(str::to_string)
}

/// Links a component against Eddy's WASI 0.2 host (every `wasi:*@0.2.x` import; with
/// `caps.unknown_imports_trap`, other imports trap when called), ready to instantiate.
/// Errors: `Error::Other` (an import Eddy does not provide: the linker's message).
pub(crate) fn component_pre(
    engine: &Engine,
    component: &Component,
    caps: &Capabilities,
) -> Result<component::InstancePre<Host>, Error> {
    let mut linker: component::Linker<Host> = component::Linker::new(&engine.inner);
    eddy_wasi::p2::add_to_linker(&mut linker).map_err(|e| Error::Other(one_line(&e)))?;
    if caps.unknown_imports_trap {
        linker
            .define_unknown_imports_as_traps(component)
            .map_err(|e| Error::Other(one_line(&e)))?;
    }
    linker.instantiate_pre(component).map_err(|e| Error::Other(one_line(&e)))
}

/// Runs a WASI 0.2 command component: links every `wasi:*@0.2.x` import to Eddy's host
/// ([`eddy_wasi::p2::add_to_linker`]), instantiates, and calls `run` of its
/// `wasi:cli/run@0.2.x` export. Returns the exit status: `run` returning `ok` → 0, `err` →
/// 1; `wasi:cli/exit.exit(ok)` → 0, `exit(err)` → 1, `exit-with-code(n)` → n.
///
/// With `caps.unknown_imports_trap`, imports Eddy does not provide are functions that trap
/// when called.
///
/// Errors: `Error::Other` (an import Eddy does not provide: the linker's message),
/// `Error::Usage` (no `wasi:cli/run` export), `Error::Trap` (a trap), `Error::Capability`.
fn run_component(
    engine: &Engine,
    component: &Component,
    caps: &Capabilities,
) -> Result<i32, Error> {
    let Some(run_name) = run_export_name(engine, component) else {
        let names: Vec<String> =
            component.component_type().exports(&engine.inner).map(|(n, _)| n.to_string()).collect();
        return Err(Error::Usage(format!(
            "the component exports no `wasi:cli/run@0.2.x` (not a command); it exports: {}",
            if names.is_empty() { "nothing".to_string() } else { names.join(", ") }
        )));
    };
    let mut store = new_store(engine, caps)?;
    let pre = component_pre(engine, component, caps)?;
    let instance = match pre.instantiate(&mut store) {
        Ok(i) => i,
        Err(e) => return exit_or_trap(e),
    };
    let func = instance
        .get_export_index(&mut store, None, &run_name)
        .and_then(|iface| instance.get_export_index(&mut store, Some(&iface), "run"))
        .and_then(|f| instance.get_func(&mut store, f))
        .ok_or_else(|| Error::Usage(format!("`{run_name}` exports no function `run`")))?;
    let run = func.typed::<(), (Result<(), ()>,)>(&store).map_err(|e| {
        Error::Usage(format!("`{run_name}.run` has the wrong type: {}", one_line(&e)))
    })?;
    match run.call(&mut store, ()) {
        Ok((Ok(()),)) => Ok(0),
        Ok((Err(()),)) => Ok(1),
        Err(e) => exit_or_trap(e),
    }
}
