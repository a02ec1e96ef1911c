//! Export calls written as text, shared by the reactor ([`crate::Reactor::call_wave`]) and
//! `eddy run --invoke`: a WAVE call `NAME(ARGS)` parsed ([`parse_call`]), `NAME` resolved
//! among a component's exports with `--invoke`'s spellings ([`resolve`]), the arguments
//! typed ([`typed_args`]) and the results written back ([`wave_results`]).
//!
//! WAVE is the WebAssembly Value Encoding of the `wasm-wave` crate (used through wasmtime's
//! `wave` feature, which implements its value and type traits for wasmtime's component `Val`
//! and `Type`): `2`, `"text"`, `[1, 2]`, `{x: 1, y: 2}`, `circle(3)`, `red`, `some("a")`,
//! `none`, `ok(1)`, `err("no")`, `(1, "a")`, `{read, write}`.

use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::wasm_wave::{self, parser::ParserError, untyped::UntypedValue};
use wasmtime::component::{Component, Type, Val};

use crate::engine::Engine;
use crate::error::Error;

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
