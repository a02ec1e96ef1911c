//! [`Program`]: a compiled program; and what a program's bytes say before it is compiled
//! (module or component, and whether it is a command: [`check_command`]).

use wasmparser::{ExternalKind, Parser, Payload};

use crate::error::Error;

/// A compiled program, ready to instantiate.
#[derive(Clone, Debug)]
pub enum Program {
    /// A core module (preview1 command or reactor).
    Module(wasmtime::Module),
    /// A component (a WASI 0.2 `wasi:cli/command`, run through its `wasi:cli/run` export).
    Component(wasmtime::component::Component),
}

/// Whether wasm binary `bytes` are a component rather than a core module: the preamble's
/// version/layer field (bytes 4..8) is `0d 00 01 00` for components (layer 1) and
/// `01 00 00 00` for modules (what `wasmparser::Parser::is_component` checks).
pub fn is_component(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes[..4] == *b"\0asm" && bytes[6..8] == [1, 0]
}

/// The prefix of a component's WASI 0.2 `wasi:cli/run` export name, for any `0.2.x`.
const RUN_PREFIX: &str = "wasi:cli/run@0.2.";

/// The prefix of a component's WASI 0.3 `wasi:cli/run` export name, for any `0.3.x`.
const RUN_PREFIX_P3: &str = "wasi:cli/run@0.3.";

/// Which `wasi:cli/run` a command component exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunExport<'a> {
    /// `wasi:cli/run@0.3.x`: an async `run`, called on the event loop.
    P3(&'a str),
    /// `wasi:cli/run@0.2.x`: a synchronous `run`.
    P2(&'a str),
}

/// The highest-versioned name among `names` that starts with `prefix` (`…@0.2.` + patch).
fn highest<'a>(names: &[&'a str], prefix: &str) -> Option<&'a str> {
    names
        .iter()
        .copied()
        .filter(|n| n.starts_with(prefix))
        .max_by_key(|n| n[prefix.len()..].parse::<u64>().unwrap_or(0))
}

/// Among a component's top-level export names, the `wasi:cli/run` to call: a
/// `wasi:cli/run@0.3.x` if there is one (Rust's 0.3 std also exports a 0.2 `run` that
/// traps), else a `wasi:cli/run@0.2.x`; the highest version of either.
pub(crate) fn run_export<'a>(names: impl Iterator<Item = &'a str>) -> Option<RunExport<'a>> {
    let names: Vec<&str> = names.collect();
    highest(&names, RUN_PREFIX_P3)
        .map(RunExport::P3)
        .or_else(|| highest(&names, RUN_PREFIX).map(RunExport::P2))
}

/// `a, b, c`, or `none` for an empty list.
pub(crate) fn list(names: &[String], none: &str) -> String {
    if names.is_empty() {
        none.to_string()
    } else {
        names.join(", ")
    }
}

/// The error for a core module run as a command without a `_start` function;
/// `functions` are the functions it exports.
pub(crate) fn no_start(functions: &[String]) -> Error {
    Error::Usage(format!(
        "the module exports no `_start` function (a reactor?); call an export with --invoke NAME. It exports: {}",
        list(functions, "no functions")
    ))
}

/// The error for a component run as a command without a `wasi:cli/run@0.2.x` or `@0.3.x`
/// export; `exports` are its top-level export names.
pub(crate) fn no_run(exports: &[String]) -> Error {
    Error::Usage(format!(
        "the component exports no `wasi:cli/run@0.2.x` or `@0.3.x` (not a command); it exports: {}",
        list(exports, "nothing")
    ))
}

/// What a binary exports at its top level, read without compiling it.
enum Exports {
    /// A core module's exported functions.
    Module(Vec<String>),
    /// A component's export names (of any kind).
    Component(Vec<String>),
}

/// Reads the top-level exports of a wasm binary (a module's export section, a component's
/// export sections; nested modules and components are skipped). `None` if the binary does
/// not parse: compiling it then reports the problem properly.
fn exports(binary: &[u8]) -> Option<Exports> {
    let component = is_component(binary);
    let mut names = Vec::new();
    // Nesting depth: 1 inside the outermost module or component.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(binary) {
        match payload.ok()? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Payload::ExportSection(r) if depth == 1 => {
                for e in r {
                    let e = e.ok()?;
                    if e.kind == ExternalKind::Func {
                        names.push(e.name.to_string());
                    }
                }
                // A module has one export section: no need to scan the code after it.
                break;
            }
            // A module without exports: the code section comes after where they would be.
            Payload::CodeSectionStart { .. } if depth == 1 && !component => break,
            Payload::ComponentExportSection(r) if depth == 1 => {
                for e in r {
                    names.push(e.ok()?.name.name.to_string());
                }
            }
            _ => {}
        }
    }
    Some(if component { Exports::Component(names) } else { Exports::Module(names) })
}

/// Checks, from its bytes and before anything is compiled, that a wasm binary can be run as
/// a command: a core module must export a `_start` function, a component a
/// `wasi:cli/run@0.2.x` or `@0.3.x`. Errors: `Error::Usage`, the same message [`crate::run`] gives after
/// compiling. A binary that does not parse passes (the compiler reports it).
pub(crate) fn check_command(binary: &[u8]) -> Result<(), Error> {
    match exports(binary) {
        Some(Exports::Module(funcs)) if !funcs.iter().any(|n| n == "_start") => {
            Err(no_start(&funcs))
        }
        Some(Exports::Component(names))
            if run_export(names.iter().map(String::as_str)).is_none() =>
        {
            Err(no_run(&names))
        }
        _ => Ok(()),
    }
}
