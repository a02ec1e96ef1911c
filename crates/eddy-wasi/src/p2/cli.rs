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
use crate::ExitCode;

impl cli::environment::Host for WasiCtx {
    /// `get-environment`: the granted variables as (name, value) pairs, in grant order.
    fn get_environment(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        Ok(self.environment())
    }

    /// `get-arguments`: the arguments, including the program name (argv 0).
    fn get_arguments(&mut self) -> wasmtime::Result<Vec<String>> {
        Ok(self.arguments())
    }

    /// `initial-cwd`: none. Eddy grants no working directory; relative paths are the guest
    /// libc's business (resolved against the preopens).
    fn initial_cwd(&mut self) -> wasmtime::Result<Option<String>> {
        Ok(None)
    }
}

impl cli::exit::Host for WasiCtx {
    /// `exit(status)`: ends the instance with status 0 for `ok`, 1 for `err`, by raising
    /// [`ExitCode`] (a trap the embedder turns into the exit status).
    fn exit(&mut self, status: Result<(), ()>) -> wasmtime::Result<()> {
        Err(ExitCode(if status.is_ok() { 0 } else { 1 }).into())
    }

    /// `exit-with-code(code)`: ends the instance with status `code` (0-255).
    fn exit_with_code(&mut self, status_code: u8) -> wasmtime::Result<()> {
        Err(ExitCode(i32::from(status_code)).into())
    }
}

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

impl cli::terminal_input::HostTerminalInput for WasiCtx {
    /// Drops a `terminal-input`.
    fn drop(&mut self, rep: Resource<TerminalInput>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}
impl cli::terminal_input::Host for WasiCtx {}

impl cli::terminal_output::HostTerminalOutput for WasiCtx {
    /// Drops a `terminal-output`.
    fn drop(&mut self, rep: Resource<TerminalOutput>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}
impl cli::terminal_output::Host for WasiCtx {}

impl cli::terminal_stdin::Host for WasiCtx {
    /// `get-terminal-stdin`: a terminal-input if stdin is a tty, else none.
    fn get_terminal_stdin(&mut self) -> wasmtime::Result<Option<Resource<TerminalInput>>> {
        if self.stdio_is_tty(StdioKind::Stdin) {
            return self.push(TerminalInput).map(Some);
        }
        Ok(None)
    }
}

impl cli::terminal_stdout::Host for WasiCtx {
    /// `get-terminal-stdout`: a terminal-output if stdout is a tty, else none.
    fn get_terminal_stdout(&mut self) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        if self.stdio_is_tty(StdioKind::Stdout) {
            return self.push(TerminalOutput).map(Some);
        }
        Ok(None)
    }
}

impl cli::terminal_stderr::Host for WasiCtx {
    /// `get-terminal-stderr`: a terminal-output if stderr is a tty, else none.
    fn get_terminal_stderr(&mut self) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        if self.stdio_is_tty(StdioKind::Stderr) {
            return self.push(TerminalOutput).map(Some);
        }
        Ok(None)
    }
}
