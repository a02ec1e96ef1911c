//! Running a program as a command: [`run`].

use wasmtime::component::Component;

use crate::caps::Capabilities;
use crate::engine::Engine;
use crate::error::{one_line, Error};
use crate::program::{self, Program};
use crate::store::{
    exit_or_trap, function_exports, instantiate_component, instantiate_module, Started,
};

/// Runs a command. A core module is a preview1 command: instantiates `program` with `caps` and
/// calls `_start` (after `_initialize`, if the module also exports one). Returns the exit
/// status: 0 when `_start` returns, `n` for `proc_exit(n)`.
///
/// A component is a WASI 0.2 command: it is linked against `wasi:cli/command` (any
/// `0.2.x`) and its `wasi:cli/run@0.2.x` export's `run` is called: `run` returning `ok` →
/// 0, `err` → 1; `wasi:cli/exit.exit(ok)` → 0, `exit(err)` → 1, `exit-with-code(n)` → n.
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
        Err(e) => exit_or_trap(e),
    }
}

/// Runs a WASI 0.2 command component: links every `wasi:*@0.2.x` import to Eddy's host
/// ([`eddy_wasi::p2::add_to_linker`]), instantiates, and calls `run` of its
/// `wasi:cli/run@0.2.x` export. Returns the exit status: `run` returning `ok` → 0, `err` →
/// 1; `wasi:cli/exit.exit(ok)` → 0, `exit(err)` → 1, `exit-with-code(n)` → n.
///
/// With `caps.unknown_imports_trap`, imports Eddy does not provide are functions that trap
/// when called.
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
    let Some(run_name) = program::run_export(exports.iter().map(String::as_str)) else {
        return Err(program::no_run(&exports));
    };
    let (mut store, instance) = match instantiate_component(engine, component, caps)? {
        Started::Running(store, instance) => (store, instance),
        Started::Exited(code) => return Ok(code),
    };
    let func = instance
        .get_export_index(&mut store, None, run_name)
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
