//! wasi:io/poll — `pollable.ready`, `pollable.block` and `poll`.
//!
//! One scan of the list classifies each pollable as a [`Readiness`] of the shared readiness
//! core ([`crate::readiness`], the same one preview1's `poll_oneoff` uses): ready now (a
//! regular file, a socket state that has its answer), a host fd to wait on, or a monotonic
//! deadline. The core then waits once: without blocking if anything is ready already,
//! otherwise in one `ppoll(2)` over all the fds with the earliest deadline as timeout,
//! costing no CPU. Its buffers live in the context and are reused across calls: no
//! per-pollable allocation or boxing.

use std::os::fd::AsFd;

use wasmtime::component::Resource;

use super::streams::{InputSource, InputStream, OutputStream};
use crate::clocks::Clock;
use crate::ctx::WasiCtx;
use crate::p2::bindings::wasi::io::poll;
use crate::p2::sockets::{IncomingDatagramStream, OutgoingDatagramStream, TcpSocket, TcpState};
use crate::readiness::{ready_now, DeadlinePassed, Interest, Readiness};
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

/// Why a `poll` stopped without an answer: `ppoll` failed, or the run's deadline passed.
enum WaitError {
    Os(rustix::io::Errno),
    Deadline(DeadlinePassed),
}

impl From<rustix::io::Errno> for WaitError {
    fn from(e: rustix::io::Errno) -> WaitError {
        WaitError::Os(e)
    }
}

impl From<DeadlinePassed> for WaitError {
    fn from(d: DeadlinePassed) -> WaitError {
        WaitError::Deadline(d)
    }
}

impl WasiCtx {
    /// Classifies one pollable as a [`Readiness`]. A stream over a file that is not regular
    /// waits on the OS; a regular file is always ready.
    fn readiness(&self, p: &Pollable) -> wasmtime::Result<Readiness<'_>> {
        let stdio = |kind, interest| match self.stdio(kind) {
            Some(s) => Readiness::Fd(s.fd.as_fd(), interest),
            None => Readiness::Now,
        };
        Ok(match *p {
            Pollable::Deadline(t) => Readiness::At(Clock::Monotonic, t),
            Pollable::Input(rep) => {
                match self.get(&Resource::<InputStream>::new_borrow(rep))?.source {
                    InputSource::Stdin => stdio(StdioKind::Stdin, Interest::Read),
                    InputSource::File { ref fd, regular } => {
                        if regular {
                            Readiness::Now
                        } else {
                            Readiness::Fd(fd.as_fd(), Interest::Read)
                        }
                    }
                    InputSource::Tcp(ref fd) => Readiness::Fd(fd.as_fd(), Interest::Read),
                }
            }
            Pollable::Output(rep) => {
                match *self.get(&Resource::<OutputStream>::new_borrow(rep))? {
                    OutputStream::Stdio(kind) => stdio(kind, Interest::Write),
                    OutputStream::File { ref fd, regular, .. } => {
                        if regular {
                            Readiness::Now
                        } else {
                            Readiness::Fd(fd.as_fd(), Interest::Write)
                        }
                    }
                    OutputStream::Tcp(ref fd) => Readiness::Fd(fd.as_fd(), Interest::Write),
                }
            }
            Pollable::Tcp(rep) => {
                let sock = self.get(&Resource::<TcpSocket>::new_borrow(rep))?;
                match sock.state {
                    // A connect that failed at once has its answer already.
                    TcpState::Connecting if sock.connect_error.is_some() => Readiness::Now,
                    TcpState::Connecting => Readiness::Fd(sock.fd.as_fd(), Interest::Write),
                    TcpState::Listening => Readiness::Fd(sock.fd.as_fd(), Interest::Read),
                    _ => Readiness::Now,
                }
            }
            Pollable::DatagramIn(rep) => {
                let s = self.get(&Resource::<IncomingDatagramStream>::new_borrow(rep))?;
                Readiness::Fd(s.fd.as_fd(), Interest::Read)
            }
            Pollable::DatagramOut(rep) => {
                let s = self.get(&Resource::<OutgoingDatagramStream>::new_borrow(rep))?;
                Readiness::Fd(s.fd.as_fd(), Interest::Write)
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
        let mut poller = std::mem::take(&mut self.poller);
        let mut set = poller.begin();
        set.bound(self.deadline);
        set.clocks(&self.clocks);
        ready.clear();
        let mut result = Ok(());
        for (i, &rep) in list.iter().enumerate() {
            let r =
                self.get(&Resource::<Pollable>::new_borrow(rep)).and_then(|p| self.readiness(p));
            match r {
                Ok(r) => {
                    if set.add(i as u32, r) {
                        ready.push(i as u32);
                    }
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if result.is_ok() {
            let already = !ready.is_empty();
            result = set
                .wait::<WaitError>(already, |i, _| {
                    ready.push(i);
                    Ok(())
                })
                .map(|_| ())
                .map_err(|e| match e {
                    WaitError::Os(e) => wasmtime::Error::msg(format!("ppoll: {e}")),
                    WaitError::Deadline(d) => d.trap(),
                });
        }
        poller.finish(set);
        self.poller = poller;
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
            Readiness::Now => true,
            Readiness::At(clock, t) => self.clocks.now(clock) >= t,
            Readiness::Fd(fd, interest) => ready_now(fd, interest),
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
