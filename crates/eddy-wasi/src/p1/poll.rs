//! `poll_oneoff` (preview1 here; preview0, whose clock subscription layout differs, is
//! [`super::p0::poll_oneoff`] over the same implementation).
//!
//! Design: p1 host functions are synchronous (`Linker::func_wrap`, no fibers) for hot-path
//! speed. A p1 guest blocked in `poll_oneoff` blocks its own thread in one `ppoll(2)`
//! (`rustix::event::poll` with a `Timespec` timeout), so it costs no CPU and wakes with
//! ns-precision timeouts (well within 1 ms of the deadline). Sharing one event loop across p1
//! instances is future work.
//!
//! One call scans the subscription list once, reading each subscription straight from guest
//! memory:
//! - a clock (realtime or monotonic, relative or absolute) whose deadline has passed, a
//!   regular file (always ready), or a subscription that is in error (bad fd, missing right,
//!   unknown clock) gets its event at once;
//! - a clock still pending, and stdio, pipes, sockets, ttys and other non-regular files, join
//!   one wait of the shared readiness core ([`crate::readiness`]), tagged with their index in
//!   [`Scratch`] (userdata and event type).
//!
//! Then the core waits once: with a zero timeout if some event is already written (the call
//! must not block then), else in one `ppoll` until the earliest clock deadline (no timeout if
//! there is no clock), collecting ready fds and passed deadlines on every wake-up. Work is
//! O(N) with a small constant; the buffers are reused across calls, so a call allocates
//! nothing once they have grown. Events are written straight to guest memory, in the order
//! found.

use rustix::event::PollFlags;

use super::fd::{host_fd, need};
use super::table::{FdTable, Object};
use super::P1Ctx;
use super::{rights, wasi_fn, GuestMemory, MODULE};
use crate::clocks::Clock;
use crate::errno::{Errno, Result};
use crate::filesystem::DescriptorKind;
use crate::readiness::{Interest, Poller, Readiness, WaitSet};
use crate::sys::retry;

/// `eventtype::clock`.
const EVENTTYPE_CLOCK: u8 = 0;
/// `eventtype::fd_read`.
const EVENTTYPE_FD_READ: u8 = 1;
/// `eventtype::fd_write`.
const EVENTTYPE_FD_WRITE: u8 = 2;
/// `subclockflags::subscription_clock_abstime`.
const SUBSCRIPTION_CLOCK_ABSTIME: u16 = 1;
/// `eventrwflags::fd_readwrite_hangup`.
const EVENTRWFLAGS_FD_READWRITE_HANGUP: u16 = 1;
/// Size of an `event` (p1 and p0): userdata u64 @0, error u16 @8, type u8 @10,
/// fd_readwrite {nbytes u64 @16, flags u16 @24}.
const EVENT_SIZE: u32 = 32;
/// Offset of `fd_readwrite.file_descriptor` (u32) in a subscription (p1 and p0).
const FD_OFFSET: usize = 16;
/// The largest subscription (p0).
const MAX_SUB_SIZE: usize = 56;

/// Where the fields of a `subscription` are. p1 and p0 differ only in the clock variant (p0
/// has a u64 `identifier` before the clock id).
#[derive(Clone, Copy, Debug)]
pub(super) struct Layout {
    /// Size of one subscription.
    size: u32,
    /// Offset of `clock.id` (u32).
    clock_id: usize,
    /// Offset of `clock.timeout` (u64).
    clock_timeout: usize,
    /// Offset of `clock.flags` (u16).
    clock_flags: usize,
}

/// preview1: userdata u64 @0, tag u8 @8, clock {id u32 @16, timeout u64 @24,
/// precision u64 @32, flags u16 @40}, 48 bytes.
const P1: Layout = Layout { size: 48, clock_id: 16, clock_timeout: 24, clock_flags: 40 };
/// preview0: userdata u64 @0, tag u8 @8, clock {identifier u64 @16, id u32 @24,
/// timeout u64 @32, precision u64 @40, flags u16 @48}, 56 bytes.
pub(super) const P0: Layout = Layout { size: 56, clock_id: 24, clock_timeout: 32, clock_flags: 48 };

/// Buffers `poll_oneoff` reuses across calls, so a call allocates nothing once they have
/// grown to the largest subscription list seen (at most
/// [`Limits::max_poll_subscriptions`](crate::Limits::max_poll_subscriptions) entries each).
#[derive(Debug, Default)]
pub struct Scratch {
    /// The readiness core's buffers.
    poller: Poller,
    /// For each waited-on subscription (by its tag in the wait set), what to report.
    subs: Vec<Sub>,
}

/// A subscription waiting on the OS or a clock.
#[derive(Clone, Copy, Debug)]
struct Sub {
    userdata: u64,
    /// `EVENTTYPE_CLOCK`, `EVENTTYPE_FD_READ` or `EVENTTYPE_FD_WRITE`.
    ty: u8,
}

/// Writes events into the guest's `out` array, one after another.
struct Events {
    out: u32,
    n: u32,
}

impl Events {
    #[inline]
    fn push(
        &mut self,
        mem: &mut GuestMemory<'_>,
        userdata: u64,
        error: Errno,
        ty: u8,
        nbytes: u64,
        flags: u16,
    ) -> Result<()> {
        let mut e = [0u8; EVENT_SIZE as usize];
        e[0..8].copy_from_slice(&userdata.to_le_bytes());
        e[8..10].copy_from_slice(&(error as u16).to_le_bytes());
        e[10] = ty;
        e[16..24].copy_from_slice(&nbytes.to_le_bytes());
        e[24..26].copy_from_slice(&flags.to_le_bytes());
        // `n < nsubscriptions` (one event per subscription at most) and the whole `out` array
        // was bounds-checked, so this neither overflows nor faults; `write_bytes` checks anyway.
        let at = self.out.checked_add(self.n * EVENT_SIZE).ok_or(Errno::Fault)?;
        mem.write_bytes(at, &e)?;
        self.n += 1;
        Ok(())
    }
}

#[inline]
fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
#[inline]
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
#[inline]
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// How an fd subscription becomes ready: `Now` with `nbytes` (a regular file or directory),
/// or when its host fd is. Errors (reported in the event): `EBADF` (not open), `ENOTCAPABLE`
/// (no `POLL_FD_READWRITE` right), or the OS's error from `fstat`/`lseek`.
#[inline]
fn readiness(table: &FdTable, fd: u32, ty: u8) -> Result<(Readiness<'_>, u64)> {
    let e = table.get(fd)?;
    need(e, rights::POLL_FD_READWRITE)?;
    let interest = if ty == EVENTTYPE_FD_READ { Interest::Read } else { Interest::Write };
    match &e.object {
        // A directory never blocks (reads and writes fail at once).
        Object::Descriptor(d) if d.kind == DescriptorKind::Dir => Ok((Readiness::Now, 0)),
        // A FIFO, device or socket opened by path.
        Object::Descriptor(d) if !d.regular_file => Ok((Readiness::Fd(d.as_fd(), interest), 0)),
        // A regular file is always ready: writable now, readable up to its end.
        Object::Descriptor(_) if ty == EVENTTYPE_FD_WRITE => Ok((Readiness::Now, 0)),
        Object::Descriptor(d) => {
            let st = rustix::fs::fstat(d.as_fd())?;
            let pos = retry(|| rustix::fs::tell(d.as_fd()))?;
            Ok((Readiness::Now, (st.st_size as u64).saturating_sub(pos)))
        }
        Object::Stdio(_) | Object::Socket(_) => Ok((Readiness::Fd(host_fd(e), interest), 0)),
    }
}

/// Arguments of one `poll_oneoff` call.
#[derive(Clone, Copy)]
struct Call {
    layout: Layout,
    subscriptions: u32,
    nsubscriptions: u32,
}

/// `poll_oneoff` for either layout: checks the arguments, runs [`run`] with the context's
/// scratch buffers, and writes the number of events to `nevents`.
pub(super) fn poll(
    ctx: &mut P1Ctx,
    mem: &mut GuestMemory<'_>,
    layout: Layout,
    subscriptions: u32,
    events: u32,
    nsubscriptions: u32,
    nevents: u32,
) -> Result<()> {
    if nsubscriptions == 0 || nsubscriptions > ctx.limits.max_poll_subscriptions {
        return Err(Errno::Inval);
    }
    // Bounds-check the whole input, the whole output and the result up front, so a bad
    // pointer fails before the call blocks or consumes anything. On wasm32 each length fits
    // in u32 or is EFAULT; `slice` adds in usize, which cannot overflow.
    let in_len = nsubscriptions.checked_mul(layout.size).ok_or(Errno::Fault)?;
    let out_len = nsubscriptions.checked_mul(EVENT_SIZE).ok_or(Errno::Fault)?;
    mem.slice(subscriptions, in_len)?;
    mem.slice(events, out_len)?;
    mem.slice(nevents, 4)?;

    let deadline = ctx.deadline;
    let P1Ctx { wasi, table, poll: s, .. } = ctx;
    let mut set = s.poller.begin();
    set.bound(deadline);
    set.clocks(wasi.clocks());
    let call = Call { layout, subscriptions, nsubscriptions };
    let r = run(table, &mut set, &mut s.subs, mem, call, events);
    s.poller.finish(set);
    let n = r?;
    mem.write_u32(nevents, n)
}

/// The scan and the wait; returns the number of events written.
fn run<'t>(
    table: &'t FdTable,
    set: &mut WaitSet<'t>,
    subs: &mut Vec<Sub>,
    mem: &mut GuestMemory<'_>,
    call: Call,
    events: u32,
) -> Result<u32> {
    subs.clear();
    let layout = call.layout;
    let size = layout.size as usize;
    let mut ev = Events { out: events, n: 0 };

    for i in 0..call.nsubscriptions {
        // Copied out (48 or 56 bytes) because the guest may overlap the event array with the
        // subscriptions; in bounds (checked by the caller), `slice` checks anyway.
        let mut sub = [0u8; MAX_SUB_SIZE];
        let at = call.subscriptions + i * layout.size;
        sub[..size].copy_from_slice(mem.slice(at, layout.size)?);
        let userdata = u64_at(&sub, 0);
        let tag = subs.len() as u32;
        match sub[8] {
            EVENTTYPE_CLOCK => {
                let id = u32_at(&sub, layout.clock_id);
                let timeout = u64_at(&sub, layout.clock_timeout);
                let flags = u16_at(&sub, layout.clock_flags);
                let clock = match Clock::from_p1(id) {
                    Some(c @ (Clock::Realtime | Clock::Monotonic))
                        if flags & !SUBSCRIPTION_CLOCK_ABSTIME == 0 =>
                    {
                        c
                    }
                    // Unknown clock, a CPU-time clock (no timers on those), or undefined flag
                    // bits.
                    _ => {
                        ev.push(mem, userdata, Errno::Inval, EVENTTYPE_CLOCK, 0, 0)?;
                        continue;
                    }
                };
                let deadline = if flags & SUBSCRIPTION_CLOCK_ABSTIME != 0 {
                    timeout
                } else {
                    set.now(clock).saturating_add(timeout)
                };
                if set.add(tag, Readiness::At(clock, deadline)) {
                    ev.push(mem, userdata, Errno::Success, EVENTTYPE_CLOCK, 0, 0)?;
                } else {
                    subs.push(Sub { userdata, ty: EVENTTYPE_CLOCK });
                }
            }
            ty @ (EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE) => {
                let fd = u32_at(&sub, FD_OFFSET);
                match readiness(table, fd, ty) {
                    Ok((r, nbytes)) => {
                        if set.add(tag, r) {
                            ev.push(mem, userdata, Errno::Success, ty, nbytes, 0)?;
                        } else {
                            subs.push(Sub { userdata, ty });
                        }
                    }
                    Err(e) => ev.push(mem, userdata, e, ty, 0, 0)?,
                }
            }
            _ => return Err(Errno::Inval),
        }
    }

    set.wait(ev.n > 0, |tag, woken| {
        let sub = subs[tag as usize];
        if sub.ty == EVENTTYPE_CLOCK {
            return ev.push(mem, sub.userdata, Errno::Success, EVENTTYPE_CLOCK, 0, 0);
        }
        let re = woken.revents();
        if re.contains(PollFlags::NVAL) {
            return ev.push(mem, sub.userdata, Errno::Badf, sub.ty, 0, 0);
        }
        let hangup = re.contains(PollFlags::HUP)
            || (sub.ty == EVENTTYPE_FD_WRITE && re.contains(PollFlags::ERR));
        let flags = if hangup { EVENTRWFLAGS_FD_READWRITE_HANGUP } else { 0 };
        // Bytes ready to read: one FIONREAD per ready read event (0 where unsupported).
        let nbytes = match woken.fd() {
            Some(fd) if sub.ty == EVENTTYPE_FD_READ && re.contains(PollFlags::IN) => {
                rustix::io::ioctl_fionread(fd).unwrap_or(0)
            }
            _ => 0,
        };
        ev.push(mem, sub.userdata, Errno::Success, sub.ty, nbytes, flags)
    })?;
    Ok(ev.n)
}

wasi_fn! {
    module = MODULE, register = add;

    /// `poll_oneoff(in: ConstPointer<subscription>, out: Pointer<event>, nsubscriptions: size) -> Result<size, errno>`
    /// — waits until at least one subscription is ready (a clock expired, an fd
    /// readable/writable, or a subscription in error), writes one `event` per ready
    /// subscription to `events` and their number (u32) to `nevents`. Regular files and
    /// directories are always ready; it never blocks if anything is ready.
    ///
    /// A `subscription` is 48 bytes: userdata u64 @0, tag u8 @8 (clock 0, fd_read 1,
    /// fd_write 2), then clock {id u32 @16, timeout u64 @24 (ns), precision u64 @32, flags
    /// u16 @40 (`subscription_clock_abstime` 1: `timeout` is an absolute time)} or
    /// fd_readwrite {fd u32 @16}. An `event` is 32 bytes: userdata u64 @0 (echoed), error u16
    /// @8, type u8 @10, fd_readwrite {nbytes u64 @16, flags u16 @24}; `nbytes` of an fd_read
    /// event is the bytes left in a regular file or FIONREAD of a pipe/socket, and flags has
    /// `fd_readwrite_hangup` (1) when the peer is gone.
    ///
    /// Errors: `EINVAL` (`nsubscriptions` is 0 or above `max_poll_subscriptions`, or an
    /// unknown event type), `EFAULT` (the subscriptions, the event array for
    /// `nsubscriptions` events, or `nevents` out of bounds; checked before blocking). Per
    /// subscription, in its event: `EBADF` (fd not open), `ENOTCAPABLE` (no
    /// `POLL_FD_READWRITE` right), `EINVAL` (unknown or CPU-time clock, undefined clock
    /// flags).
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-poll_oneoffin-constpointersubscription-out-pointerevent-nsubscriptions-size---resultsize-errno>
    fn poll_oneoff(ctx, mem, subscriptions: u32, events: u32, nsubscriptions: u32, nevents: u32) {
        poll(ctx, &mut mem, P1, subscriptions, events, nsubscriptions, nevents)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Seek, SeekFrom, Write};
    use std::os::fd::OwnedFd;
    use std::time::{Duration, Instant};

    use wasmtime::{Engine, Instance, Linker, Memory, Module, Store, TypedFunc};

    use super::*;
    use crate::filesystem::{Descriptor, FilePerms};
    use crate::p1::table::FdEntry;
    use crate::stdio::{Stdio, StdioKind};
    use crate::{Limits, WasiCtxBuilder};

    const MS: u64 = 1_000_000;
    /// Guest addresses: subscriptions, events, `nevents`.
    const SUBS: u32 = 0x1000;
    const EVENTS: u32 = 0x20000;
    const NEVENTS: u32 = 0x100;

    type PollFn = TypedFunc<(u32, u32, u32, u32), i32>;

    /// A guest that only forwards to `poll_oneoff` (p1 and p0), so the test fills guest
    /// memory and calls the host function through wasmtime.
    struct Guest {
        store: Store<P1Ctx>,
        mem: Memory,
        p1: PollFn,
        p0: PollFn,
    }

    fn guest(ctx: P1Ctx) -> Guest {
        let engine = Engine::default();
        let module = Module::new(
            &engine,
            r#"(module
                (import "wasi_snapshot_preview1" "poll_oneoff"
                    (func $p1 (param i32 i32 i32 i32) (result i32)))
                (import "wasi_unstable" "poll_oneoff"
                    (func $p0 (param i32 i32 i32 i32) (result i32)))
                (memory (export "memory") 4)
                (func (export "p1") (param i32 i32 i32 i32) (result i32)
                    (call $p1 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
                (func (export "p0") (param i32 i32 i32 i32) (result i32)
                    (call $p0 (local.get 0) (local.get 1) (local.get 2) (local.get 3))))"#,
        )
        .unwrap();
        let mut linker = Linker::new(&engine);
        crate::p1::add_to_linker(&mut linker).unwrap();
        let mut store = Store::new(&engine, ctx);
        let instance: Instance = linker.instantiate(&mut store, &module).unwrap();
        let mem = instance.get_memory(&mut store, "memory").unwrap();
        let p1 = instance.get_typed_func(&mut store, "p1").unwrap();
        let p0 = instance.get_typed_func(&mut store, "p0").unwrap();
        Guest { store, mem, p1, p0 }
    }

    #[derive(Debug, PartialEq, Eq)]
    struct Ev {
        userdata: u64,
        error: u16,
        ty: u8,
        nbytes: u64,
        flags: u16,
    }

    impl Guest {
        fn put(&mut self, at: u32, b: &[u8]) {
            self.mem.write(&mut self.store, at as usize, b).unwrap();
        }
        fn put_sub(&mut self, layout: Layout, i: u32, userdata: u64, tag: u8) -> u32 {
            let at = SUBS + i * layout.size;
            self.put(at, &vec![0; layout.size as usize]);
            self.put(at, &userdata.to_le_bytes());
            self.put(at + 8, &[tag]);
            at
        }
        fn clock(
            &mut self,
            layout: Layout,
            i: u32,
            userdata: u64,
            id: u32,
            timeout: u64,
            flags: u16,
        ) {
            let at = self.put_sub(layout, i, userdata, EVENTTYPE_CLOCK) as usize;
            self.put((at + layout.clock_id) as u32, &id.to_le_bytes());
            self.put((at + layout.clock_timeout) as u32, &timeout.to_le_bytes());
            self.put((at + layout.clock_flags) as u32, &flags.to_le_bytes());
        }
        fn fd(&mut self, layout: Layout, i: u32, userdata: u64, tag: u8, fd: u32) {
            let at = self.put_sub(layout, i, userdata, tag);
            self.put(at + FD_OFFSET as u32, &fd.to_le_bytes());
        }
        /// Calls p1 (or p0) poll_oneoff on the first `n` subscriptions; the errno and events.
        fn poll_with(&mut self, p0: bool, n: u32) -> (i32, Vec<Ev>) {
            self.put(NEVENTS, &0xffff_ffffu32.to_le_bytes());
            let f = if p0 { self.p0.clone() } else { self.p1.clone() };
            let r = f.call(&mut self.store, (SUBS, EVENTS, n, NEVENTS)).unwrap();
            if r != 0 {
                return (r, Vec::new());
            }
            let d = self.mem.data(&self.store);
            let got = u32_at(d, NEVENTS as usize);
            let evs = (0..got as usize)
                .map(|i| {
                    let e = &d[EVENTS as usize + i * 32..][..32];
                    Ev {
                        userdata: u64_at(e, 0),
                        error: u16_at(e, 8),
                        ty: e[10],
                        nbytes: u64_at(e, 16),
                        flags: u16_at(e, 24),
                    }
                })
                .collect();
            (0, evs)
        }
        fn poll(&mut self, n: u32) -> (i32, Vec<Ev>) {
            self.poll_with(false, n)
        }
    }

    fn ev(userdata: u64, error: Errno, ty: u8) -> Ev {
        Ev { userdata, error: error as u16, ty, nbytes: 0, flags: 0 }
    }

    fn ctx() -> P1Ctx {
        P1Ctx::new(WasiCtxBuilder::new().build().unwrap()).unwrap()
    }

    fn pipe() -> (OwnedFd, OwnedFd) {
        rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).unwrap()
    }

    #[test]
    fn relative_monotonic_20ms() {
        let mut g = guest(ctx());
        g.clock(P1, 0, 0xC10C, 1, 20 * MS, 0);
        let t0 = Instant::now();
        let (r, evs) = g.poll(1);
        let el = t0.elapsed();
        assert_eq!(r, 0);
        assert_eq!(evs, [ev(0xC10C, Errno::Success, EVENTTYPE_CLOCK)]);
        assert!(el >= Duration::from_millis(20), "returned early: {el:?}");
        assert!(el < Duration::from_millis(60), "returned late: {el:?}");
    }

    #[test]
    fn absolute_realtime() {
        let mut g = guest(ctx());
        let deadline = Clock::Realtime.now() + 30 * MS;
        g.clock(P1, 0, 0xDEAD_BEEF_CAFE_F00D, 0, deadline, SUBSCRIPTION_CLOCK_ABSTIME);
        let t0 = Instant::now();
        let (r, evs) = g.poll(1);
        let el = t0.elapsed();
        assert_eq!(r, 0);
        assert_eq!(evs, [ev(0xDEAD_BEEF_CAFE_F00D, Errno::Success, EVENTTYPE_CLOCK)]);
        assert!(Clock::Realtime.now() >= deadline);
        assert!(el < Duration::from_millis(80), "returned late: {el:?}");
        // A deadline in the past returns at once, on either clock.
        g.clock(P1, 0, 7, 0, 1, SUBSCRIPTION_CLOCK_ABSTIME);
        g.clock(P1, 1, 8, 1, 1, SUBSCRIPTION_CLOCK_ABSTIME);
        g.clock(P1, 2, 9, 1, 3_600_000 * MS, 0);
        let (r, mut evs) = g.poll(3);
        evs.sort_by_key(|e| e.userdata);
        assert_eq!(r, 0);
        assert_eq!(
            evs,
            [ev(7, Errno::Success, EVENTTYPE_CLOCK), ev(8, Errno::Success, EVENTTYPE_CLOCK)]
        );
    }

    #[test]
    fn earliest_of_two_clocks() {
        let mut g = guest(ctx());
        g.clock(P1, 0, 2, 1, 5_000 * MS, 0);
        g.clock(P1, 1, 1, 1, 10 * MS, 0);
        let t0 = Instant::now();
        let (r, evs) = g.poll(2);
        assert_eq!(r, 0);
        assert_eq!(evs, [ev(1, Errno::Success, EVENTTYPE_CLOCK)]);
        assert!(t0.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn thousand_subscriptions_one_ready() {
        let mut g = guest(ctx());
        for i in 0..1000 {
            if i == 617 {
                // fd 1 is stdout on /dev/null: always writable.
                g.fd(P1, i, 0xF00D_0000 + i as u64, EVENTTYPE_FD_WRITE, 1);
            } else {
                g.clock(P1, i, i as u64, 1, 3_600_000 * MS, 0);
            }
        }
        for _ in 0..3 {
            let t0 = Instant::now();
            let (r, evs) = g.poll(1000);
            let el = t0.elapsed();
            assert_eq!(r, 0);
            assert_eq!(evs, [ev(0xF00D_0000 + 617, Errno::Success, EVENTTYPE_FD_WRITE)]);
            assert!(el < Duration::from_millis(500), "blocked: {el:?}");
        }
        // The buffers were kept for the next call.
        let s = &g.store.data().poll;
        let (fds, clocks) = s.poller.capacities();
        assert!(fds >= 1 && clocks >= 999 && s.subs.capacity() >= 1000, "{fds} {clocks}");
    }

    #[test]
    fn bad_fd_and_errors_in_events() {
        let mut c = ctx();
        // fd 2 without POLL_FD_READWRITE.
        c.table.get_mut(2).unwrap().rights_base &= !rights::POLL_FD_READWRITE;
        let mut g = guest(c);
        g.fd(P1, 0, 0xBAD, EVENTTYPE_FD_READ, 1000);
        g.fd(P1, 1, 0xBAD2, EVENTTYPE_FD_WRITE, 1000);
        g.fd(P1, 2, 0xCA9, EVENTTYPE_FD_WRITE, 2);
        g.clock(P1, 3, 0xC1, 9, 10 * MS, 0); // no such clock
        g.clock(P1, 4, 0xC2, 2, 10 * MS, 0); // process CPU time: no timers
        g.clock(P1, 5, 0xC3, 1, 10 * MS, 2); // undefined flag bit
        g.clock(P1, 6, 0xC4, 1, 3_600_000 * MS, 0);
        let t0 = Instant::now();
        let (r, evs) = g.poll(7);
        assert!(t0.elapsed() < Duration::from_millis(500));
        assert_eq!(r, 0);
        assert_eq!(
            evs,
            [
                ev(0xBAD, Errno::Badf, EVENTTYPE_FD_READ),
                ev(0xBAD2, Errno::Badf, EVENTTYPE_FD_WRITE),
                ev(0xCA9, Errno::Notcapable, EVENTTYPE_FD_WRITE),
                ev(0xC1, Errno::Inval, EVENTTYPE_CLOCK),
                ev(0xC2, Errno::Inval, EVENTTYPE_CLOCK),
                ev(0xC3, Errno::Inval, EVENTTYPE_CLOCK),
            ]
        );
    }

    #[test]
    fn call_errors() {
        let mut c = ctx();
        c.limits = Limits { max_poll_subscriptions: 4, ..Limits::default() };
        let mut g = guest(c);
        for i in 0..5 {
            g.clock(P1, i, i as u64, 1, 0, 0);
        }
        assert_eq!(g.poll(0).0, Errno::Inval as i32);
        assert_eq!(g.poll(5).0, Errno::Inval as i32, "over max_poll_subscriptions");
        assert_eq!(g.poll(4).1.len(), 4);
        g.put_sub(P1, 1, 1, 3); // no such event type
        assert_eq!(g.poll(2).0, Errno::Inval as i32);
        // Out of bounds (memory is 4 pages = 0x40000 bytes), checked before blocking.
        g.clock(P1, 0, 0, 1, 3_600_000 * MS, 0);
        let f = g.p1.clone();
        let mut call = |a| f.call(&mut g.store, a).unwrap();
        assert_eq!(call((0x40000 - 47, EVENTS, 1, NEVENTS)), Errno::Fault as i32);
        assert_eq!(call((SUBS, 0x40000 - 31, 1, NEVENTS)), Errno::Fault as i32);
        assert_eq!(call((SUBS, EVENTS, 1, 0x40000 - 3)), Errno::Fault as i32);
        assert_eq!(call((SUBS, 0xffff_fff0, 1, NEVENTS)), Errno::Fault as i32);
        assert_eq!(
            call((0x40000 - 100, EVENTS, 3, NEVENTS)),
            Errno::Fault as i32,
            "3rd sub past end"
        );
        // Overflowing nsubscriptions * size.
        let mut c = ctx();
        c.limits.max_poll_subscriptions = u32::MAX;
        let mut g = guest(c);
        let f = g.p1.clone();
        assert_eq!(
            f.call(&mut g.store, (0, 0, u32::MAX / 40, NEVENTS)).unwrap(),
            Errno::Fault as i32
        );
    }

    #[test]
    fn regular_file_always_ready() {
        let dir = std::env::temp_dir().join(format!("eddy-poll-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("data.txt");
        let mut f = std::fs::File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        f.write_all(b"0123456789").unwrap();
        f.seek(SeekFrom::Start(3)).unwrap();
        let mut c = ctx();
        let fd = c
            .table
            .insert(FdEntry {
                object: Object::Descriptor(std::sync::Arc::new(Descriptor::file(
                    f.into(),
                    FilePerms::ALL,
                    true,
                ))),
                rights_base: rights::for_file(FilePerms::ALL),
                rights_inheriting: 0,
                preopen: None,
                nonblock: false,
            })
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let mut g = guest(c);
        g.fd(P1, 0, 0xF11E0002, EVENTTYPE_FD_WRITE, fd);
        g.clock(P1, 1, 0xC10C, 1, 5_000 * MS, 0);
        g.fd(P1, 2, 0xF11E0001, EVENTTYPE_FD_READ, fd);
        let t0 = Instant::now();
        let (r, evs) = g.poll(3);
        assert!(t0.elapsed() < Duration::from_millis(500));
        assert_eq!(r, 0);
        let read = Ev { nbytes: 7, ..ev(0xF11E0001, Errno::Success, EVENTTYPE_FD_READ) };
        assert_eq!(evs, [ev(0xF11E0002, Errno::Success, EVENTTYPE_FD_WRITE), read]);
    }

    #[test]
    fn pipe_readiness_nbytes_and_hangup() {
        let (rd, wr) = pipe();
        let mut c = P1Ctx::new(
            WasiCtxBuilder::new().stdio(Stdio::owned(StdioKind::Stdin, rd)).build().unwrap(),
        )
        .unwrap();
        c.trace = true; // exercise the --trace path too
        let mut g = guest(c);
        g.clock(P1, 0, 0xC10C, 1, 5_000 * MS, 0);
        g.fd(P1, 1, 0x5717, EVENTTYPE_FD_READ, 0);

        // Data already there: ready at once, with FIONREAD's count.
        rustix::io::write(&wr, b"hello").unwrap();
        let (r, evs) = g.poll(2);
        assert_eq!(r, 0);
        assert_eq!(evs, [Ev { nbytes: 5, ..ev(0x5717, Errno::Success, EVENTTYPE_FD_READ) }]);
        let mut buf = [0u8; 16];
        assert_eq!(
            rustix::io::read(g.store.data().table.get(0).map(host_fd).unwrap(), &mut buf).unwrap(),
            5
        );

        // Nothing there: blocks until a writer thread writes (~30 ms), not until the clock.
        let t0 = Instant::now();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            rustix::io::write(&wr, b"abc").unwrap();
            wr
        });
        let (r, evs) = g.poll(2);
        let el = t0.elapsed();
        let wr = writer.join().unwrap();
        assert_eq!(r, 0);
        assert_eq!(evs, [Ev { nbytes: 3, ..ev(0x5717, Errno::Success, EVENTTYPE_FD_READ) }]);
        assert!(el >= Duration::from_millis(25) && el < Duration::from_secs(2), "{el:?}");
        let fd0 = g.store.data().table.get(0).map(host_fd).unwrap();
        assert_eq!(rustix::io::read(fd0, &mut buf).unwrap(), 3);

        // Writer gone: readable (EOF) with HANGUP.
        drop(wr);
        let (r, evs) = g.poll(2);
        assert_eq!(r, 0);
        assert_eq!(
            evs,
            [Ev { flags: EVENTRWFLAGS_FD_READWRITE_HANGUP, ..ev(0x5717, Errno::Success, 1) }]
        );
    }

    #[test]
    fn pipe_write_end_reader_gone() {
        let (rd, wr) = pipe();
        let c = P1Ctx::new(
            WasiCtxBuilder::new().stdio(Stdio::owned(StdioKind::Stdout, wr)).build().unwrap(),
        )
        .unwrap();
        let mut g = guest(c);
        g.fd(P1, 0, 1, EVENTTYPE_FD_WRITE, 1);
        assert_eq!(g.poll(1).1, [ev(1, Errno::Success, EVENTTYPE_FD_WRITE)]);
        drop(rd);
        let hup = Ev { flags: EVENTRWFLAGS_FD_READWRITE_HANGUP, ..ev(1, Errno::Success, 2) };
        assert_eq!(g.poll(1).1, [hup]);
    }

    #[test]
    fn preview0_layout() {
        let mut g = guest(ctx());
        g.clock(P0, 0, 0xC10C, 1, 20 * MS, 0);
        // p0's clock `identifier` (u64 @16) is ignored.
        g.put(SUBS + 16, &u64::MAX.to_le_bytes());
        g.clock(P0, 1, 0xC10D, 1, 3_600_000 * MS, 0);
        let t0 = Instant::now();
        let (r, evs) = g.poll_with(true, 2);
        let el = t0.elapsed();
        assert_eq!(r, 0);
        assert_eq!(evs, [ev(0xC10C, Errno::Success, EVENTTYPE_CLOCK)]);
        assert!(el >= Duration::from_millis(20) && el < Duration::from_millis(60), "{el:?}");
        g.fd(P0, 0, 0xBAD, EVENTTYPE_FD_READ, 77);
        g.fd(P0, 1, 0x517, EVENTTYPE_FD_WRITE, 1);
        let (r, evs) = g.poll_with(true, 2);
        assert_eq!(r, 0);
        assert_eq!(evs, [ev(0xBAD, Errno::Badf, EVENTTYPE_FD_READ), ev(0x517, Errno::Success, 2)]);
    }
}
