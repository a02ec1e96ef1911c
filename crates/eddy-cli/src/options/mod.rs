//! Command-line options, spelled as wasmtime spells them.

mod compile;
mod config_cmd;
mod config_file;
mod dirs;
mod engine_flags;
mod groups;
mod run;
mod settings;
mod values;
mod wast;

use std::ffi::OsString;

use clap::{Parser, Subcommand};
use eddy::Error;

pub use compile::CompileCommand;
pub use config_cmd::ConfigCommand;
pub use run::RunCommand;
pub use settings::SettingsCommand;
pub use wast::WastCommand;

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
    /// Run a WASI program: a preview1 core module, or a WASI 0.2 or 0.3 command component
    /// (`.wasm` or `.wat`); `--invoke` calls one export instead.
    Run(RunCommand),
    /// Compile a program ahead of time into a `.cwasm` file for `eddy run --allow-precompiled`.
    Compile(CompileCommand),
    /// Print the Cranelift settings for this machine's target.
    Settings(SettingsCommand),
    /// Run WebAssembly spec-test scripts (`.wast`) through Eddy's engine.
    Wast(WastCommand),
    /// Write configuration files (`eddy config new`).
    Config(ConfigCommand),
    /// Show (`stats`) or empty (`clear`) the compile cache.
    Cache(crate::cache_cmd::CacheCommand),
}

/// The subcommands, for `eddy X` with an unknown X.
const SUBCOMMANDS: &[&str] = &["run", "compile", "settings", "wast", "config", "cache", "help"];

/// The usage error for `eddy WORD` when WORD is no subcommand: `eddy has no 'WORD'
/// subcommand`, with the nearest one suggested when it is close (edit distance ≤ 2).
fn unknown_subcommand(word: &str) -> String {
    // wasmtime's subcommands that Eddy does not have, and why.
    const WASMTIME_ONLY: &[(&str, &str)] = &[
        ("serve", "serving wasi:http components is not built yet"),
        ("explore", "use `wasm-tools print` or `wasm-tools objdump`"),
        ("objdump", "use `wasm-tools objdump`"),
        ("wizer", "pre-initialization is not built; use the `wizer` tool"),
        ("completion", "shell completions are not built yet"),
    ];
    if let Some((_, why)) = WASMTIME_ONLY.iter().find(|(n, _)| *n == word) {
        return format!("eddy has no '{word}' subcommand: {why}");
    }
    let nearest = SUBCOMMANDS
        .iter()
        .map(|s| (strsim::levenshtein(word, s), *s))
        .min()
        .filter(|(d, _)| *d <= 2);
    let known = SUBCOMMANDS[..SUBCOMMANDS.len() - 1].join(", ");
    match nearest {
        Some((_, s)) => {
            format!("eddy has no '{word}' subcommand (did you mean '{s}'? known: {known})")
        }
        None => {
            format!("eddy has no '{word}' subcommand (known: {known}; `eddy FILE` runs a program)")
        }
    }
}

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
            return Err(unknown_subcommand(w));
        }
        _ => true,
    };
    if insert {
        v.insert(1, "run".into());
    }
    Ok(v)
}
