//! Calling one export once: [`invoke`] (a core module's, arguments parsed by their types),
//! and [`invoke_component`] (a component's, arguments written in WAVE:
//! `eddy run --invoke 'add(2, 3)' calc.wasm`). Both go through a [`Reactor`] with one
//! instance, so `--invoke` and the embedding API share one call path (linking, the pool or
//! the concurrent instance on the event loop, deadlines, error reports).

use wasmtime::component::{Component, Val};
use wasmtime::ValType;

use crate::caps::Capabilities;
use crate::engine::Engine;
use crate::error::Error;
use crate::program::{list, Program};
use crate::reactor::Reactor;
use crate::store::exit_status;

/// Calls the export `name` of a core module with `args` parsed by its parameter types
/// (i32, i64, f32, f64), after running `_initialize` if the module exports one. Returns each
/// result formatted as text (integers in decimal, floats as Rust prints them).
///
/// For a component, `name` is a WAVE call `NAME(ARGS)` and `args` must be empty: see
/// [`crate::invoke_component`].
///
/// Errors: `Error::Usage` (no such exported function — the message lists the exports; wrong
/// argument count or an argument that does not parse; an unsupported parameter type),
/// `Error::Trap`, plus everything [`crate::run`] can return before the call. A `proc_exit(n)`
/// during the call is `Ok` with no results only if `n == 0`; otherwise `Error::Trap` says so
/// (`Error::Other` for n ≥ 126, as for [`crate::run`]).
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
            return invoke_component(engine, c, caps, name)
        }
        Program::Component(_) => {
            return Err(Error::Usage(format!(
                "a component's --invoke takes its arguments inside the WAVE call (`f(1, \"a\")`); unexpected arguments after the file: {}",
                args.join(" ")
            )))
        }
    };
    let Some(ty) = module.get_export(name).and_then(|e| e.func().cloned()) else {
        let funcs: Vec<String> = module
            .exports()
            .filter(|e| e.ty().func().is_some())
            .map(|e| e.name().to_string())
            .collect();
        return Err(Error::Usage(format!(
            "no exported function `{name}`; the module exports: {}",
            list(&funcs, "no functions")
        )));
    };
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
            ValType::I32 => Val::S32(
                a.parse::<i32>()
                    .or_else(|_| a.parse::<u32>().map(|v| v as i32))
                    .map_err(|_| bad())?,
            ),
            ValType::I64 => Val::S64(
                a.parse::<i64>()
                    .or_else(|_| a.parse::<u64>().map(|v| v as i64))
                    .map_err(|_| bad())?,
            ),
            ValType::F32 => Val::Float32(a.parse::<f32>().map_err(|_| bad())?),
            ValType::F64 => Val::Float64(a.parse::<f64>().map_err(|_| bad())?),
            other => {
                return Err(Error::Usage(format!(
                    "`{name}` takes a {other} parameter; --invoke supports i32, i64, f32 and f64"
                )))
            }
        });
    }
    let reactor = one_instance(engine, program, caps)?;
    let results = match crate::runtime::block_on(reactor.call(name, &params)) {
        Ok(r) => r,
        Err(e) => return exited(name, e),
    };
    Ok(results
        .iter()
        .map(|v| match v {
            Val::S32(x) => x.to_string(),
            Val::S64(x) => x.to_string(),
            Val::Float32(x) => x.to_string(),
            Val::Float64(x) => x.to_string(),
            other => format!("{other:?}"),
        })
        .collect())
}

/// Calls one function exported by a component and returns its results in WAVE, one string
/// per result (none for a function without results).
///
/// `expr` is a WAVE function call `NAME(ARG, ...)`:
/// - `NAME` is a function the component exports at top level (`add`), or `IFACE#FUNC` for
///   function `FUNC` of an exported interface `IFACE`, named as the component exports it
///   (`eddy:test/calc@1.0.0#add`), or abbreviated when that names one exported interface:
///   without `@VERSION` (`eddy:test/calc#add`) or without the package too (`calc#add`).
///   wasmtime's spellings work too: `PKG:NS/IFACE.FUNC@VERSION` (`eddy:test/calc.mul@1.0.0`,
///   `wasi:cli/run.run@0.2.0`), and a bare `FUNC` that no top-level export has but exactly
///   one exported interface does.
/// - Each `ARG` is a WAVE value parsed against the function's parameter type: numbers,
///   chars, strings, lists, tuples, records, variants, enums, flags, options and results.
///   Trailing `option` parameters may be omitted (they are `none`), as in WAVE.
///
/// The component is linked as [`crate::run`] links a command (every `wasi:*@0.2.x` and
/// `@0.3.x` import linked to Eddy's host, with `caps`) into a [`Reactor`] of one instance,
/// which makes the call (an async-lifted one inside the engine's concurrent loop, on the
/// event loop); it need not export `wasi:cli/run`. A `wasi:cli/exit` with status 0 during
/// the call ends it with no results.
///
/// Errors, each one line: `Error::Usage` when `expr` does not parse (WAVE's parse error,
/// with the text it stopped at), when `NAME` is not an exported function (the message lists
/// every exported function, interface functions as `IFACE#FUNC`), when the argument count is
/// wrong (the message gives the signature), when an argument does not parse as its
/// parameter's type (the message names the argument and its expected type), or when a
/// parameter or result is a resource, stream, future or map (WAVE cannot write those);
/// `Error::Trap` when the guest traps or exits with a nonzero status; plus what
/// [`crate::run`] returns before a component runs (`Error::Other` for an import Eddy does
/// not provide, `Error::Capability`).
pub fn invoke_component(
    engine: &Engine,
    component: &Component,
    caps: &Capabilities,
    expr: &str,
) -> Result<Vec<String>, Error> {
    // The call is checked (it parses, names an export, its arguments type) before anything
    // is instantiated.
    let call = crate::calls::parse_call(expr)?;
    let (_, _, ty) = crate::calls::resolve(engine, component, call.name)?;
    let params: Vec<(String, wasmtime::component::Type)> =
        ty.params().map(|(n, t)| (n.to_string(), t)).collect();
    let results: Vec<_> = ty.results().collect();
    let args = crate::calls::typed_args(expr, &call, &params, &results)?;
    let name = call.name;
    let reactor = one_instance(engine, &Program::Component(component.clone()), caps)?;
    match crate::runtime::block_on(reactor.call(name, &args)) {
        Ok(results) => crate::calls::wave_results(name, &results),
        Err(e) => exited(name, e),
    }
}

/// A reactor of one instance for one call.
fn one_instance(engine: &Engine, program: &Program, caps: &Capabilities) -> Result<Reactor, Error> {
    Reactor::builder(engine, program, caps.clone())?.pool_size(1).build()
}

/// A failed call as `--invoke` reports it: an exit with status 0 is success with no
/// results, another status a trap error saying so (a status from 126 up: `Error::Other`).
fn exited<T: Default>(name: &str, e: Error) -> Result<T, Error> {
    match e {
        Error::Exit { status, .. } => match exit_status(status)? {
            0 => Ok(T::default()),
            n => Err(Error::Trap(format!("`{name}` exited with status {n}"))),
        },
        e => Err(e),
    }
}
