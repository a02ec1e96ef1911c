//! Running a program as a command: [`run`].

use wasmtime::component::{self, Component, TypedFunc};
use wasmtime::Store;

use crate::caps::Capabilities;
use crate::engine::Engine;
use crate::error::{one_line, Error};
use crate::program::{self, Program, RunExport};
use crate::store::{
    exit_or_trap, function_exports, instantiate_component, instantiate_component_async,
    instantiate_module, trap, Host, Started,
};

/// Runs a command. A core module is a preview1 command: instantiates `program` with `caps` and
/// calls `_start` (after `_initialize`, if the module also exports one). Returns the exit
/// status: 0 when `_start` returns, `n` for `proc_exit(n)`.
///
/// A component is a WASI 0.3 or 0.2 command: it is linked against `wasi:cli/command` (any
/// `0.2.x` and `0.3.x`) and the `run` of its `wasi:cli/run@0.3.x` export (on the event loop),
/// else of its `@0.2.x` export, is called: `run` returning `ok` → 0, `err` → 1;
/// `wasi:cli/exit.exit(ok)` → 0, `exit(err)` → 1, `exit-with-code(n)` → n.
///
/// Errors: `Error::UnknownImport` (an import Eddy does not provide), `Error::Capability` (a
/// preopen that cannot be opened), `Error::Usage` (no `_start` export, or a component with
/// no `wasi:cli/run` export; [`Engine::load_command_file`] finds both before compiling),
/// `Error::Other` (a component import Eddy does not provide; or an exit status of 126 or
/// more, `proc_exit(-1)` included, which wasmtime refuses too), `Error::Trap` (the guest
/// trapped; message with wasm backtrace).
pub fn run(engine: &Engine, program: &Program, caps: &Capabilities) -> Result<i32, Error> {
    let module = match program {
        Program::Module(m) => m,
        Program::Component(c) => return run_component(engine, c, caps),
    };
    let (mut store, instance) = instantiate_module(engine, module, caps)?;
    let Some(start) = instance.get_func(&mut store, "_start") else {
        return Err(program::no_start(&function_exports(&mut store, &instance)));
    };
    if let Some(init) = instance.get_func(&mut store, "_initialize") {
        if let Err(e) = init.call(&mut store, &[], &mut []) {
            return exit_or_trap(e);
        }
    }
    match start.call(&mut store, &[], &mut []) {
        Ok(()) => Ok(0),
        Err(e) => {
            write_coredump(&mut store, &e, caps)?;
            exit_or_trap(e)
        }
    }
}

/// With `caps.coredump`, writes the core dump a trap `e` carries (none for an exit) to that
/// path. Errors: `Error::Other` if the file cannot be written.
fn write_coredump<T>(
    store: &mut Store<T>,
    e: &wasmtime::Error,
    caps: &Capabilities,
) -> Result<(), Error> {
    let (Some(path), Some(dump)) = (&caps.coredump, e.downcast_ref::<wasmtime::WasmCoreDump>())
    else {
        return Ok(());
    };
    let name = caps.args.first().map_or("main", String::as_str);
    std::fs::write(path, dump.serialize(&mut *store, name)).map_err(|err| {
        Error::Other(format!("cannot write the core dump to `{}`: {err}", path.display()))
    })
}

/// Runs a command component: links it ([`crate::store`]: every `wasi:*@0.2.x` and
/// `wasi:*@0.3.x` import), instantiates it and calls `run` of its `wasi:cli/run` export — a
/// `@0.3.x` one on the event loop ([`run_p3`]), else a `@0.2.x` one. Returns the exit status:
/// `run` returning `ok` → 0, `err` → 1; `wasi:cli/exit.exit(ok)` → 0, `exit(err)` → 1,
/// `exit-with-code(n)` → n.
///
/// Errors: `Error::Other` (an import Eddy does not provide: the linker's message; an exit
/// status of 126 or more), `Error::Usage` (no `wasi:cli/run` export), `Error::Trap` (a
/// trap), `Error::Capability`.
fn run_component(
    engine: &Engine,
    component: &Component,
    caps: &Capabilities,
) -> Result<i32, Error> {
    let exports: Vec<String> =
        component.component_type().exports(&engine.inner).map(|(n, _)| n.to_string()).collect();
    let run_name = match program::run_export(exports.iter().map(String::as_str)) {
        Some(RunExport::P3(name)) => return run_p3(engine, component, caps, name),
        Some(RunExport::P2(name)) => name,
        None => return Err(program::no_run(&exports)),
    };
    let (mut store, instance) = match instantiate_component(engine, component, caps)? {
        Started::Running(store, instance) => (store, instance),
        Started::Exited(code) => return Ok(code),
    };
    let run = run_func(&mut store, &instance, run_name)?;
    match run.call(&mut store, ()) {
        Ok((Ok(()),)) => Ok(0),
        Ok((Err(()),)) => Ok(1),
        Err(e) => exit_or_trap(e),
    }
}

/// The `run` function of export `run_name` (`wasi:cli/run@…`), typed `func() -> result`.
/// Errors: `Error::Usage` if there is no such function or it has another type.
fn run_func(
    store: &mut Store<Host>,
    instance: &component::Instance,
    run_name: &str,
) -> Result<TypedFunc<(), (Result<(), ()>,)>, Error> {
    let func = instance
        .get_export_index(&mut *store, None, run_name)
        .and_then(|iface| instance.get_export_index(&mut *store, Some(&iface), "run"))
        .and_then(|f| instance.get_func(&mut *store, f))
        .ok_or_else(|| Error::Usage(format!("`{run_name}` exports no function `run`")))?;
    func.typed::<(), (Result<(), ()>,)>(&*store)
        .map_err(|e| Error::Usage(format!("`{run_name}.run` has the wrong type: {}", one_line(&e))))
}

/// Runs a WASI 0.3 command: instantiates on the event loop and calls the async `run` of
/// `run_name` (`wasi:cli/run@0.3.x`) inside the engine's concurrent loop
/// (`Store::run_concurrent`), until `run` returns. Under `-W timeout`, the run is bounded
/// from outside the loop: when the time passes, the loop stops being polled and the run ends
/// with the interrupt trap, wherever the guest was (in wasm, the epoch stops it; waiting on
/// a timer or a socket, this does). Statuses and errors as [`run_component`].
fn run_p3(
    engine: &Engine,
    component: &Component,
    caps: &Capabilities,
    run_name: &str,
) -> Result<i32, Error> {
    crate::runtime::block_on(run_p3_async(engine, component, caps, run_name))
}

/// The future of [`run_p3`]: runs on whatever tokio runtime polls it.
async fn run_p3_async(
    engine: &Engine,
    component: &Component,
    caps: &Capabilities,
    run_name: &str,
) -> Result<i32, Error> {
    let timeout = caps.timeout.filter(|_| engine.config.epoch_interruption);
    let (mut store, instance) = match instantiate_component_async(engine, component, caps).await? {
        Started::Running(store, instance) => (store, instance),
        Started::Exited(code) => return Ok(code),
    };
    let run = run_func(&mut store, &instance, run_name)?;
    let call = store.run_concurrent(async |accessor| run.call_concurrent(accessor, ()).await);
    let outcome = match timeout {
        None => call.await,
        Some(t) => match tokio::time::timeout(t, call).await {
            Ok(r) => r,
            Err(_) => return Err(trap(wasmtime::Trap::Interrupt.into())),
        },
    };
    match outcome.and_then(|r| r) {
        Ok((Ok(()),)) => Ok(0),
        Ok((Err(()),)) => Ok(1),
        Err(e) => exit_or_trap(e),
    }
}

/// [`run`] as a future, for embedders that run several programs on one tokio runtime (a
/// runtime with its time and I/O drivers enabled must poll it). A WASI 0.3 command runs on
/// that runtime's loop without blocking it: many such futures, joined or spawned, share
/// one reactor and one timer wheel, and each has its own result (the exit status, or the
/// error). A core module or WASI 0.2 command is synchronous: it runs to completion inside
/// the first poll, blocking the runtime's thread meanwhile. Statuses and errors as [`run`].
pub async fn run_async(
    engine: &Engine,
    program: &Program,
    caps: &Capabilities,
) -> Result<i32, Error> {
    if let Program::Component(c) = program {
        let exports: Vec<String> =
            c.component_type().exports(&engine.inner).map(|(n, _)| n.to_string()).collect();
        if let Some(RunExport::P3(name)) = program::run_export(exports.iter().map(String::as_str)) {
            return run_p3_async(engine, c, caps, name).await;
        }
    }
    run(engine, program, caps)
}
