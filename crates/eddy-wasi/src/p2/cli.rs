//! wasi:cli — environment, exit, stdin/stdout/stderr and terminal-* for components.
//!
//! Arguments and environment are the context's (the same ones preview1's `args_get` and
//! `environ_get` return). The standard streams are the context's [`crate::stdio::Stdio`]
//! objects; `get-stdout` etc. return a new stream resource over them on each call. A
//! `terminal-*` getter returns a terminal only when the stream's host fd is a tty (`isatty`).

use wasmtime::component::Resource;

use super::bindings::wasi::cli;
use super::io::streams::{InputStream, OutputStream};
use super::{TerminalInput, TerminalOutput};
use crate::ctx::WasiCtx;
use crate::stdio::StdioKind;

crate::ctx::impl_cli_hosts!(initial_cwd);
crate::ctx::impl_terminal_hosts!(TerminalInput, TerminalOutput);

impl cli::stdin::Host for WasiCtx {
    /// `get-stdin`: a new input stream over the context's stdin.
    fn get_stdin(&mut self) -> wasmtime::Result<Resource<InputStream>> {
        self.push(InputStream::stdin())
    }
}

impl cli::stdout::Host for WasiCtx {
    /// `get-stdout`: a new output stream over the context's stdout.
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        self.push(OutputStream::Stdio(StdioKind::Stdout))
    }
}

impl cli::stderr::Host for WasiCtx {
    /// `get-stderr`: a new output stream over the context's stderr.
    fn get_stderr(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        self.push(OutputStream::Stdio(StdioKind::Stderr))
    }
}
