//! Byte streams of the 0.3 view: the host ends of `stream<u8>` for stdio, files and TCP
//! connections, shared by [`super::cli`] and [`super::sockets`].
//!
//! A [`ReadStream`] is the writable end the host keeps of a stream the guest reads
//! (`read-via-stream`): each guest read is one `read(2)`/`pread(2)` straight into the guest's
//! buffer (the engine's direct destination), of the size the guest asked for. A
//! [`WriteStream`] is the readable end the host keeps of a stream the guest writes
//! (`write-via-stream`, `append-via-stream`): each guest write is one `write(2)`/`pwrite(2)`
//! straight out of the guest's buffer. Nothing is buffered on the host, so there is no
//! buffer to bound, and backpressure is the guest's own: a write completes when the bytes
//! are written.
//!
//! Each stream has a companion `future<result<_, error-code>>` ([`Outcome`]): it resolves
//! with the error that ended the stream, or `ok` when the stream ended normally (end of
//! file; the guest dropping its end).
//!
//! Who waits where (docs/RATIONALE.md, "WASI 0.3: who polls what"): a regular file never
//! makes a read or write wait, so it is read and written directly. A pipe, tty, FIFO or
//! socket being read is registered with tokio's reactor once, when the stream is made (a
//! duplicate of the fd, so the host's fd is never changed or registered twice), and read only
//! once the reactor says it is readable, for at most the bytes `FIONREAD` reports: the read
//! never blocks the loop. A write to stdout or stderr on a pipe is a `pwritev2(RWF_NOWAIT)` of
//! a registered duplicate (the host fd's flags are never changed): a full pipe parks the
//! stream until the reactor reports room. Writes to a tty or a file are blocking writes, as
//! in the other views.
//!
//! A TCP connection's streams use the socket's own registration ([`Registered`], made once
//! when the socket is): the socket is non-blocking, so a read is a `recv(2)` straight into
//! the guest's buffer once the reactor says readable (and again after the reactor's next
//! event if it says would-block), a write a `send(2)` straight out of the guest's buffer once
//! it says writable. The end of the guest's send stream shuts the connection down for
//! sending (the peer reads end of stream); dropping the receive stream shuts it down for
//! receiving. A zero-length read or write waits until the socket is ready.

use std::io::IoSlice;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustix::event::{PollFd, PollFlags};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use tokio::sync::oneshot;
use wasmtime::component::{
    Access, Destination, FutureReader, Source, StreamConsumer, StreamProducer, StreamResult,
};
use wasmtime::{AsContextMut, StoreContextMut};

use super::WasiP3;
use crate::budget::{Budget, Held};
use crate::errno::Errno;
use crate::filesystem::ops::append_at_end;
use crate::sockets::tcp::shutdown_fd;
use crate::sockets::ShutdownKind;
use crate::stdio::Stdio;
use crate::sys::retry;

/// Bytes one read fetches when the reader is the host rather than a guest (a guest's read is
/// the size of its buffer).
pub const HOST_READ_CHUNK: usize = 64 << 10;

/// The future of how a stream ended (`future<result<_, error-code>>`), for error-code `E`.
pub(crate) type Done<E> = FutureReader<Result<(), E>>;

/// A socket's fd registered with tokio's reactor, for reads and writes: made once, when the
/// socket is made, and shared by the socket resource and its streams (the fd closes when
/// the last of them is dropped).
pub(crate) type Registered = Arc<AsyncFd<Arc<OwnedFd>>>;

/// Registers a non-blocking socket `fd` with the running reactor (for readable and writable
/// readiness). Errors: no reactor is running (the 0.3 view runs inside one), or the reactor
/// refuses the fd (out of memory, too many registrations).
pub(crate) fn register(fd: Arc<OwnedFd>) -> std::io::Result<Registered> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(std::io::Error::other("no tokio reactor is running"));
    }
    // SAFETY: the `AsyncFd` holds a reference to `fd` (an `OwnedFd` of our own), so the fd
    // stays open and the same until the `AsyncFd` is dropped.
    let a = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE | Interest::WRITABLE) };
    Ok(Arc::new(a.map_err(|e| e.into_parts().1)?))
}

/// The fd of a registered socket, borrowed.
pub(crate) fn fd_of(io: &Registered) -> BorrowedFd<'_> {
    io.get_ref().as_fd()
}

/// The instance's [`Budget`] (shared), for the host objects a call is about to make.
pub(crate) fn budget<T>(store: &mut Access<'_, T, WasiP3>) -> Budget {
    store.get().budget.clone()
}

/// One unit of `budget` for host object `what`. Errors: a trap naming the limit
/// ([`crate::budget::LimitExceeded`]).
pub(crate) fn hold(budget: &Budget, what: &'static str) -> wasmtime::Result<Held> {
    Ok(budget.hold(what)?)
}

/// A host end of a stream counted in the instance's [`Budget`]: `P` with the unit it holds,
/// given back when the engine drops it (the guest dropped its end, the stream ended, the
/// store went away).
#[derive(Debug)]
pub(crate) struct Counted<P> {
    inner: P,
    _held: Held,
}

impl<P> Counted<P> {
    /// `inner`, holding one unit of `budget`. Errors: a trap past the limit.
    pub(crate) fn new(budget: &Budget, what: &'static str, inner: P) -> wasmtime::Result<Self> {
        Ok(Counted { inner, _held: hold(budget, what)? })
    }
}

impl<D, P: StreamProducer<D> + Unpin> StreamProducer<D> for Counted<P> {
    type Item = P::Item;
    type Buffer = P::Buffer;

    fn poll_produce<'a>(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        store: StoreContextMut<'a, D>,
        dst: Destination<'a, Self::Item, Self::Buffer>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        Pin::new(&mut self.get_mut().inner).poll_produce(cx, store, dst, finish)
    }
}

impl<D, P: StreamConsumer<D> + Unpin> StreamConsumer<D> for Counted<P> {
    type Item = P::Item;

    fn poll_consume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        store: StoreContextMut<D>,
        src: Source<'_, Self::Item>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        Pin::new(&mut self.get_mut().inner).poll_consume(cx, store, src, finish)
    }
}

/// A future already resolved with `value` (a stream that never started, a listing that is
/// complete), counted in `budget` until the guest reads or drops it. Errors: a trap past the
/// limit.
pub(crate) fn ready_future<V>(
    store: impl AsContextMut,
    budget: &Budget,
    value: V,
) -> wasmtime::Result<FutureReader<V>>
where
    V: Send + Sync + wasmtime::component::Lower + wasmtime::component::Lift + 'static,
{
    let held = hold(budget, "future")?;
    FutureReader::new(store, async move {
        let _held = held;
        Ok::<_, wasmtime::Error>(value)
    })
}

/// The sending side of a stream's `future<result<_, error-code>>`: sent once, with the error
/// that ended the stream; dropped unsent (the stream ended normally), the future resolves
/// `ok`.
#[derive(Debug)]
pub(crate) struct Outcome<E> {
    tx: Option<oneshot::Sender<E>>,
    /// Maps a host errno to the interface's error-code.
    to_code: fn(Errno) -> E,
}

impl<E: Send + Sync + 'static> Outcome<E>
where
    Result<(), E>: wasmtime::component::Lower + wasmtime::component::Lift,
{
    /// A new outcome and the future the guest gets for it, which holds a unit of `budget`
    /// until the guest reads or drops it. Errors: a trap past the limit.
    pub(crate) fn new(
        store: impl AsContextMut,
        budget: &Budget,
        to_code: fn(Errno) -> E,
    ) -> wasmtime::Result<(Outcome<E>, Done<E>)> {
        let held = hold(budget, "future")?;
        let (tx, rx) = oneshot::channel();
        let future = FutureReader::new(store, async move {
            let _held = held;
            Ok::<_, wasmtime::Error>(match rx.await {
                Ok(code) => Err(code),
                Err(_) => Ok(()),
            })
        })?;
        Ok((Outcome { tx: Some(tx), to_code }, future))
    }
}

impl<E> Outcome<E> {
    /// Ends the stream with host error `e`: the future resolves `err(code)`.
    fn fail(&mut self, e: Errno) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send((self.to_code)(e));
        }
    }
}

/// Whether a read of `fd` can wait, and so goes through the reactor: true for pipes, FIFOs,
/// sockets and character devices other than `/dev/null`-like ones the reactor refuses.
fn registrable(fd: &OwnedFd) -> bool {
    use rustix::fs::FileType;
    match rustix::fs::fstat(fd) {
        Ok(st) => matches!(
            FileType::from_raw_mode(st.st_mode),
            FileType::Fifo | FileType::Socket | FileType::CharacterDevice
        ),
        Err(_) => false,
    }
}

/// Where a [`ReadStream`]'s bytes come from.
#[derive(Debug)]
enum ReadFrom {
    /// A regular file, read with `pread(2)` at `offset`, which advances.
    #[allow(dead_code)] // made by `ReadStream::file`, for the 0.3 filesystem view
    At { fd: OwnedFd, offset: u64 },
    /// A file read sequentially with `read(2)` that never waits (a regular file or device as
    /// stdin, or anything the reactor refused).
    Sequential(OwnedFd),
    /// A pipe, FIFO, tty or socket, registered with the reactor.
    Ready(AsyncFd<OwnedFd>),
    /// A connected TCP socket (non-blocking), registered with the reactor when it was made.
    Socket(Registered),
}

/// The host's writing end of a `stream<u8>` the guest reads: see the module docs.
#[derive(Debug)]
pub(crate) struct ReadStream<E> {
    from: ReadFrom,
    outcome: Outcome<E>,
    /// Set once the stream has ended (end of file or an error).
    done: bool,
}

impl<E> ReadStream<E> {
    /// A stream of the bytes of regular file `fd` from `offset` on.
    #[allow(dead_code)] // for the 0.3 filesystem view
    pub(crate) fn file(fd: OwnedFd, offset: u64, outcome: Outcome<E>) -> ReadStream<E> {
        ReadStream { from: ReadFrom::At { fd, offset }, outcome, done: false }
    }

    /// A stream of what `fd` (its own duplicate of stdin, a pipe, a socket…) yields, read
    /// sequentially; registered with the reactor when reads of it can wait and a reactor is
    /// running.
    pub(crate) fn sequential(fd: OwnedFd, outcome: Outcome<E>) -> ReadStream<E> {
        let from = if registrable(&fd) && tokio::runtime::Handle::try_current().is_ok() {
            // SAFETY: the `AsyncFd` owns `fd` (an `OwnedFd` of our own), which stays open and
            // the same until the `AsyncFd` is dropped.
            match unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) } {
                Ok(a) => ReadFrom::Ready(a),
                Err(e) => {
                    let (fd, cause) = e.into_parts();
                    tracing::debug!("stream read without the reactor: {cause}");
                    ReadFrom::Sequential(fd)
                }
            }
        } else {
            ReadFrom::Sequential(fd)
        };
        ReadStream { from, outcome, done: false }
    }

    /// A stream of what the connected TCP socket `io` receives; dropped, it shuts the
    /// connection down for receiving.
    pub(crate) fn socket(io: Registered, outcome: Outcome<E>) -> ReadStream<E> {
        ReadStream { from: ReadFrom::Socket(io), outcome, done: false }
    }

    /// `poll_produce` of a [`ReadFrom::Socket`]: one `recv(2)` into the guest's buffer once
    /// the reactor says readable; `Pending` (waker kept) while it would block.
    fn produce_from_socket<D: 'static>(
        &mut self,
        cx: &mut Context<'_>,
        mut store: StoreContextMut<'_, D>,
        dst: Destination<'_, u8, Option<u8>>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let ReadStream { from: ReadFrom::Socket(io), outcome, done } = self else {
            unreachable!("produce_from_socket of a stream that is not a socket's")
        };
        let pending = || Poll::Ready(Ok(StreamResult::Cancelled));
        if dst.remaining(&mut store) == Some(0) {
            // A zero-length read waits until the socket is readable (an error included).
            return match io.poll_read_ready(cx) {
                Poll::Ready(_) => Poll::Ready(Ok(StreamResult::Completed)),
                Poll::Pending if finish => pending(),
                Poll::Pending => Poll::Pending,
            };
        }
        let mut d = dst.as_direct(store, HOST_READ_CHUNK);
        loop {
            let mut guard = match io.poll_read_ready(cx) {
                Poll::Pending if finish => return pending(),
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => Err(Errno::from(e)),
                Poll::Ready(Ok(g)) => Ok(g),
            };
            let flags = rustix::net::RecvFlags::DONTWAIT;
            let r = match &mut guard {
                Ok(_) => retry(|| rustix::net::recv(fd_of(io), d.remaining(), flags)),
                Err(e) => Err(*e),
            };
            match r {
                Err(Errno::Again) => {
                    if let Ok(g) = &mut guard {
                        g.clear_ready();
                    }
                }
                Ok((0, _)) => {
                    *done = true;
                    return Poll::Ready(Ok(StreamResult::Dropped));
                }
                Ok((n, _)) => {
                    d.mark_written(n);
                    return Poll::Ready(Ok(StreamResult::Completed));
                }
                Err(e) => {
                    outcome.fail(e);
                    *done = true;
                    return Poll::Ready(Ok(StreamResult::Dropped));
                }
            }
        }
    }
}

impl<E> Drop for ReadStream<E> {
    /// A socket's receive stream dropped by the guest: no more receiving (`SHUT_RD`; the WIT:
    /// data still queued is discarded).
    fn drop(&mut self) {
        if let ReadFrom::Socket(io) = &self.from {
            let _ = shutdown_fd(fd_of(io), ShutdownKind::Receive);
        }
    }
}

/// Bytes readable on `fd` without waiting (`FIONREAD`), or `None` if nothing is, but the fd
/// is at end of file or hung up (a read returns at once), or `Some(0)` if a read would wait.
fn readable_now(fd: &OwnedFd) -> std::result::Result<Option<usize>, Errno> {
    let n = retry(|| rustix::io::ioctl_fionread(fd))? as usize;
    if n > 0 {
        return Ok(Some(n));
    }
    let mut p = [PollFd::new(fd, PollFlags::IN)];
    retry(|| rustix::event::poll(&mut p, Some(&rustix::time::Timespec { tv_sec: 0, tv_nsec: 0 })))?;
    Ok(if p[0].revents().is_empty() { Some(0) } else { None })
}

impl<D: 'static, E: Send + 'static> StreamProducer<D> for ReadStream<E> {
    type Item = u8;
    type Buffer = Option<u8>;

    fn poll_produce<'a>(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut store: StoreContextMut<'a, D>,
        dst: Destination<'a, u8, Self::Buffer>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let me = self.get_mut();
        if me.done {
            return Poll::Ready(Ok(StreamResult::Dropped));
        }
        if let ReadFrom::Socket(_) = me.from {
            return me.produce_from_socket(cx, store, dst, finish);
        }
        // A zero-length read asks whether the stream is ready: say yes; the next real read
        // waits if it must.
        if dst.remaining(&mut store) == Some(0) {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        // How much to read: everything the guest's buffer takes, or for a source that can
        // wait, at most what is readable now (then the read cannot block).
        let limit = match &me.from {
            ReadFrom::Ready(a) => loop {
                let mut guard = match a.poll_read_ready(cx) {
                    Poll::Pending if finish => return Poll::Ready(Ok(StreamResult::Cancelled)),
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(e)) => {
                        me.outcome.fail(Errno::from(e));
                        me.done = true;
                        return Poll::Ready(Ok(StreamResult::Dropped));
                    }
                    Poll::Ready(Ok(g)) => g,
                };
                match readable_now(a.get_ref()) {
                    Ok(Some(0)) => guard.clear_ready(),
                    Ok(Some(n)) => {
                        // Everything readable is taken below only if the buffer is big
                        // enough; the readiness is cleared once the fd is drained.
                        if n <= dst.remaining(&mut store).unwrap_or(HOST_READ_CHUNK) {
                            guard.clear_ready();
                        }
                        break n;
                    }
                    Ok(None) => break usize::MAX,
                    Err(e) => {
                        me.outcome.fail(e);
                        me.done = true;
                        return Poll::Ready(Ok(StreamResult::Dropped));
                    }
                }
            },
            _ => usize::MAX,
        };
        let mut d = dst.as_direct(store, HOST_READ_CHUNK);
        let buf = d.remaining();
        let len = buf.len().min(limit);
        let buf = &mut buf[..len];
        let r = match &mut me.from {
            ReadFrom::At { fd, offset } => retry(|| rustix::io::pread(&*fd, &mut *buf, *offset)),
            ReadFrom::Sequential(fd) => retry(|| rustix::io::read(&*fd, &mut *buf)),
            ReadFrom::Ready(a) => retry(|| rustix::io::read(a.get_ref(), &mut *buf)),
            ReadFrom::Socket(_) => unreachable!("socket reads are produce_from_socket's"),
        };
        match r {
            Ok(0) => {
                me.done = true;
                Poll::Ready(Ok(StreamResult::Dropped))
            }
            Ok(n) => {
                if let ReadFrom::At { offset, .. } = &mut me.from {
                    *offset += n as u64;
                }
                d.mark_written(n);
                Poll::Ready(Ok(StreamResult::Completed))
            }
            Err(e) => {
                me.outcome.fail(e);
                me.done = true;
                Poll::Ready(Ok(StreamResult::Dropped))
            }
        }
    }
}

/// Where a [`WriteStream`]'s bytes go.
#[derive(Debug)]
#[allow(dead_code)] // `At` and `Append` are for the 0.3 filesystem view
pub(crate) enum WriteTo {
    /// stdout or stderr (in pieces of at most 16 KiB when it is a pipe).
    Stdio(Arc<Stdio>),
    /// A file, with `pwrite(2)` at `offset`, which advances.
    At { fd: OwnedFd, offset: u64 },
    /// A file, at its end (`pwritev2(RWF_APPEND)`).
    Append(OwnedFd),
    /// A file without offsets (a FIFO or device opened by path), with blocking `write(2)`s,
    /// as stdio's.
    Sequential(OwnedFd),
    /// A connected TCP socket (non-blocking), registered with the reactor when it was made:
    /// the end of the stream shuts the connection down for sending.
    Socket(Registered),
}

/// The host's reading end of a `stream<u8>` the guest writes: see the module docs.
#[derive(Debug)]
pub(crate) struct WriteStream<E> {
    to: WriteTo,
    outcome: Outcome<E>,
    /// For stdout/stderr on a pipe: a duplicate of its fd registered with the reactor for
    /// writability, and the writes are `pwritev2(RWF_NOWAIT)`, so a full pipe parks this
    /// stream, not the loop. `None`: blocking writes (a file, a tty, no reactor, or a kernel
    /// without `RWF_NOWAIT` for pipes).
    ready: Option<AsyncFd<OwnedFd>>,
}

impl<E> WriteStream<E> {
    /// A stream whose bytes go to `to`; its end (or first error) resolves `outcome`.
    pub(crate) fn new(to: WriteTo, outcome: Outcome<E>) -> WriteStream<E> {
        let ready = match &to {
            WriteTo::Stdio(s) if s.write_limit() != usize::MAX => register_writable(s),
            _ => None,
        };
        WriteStream { to, outcome, ready }
    }
}

/// A duplicate of pipe `s`'s fd registered with the running reactor for writability, or
/// `None` (no reactor; the fd cannot be duplicated or registered).
fn register_writable(s: &Stdio) -> Option<AsyncFd<OwnedFd>> {
    tokio::runtime::Handle::try_current().ok()?;
    let fd = rustix::io::fcntl_dupfd_cloexec(s.fd.as_fd(), 0).ok()?;
    // SAFETY: the `AsyncFd` owns `fd`, which stays open and the same until it is dropped.
    unsafe { AsyncFd::register_with_interest(fd, Interest::WRITABLE) }.ok()
}

/// One non-blocking write of `buf` to pipe `fd` without changing the fd's flags
/// (`pwritev2(RWF_NOWAIT)`): `EAGAIN` when the pipe is full.
fn write_nowait(fd: &OwnedFd, buf: &[u8]) -> std::result::Result<usize, Errno> {
    let bufs = [IoSlice::new(buf)];
    retry(|| rustix::io::pwritev2(fd, &bufs, u64::MAX, rustix::io::ReadWriteFlags::NOWAIT))
}

impl<E> WriteStream<E> {
    /// `poll_consume` of a [`WriteTo::Socket`]: one `send(2)` from the guest's buffer once
    /// the reactor says writable; `Pending` (waker kept) while it would block.
    fn consume_into_socket<D: 'static>(
        &mut self,
        cx: &mut Context<'_>,
        store: StoreContextMut<'_, D>,
        src: Source<'_, u8>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let WriteStream { to: WriteTo::Socket(io), outcome, .. } = self else {
            unreachable!("consume_into_socket of a stream that is not a socket's")
        };
        let pending = || Poll::Ready(Ok(StreamResult::Cancelled));
        let mut src = src.as_direct(store);
        if src.remaining().is_empty() {
            // A zero-length write waits until the socket is writable.
            return match io.poll_write_ready(cx) {
                Poll::Ready(_) => Poll::Ready(Ok(StreamResult::Completed)),
                Poll::Pending if finish => pending(),
                Poll::Pending => Poll::Pending,
            };
        }
        loop {
            let mut guard = match io.poll_write_ready(cx) {
                Poll::Pending if finish => return pending(),
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => Err(Errno::from(e)),
                Poll::Ready(Ok(g)) => Ok(g),
            };
            let flags = rustix::net::SendFlags::DONTWAIT | rustix::net::SendFlags::NOSIGNAL;
            let r = match &mut guard {
                Ok(_) => retry(|| rustix::net::send(fd_of(io), src.remaining(), flags)),
                Err(e) => Err(*e),
            };
            match r {
                Err(Errno::Again) => {
                    if let Ok(g) = &mut guard {
                        g.clear_ready();
                    }
                }
                Ok(n) => {
                    src.mark_read(n);
                    return Poll::Ready(Ok(StreamResult::Completed));
                }
                Err(e) => {
                    outcome.fail(e);
                    return Poll::Ready(Ok(StreamResult::Dropped));
                }
            }
        }
    }
}

impl<E> Drop for WriteStream<E> {
    /// A socket's send stream ended (the guest dropped its end, or a write failed): no more
    /// sending (`SHUT_WR`: the peer reads end of stream), before the outcome resolves.
    fn drop(&mut self) {
        if let WriteTo::Socket(io) = &self.to {
            let _ = shutdown_fd(fd_of(io), ShutdownKind::Send);
        }
    }
}

impl<D: 'static, E: Send + 'static> StreamConsumer<D> for WriteStream<E> {
    type Item = u8;

    fn poll_consume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        store: StoreContextMut<D>,
        src: Source<'_, u8>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let me = self.get_mut();
        if let WriteTo::Socket(_) = me.to {
            return me.consume_into_socket(cx, store, src, finish);
        }
        let mut src = src.as_direct(store);
        let buf = src.remaining();
        // A zero-length write asks whether the stream is ready: it always is.
        if buf.is_empty() {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        let r = match &mut me.to {
            WriteTo::Stdio(s) if me.ready.is_some() => {
                // The guest's whole buffer in pieces of at most 16 KiB (so the reader can
                // drain the pipe meanwhile), until it is written or the pipe is full: one
                // trip through the loop per guest write, not per piece.
                let piece = s.write_limit();
                let a = me.ready.as_ref().expect("checked");
                let mut done = 0;
                loop {
                    let chunk = &buf[done..buf.len().min(done + piece)];
                    match write_nowait(a.get_ref(), chunk) {
                        Ok(n) => {
                            done += n;
                            if done == buf.len() || n < chunk.len() {
                                break Ok(done);
                            }
                        }
                        Err(Errno::Again) if done > 0 => break Ok(done),
                        Err(Errno::Again) => match a.poll_write_ready(cx) {
                            Poll::Ready(Ok(mut g)) => g.clear_ready(),
                            Poll::Ready(Err(e)) => break Err(Errno::from(e)),
                            Poll::Pending if finish => {
                                return Poll::Ready(Ok(StreamResult::Cancelled))
                            }
                            Poll::Pending => return Poll::Pending,
                        },
                        // No RWF_NOWAIT for this fd (an old kernel): blocking writes.
                        Err(Errno::Notsup) if done == 0 => {
                            me.ready = None;
                            break s.write_vectored(&[IoSlice::new(chunk)]);
                        }
                        Err(_) if done > 0 => break Ok(done),
                        r => break r,
                    }
                }
            }
            WriteTo::Stdio(s) => s.write_vectored(&[IoSlice::new(buf)]),
            WriteTo::At { fd, offset } => retry(|| rustix::io::pwrite(fd.as_fd(), buf, *offset))
                .inspect(|&n| {
                    *offset += n as u64;
                }),
            WriteTo::Append(fd) => append_at_end(fd.as_fd(), buf),
            WriteTo::Sequential(fd) => retry(|| rustix::io::write(fd.as_fd(), buf)),
            WriteTo::Socket(_) => unreachable!("socket writes are consume_into_socket's"),
        };
        match r {
            Ok(n) => {
                src.mark_read(n);
                Poll::Ready(Ok(StreamResult::Completed))
            }
            Err(e) => {
                me.outcome.fail(e);
                Poll::Ready(Ok(StreamResult::Dropped))
            }
        }
    }
}
