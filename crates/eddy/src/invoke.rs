//! Calling one export: [`invoke`] (a core module's, arguments parsed by their types), and
//! [`invoke_component`] (a WASI 0.2 component's, arguments written in WAVE:
//! `eddy run --invoke 'add(2, 3)' calc.wasm`).
//!
//! WAVE is the WebAssembly Value Encoding of the `wasm-wave` crate (used through wasmtime's
//! `wave` feature, which implements its value and type traits for wasmtime's component `Val`
//! and `Type`): `2`, `"text"`, `[1, 2]`, `{x: 1, y: 2}`, `circle(3)`, `red`, `some("a")`,
//! `none`, `ok(1)`, `err("no")`, `(1, "a")`, `{read, write}`.

use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::wasm_wave::{self, parser::ParserError, untyped::UntypedValue};
use wasmtime::component::{self, Component, Type, Val};
use wasmtime::{Store, Val as CoreVal, ValType};

use crate::caps::Capabilities;
use crate::engine::Engine;
use crate::error::Error;
use crate::program::{list, Program};
use crate::store::{
    exit_or_trap, function_exports, instantiate_component, instantiate_component_async,
    instantiate_module, trap, Host, Started,
};

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
    let (mut store, instance) = instantiate_module(engine, module, caps)?;
    if let Some(init) = instance.get_func(&mut store, "_initialize") {
        init.call(&mut store, &[], &mut []).map_err(trap)?;
    }
    let Some(func) = instance.get_func(&mut store, name) else {
        return Err(Error::Usage(format!(
            "no exported function `{name}`; the module exports: {}",
            list(&function_exports(&mut store, &instance), "no functions")
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
            ValType::I32 => CoreVal::I32(
                a.parse::<i32>()
                    .or_else(|_| a.parse::<u32>().map(|v| v as i32))
                    .map_err(|_| bad())?,
            ),
            ValType::I64 => CoreVal::I64(
                a.parse::<i64>()
                    .or_else(|_| a.parse::<u64>().map(|v| v as i64))
                    .map_err(|_| bad())?,
            ),
            ValType::F32 => CoreVal::F32(a.parse::<f32>().map_err(|_| bad())?.to_bits()),
            ValType::F64 => CoreVal::F64(a.parse::<f64>().map_err(|_| bad())?.to_bits()),
            other => {
                return Err(Error::Usage(format!(
                    "`{name}` takes a {other} parameter; --invoke supports i32, i64, f32 and f64"
                )))
            }
        });
    }
    let mut results = vec![CoreVal::I32(0); ty.results().len()];
    if let Err(e) = func.call(&mut store, &params, &mut results) {
        return match exit_or_trap(e)? {
            0 => Ok(Vec::new()),
            n => Err(Error::Trap(format!("`{name}` exited with status {n}"))),
        };
    }
    Ok(results
        .iter()
        .map(|v| match v {
            CoreVal::I32(x) => x.to_string(),
            CoreVal::I64(x) => x.to_string(),
            CoreVal::F32(x) => f32::from_bits(*x).to_string(),
            CoreVal::F64(x) => f64::from_bits(*x).to_string(),
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
/// The component is instantiated as [`crate::run`] instantiates a command (every
/// `wasi:*@0.2.x` and `@0.3.x` import linked to Eddy's host, with `caps`), then the function
/// is called (an async-lifted one inside the engine's concurrent loop, on the event loop);
/// it need not export `wasi:cli/run`. A `wasi:cli/exit` with status 0 during the call ends
/// it with no results.
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
    let call = parse_call(expr)?;
    let (iface, func_name, ty) = resolve(engine, component, call.name)?;
    let name = call.name;
    let params: Vec<(String, Type)> = ty.params().map(|(n, t)| (n.to_string(), t)).collect();
    let results_ty: Vec<Type> = ty.results().collect();
    let args = typed_args(expr, &call, &params, &results_ty)?;

    let exited = |code: i32| match code {
        0 => Ok(Vec::new()),
        n => Err(Error::Trap(format!("`{name}` exited with status {n}"))),
    };
    let mut results = vec![Val::Bool(false); results_ty.len()];
    let target = Target { iface: iface.as_deref(), func: &func_name, name };
    let called = if ty.async_() {
        // An async-lifted export (WASI 0.3 style) is called on the event loop.
        crate::runtime::block_on(call_on_loop(
            engine,
            component,
            caps,
            &target,
            &args,
            &mut results,
        ))?
    } else {
        match instantiate_component(engine, component, caps)? {
            Started::Exited(code) => Called::Exited(code),
            Started::Running(mut store, instance) => {
                let func = target.func_of(&mut store, &instance)?;
                match func.call(&mut store, &args, &mut results) {
                    Ok(()) => Called::Returned,
                    Err(e) => Called::Failed(e),
                }
            }
        }
    };
    match called {
        Called::Returned => {}
        Called::Exited(code) => return exited(code),
        Called::Failed(e) => return exited(exit_or_trap(e)?),
    }
    wave_results(name, &results)
}

/// Each of `results` of the call of `name` in WAVE. Errors: `Error::Other` (a value WAVE
/// cannot write).
pub(crate) fn wave_results(name: &str, results: &[Val]) -> Result<Vec<String>, Error> {
    results
        .iter()
        .map(|v| {
            wasm_wave::to_string(v)
                .map_err(|e| Error::Other(format!("cannot write a result of `{name}`: {e}")))
        })
        .collect()
}

/// The arguments of a parsed WAVE `call` (of `expr`), typed by the function's `params`
/// (names and types; `results` only to refuse types WAVE cannot write). Missing trailing
/// option parameters are `none`. Errors: `Error::Usage` (a resource, stream, future or map
/// parameter or result; the wrong argument count, with the signature; an argument not of its
/// type, naming it).
pub(crate) fn typed_args(
    expr: &str,
    call: &Call<'_>,
    params: &[(String, Type)],
    results_ty: &[Type],
) -> Result<Vec<Val>, Error> {
    let name = call.name;
    for (i, (p, t)) in params.iter().enumerate() {
        if !wave_supported(t) {
            return Err(Error::Usage(format!(
                "argument {} (`{p}`) of `{name}` is a {}: --invoke cannot pass resources, streams, futures or maps",
                i + 1,
                type_name(t)
            )));
        }
    }
    if let Some(t) = results_ty.iter().find(|t| !wave_supported(t)) {
        return Err(Error::Usage(format!(
            "`{name}` returns a {}: --invoke cannot print resources, streams, futures or maps",
            type_name(t)
        )));
    }

    // Arity: every parameter given, or all missing ones trailing options.
    let given = call.args.len();
    let required = params.len()
        - params.iter().rev().take_while(|(_, t)| matches!(t, Type::Option(_))).count();
    if given > params.len() || given < required {
        return Err(Error::Usage(format!(
            "`{name}` takes {} argument{}, {given} given: {}",
            params.len(),
            if params.len() == 1 { "" } else { "s" },
            signature(name, params, results_ty)
        )));
    }
    let mut args = Vec::with_capacity(params.len());
    for (i, (p, t)) in params.iter().enumerate() {
        let Some(node) = call.args.get(i) else {
            args.push(Val::Option(None));
            continue;
        };
        let v = node.to_wasm_value::<Val>(t, &call.source).map_err(|e| {
            Error::Usage(format!(
                "argument {} (`{p}`) of `{name}` expects {}: {}",
                i + 1,
                type_name(t),
                wave_error(expr, &e)
            ))
        })?;
        args.push(v);
    }
    Ok(args)
}

/// The function `--invoke` names: `func` of the exported interface `iface` (or a top-level
/// export when `None`); `name` as the user wrote it, for messages.
struct Target<'a> {
    iface: Option<&'a str>,
    func: &'a str,
    name: &'a str,
}

impl Target<'_> {
    /// The function in `instance`. Errors: `Error::Other` if the instance lacks it.
    fn func_of(
        &self,
        store: &mut Store<Host>,
        instance: &component::Instance,
    ) -> Result<component::Func, Error> {
        let index = match self.iface {
            None => instance.get_export_index(&mut *store, None, self.func),
            Some(i) => instance
                .get_export_index(&mut *store, None, i)
                .and_then(|i| instance.get_export_index(&mut *store, Some(&i), self.func)),
        };
        index.and_then(|f| instance.get_func(&mut *store, f)).ok_or_else(|| {
            Error::Other(format!("`{}` is not a function of the instance", self.name))
        })
    }
}

/// How an invoked call ended.
enum Called {
    /// It returned; the results are written.
    Returned,
    /// The guest exited (`wasi:cli/exit`) while being instantiated, with this status.
    Exited(i32),
    /// The call trapped or exited.
    Failed(wasmtime::Error),
}

/// Instantiates on the event loop and calls `target` with `call_concurrent` inside the
/// engine's concurrent loop (an async-lifted export). Errors: what instantiation returns.
async fn call_on_loop(
    engine: &Engine,
    component: &Component,
    caps: &Capabilities,
    target: &Target<'_>,
    args: &[Val],
    results: &mut [Val],
) -> Result<Called, Error> {
    let (mut store, instance) = match instantiate_component_async(engine, component, caps).await? {
        Started::Running(store, instance) => (store, instance),
        Started::Exited(code) => return Ok(Called::Exited(code)),
    };
    let func = target.func_of(&mut store, &instance)?;
    let r = store.run_concurrent(async |a| func.call_concurrent(a, args, results).await).await;
    Ok(match r.and_then(|r| r) {
        Ok(()) => Called::Returned,
        Err(e) => Called::Failed(e),
    })
}

/// A parsed `NAME(ARGS)`: the name as written and the argument nodes, whose spans index
/// `source` (the expression with the name blanked out, so spans are byte offsets into it).
pub(crate) struct Call<'a> {
    pub(crate) name: &'a str,
    source: String,
    args: Vec<wasm_wave::ast::Node>,
}

/// Splits `NAME(ARGS)` at the first `(` and parses `(ARGS)` as a WAVE tuple. The name is
/// resolved by Eddy, not by WAVE, so that it may name an interface with `#`.
pub(crate) fn parse_call(expr: &str) -> Result<Call<'_>, Error> {
    let bad = |why: String| Error::Usage(format!("cannot parse --invoke `{expr}`: {why}"));
    let expected = "expected a WAVE call `NAME(ARGS)`, e.g. `add(2, 3)` or `IFACE#NAME()`";
    let Some(open) = expr.find('(') else {
        return Err(bad(expected.to_string()));
    };
    let name = expr[..open].trim();
    if name.is_empty() {
        return Err(bad(expected.to_string()));
    }
    // Blank the name so WAVE's spans are offsets into `expr`.
    let source = format!("{}{}", " ".repeat(open), &expr[open..]);
    let after_open = expr[open + 1..].trim_start();
    let args = if let Some(rest) = after_open.strip_prefix(')') {
        if !rest.trim().is_empty() {
            return Err(bad(format!("trailing characters after value at `{}`", rest.trim())));
        }
        Vec::new()
    } else {
        let value = UntypedValue::parse(&source).map_err(|e| bad(wave_error(expr, &e)))?;
        let nodes = value.node().as_tuple().map_err(|e| bad(wave_error(expr, &e)))?;
        nodes.cloned().collect()
    };
    Ok(Call { name, source, args })
}

/// A WAVE error on one line: its kind and detail, and the text it points at.
fn wave_error(expr: &str, e: &ParserError) -> String {
    let mut msg = e.kind().to_string();
    if let Some(d) = e.detail() {
        msg.push_str(": ");
        msg.push_str(d);
    }
    if let Some(s) = std::error::Error::source(e) {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
    }
    let span = e.span();
    match expr.get(span.clone()).map(str::trim) {
        Some(text) if !text.is_empty() => msg.push_str(&format!(" at `{text}`")),
        _ if span.start >= expr.trim_end().len() => msg.push_str(" at the end"),
        _ => msg.push_str(&format!(" at byte {}", span.start)),
    }
    msg
}

/// Finds `name` (`FUNC` or `IFACE#FUNC`) among the component's exports: the interface's
/// export name (if any), the function's name, and its type.
pub(crate) fn resolve(
    engine: &Engine,
    component: &Component,
    name: &str,
) -> Result<(Option<String>, String, ComponentFunc), Error> {
    let cty = component.component_type();
    let unknown = || {
        Error::Usage(format!(
            "no exported function `{name}`; the component exports: {}",
            export_list(engine, component)
        ))
    };
    let wasmtime_spelling = wasmtime_interface_name(name);
    let (iface, func): (&str, &str) = match (name.split_once('#'), &wasmtime_spelling) {
        (Some((i, f)), _) => (i, f),
        (None, Some((i, f))) => (i.as_str(), f),
        (None, None) => {
            return match cty.get_export(&engine.inner, name).map(|e| e.ty) {
                Some(ComponentItem::ComponentFunc(f)) => Ok((None, name.to_string(), f)),
                _ => match bare_in_instances(engine, component, name)? {
                    Some(found) => Ok(found),
                    None => Err(unknown()),
                },
            };
        }
    };
    // The exact export name, else the one interface it abbreviates: `pkg:ns/iface` without
    // `@VERSION`, or just `iface`.
    let instances: Vec<&str> = cty
        .exports(&engine.inner)
        .filter(|(_, e)| matches!(e.ty, ComponentItem::ComponentInstance(_)))
        .map(|(n, _)| n)
        .collect();
    let chosen = if instances.contains(&iface) {
        iface
    } else {
        let abbreviates = |n: &str| {
            let unversioned = n.split_once('@').map_or(n, |p| p.0);
            unversioned == iface || unversioned.rsplit_once('/').is_some_and(|p| p.1 == iface)
        };
        let found: Vec<&str> = instances.iter().copied().filter(|n| abbreviates(n)).collect();
        match found[..] {
            [one] => one,
            [] => return Err(unknown()),
            _ => {
                return Err(Error::Usage(format!(
                    "`{iface}` could be any of {}; name one, e.g. `{}#{func}`",
                    found.join(", "),
                    found[0]
                )))
            }
        }
    };
    match cty.get_export(&engine.inner, chosen).map(|e| e.ty) {
        Some(ComponentItem::ComponentInstance(i)) => match i.get_export(&engine.inner, func) {
            Some(e) => match e.ty {
                ComponentItem::ComponentFunc(f) => {
                    Ok((Some(chosen.to_string()), func.to_string(), f))
                }
                _ => Err(unknown()),
            },
            None => Err(unknown()),
        },
        _ => Err(unknown()),
    }
}

/// wasmtime's spelling of an interface function, `PKG:NS/IFACE.FUNC[@VERSION]`
/// (`wasi:cli/run.run@0.2.0`), as Eddy's `(PKG:NS/IFACE[@VERSION], FUNC)`; `None` for a name
/// without a `/` or without a `.` after its last `/`.
fn wasmtime_interface_name(name: &str) -> Option<(String, &str)> {
    let slash = name.rfind('/')?;
    let dot = slash + name[slash..].find('.')?;
    let iface = &name[..dot];
    let rest = &name[dot + 1..];
    Some(match rest.split_once('@') {
        Some((func, version)) => (format!("{iface}@{version}"), func),
        None => (iface.to_string(), rest),
    })
}

/// A bare `FUNC` that is no top-level export, searched for in every exported interface (as
/// wasmtime does): the one interface function of that name, `None` if there is none, a usage
/// error naming the candidates if several interfaces have one.
fn bare_in_instances(
    engine: &Engine,
    component: &Component,
    func: &str,
) -> Result<Option<(Option<String>, String, ComponentFunc)>, Error> {
    let mut found = Vec::new();
    for (iname, e) in component.component_type().exports(&engine.inner) {
        if let ComponentItem::ComponentInstance(i) = e.ty {
            if let Some(ComponentItem::ComponentFunc(f)) =
                i.get_export(&engine.inner, func).map(|x| x.ty)
            {
                found.push((Some(iname.to_string()), func.to_string(), f));
            }
        }
    }
    if found.len() > 1 {
        let names: Vec<String> =
            found.iter().map(|(i, f, _)| format!("{}#{f}", i.as_deref().unwrap_or(""))).collect();
        return Err(Error::Usage(format!(
            "`{func}` is exported by several interfaces: {}; name one",
            names.join(", ")
        )));
    }
    Ok(found.pop())
}

/// Every function the component exports, interface functions as `IFACE#FUNC`.
fn export_list(engine: &Engine, component: &Component) -> String {
    let mut names = Vec::new();
    for (name, e) in component.component_type().exports(&engine.inner) {
        match e.ty {
            ComponentItem::ComponentFunc(_) => names.push(name.to_string()),
            ComponentItem::ComponentInstance(i) => {
                for (f, fe) in i.exports(&engine.inner) {
                    if matches!(fe.ty, ComponentItem::ComponentFunc(_)) {
                        names.push(format!("{name}#{f}"));
                    }
                }
            }
            _ => {}
        }
    }
    if names.is_empty() {
        "no functions".to_string()
    } else {
        names.join(", ")
    }
}

/// `name(a: u32, b: string) -> u32`.
fn signature(name: &str, params: &[(String, Type)], results: &[Type]) -> String {
    let ps: Vec<String> = params.iter().map(|(n, t)| format!("{n}: {}", type_name(t))).collect();
    let mut s = format!("{name}({})", ps.join(", "));
    match results {
        [] => {}
        [one] => s.push_str(&format!(" -> {}", type_name(one))),
        many => {
            let rs: Vec<String> = many.iter().map(type_name).collect();
            s.push_str(&format!(" -> ({})", rs.join(", ")));
        }
    }
    s
}

/// A type in WIT-like syntax (records, variants, enums and flags spelled out structurally:
/// the component's type names are not kept).
fn type_name(t: &Type) -> String {
    match t {
        Type::Own(_) => "resource (own)".to_string(),
        Type::Borrow(_) => "resource (borrow)".to_string(),
        Type::Stream(_) => "stream".to_string(),
        Type::Future(_) => "future".to_string(),
        Type::ErrorContext => "error-context".to_string(),
        Type::Map(_) => "map".to_string(),
        Type::FixedLengthList(_) => "fixed-length list".to_string(),
        t => wasm_wave::wasm::DisplayType(t).to_string(),
    }
}

/// Whether WAVE can parse and write values of type `t` (resources, streams, futures, maps
/// and fixed-length lists, anywhere inside it, it cannot).
fn wave_supported(t: &Type) -> bool {
    match t {
        Type::Own(_)
        | Type::Borrow(_)
        | Type::Stream(_)
        | Type::Future(_)
        | Type::ErrorContext
        | Type::Map(_)
        | Type::FixedLengthList(_) => false,
        Type::List(l) => wave_supported(&l.ty()),
        Type::Record(r) => r.fields().all(|f| wave_supported(&f.ty)),
        Type::Tuple(tu) => tu.types().all(|t| wave_supported(&t)),
        Type::Variant(v) => v.cases().all(|c| c.ty.as_ref().is_none_or(wave_supported)),
        Type::Option(o) => wave_supported(&o.ty()),
        Type::Result(r) => {
            r.ok().as_ref().is_none_or(wave_supported)
                && r.err().as_ref().is_none_or(wave_supported)
        }
        _ => true,
    }
}
