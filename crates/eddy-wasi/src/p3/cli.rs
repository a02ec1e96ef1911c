//! wasi:cli@0.3 — environment, exit, stdin/stdout/stderr and terminal-*.
//!
//! Arguments and environment are the context's (what the other views return). The standard
//! streams are the context's [`crate::stdio::Stdio`] objects, shared with the 0.2 view of the
//! same instance, so output of both views goes through the same fd in program order:
//! `read-via-stream` returns a stream over a duplicate of stdin's fd (see [`super::bytes`]);
//! `write-via-stream` consumes the guest's stream, writing each chunk as it is written.

use std::os::fd::AsFd;

use wasmtime::component::{Access, Resource, StreamReader};

use super::bindings::wasi::cli;
use super::bindings::wasi::cli::types::ErrorCode;
use super::bytes::{budget, Counted, Done, Outcome, ReadStream, WriteStream, WriteTo};
use super::{TerminalInput, TerminalOutput, WasiP3};
use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::stdio::StdioKind;

/// The `wasi:cli/types.error-code` for a host errno: `EPIPE` is `pipe`, `EILSEQ`
/// `illegal-byte-sequence`, anything else `io`.
fn error_code(e: Errno) -> ErrorCode {
    match e {
        Errno::Pipe => ErrorCode::Pipe,
        Errno::Ilseq => ErrorCode::IllegalByteSequence,
        _ => ErrorCode::Io,
    }
}

crate::ctx::impl_cli_hosts!(get_initial_cwd);
crate::ctx::impl_terminal_hosts!(TerminalInput, TerminalOutput);

impl cli::types::Host for WasiCtx {}
impl cli::stdin::Host for WasiCtx {}
impl cli::stdout::Host for WasiCtx {}
impl cli::stderr::Host for WasiCtx {}

/// The stream of stdin for `read-via-stream`, over a duplicate of its fd. Errors: a trap if
/// the fd cannot be duplicated (the process is out of fds), or past the instance's limit
/// (the stream and its future count: [`crate::budget`]).
fn stdin_stream<T>(
    mut store: Access<'_, T, WasiP3>,
) -> wasmtime::Result<(StreamReader<u8>, Done<ErrorCode>)> {
    let budget = budget(&mut store);
    let stdin = store.get().stdio_shared(StdioKind::Stdin);
    let fd = rustix::io::fcntl_dupfd_cloexec(stdin.fd.as_fd(), 0)
        .map_err(|e| wasmtime::Error::msg(format!("duplicating stdin: {e}")))?;
    let (outcome, future) = Outcome::new(&mut store, &budget, error_code)?;
    let stream = Counted::new(&budget, "stream", ReadStream::sequential(fd, outcome))?;
    let stream = StreamReader::new(&mut store, stream)?;
    Ok((stream, future))
}

/// Consumes the guest's `data` for `write-via-stream` of stdout or stderr. Errors: a trap
/// past the instance's limit.
fn write_stdio<T>(
    mut store: Access<'_, T, WasiP3>,
    kind: StdioKind,
    data: StreamReader<u8>,
) -> wasmtime::Result<Done<ErrorCode>> {
    let budget = budget(&mut store);
    let stdio = store.get().stdio_shared(kind);
    let (outcome, future) = Outcome::new(&mut store, &budget, error_code)?;
    let sink = Counted::new(&budget, "stream", WriteStream::new(WriteTo::Stdio(stdio), outcome))?;
    data.pipe(&mut store, sink)?;
    Ok(future)
}

impl<T> cli::stdin::HostWithStore<T> for WasiP3 {
    /// `read-via-stream`: a stream of stdin's bytes and a future of how it ended.
    fn read_via_stream(
        store: Access<'_, T, Self>,
    ) -> wasmtime::Result<(StreamReader<u8>, Done<ErrorCode>)> {
        stdin_stream(store)
    }
}

impl<T> cli::stdout::HostWithStore<T> for WasiP3 {
    /// `write-via-stream(data)`: writes the guest's stream to stdout.
    fn write_via_stream(
        store: Access<'_, T, Self>,
        data: StreamReader<u8>,
    ) -> wasmtime::Result<Done<ErrorCode>> {
        write_stdio(store, StdioKind::Stdout, data)
    }
}

impl<T> cli::stderr::HostWithStore<T> for WasiP3 {
    /// `write-via-stream(data)`: writes the guest's stream to stderr.
    fn write_via_stream(
        store: Access<'_, T, Self>,
        data: StreamReader<u8>,
    ) -> wasmtime::Result<Done<ErrorCode>> {
        write_stdio(store, StdioKind::Stderr, data)
    }
}
