//! wasi:cli@0.3 — environment, exit, stdin/stdout/stderr and terminal-*.
//!
//! Arguments and environment are the context's (what the other views return). The standard
//! streams are the context's [`crate::stdio::Stdio`] objects, shared with the 0.2 view of the
//! same instance, so output of both views goes through the same fd in program order:
//! `read-via-stream` returns a stream over a duplicate of stdin's fd (see [`super::bytes`]);
//! `write-via-stream` consumes the guest's stream, writing each chunk as it is written.

use std::os::fd::AsFd;

use wasmtime::component::{Access, FutureReader, Resource, StreamReader};

use super::bindings::wasi::cli;
use super::bindings::wasi::cli::types::ErrorCode;
use super::bytes::{Outcome, OutcomeFuture, ReadStream, WriteStream, WriteTo};
use super::{TerminalInput, TerminalOutput, WasiP3};
use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::stdio::StdioKind;
use crate::ExitCode;

/// The `wasi:cli/types.error-code` for a host errno: `EPIPE` is `pipe`, `EILSEQ`
/// `illegal-byte-sequence`, anything else `io`.
fn error_code(e: Errno) -> ErrorCode {
    match e {
        Errno::Pipe => ErrorCode::Pipe,
        Errno::Ilseq => ErrorCode::IllegalByteSequence,
        _ => ErrorCode::Io,
    }
}

impl cli::environment::Host for WasiCtx {
    /// `get-environment`: the granted variables as (name, value) pairs, in grant order.
    fn get_environment(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        Ok(self.environment())
    }

    /// `get-arguments`: the arguments, including the program name (argv 0).
    fn get_arguments(&mut self) -> wasmtime::Result<Vec<String>> {
        Ok(self.arguments())
    }

    /// `get-initial-cwd`: none. Eddy grants no working directory (as in the other views).
    fn get_initial_cwd(&mut self) -> wasmtime::Result<Option<String>> {
        Ok(None)
    }
}

impl cli::exit::Host for WasiCtx {
    /// `exit(status)`: ends the instance with status 0 for `ok`, 1 for `err` ([`ExitCode`]).
    fn exit(&mut self, status: Result<(), ()>) -> wasmtime::Result<()> {
        Err(ExitCode(if status.is_ok() { 0 } else { 1 }).into())
    }

    /// `exit-with-code(status-code)`: ends the instance with status `status-code`.
    fn exit_with_code(&mut self, status_code: u8) -> wasmtime::Result<()> {
        Err(ExitCode(i32::from(status_code)).into())
    }
}

impl cli::types::Host for WasiCtx {}
impl cli::stdin::Host for WasiCtx {}
impl cli::stdout::Host for WasiCtx {}
impl cli::stderr::Host for WasiCtx {}

/// The stream of stdin for `read-via-stream`, over a duplicate of its fd. Errors: a trap if
/// the fd cannot be duplicated (the process is out of fds).
fn stdin_stream<T>(
    mut store: Access<'_, T, WasiP3>,
) -> wasmtime::Result<(StreamReader<u8>, OutcomeFuture<ErrorCode>)> {
    let stdin = store.get().stdio_shared(StdioKind::Stdin);
    let fd = rustix::io::fcntl_dupfd_cloexec(stdin.fd.as_fd(), 0)
        .map_err(|e| wasmtime::Error::msg(format!("duplicating stdin: {e}")))?;
    let (outcome, future) = Outcome::new(&mut store, error_code)?;
    let stream = StreamReader::new(&mut store, ReadStream::sequential(fd, outcome))?;
    Ok((stream, future))
}

/// Consumes the guest's `data` for `write-via-stream` of stdout or stderr.
fn write_stdio<T>(
    mut store: Access<'_, T, WasiP3>,
    kind: StdioKind,
    data: StreamReader<u8>,
) -> wasmtime::Result<FutureReader<Result<(), ErrorCode>>> {
    let stdio = store.get().stdio_shared(kind);
    let (outcome, future) = Outcome::new(&mut store, error_code)?;
    data.pipe(&mut store, WriteStream::new(WriteTo::Stdio(stdio), outcome))?;
    Ok(future)
}

impl<T> cli::stdin::HostWithStore<T> for WasiP3 {
    /// `read-via-stream`: a stream of stdin's bytes and a future of how it ended.
    fn read_via_stream(
        store: Access<'_, T, Self>,
    ) -> wasmtime::Result<(StreamReader<u8>, FutureReader<Result<(), ErrorCode>>)> {
        stdin_stream(store)
    }
}

impl<T> cli::stdout::HostWithStore<T> for WasiP3 {
    /// `write-via-stream(data)`: writes the guest's stream to stdout.
    fn write_via_stream(
        store: Access<'_, T, Self>,
        data: StreamReader<u8>,
    ) -> wasmtime::Result<FutureReader<Result<(), ErrorCode>>> {
        write_stdio(store, StdioKind::Stdout, data)
    }
}

impl<T> cli::stderr::HostWithStore<T> for WasiP3 {
    /// `write-via-stream(data)`: writes the guest's stream to stderr.
    fn write_via_stream(
        store: Access<'_, T, Self>,
        data: StreamReader<u8>,
    ) -> wasmtime::Result<FutureReader<Result<(), ErrorCode>>> {
        write_stdio(store, StdioKind::Stderr, data)
    }
}

impl cli::terminal_input::Host for WasiCtx {}
impl cli::terminal_input::HostTerminalInput for WasiCtx {
    /// Drops a terminal-input.
    fn drop(&mut self, rep: Resource<TerminalInput>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl cli::terminal_output::Host for WasiCtx {}
impl cli::terminal_output::HostTerminalOutput for WasiCtx {
    /// Drops a terminal-output.
    fn drop(&mut self, rep: Resource<TerminalOutput>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

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
