//! Direct reads and writes: `input-stream.read` and `blocking-read` move bytes from the OS
//! straight into the guest's buffer, and `output-stream.write` and `blocking-write-and-flush`
//! hand the OS the guest's own bytes: one copy (the kernel's), as preview1's `fd_read` and
//! `fd_write` do.
//!
//! Reads: the generated binding returns a `Vec<u8>`, which costs a host allocation and a
//! second copy of every byte into guest memory (64 KiB reads ran at 0.7× native). So the two
//! read functions are defined again, over the generated ones, with [`GuestBytes`] as the
//! `list<u8>`:
//!
//! 1. The host function decides how many bytes are there to read *now*, without reading
//!    them: for a regular file `size - offset` (`fstat`, once per stream until the offset
//!    reaches the size seen), for a pipe, tty or socket the `FIONREAD` count (after waiting
//!    for readability if blocking). Ends of file, would-block and errors are decided here, by
//!    the general path, exactly as before.
//! 2. Lowering the result calls the guest's `realloc` for exactly that many bytes and
//!    `read`s/`pread`s into the returned buffer; the list's length is what the read returned.
//!
//! Between the two steps no guest code runs but `realloc`, which the canonical ABI runs with
//! `may_leave` cleared (it cannot call imports or drop resources), so the stream and its fd
//! are still the ones the host function looked at. If the read in step 2 fails (an I/O error
//! after the count said bytes were there), the list is empty and the error is kept in the
//! stream's [`ReadState`]: the next read on the stream returns it as
//! `last-operation-failed`. If it returns fewer bytes than counted (a file truncated, another
//! reader of the same pipe), the list is shorter than the buffer `realloc` gave; allocators
//! (wasi-libc's, dlmalloc) free by pointer, and the p1 adapter's `realloc` hands out the
//! caller's own buffer, so this costs at most the unused tail until it is freed.
//!
//! From a regular file every read is direct (the size is cached, so a read costs no extra
//! syscall). From a pipe, tty or socket, reads shorter than [`DIRECT_MIN`] take the general
//! path: for them the `ioctl` would cost more than the copy it saves.
//!
//! Writes: the generated binding lifts `contents: list<u8>` into a `Vec<u8>` (an allocation
//! and a copy of every byte). Here it is lifted as wasmtime's `WasmList<u8>` (bounds-checked,
//! not copied) and the write syscall reads the guest's memory directly; see [`write`] for why
//! that borrow is sound.
//!
//! The `ComponentType`/`Lower` traits implemented here are wasmtime's doc-hidden canonical-ABI
//! interface; wasmtime is pinned to one exact version (Cargo.toml), and the tests run every
//! read and write path through real guests (`p2_streams`, `p1_bigread` and the rest of the
//! adapted p1 suite, the Rust and componentize-py guests).

use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use wasmtime::component::__internal::{
    CanonicalAbiInfo, InstanceType, InterfaceType, LowerContext,
};
use wasmtime::component::{ComponentType, Linker, Lower, Resource, WasmList};
use wasmtime::{StoreContextMut, ValRaw};

use super::streams::{InputSource, InputStream, OutputStream, StreamError};
use crate::ctx::{WasiCtx, WasiView};
use crate::errno::Errno;
use crate::p2::bindings::wasi::io::streams::{self, Host as _};
use crate::stdio::StdioKind;

/// Reads of fewer bytes than this (4 KiB) from a pipe, tty or socket go through a host buffer
/// (see the module docs); reads from a regular file are always direct.
pub const DIRECT_MIN: usize = 4096;

/// The state of an input stream that a read in flight may update: the next file offset and
/// an error found by a direct read, kept for the next call. Shared (`Arc`) between the
/// stream and the [`GuestBytes`] being lowered.
#[derive(Debug, Default)]
pub struct ReadState {
    /// Next byte to read (files; unused for other streams).
    offset: AtomicU64,
    /// An errno from a direct read, to report on the next read (0: none).
    error: AtomicU32,
    /// The stream was closed on the host side (`shutdown(receive)` of its TCP socket): every
    /// read is `closed`, even with bytes still queued.
    closed: AtomicBool,
    /// The file's size when last looked at (`fstat`): bytes before it are there to read
    /// without asking again. A file that grows is looked at again when the offset reaches
    /// this; one that shrinks gives a short read.
    known_end: AtomicU64,
}

impl ReadState {
    /// A state starting at `offset`.
    pub(crate) fn at(offset: u64) -> Arc<ReadState> {
        Arc::new(ReadState {
            offset: AtomicU64::new(offset),
            error: AtomicU32::new(0),
            closed: AtomicBool::new(false),
            known_end: AtomicU64::new(0),
        })
    }

    /// The next offset.
    pub(crate) fn offset(&self) -> u64 {
        self.offset.load(Ordering::Relaxed)
    }

    /// Moves the offset `n` bytes on.
    pub(crate) fn advance(&self, n: u64) {
        self.offset.fetch_add(n, Ordering::Relaxed);
    }

    /// The error a direct read left, if any (taking it).
    pub(crate) fn take_error(&self) -> Option<Errno> {
        if self.error.load(Ordering::Relaxed) == 0 {
            return None;
        }
        Errno::from_wasi(self.error.swap(0, Ordering::Relaxed) as u16)
    }

    /// Closes the stream for reading (see the field).
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
    }

    /// Whether [`ReadState::close`] was called.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    fn keep_error(&self, e: Errno) {
        self.error.store(e as u32, Ordering::Relaxed);
    }
}

/// The `list<u8>` of a read: bytes already in host memory, or a read still to be done into
/// the guest's buffer when the result is lowered.
#[derive(Debug)]
pub struct GuestBytes(Inner);

#[derive(Debug)]
enum Inner {
    Host(Vec<u8>),
    Direct {
        /// The stream's fd; live during lowering (module docs).
        fd: RawFd,
        /// `pread` at the state's offset (and advance it) if set; else `read`.
        seekable: bool,
        /// Bytes known to be available; the buffer asked of `realloc`.
        len: usize,
        state: Arc<ReadState>,
    },
}

impl GuestBytes {
    /// Bytes read into host memory.
    pub(crate) fn host(bytes: Vec<u8>) -> GuestBytes {
        GuestBytes(Inner::Host(bytes))
    }

    /// A read of `len` (> 0) available bytes from `fd`, done while lowering.
    pub(crate) fn direct(
        fd: BorrowedFd<'_>,
        seekable: bool,
        len: usize,
        state: &Arc<ReadState>,
    ) -> GuestBytes {
        GuestBytes(Inner::Direct { fd: fd.as_raw_fd(), seekable, len, state: state.clone() })
    }

    /// The bytes, reading now into host memory if the read is still to be done (for the
    /// callers that consume bytes on the host: skip, splice).
    pub(crate) fn into_vec(self) -> Vec<u8> {
        match self.0 {
            Inner::Host(v) => v,
            Inner::Direct { fd, seekable, len, state } => {
                let mut v = vec![0u8; len];
                let n = direct_read(fd, seekable, &mut v, &state);
                v.truncate(n);
                v
            }
        }
    }

    /// For `--trace`: the byte count, or the most a direct read will read.
    fn summary(&self) -> String {
        match &self.0 {
            Inner::Host(v) => format!("{} bytes", v.len()),
            Inner::Direct { len, .. } => format!("up to {len} bytes, direct"),
        }
    }

    /// Does the direct read into a buffer from the guest's `realloc`: `(ptr, len)`. Only for
    /// [`Inner::Direct`]; host bytes are lowered by wasmtime's own `[u8]` implementation.
    fn lower_direct<T>(
        cx: &mut LowerContext<'_, T>,
        fd: RawFd,
        seekable: bool,
        len: usize,
        state: &ReadState,
    ) -> wasmtime::Result<(usize, usize)> {
        let ptr = cx.realloc(0, 0, 1, len)?;
        // `realloc` checked that `ptr..ptr + len` is inside memory.
        let buf = &mut cx.as_slice_mut()[ptr..][..len];
        Ok((ptr, direct_read(fd, seekable, buf, state)))
    }
}

/// One `read`/`pread` into `buf`; an error is kept in `state` and reads as 0 bytes.
fn direct_read(fd: RawFd, seekable: bool, buf: &mut [u8], state: &ReadState) -> usize {
    // SAFETY: `fd` belongs to a stream the guest cannot drop before the lowering that
    // calls this has finished (module docs).
    let fd = unsafe { BorrowedFd::borrow_raw(fd) };
    let r = if seekable {
        let at = state.offset();
        crate::sys::retry(|| rustix::io::pread(fd, &mut *buf, at))
    } else {
        crate::sys::retry(|| rustix::io::read(fd, &mut *buf))
    };
    match r {
        Ok(n) => {
            if seekable {
                state.advance(n as u64);
                if n < buf.len() {
                    // The file shrank: look at its size again next time.
                    state.known_end.store(0, Ordering::Relaxed);
                }
            }
            n
        }
        Err(e) => {
            state.keep_error(e);
            0
        }
    }
}

// SAFETY: the canonical ABI shape is exactly `list<u8>`'s (a pointer pair), and the type
// check accepts only `list<u8>`.
unsafe impl ComponentType for GuestBytes {
    type Lower = [ValRaw; 2];

    const ABI: CanonicalAbiInfo = CanonicalAbiInfo::POINTER_PAIR;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> wasmtime::Result<()> {
        <Vec<u8> as ComponentType>::typecheck(ty, types)
    }
}

// SAFETY: writes the pointer pair of a list of `u8`s that lies inside guest memory.
unsafe impl Lower for GuestBytes {
    fn linear_lower_to_flat<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        ty: InterfaceType,
        dst: &mut MaybeUninit<[ValRaw; 2]>,
    ) -> wasmtime::Result<()> {
        match &self.0 {
            Inner::Host(v) => v[..].linear_lower_to_flat(cx, ty, dst),
            &Inner::Direct { fd, seekable, len, ref state } => {
                let (ptr, n) = GuestBytes::lower_direct(cx, fd, seekable, len, state)?;
                dst.write([ValRaw::i64(ptr as i64), ValRaw::i64(n as i64)]);
                Ok(())
            }
        }
    }

    fn linear_lower_to_memory<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        ty: InterfaceType,
        offset: usize,
    ) -> wasmtime::Result<()> {
        match &self.0 {
            Inner::Host(v) => v[..].linear_lower_to_memory(cx, ty, offset),
            &Inner::Direct { fd, seekable, len, ref state } => {
                let (ptr, n) = GuestBytes::lower_direct(cx, fd, seekable, len, state)?;
                *cx.get::<4>(offset) = u32::try_from(ptr)?.to_le_bytes();
                *cx.get::<4>(offset + 4) = u32::try_from(n)?.to_le_bytes();
                Ok(())
            }
        }
    }
}

/// How many bytes `fd` (a pipe, tty, socket or FIFO) has queued (`FIONREAD`); 0 when it
/// cannot tell.
fn queued(fd: BorrowedFd<'_>) -> usize {
    rustix::io::ioctl_fionread(fd).map_or(0, |n| n as usize)
}

impl WasiCtx {
    /// Plans a read of up to `len` bytes (`len` already capped, > 0) as a direct read, if
    /// bytes are known to be there; `None` leaves it to the general path (always, for fewer
    /// than [`DIRECT_MIN`] bytes from a stream that is not a regular file). For such a stream
    /// and `blocking`, waits for readability first.
    pub(crate) fn plan_direct(
        &self,
        stream: &InputStream,
        len: usize,
        blocking: bool,
    ) -> Result<Option<GuestBytes>, StreamError> {
        let (fd, regular) = match stream.source {
            InputSource::Stdin => match self.stdio(StdioKind::Stdin) {
                Some(s) => (s.fd.as_fd(), false),
                None => return Ok(None),
            },
            InputSource::File { ref fd, regular } => (fd.as_fd(), regular),
            InputSource::Tcp(ref fd) => (fd.as_fd(), false),
        };
        if regular {
            let state = &stream.state;
            let at = state.offset();
            let mut end = state.known_end.load(Ordering::Relaxed);
            if at >= end {
                end = crate::sys::retry(|| rustix::fs::fstat(fd))?.st_size as u64;
                state.known_end.store(end, Ordering::Relaxed);
                if at >= end {
                    return Ok(None);
                }
            }
            let n = len.min((end - at).min(usize::MAX as u64) as usize);
            return Ok(Some(GuestBytes::direct(fd, true, n, &stream.state)));
        }
        if len < DIRECT_MIN {
            return Ok(None);
        }
        let mut n = queued(fd);
        if n == 0 && blocking {
            super::streams::wait_for(fd, crate::readiness::Interest::Read, self.deadline)?;
            n = queued(fd);
        }
        Ok((n > 0).then(|| GuestBytes::direct(fd, false, len.min(n), &stream.state)))
    }
}

/// Defines `[method]input-stream.read`, `[method]input-stream.blocking-read`,
/// `[method]output-stream.write` and `[method]output-stream.blocking-write-and-flush` of
/// `wasi:io/streams@0.2.12` again, over the generated ones, with direct reads and writes.
/// The caller has turned the linker's shadowing on.
pub(crate) fn add_to_linker<T: WasiView>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    let mut inst = linker.instance("wasi:io/streams@0.2.12")?;
    inst.func_wrap("[method]input-stream.read", |store, params| {
        read(store, params, false, "[method]input-stream.read")
    })?;
    inst.func_wrap("[method]input-stream.blocking-read", |store, params| {
        read(store, params, true, "[method]input-stream.blocking-read")
    })?;
    inst.func_wrap("[method]output-stream.write", |store, params| {
        write(store, params, "[method]output-stream.write")
    })?;
    // Writes complete before they return, so "and flush" adds nothing.
    inst.func_wrap("[method]output-stream.blocking-write-and-flush", |store, params| {
        write(store, params, "[method]output-stream.blocking-write-and-flush")
    })
}

/// The `--trace` span of one call, as the generated bindings make them (TRACE level, name
/// `wit-bindgen import`, fields `module` and `function`), so one subscriber formats all.
macro_rules! call_span {
    ($module:literal, $function:expr) => {
        tracing::span!(
            tracing::Level::TRACE,
            "wit-bindgen import",
            module = $module,
            function = $function
        )
    };
}
pub(crate) use call_span;

type WriteResult = Result<(), streams::StreamError>;

/// `write` / `blocking-write-and-flush`: writes all of `contents` from guest memory.
///
/// The bytes are borrowed from the instance's linear memory while the host's `WasiCtx` is
/// borrowed mutably. That is sound: linear memory is its own mapping, not part of the
/// store's data `T`; no guest code runs until this function returns, so the memory can
/// neither change nor grow (move) meanwhile; and components have no shared memories that
/// another thread could write.
fn write<T: WasiView>(
    mut store: StoreContextMut<'_, T>,
    (stream, contents): (Resource<OutputStream>, WasmList<u8>),
    function: &'static str,
) -> wasmtime::Result<(WriteResult,)> {
    let span = call_span!("streams", function);
    let _enter = span.enter();
    tracing::event!(tracing::Level::TRACE, self_ = ?stream, contents = contents.len(), "call");
    let bytes = contents.as_le_slice(&store);
    let (ptr, len) = (bytes.as_ptr(), bytes.len());
    let ctx = store.data_mut().wasi();
    // SAFETY: see above; `ptr..ptr + len` was bounds-checked by `WasmList`'s lift.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    let r = ctx.stream_write(&stream, bytes);
    tracing::event!(tracing::Level::TRACE, result = ?r, "return");
    match r {
        Ok(()) => Ok((Ok(()),)),
        Err(e) => Ok((Err(ctx.convert_stream_error(e)?),)),
    }
}

type ReadResult = Result<GuestBytes, streams::StreamError>;

fn read<T: WasiView>(
    mut store: StoreContextMut<'_, T>,
    (stream, len): (Resource<InputStream>, u64),
    blocking: bool,
    function: &'static str,
) -> wasmtime::Result<(ReadResult,)> {
    let span = call_span!("streams", function);
    let _enter = span.enter();
    tracing::event!(tracing::Level::TRACE, self_ = ?stream, len, "call");
    let ctx = store.data_mut().wasi();
    let r = ctx.stream_read(&stream, len, blocking, true);
    tracing::event!(tracing::Level::TRACE, result = ?r.as_ref().map(GuestBytes::summary), "return");
    match r {
        Ok(bytes) => Ok((Ok(bytes),)),
        Err(e) => Ok((Err(ctx.convert_stream_error(e)?),)),
    }
}
