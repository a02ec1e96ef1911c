//! wasi:io/streams — input and output streams over stdio and files.
//!
//! A stream over stdio reads/writes the context's [`Stdio`](crate::stdio::Stdio) fd; a stream
//! over a file (`read-via-stream`, `write-via-stream`, `append-via-stream`) shares its
//! descriptor's host fd (so it may outlive the descriptor's handle: the WIT does not make it
//! a child) and reads/writes it with `pread`/`pwrite` at the stream's own offset (plain
//! `read`/`write` for a FIFO or device opened by path). Nothing is buffered: a write is done
//! (all of it) when the call returns, so `flush` has nothing to do and `check-write` always
//! permits [`MAX_CHUNK`] bytes.
//!
//! Errors: end of file (or EOF on stdin, `EPIPE` on output) is `closed`; any other OS error
//! is `last-operation-failed` with an [`IoError`] carrying the errno.

use rustix::buffer::spare_capacity;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;

use rustix::event::{PollFd, PollFlags};
use wasmtime::component::Resource;

use super::direct::{GuestBytes, ReadState};
use super::error::IoError;
use super::poll::Pollable;
use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::p2::bindings::wasi::io::streams;
use crate::readiness::{DeadlinePassed, Interest};
use crate::stdio::StdioKind;

/// Most bytes one `read`, `write` or `check-write` moves (1 MiB): a longer request is a short
/// read, which the WIT allows; the host never allocates more per call.
pub const MAX_CHUNK: u64 = 1 << 20;

/// A `wasi:io/streams.input-stream`: what it reads, and its [`ReadState`] (the file offset,
/// an error kept for the next read), shared with a direct read in flight (see [`super::direct`]).
#[derive(Debug)]
pub struct InputStream {
    /// What the stream reads.
    pub source: InputSource,
    pub(crate) state: Arc<ReadState>,
}

/// What an [`InputStream`] reads.
#[derive(Debug)]
pub enum InputSource {
    /// The context's stdin.
    Stdin,
    /// A file, read with `pread` at the stream's offset (then advanced).
    File {
        /// The descriptor's host fd, shared: the stream may outlive the descriptor's handle.
        fd: Arc<OwnedFd>,
        /// A regular file (else a FIFO or device opened by path: no offsets).
        regular: bool,
    },
    /// A connected TCP socket (non-blocking fd, shared with its `tcp-socket`).
    Tcp(Arc<OwnedFd>),
}

impl InputStream {
    /// A stream over the context's stdin.
    pub fn stdin() -> InputStream {
        InputStream { source: InputSource::Stdin, state: Arc::default() }
    }

    /// A stream over a descriptor's file `fd` (shared with the descriptor), from byte
    /// `offset`; `regular`: a regular file (else no offsets).
    pub fn file(fd: Arc<OwnedFd>, regular: bool, offset: u64) -> InputStream {
        InputStream { source: InputSource::File { fd, regular }, state: ReadState::at(offset) }
    }

    /// A stream over a connected TCP socket, with the state its socket shares (so that
    /// `shutdown(receive)` can close it).
    pub fn tcp(fd: Arc<OwnedFd>, state: Arc<ReadState>) -> InputStream {
        InputStream { source: InputSource::Tcp(fd), state }
    }
}

/// A `wasi:io/streams.output-stream`.
#[derive(Debug)]
pub enum OutputStream {
    /// The context's stdout or stderr.
    Stdio(StdioKind),
    /// A file, written with `pwrite` at `offset` (then advanced), or at its end if `append`
    /// (`pwritev2` with `RWF_APPEND`).
    File {
        /// The descriptor's host fd, shared: the stream may outlive the descriptor's handle
        /// (it was made only from a descriptor open for writing).
        fd: Arc<OwnedFd>,
        /// A regular file (else a FIFO or device opened by path: no offsets).
        regular: bool,
        /// Next byte to write (unused when appending).
        offset: u64,
        /// Write at the end of file (`append-via-stream`).
        append: bool,
    },
    /// A connected TCP socket (non-blocking fd, shared with its `tcp-socket`). A write
    /// that the socket buffer cannot take at once waits in `ppoll` until it is all sent.
    Tcp(Arc<OwnedFd>),
}

/// The error of a stream operation, before it becomes the WIT `stream-error`.
#[derive(Debug)]
pub enum StreamError {
    /// `closed`: end of input, or the reader went away.
    Closed,
    /// `last-operation-failed`: the OS error.
    Failed(Errno),
    /// A host failure that traps.
    Trap(wasmtime::Error),
}

impl From<wasmtime::Error> for StreamError {
    fn from(e: wasmtime::Error) -> StreamError {
        StreamError::Trap(e)
    }
}

impl From<Errno> for StreamError {
    fn from(e: Errno) -> StreamError {
        match e {
            Errno::Pipe => StreamError::Closed,
            Errno::Interrupted => StreamError::Trap(DeadlinePassed.trap()),
            e => StreamError::Failed(e),
        }
    }
}

type SResult<T> = Result<T, StreamError>;

/// Retries a syscall interrupted by a signal, mapping its error.
fn retry<R>(f: impl FnMut() -> rustix::io::Result<R>) -> SResult<R> {
    crate::sys::retry(f).map_err(StreamError::from)
}

/// Whether `fd` has something to read right now (a zero-timeout `poll`).
fn readable_now(fd: BorrowedFd<'_>) -> SResult<bool> {
    let mut p = [PollFd::from_borrowed_fd(fd, PollFlags::IN)];
    let n = retry(|| rustix::event::poll(&mut p, Some(&rustix::time::Timespec::default())))?;
    Ok(n > 0)
}

/// Waits (in `ppoll`) until `fd` is ready for `interest`, bounded by the run's `deadline`
/// (monotonic ns; none: unbounded). Errors: the interrupt trap when the deadline passes
/// first (see [`crate::readiness::DeadlinePassed`]), `ppoll`'s own error.
pub(crate) fn wait_for(
    fd: BorrowedFd<'_>,
    interest: Interest,
    deadline: Option<u64>,
) -> SResult<()> {
    match crate::readiness::wait_fd(fd, interest, deadline) {
        Ok(true) => Ok(()),
        Ok(false) => Err(StreamError::Trap(DeadlinePassed.trap())),
        Err(e) => Err(StreamError::from(Errno::from(e))),
    }
}

/// Most bytes one write(2) to a stream that is not a regular file takes under a run deadline:
/// `PIPE_BUF`, which a pipe reported writable takes without blocking.
const BOUNDED_WRITE: usize = 4096;

/// Writes all of `bytes` to a pipe, FIFO, tty or device `fd` with write(2); under a run
/// `deadline`, waits (bounded) for room before each write of at most [`BOUNDED_WRITE`].
fn write_all(fd: BorrowedFd<'_>, bytes: &[u8], deadline: Option<u64>) -> SResult<()> {
    let mut done = 0;
    while done < bytes.len() {
        let rest = &bytes[done..];
        done += match deadline {
            None => retry(|| rustix::io::write(fd, rest))?,
            Some(_) => {
                wait_for(fd, Interest::Write, deadline)?;
                retry(|| rustix::io::write(fd, &rest[..rest.len().min(BOUNDED_WRITE)]))?
            }
        };
    }
    Ok(())
}

impl WasiCtx {
    /// The host fd of a standard stream. Errors: `closed` if the guest has no such stream.
    fn stdio_fd(&self, kind: StdioKind) -> SResult<BorrowedFd<'_>> {
        self.stdio(kind).map(|s| s.fd.as_fd()).ok_or(StreamError::Closed)
    }

    /// Reads up to `len` bytes (at most [`MAX_CHUNK`]). `blocking`: wait for at least one
    /// byte; otherwise an empty list when nothing is ready. EOF is `closed`; an error a direct
    /// read left is returned first. `direct`: bytes known to be there (from a regular file,
    /// or at least [`DIRECT_MIN`](super::direct::DIRECT_MIN) of them from a stream) are left
    /// to be read into guest memory while the result is lowered (see [`super::direct`]).
    pub(crate) fn stream_read(
        &mut self,
        s: &Resource<InputStream>,
        len: u64,
        blocking: bool,
        direct: bool,
    ) -> SResult<GuestBytes> {
        let len = len.min(MAX_CHUNK) as usize;
        let stream = self.get(s)?;
        if let Some(e) = stream.state.take_error() {
            return Err(StreamError::Failed(e));
        }
        if stream.state.is_closed() {
            return Err(StreamError::Closed);
        }
        if len == 0 {
            return Ok(GuestBytes::host(Vec::new()));
        }
        if direct {
            if let Some(bytes) = self.plan_direct(stream, len, blocking)? {
                return Ok(bytes);
            }
        }
        let mut buf = Vec::with_capacity(len);
        let n = match stream.source {
            InputSource::Stdin => {
                let fd = self.stdio_fd(StdioKind::Stdin)?;
                if !blocking && !readable_now(fd)? {
                    return Ok(GuestBytes::host(buf));
                }
                if self.deadline.is_some() {
                    wait_for(fd, Interest::Read, self.deadline)?;
                }
                retry(|| rustix::io::read(fd, spare_capacity(&mut buf)))?
            }
            InputSource::Tcp(ref fd) => loop {
                match retry(|| rustix::io::read(fd, spare_capacity(&mut buf))) {
                    Err(StreamError::Failed(Errno::Again)) if blocking => {
                        wait_for(fd.as_fd(), Interest::Read, self.deadline)?
                    }
                    Err(StreamError::Failed(Errno::Again)) => return Ok(GuestBytes::host(buf)),
                    r => break r?,
                }
            },
            InputSource::File { ref fd, regular } => {
                let fd = fd.as_fd();
                // A FIFO or device opened by path has no offsets: plain `read`.
                if regular {
                    let at = stream.state.offset();
                    let n = retry(|| rustix::io::pread(fd, spare_capacity(&mut buf), at))?;
                    stream.state.advance(n as u64);
                    n
                } else {
                    if !blocking && !readable_now(fd)? {
                        return Ok(GuestBytes::host(buf));
                    }
                    if self.deadline.is_some() {
                        wait_for(fd, Interest::Read, self.deadline)?;
                    }
                    retry(|| rustix::io::read(fd, spare_capacity(&mut buf)))?
                }
            }
        };
        if n == 0 {
            return Err(StreamError::Closed);
        }
        Ok(GuestBytes::host(buf))
    }

    /// Writes all of `bytes` to the stream.
    pub(crate) fn stream_write(&mut self, s: &Resource<OutputStream>, bytes: &[u8]) -> SResult<()> {
        match *self.get(s)? {
            OutputStream::Stdio(kind) => {
                if self.deadline.is_some() {
                    let fd = self.stdio_fd(kind)?;
                    return write_all(fd, bytes, self.deadline);
                }
                // In writes of at most 16 KiB when stdout/stderr is a pipe (`write_vectored`).
                let stdio = self.stdio(kind).ok_or(StreamError::Closed)?;
                let mut done = 0;
                while done < bytes.len() {
                    done += stdio.write_vectored(&[std::io::IoSlice::new(&bytes[done..])])?;
                }
                Ok(())
            }
            OutputStream::Tcp(ref fd) => {
                let fd = fd.as_fd();
                let mut done = 0;
                while done < bytes.len() {
                    // `send` with `MSG_NOSIGNAL`: a closed peer is `EPIPE` (`closed`), never a
                    // SIGPIPE to the host process.
                    let flags = rustix::net::SendFlags::NOSIGNAL;
                    match retry(|| rustix::net::send(fd, &bytes[done..], flags)) {
                        Err(StreamError::Failed(Errno::Again)) => {
                            wait_for(fd, Interest::Write, self.deadline)?
                        }
                        r => done += r?,
                    }
                }
                Ok(())
            }
            OutputStream::File { ref fd, regular, offset, append } => {
                let fd = fd.as_fd();
                if !regular {
                    // A FIFO or device opened by path has no offsets: plain `write`.
                    return write_all(fd, bytes, self.deadline);
                }
                let mut at = offset;
                let mut done = 0;
                while done < bytes.len() {
                    let rest = &bytes[done..];
                    let n = if append {
                        crate::filesystem::ops::append_at_end(fd, rest)?
                    } else {
                        retry(|| rustix::io::pwrite(fd, rest, at))?
                    };
                    done += n;
                    at += n as u64;
                }
                if let OutputStream::File { offset, append: false, .. } = self.get_mut(s)? {
                    *offset = at;
                }
                Ok(())
            }
        }
    }

    /// Writes `len` zero bytes, in chunks of at most 64 KiB from a stack buffer.
    fn stream_write_zeroes(&mut self, s: &Resource<OutputStream>, mut len: u64) -> SResult<()> {
        let zeroes = [0u8; 65536];
        while len > 0 {
            let n = len.min(zeroes.len() as u64) as usize;
            self.stream_write(s, &zeroes[..n])?;
            len -= n as u64;
        }
        Ok(())
    }

    /// Moves up to `len` bytes from `src` to `dst`; returns how many.
    fn stream_splice(
        &mut self,
        dst: &Resource<OutputStream>,
        src: &Resource<InputStream>,
        len: u64,
        blocking: bool,
    ) -> SResult<u64> {
        let buf = self.stream_read(src, len, blocking, false)?.into_vec();
        self.stream_write(dst, &buf)?;
        Ok(buf.len() as u64)
    }
}

impl streams::HostInputStream for WasiCtx {
    /// `read(len)`: up to `len` bytes that are available now (possibly none).
    fn read(&mut self, self_: Resource<InputStream>, len: u64) -> SResult<Vec<u8>> {
        self.stream_read(&self_, len, false, false).map(GuestBytes::into_vec)
    }

    /// `blocking-read(len)`: waits until at least one byte (or EOF), then as `read`.
    fn blocking_read(&mut self, self_: Resource<InputStream>, len: u64) -> SResult<Vec<u8>> {
        self.stream_read(&self_, len, true, false).map(GuestBytes::into_vec)
    }

    /// `skip(len)`: as `read`, discarding the bytes; returns how many.
    fn skip(&mut self, self_: Resource<InputStream>, len: u64) -> SResult<u64> {
        Ok(self.stream_read(&self_, len, false, false)?.into_vec().len() as u64)
    }

    /// `blocking-skip(len)`: as `blocking-read`, discarding the bytes.
    fn blocking_skip(&mut self, self_: Resource<InputStream>, len: u64) -> SResult<u64> {
        Ok(self.stream_read(&self_, len, true, false)?.into_vec().len() as u64)
    }

    /// `subscribe`: a pollable ready when the stream has bytes (or EOF); a file is always
    /// ready. The pollable is a child of the stream.
    fn subscribe(&mut self, self_: Resource<InputStream>) -> wasmtime::Result<Resource<Pollable>> {
        self.push_child(Pollable::Input(self_.rep()), &self_)
    }

    /// Drops an input stream.
    fn drop(&mut self, rep: Resource<InputStream>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl streams::HostOutputStream for WasiCtx {
    /// `check-write`: [`MAX_CHUNK`] bytes (writes complete synchronously, nothing is queued);
    /// on a TCP stream 0 while the socket's send buffer is full.
    fn check_write(&mut self, self_: Resource<OutputStream>) -> SResult<u64> {
        if let OutputStream::Tcp(fd) = self.get(&self_)? {
            // 0 until the socket can take bytes (the guest then waits on `subscribe`).
            let mut p = [PollFd::from_borrowed_fd(fd.as_fd(), PollFlags::OUT)];
            let zero = rustix::time::Timespec::default();
            if retry(|| rustix::event::poll(&mut p, Some(&zero)))? == 0 {
                return Ok(0);
            }
            if p[0].revents().intersects(PollFlags::ERR | PollFlags::HUP) {
                return Err(StreamError::Closed);
            }
        }
        Ok(MAX_CHUNK)
    }

    /// `write(contents)`: writes all of `contents` before returning.
    fn write(&mut self, self_: Resource<OutputStream>, contents: Vec<u8>) -> SResult<()> {
        self.stream_write(&self_, &contents)
    }

    /// `blocking-write-and-flush(contents)`: as `write` (nothing is buffered).
    fn blocking_write_and_flush(
        &mut self,
        self_: Resource<OutputStream>,
        contents: Vec<u8>,
    ) -> SResult<()> {
        self.stream_write(&self_, &contents)
    }

    /// `flush`: nothing is buffered, so done at once.
    fn flush(&mut self, self_: Resource<OutputStream>) -> SResult<()> {
        self.get(&self_)?;
        Ok(())
    }

    /// `blocking-flush`: as `flush`.
    fn blocking_flush(&mut self, self_: Resource<OutputStream>) -> SResult<()> {
        self.get(&self_)?;
        Ok(())
    }

    /// `subscribe`: a pollable ready when the stream accepts writes; a file always does. The
    /// pollable is a child of the stream.
    fn subscribe(&mut self, self_: Resource<OutputStream>) -> wasmtime::Result<Resource<Pollable>> {
        self.push_child(Pollable::Output(self_.rep()), &self_)
    }

    /// `write-zeroes(len)`: writes `len` zero bytes.
    fn write_zeroes(&mut self, self_: Resource<OutputStream>, len: u64) -> SResult<()> {
        self.stream_write_zeroes(&self_, len)
    }

    /// `blocking-write-zeroes-and-flush(len)`: as `write-zeroes`.
    fn blocking_write_zeroes_and_flush(
        &mut self,
        self_: Resource<OutputStream>,
        len: u64,
    ) -> SResult<()> {
        self.stream_write_zeroes(&self_, len)
    }

    /// `splice(src, len)`: reads what `src` has now (up to `len`) and writes it; returns the
    /// byte count.
    fn splice(
        &mut self,
        self_: Resource<OutputStream>,
        src: Resource<InputStream>,
        len: u64,
    ) -> SResult<u64> {
        self.stream_splice(&self_, &src, len, false)
    }

    /// `blocking-splice(src, len)`: waits for `src` to have bytes, then as `splice`.
    fn blocking_splice(
        &mut self,
        self_: Resource<OutputStream>,
        src: Resource<InputStream>,
        len: u64,
    ) -> SResult<u64> {
        self.stream_splice(&self_, &src, len, true)
    }

    /// Drops an output stream.
    fn drop(&mut self, rep: Resource<OutputStream>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl streams::Host for WasiCtx {
    /// Turns a [`StreamError`] into the WIT `stream-error` (an OS error becomes an `error`
    /// resource), or a trap.
    fn convert_stream_error(&mut self, err: StreamError) -> wasmtime::Result<streams::StreamError> {
        match err {
            StreamError::Closed => Ok(streams::StreamError::Closed),
            StreamError::Failed(e) => {
                Ok(streams::StreamError::LastOperationFailed(self.push(IoError(e))?))
            }
            StreamError::Trap(e) => Err(e),
        }
    }
}
