//! Eddy's error type: what went wrong, in one line, and how the CLI maps it to a status.

use std::path::PathBuf;

/// Everything `Engine`, `run` and `invoke` can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The program file could not be read. CLI status 1.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The bytes are not a valid wasm module (or WAT text), or use a disabled feature.
    /// CLI status 1.
    #[error("cannot compile `{path}`: {message}")]
    Compile {
        /// The file.
        path: PathBuf,
        /// The engine's reason, on one line.
        message: String,
    },
    /// The module imports something Eddy does not provide. CLI status 1.
    #[error(
        "unknown import `{module}::{name}` (use -W unknown-imports-trap=y to trap on call instead)"
    )]
    UnknownImport {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// The module imports a function Eddy provides, but with another type (or as something
    /// other than a function). CLI status 1.
    #[error(
        "import `{module}::{name}` has the wrong type: expected `{expected}`, found `{found}`"
    )]
    IncompatibleImport {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
        /// What Eddy provides (a function type in WAT syntax, e.g. `(func (param i32))`).
        expected: String,
        /// What the module declares (a type in WAT syntax, or `global`, `memory`...).
        found: String,
    },
    /// A capability could not be granted (a preopen directory that does not exist, …).
    /// CLI status 1.
    #[error("{0}")]
    Capability(String),
    /// Bad configuration or invocation (an export that does not exist, a bad argument).
    /// CLI status 1.
    #[error("{0}")]
    Usage(String),
    /// The guest trapped; the message holds the trap and the wasm backtrace (several
    /// lines). CLI status 134.
    #[error("{0}")]
    Trap(String),
    /// The guest exited (`wasi:cli/exit`, preview1 `proc_exit`) during a reactor's export
    /// call `name`, with `status`. CLI status: `status`.
    #[error("`{name}` exited with status {status}")]
    Exit {
        /// The export called, as the caller spelled it.
        name: String,
        /// The guest's exit status.
        status: i32,
    },
    /// An engine or host error outside the guest's control. CLI status 1.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// The exit status the CLI uses for this error: 134 for a trap, the guest's status for
    /// an [`Error::Exit`], 1 otherwise.
    pub fn exit_status(&self) -> i32 {
        match self {
            Error::Trap(_) => 134,
            Error::Exit { status, .. } => *status,
            _ => 1,
        }
    }
}

/// Flattens an error chain onto one line.
pub(crate) fn one_line(e: &wasmtime::Error) -> String {
    format!("{e:#}").split_whitespace().collect::<Vec<_>>().join(" ")
}
