//! wasi:io/poll — `pollable.ready`, `pollable.block` and `poll`.
//!
//! Like preview1's `poll_oneoff` (`p1/poll.rs`): one scan of the list classifies each
//! pollable as ready now (a passed deadline, a regular file), a host fd to wait on, or a
//! deadline. If anything is ready the fds are checked once without waiting (no syscall if
//! there are none); otherwise the thread waits in one `ppoll(2)` over all the fds with the
//! earliest deadline as timeout, costing no CPU.
//! The `pollfd` array and the index lists live in [`Scratch`], reused across calls: no
//! per-pollable allocation or boxing.

use std::os::fd::{AsFd, BorrowedFd};

use rustix::event::{PollFd, PollFlags};
use wasmtime::component::Resource;

use super::streams::{InputSource, InputStream, OutputStream};
use crate::clocks::{timespec, Clock};
use crate::ctx::WasiCtx;
use crate::p1::poll::recycle;
use crate::p2::bindings::wasi::io::poll;
use crate::p2::sockets::{IncomingDatagramStream, OutgoingDatagramStream, TcpSocket, TcpState};
use crate::stdio::StdioKind;

/// A `wasi:io/poll.pollable`: what it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pollable {
    /// The monotonic clock reaching this instant (ns).
    Deadline(u64),
    /// The input stream with this resource rep having bytes (or EOF). A child of the stream.
    Input(u32),
    /// The output stream with this resource rep accepting writes. A child of the stream.
    Output(u32),
    /// The TCP socket with this resource rep: ready when its pending `finish-connect`
    /// (writable) or `accept` (readable) would not block, at once in other states. A child
    /// of the socket.
    Tcp(u32),
    /// The incoming datagram stream with this resource rep having a datagram. A child of it.
    DatagramIn(u32),
    /// The outgoing datagram stream with this resource rep able to send. A child of it.
    DatagramOut(u32),
}

/// Buffers `poll` reuses across calls.
#[derive(Debug, Default)]
pub struct Scratch {
    /// The `pollfd`s to wait on. Empty between calls (re-typed per call with `recycle`).
    fds: Vec<PollFd<'static>>,
    /// For each entry of `fds`, the index of its pollable in the guest's list.
    fd_idx: Vec<u32>,
    /// Pending deadlines: (index in the guest's list, instant in ns).
    deadlines: Vec<(u32, u64)>,
}

/// How one pollable can become ready.
enum Ready<'a> {
    Now,
    Fd(BorrowedFd<'a>, PollFlags),
    At(u64),
}

impl WasiCtx {
    /// Classifies one pollable (see [`Ready`]). A stream over a missing stdio, or a file that
    /// is not regular, waits on the OS; a regular file is always ready.
    fn readiness(&self, p: &Pollable) -> wasmtime::Result<Ready<'_>> {
        let stdio = |kind, flags| match self.stdio(kind) {
            Some(s) => Ready::Fd(s.fd.as_fd(), flags),
            // The guest closed the stream's fd: ready (the operation reports `closed`).
            None => Ready::Now,
        };
        Ok(match *p {
            Pollable::Deadline(t) => Ready::At(t),
            Pollable::Input(rep) => {
                match self.get(&Resource::<InputStream>::new_borrow(rep))?.source {
                    InputSource::Stdin => stdio(StdioKind::Stdin, PollFlags::IN),
                    InputSource::File { desc } => {
                        let d = self.descriptor_rep(desc)?;
                        if d.regular_file {
                            Ready::Now
                        } else {
                            Ready::Fd(d.as_fd(), PollFlags::IN)
                        }
                    }
                    InputSource::Tcp(ref fd) => Ready::Fd(fd.as_fd(), PollFlags::IN),
                }
            }
            Pollable::Output(rep) => {
                match *self.get(&Resource::<OutputStream>::new_borrow(rep))? {
                    OutputStream::Stdio(kind) => stdio(kind, PollFlags::OUT),
                    OutputStream::File { desc, .. } => {
                        let d = self.descriptor_rep(desc)?;
                        if d.regular_file {
                            Ready::Now
                        } else {
                            Ready::Fd(d.as_fd(), PollFlags::OUT)
                        }
                    }
                    OutputStream::Tcp(ref fd) => Ready::Fd(fd.as_fd(), PollFlags::OUT),
                }
            }
            Pollable::Tcp(rep) => {
                let sock = self.get(&Resource::<TcpSocket>::new_borrow(rep))?;
                match sock.state {
                    // A connect that failed at once has its answer already.
                    TcpState::Connecting if sock.connect_error.is_some() => Ready::Now,
                    TcpState::Connecting => Ready::Fd(sock.fd.as_fd(), PollFlags::OUT),
                    TcpState::Listening => Ready::Fd(sock.fd.as_fd(), PollFlags::IN),
                    _ => Ready::Now,
                }
            }
            Pollable::DatagramIn(rep) => {
                let s = self.get(&Resource::<IncomingDatagramStream>::new_borrow(rep))?;
                Ready::Fd(s.fd.as_fd(), PollFlags::IN)
            }
            Pollable::DatagramOut(rep) => {
                let s = self.get(&Resource::<OutgoingDatagramStream>::new_borrow(rep))?;
                Ready::Fd(s.fd.as_fd(), PollFlags::OUT)
            }
        })
    }

    /// Waits until at least one of the pollables with resource reps `list` is ready; puts
    /// the indices (into `list`) of the ready ones into `ready`, ascending. Errors (a trap):
    /// an empty list, more than [`crate::Limits::max_poll_subscriptions`] entries, a rep
    /// that is no pollable, or a host failure of `ppoll`.
    pub(crate) fn poll_reps(&mut self, list: &[u32], ready: &mut Vec<u32>) -> wasmtime::Result<()> {
        if list.is_empty() {
            wasmtime::bail!("wasi:io/poll.poll called with an empty list");
        }
        if list.len() as u64 > u64::from(self.limits.max_poll_subscriptions) {
            wasmtime::bail!("wasi:io/poll.poll over {} pollables exceeds the limit", list.len());
        }
        let mut scratch = std::mem::take(&mut self.p2_poll_scratch);
        let r = self.poll_run(list, &mut scratch, ready);
        self.p2_poll_scratch = scratch;
        r
    }

    fn poll_run(
        &self,
        list: &[u32],
        scratch: &mut Scratch,
        ready: &mut Vec<u32>,
    ) -> wasmtime::Result<()> {
        let mut fds: Vec<PollFd<'_>> = recycle(std::mem::take(&mut scratch.fds));
        scratch.fd_idx.clear();
        scratch.deadlines.clear();
        ready.clear();
        let mut now: Option<u64> = None;
        let mut result = Ok(());
        for (i, &rep) in list.iter().enumerate() {
            let p = match self.get(&Resource::<Pollable>::new_borrow(rep)) {
                Ok(p) => p,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            match self.readiness(p) {
                Ok(Ready::Now) => ready.push(i as u32),
                Ok(Ready::Fd(fd, flags)) => {
                    fds.push(PollFd::from_borrowed_fd(fd, flags));
                    scratch.fd_idx.push(i as u32);
                }
                Ok(Ready::At(t)) => {
                    if *now.get_or_insert_with(|| Clock::Monotonic.now()) >= t {
                        ready.push(i as u32);
                    } else {
                        scratch.deadlines.push((i as u32, t));
                    }
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        // If something is ready already, the fds are still checked, once and without
        // waiting (as p1's poll_oneoff does), so the answer lists every ready pollable.
        while result.is_ok() {
            let ready_now = !ready.is_empty();
            if ready_now && fds.is_empty() {
                break;
            }
            let timeout = if ready_now {
                Some(0)
            } else {
                scratch
                    .deadlines
                    .iter()
                    .map(|&(_, t)| t)
                    .min()
                    .map(|t| t.saturating_sub(Clock::Monotonic.now()))
            };
            match rustix::event::poll(&mut fds, timeout.map(timespec).as_ref()) {
                Ok(_) => {}
                Err(rustix::io::Errno::INTR) => fds.iter_mut().for_each(PollFd::clear_revents),
                Err(e) => {
                    result = Err(wasmtime::Error::msg(format!("ppoll: {e}")));
                    break;
                }
            }
            for (p, &i) in fds.iter().zip(&scratch.fd_idx) {
                if !p.revents().is_empty() {
                    ready.push(i);
                }
            }
            if ready_now {
                break;
            }
            if !scratch.deadlines.is_empty() {
                let t = Clock::Monotonic.now();
                ready.extend(scratch.deadlines.iter().filter(|d| t >= d.1).map(|d| d.0));
            }
            if !ready.is_empty() {
                break;
            }
        }
        scratch.fds = recycle(fds);
        ready.sort_unstable();
        result
    }
}

impl poll::HostPollable for WasiCtx {
    /// `ready`: whether the pollable is ready now (never blocks; one zero-timeout `poll` for
    /// an fd).
    fn ready(&mut self, self_: Resource<Pollable>) -> wasmtime::Result<bool> {
        let p = *self.get(&self_)?;
        Ok(match self.readiness(&p)? {
            Ready::Now => true,
            Ready::At(t) => Clock::Monotonic.now() >= t,
            Ready::Fd(fd, flags) => {
                let mut p = [PollFd::from_borrowed_fd(fd, flags)];
                let zero = rustix::time::Timespec::default();
                matches!(rustix::event::poll(&mut p, Some(&zero)), Ok(n) if n > 0)
            }
        })
    }

    /// `block`: waits until the pollable is ready (the thread sleeps in `ppoll`).
    fn block(&mut self, self_: Resource<Pollable>) -> wasmtime::Result<()> {
        self.poll_reps(&[self_.rep()], super::poll_list::ReadyList::new().indices())
    }

    /// Drops a pollable.
    fn drop(&mut self, rep: Resource<Pollable>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl poll::Host for WasiCtx {
    /// `poll(in)`: waits until at least one pollable is ready; returns the indices (into
    /// `in`) of all that are, ascending. Traps on an empty list (as the WIT specifies).
    /// (Linked over by [`super::poll_list`], which lifts the list more cheaply.)
    fn poll(&mut self, in_: Vec<Resource<Pollable>>) -> wasmtime::Result<Vec<u32>> {
        let reps: Vec<u32> = in_.iter().map(Resource::rep).collect();
        let mut ready = Vec::new();
        self.poll_reps(&reps, &mut ready)?;
        Ok(ready)
    }
}
