//! Command-line options, spelled as wasmtime spells them.

mod compile;
mod dirs;
mod engine_flags;
mod groups;
mod run;
mod values;

use std::ffi::OsString;

use clap::{Parser, Subcommand};
use eddy::Error;

pub use compile::CompileCommand;
pub use run::RunCommand;

/// Why a command failed: a bad option value (a usage error: exit status 2, as clap's own) or
/// an error from Eddy (its [`Error::exit_status`]).
#[derive(Debug)]
pub enum Failure {
    /// A flag's value could not be parsed (`-W timeout=abc`, `--dir ::/g`, …): one line.
    Usage(String),
    /// Loading, linking or running the program failed.
    Eddy(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Eddy(e)
    }
}

/// A usage error with this message.
pub(crate) fn usage<T>(msg: String) -> Result<T, Failure> {
    Err(Failure::Usage(msg))
}

/// Eddy: a WebAssembly System Interface (WASI) runtime.
#[derive(Parser, Debug)]
#[command(name = "eddy", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum Command {
    /// Run a WASI program: a preview1 core module or a WASI 0.2 command component (`.wasm` or
    /// `.wat`).
    Run(RunCommand),
    /// Compile a program ahead of time into a `.cwasm` file for `eddy run --allow-precompiled`.
    Compile(CompileCommand),
    /// Show (`stats`) or empty (`clear`) the compile cache.
    Cache(crate::cache_cmd::CacheCommand),
}

/// The subcommands, for `eddy X` with an unknown X.
const SUBCOMMANDS: &[&str] = &["run", "compile", "cache", "help"];

/// `eddy [OPTIONS] FILE ...` means `eddy run [OPTIONS] FILE ...`, as in wasmtime. A first
/// word that is neither an option, a subcommand nor a file (no `.` or `/` in it and nothing
/// of that name exists) is refused as an unknown subcommand (`eddy settings`): the message.
pub fn implicit_run(args: impl Iterator<Item = OsString>) -> Result<Vec<OsString>, String> {
    let mut v: Vec<OsString> = args.collect();
    let Some(first) = v.get(1) else { return Ok(v) };
    let word = first.to_str();
    let insert = match word {
        Some("-h" | "--help" | "-V" | "--version") => false,
        Some(w) if w.starts_with('-') => true,
        Some(w) if SUBCOMMANDS.contains(&w) => false,
        Some(w) if !w.contains(['.', '/']) && !std::path::Path::new(w).exists() => {
            return Err(format!("eddy has no '{w}' subcommand (known: run, compile, cache)"));
        }
        _ => true,
    };
    if insert {
        v.insert(1, "run".into());
    }
    Ok(v)
}
