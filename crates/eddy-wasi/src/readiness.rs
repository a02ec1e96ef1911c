//! The readiness core: one way to wait for many host objects at once, used by every ABI's
//! poll (preview1 `poll_oneoff`, `wasi:io/poll` and `pollable.block`).
//!
//! A caller classifies each thing it waits on as a [`Readiness`]: ready now (a regular file,
//! a directory, a stream that already has its answer), a host fd to become readable or
//! writable, or a clock deadline. It adds them, each with a `u32` *tag* of its choosing (an
//! index into its own list), to a [`WaitSet`] taken from its reused [`Poller`], then calls
//! [`WaitSet::wait`] once, which reports each ready tag through a callback.
//!
//! Semantics, stated plainly:
//! - If anything was ready at scan time (`ready_already`), the fds are checked once with a
//!   zero timeout (so the answer lists every ready entry) and `wait` returns at once.
//! - Otherwise the thread sleeps in one `ppoll(2)` over all the fds, its timeout the earliest
//!   deadline (none without clocks). Every wake-up — the timeout, a ready fd, a signal
//!   (`EINTR`), a realtime clock step — reports every fd with events and, read afresh, every
//!   deadline that has passed, then returns if it reported anything; else it waits again with
//!   the timeout recomputed. Deadlines are collected on *every* wake-up, so a wake-up just
//!   before a deadline cannot leave the loop spinning with a zero timeout.
//! - An fd's readiness is a hint, as for `poll(2)`: the operation that follows may still
//!   would-block (spurious wake-up) or fail; `POLLHUP`/`POLLERR`/`POLLNVAL` are reported as
//!   ready so the operation can say why.
//! - Work per call is O(N) in the entries with no per-entry allocation: the vectors live in
//!   the [`Poller`] and are reused; per wake-up the fds' `revents` are scanned once.
//! - One pollfd per entry, as long as the kernel takes the list. It refuses more pollfds
//!   than `RLIMIT_NOFILE` (`EINVAL`, checked before it copies anything, so the refusal is
//!   cheap); then the entries are merged, one pollfd per distinct fd with the union of their
//!   interests, and each entry is reported from its fd's `revents` filtered by its own
//!   interest (`POLLHUP`/`POLLERR`/`POLLNVAL` go to every entry of the fd). The distinct
//!   fds are open fds, so the merged list fits unless the limit was lowered below the
//!   number of open fds (then `EINVAL` stands). The merge sorts the entries by fd
//!   (O(N log N)) into reused buffers.
//! - The run's deadline (`-W timeout`, [`WaitSet::bound`]) bounds every wait: if it passes
//!   while nothing is ready, `wait` fails with [`DeadlinePassed`], which the views turn into
//!   the same trap an epoch interrupt raises. Without a deadline no extra work is done.

use std::os::fd::{AsFd, BorrowedFd};

use rustix::event::{PollFd, PollFlags};

use crate::clocks::{timespec, Clock, ClockSource, VirtualClock};

/// What a waited-on entry needs from its host fd.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interest {
    /// Readable (or at end of stream, or hung up).
    Read,
    /// Writable (or hung up / in error).
    Write,
}

/// How one entry becomes ready.
#[derive(Clone, Copy, Debug)]
pub enum Readiness<'fd> {
    /// Ready now: no syscall needed (a regular file, a directory, a stored answer).
    Now,
    /// When this host fd is ready for `Interest`.
    Fd(BorrowedFd<'fd>, Interest),
    /// When `Clock` reaches this absolute instant, ns.
    At(Clock, u64),
}

/// The run's deadline (`WasiCtx::deadline`, from `-W timeout`) passed while a host call was
/// blocked waiting and nothing it waited on became ready. Never reported to the guest: the
/// views turn it into [`DeadlinePassed::trap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeadlinePassed;

impl DeadlinePassed {
    /// The trap that ends the guest: `wasmtime::Trap::Interrupt`, the one an epoch deadline
    /// raises in wasm code, so a guest stopped in a host call reads the same ("wasm trap:
    /// interrupt") and exits the same way (status 134).
    pub fn trap(self) -> wasmtime::Error {
        wasmtime::Error::new(wasmtime::Trap::Interrupt)
    }
}

/// Waits until `fd` is ready for `interest` (or hung up / in error), or until the monotonic
/// clock reaches `deadline` (ns), whichever comes first; without a deadline, as long as it
/// takes. `EINTR` is retried with the timeout recomputed. Returns `Ok(true)` when the fd is
/// ready, `Ok(false)` when the deadline passed first. Errors: `ppoll`'s own (`ENOMEM`).
/// Used before a blocking read or write, so the call is bounded by the run's deadline.
pub fn wait_fd(
    fd: BorrowedFd<'_>,
    interest: Interest,
    deadline: Option<u64>,
) -> rustix::io::Result<bool> {
    let flags = match interest {
        Interest::Read => PollFlags::IN,
        Interest::Write => PollFlags::OUT,
    };
    let mut p = [PollFd::from_borrowed_fd(fd, flags)];
    loop {
        let ts = match deadline {
            Some(d) => {
                let left = d.saturating_sub(Clock::Monotonic.now());
                if left == 0 {
                    // One last look: ready at the deadline still counts as ready.
                    let zero = rustix::time::Timespec::default();
                    return Ok(matches!(rustix::event::poll(&mut p, Some(&zero)), Ok(n) if n > 0));
                }
                Some(timespec(left))
            }
            None => None,
        };
        match rustix::event::poll(&mut p, ts.as_ref()) {
            Ok(n) if n > 0 => return Ok(true),
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e),
        }
    }
}

/// What woke one entry, passed to [`WaitSet::wait`]'s callback.
#[derive(Clone, Copy, Debug)]
pub enum Woken<'a> {
    /// The fd entry has events: its host fd and `revents` as the kernel reported them (for
    /// merged entries, filtered by the entry's own interest; hang-up and errors kept).
    Fd(BorrowedFd<'a>, PollFlags),
    /// The deadline passed.
    Clock,
}

/// What a waited-on fd entry reports: the caller's tag and the events it asked for.
#[derive(Clone, Copy, Debug)]
struct FdEntry {
    tag: u32,
    events: PollFlags,
}

/// Events the kernel reports whether asked or not; passed to every entry of a merged fd.
const ALWAYS: PollFlags = PollFlags::HUP.union(PollFlags::ERR).union(PollFlags::NVAL);

/// Buffers one ABI's poll reuses across calls (kept in that ABI's state), so a warm call
/// allocates nothing.
#[derive(Debug, Default)]
pub struct Poller {
    /// Always empty between calls (re-typed to each call's borrow lifetime by [`recycle`]).
    fds: Vec<PollFd<'static>>,
    fd_tags: Vec<FdEntry>,
    clocks: Vec<Pending>,
    /// The merge's buffers, made the first time a list is merged (boxed, so the common
    /// path moves one pointer per call for them).
    merge: Option<Box<Merge>>,
}

/// The buffers of [`WaitSet::merge`].
#[derive(Debug, Default)]
struct Merge {
    /// One pollfd per distinct fd (see the module docs). Used only inside
    /// [`WaitSet::wait`], while the set's fds are borrowed; cleared by [`Poller::finish`].
    pollfds: Vec<PollFd<'static>>,
    /// For each fd entry, the index of its merged pollfd.
    slots: Vec<u32>,
    /// Fd entry indices sorted by fd (scratch).
    order: Vec<u32>,
}

/// A deadline not yet passed at scan time.
#[derive(Clone, Copy, Debug)]
struct Pending {
    tag: u32,
    clock: Clock,
    deadline: u64,
}

impl Poller {
    /// Starts one wait: an empty [`WaitSet`] using this poller's buffers. Give them back with
    /// [`Poller::finish`].
    pub fn begin<'fd>(&mut self) -> WaitSet<'fd> {
        let mut clocks = std::mem::take(&mut self.clocks);
        clocks.clear();
        let mut fd_tags = std::mem::take(&mut self.fd_tags);
        fd_tags.clear();
        WaitSet {
            fds: recycle(std::mem::take(&mut self.fds)),
            fd_tags,
            clocks,
            now: Now { read: Clock::now, realtime: None, monotonic: None, virt: None },
            deadline: None,
            merge: self.merge.take(),
        }
    }

    /// The capacities of the kept fd and deadline buffers (for tests of their reuse).
    #[cfg(test)]
    pub(crate) fn capacities(&self) -> (usize, usize) {
        (self.fds.capacity(), self.clocks.capacity())
    }

    /// Takes the buffers of a finished [`WaitSet`] back for the next call.
    pub fn finish(&mut self, set: WaitSet<'_>) {
        self.fds = recycle(set.fds);
        self.fd_tags = set.fd_tags;
        self.clocks = set.clocks;
        self.merge = set.merge;
        if let Some(m) = &mut self.merge {
            m.pollfds.clear();
        }
    }
}

/// The entries of one wait, borrowing host fds for `'fd`.
#[derive(Debug)]
pub struct WaitSet<'fd> {
    fds: Vec<PollFd<'fd>>,
    fd_tags: Vec<FdEntry>,
    clocks: Vec<Pending>,
    now: Now,
    /// The run's deadline on the monotonic clock (ns), if any: see [`WaitSet::bound`].
    deadline: Option<u64>,
    /// The merged list, built only when the kernel refuses `fds` (see [`WaitSet::merge`]).
    merge: Option<Box<Merge>>,
}

/// The current time of each clock, read at most once per scan or wake-up.
#[derive(Debug)]
struct Now {
    read: fn(Clock) -> u64,
    realtime: Option<u64>,
    monotonic: Option<u64>,
    /// The instance's virtual clock, if it runs on one ([`WaitSet::clocks`]): deadlines are
    /// on it, and a wait for them does not sleep but moves it forward.
    virt: Option<std::sync::Arc<VirtualClock>>,
}

impl Now {
    #[inline]
    fn get(&mut self, clock: Clock) -> u64 {
        let slot = match clock {
            Clock::Realtime => &mut self.realtime,
            _ => &mut self.monotonic,
        };
        if let Some(v) = &self.virt {
            return v.peek(clock);
        }
        *slot.get_or_insert_with(|| (self.read)(clock))
    }

    /// The host's monotonic clock, on which the run's deadline is (`-W timeout` bounds real
    /// time even when the guest's clocks are virtual).
    #[inline]
    fn host_monotonic(&mut self) -> u64 {
        if self.virt.is_some() {
            return Clock::Monotonic.now();
        }
        self.get(Clock::Monotonic)
    }

    #[inline]
    fn reset(&mut self) {
        self.realtime = None;
        self.monotonic = None;
    }
}

impl<'fd> WaitSet<'fd> {
    /// Adds one entry with the caller's `tag`. Returns true if it is ready already (`Now`,
    /// or a deadline that has passed): the caller reports it itself, and it is not waited on.
    #[inline]
    pub fn add(&mut self, tag: u32, r: Readiness<'fd>) -> bool {
        match r {
            Readiness::Now => true,
            Readiness::Fd(fd, interest) => {
                let flags = match interest {
                    Interest::Read => PollFlags::IN,
                    Interest::Write => PollFlags::OUT,
                };
                self.fds.push(PollFd::from_borrowed_fd(fd, flags));
                self.fd_tags.push(FdEntry { tag, events: flags });
                false
            }
            Readiness::At(clock, deadline) => {
                if self.now.get(clock) >= deadline {
                    true
                } else {
                    self.clocks.push(Pending { tag, clock, deadline });
                    false
                }
            }
        }
    }

    /// `clock`'s current value in ns as this scan sees it (read once per scan).
    #[inline]
    pub fn now(&mut self, clock: Clock) -> u64 {
        self.now.get(clock)
    }

    /// Bounds the wait by the run's `deadline` (monotonic ns, `WasiCtx::deadline`): if it
    /// passes before anything is ready, [`WaitSet::wait`] fails with [`DeadlinePassed`].
    /// `None` (the default) leaves the wait unbounded.
    #[inline]
    pub fn bound(&mut self, deadline: Option<u64>) {
        self.deadline = deadline;
    }

    /// Puts the wait on the instance's clocks: with a [`ClockSource::Virtual`], deadlines
    /// are instants of the virtual clock, and a wait with a pending deadline looks at the fds
    /// once (zero timeout) and, if none is ready, moves the virtual clock to the earliest
    /// deadline instead of sleeping. `Host` (the default) changes nothing.
    #[inline]
    pub fn clocks(&mut self, source: &ClockSource) {
        if let Some(v) = source.as_virtual() {
            self.now.virt = Some(std::sync::Arc::clone(v));
        }
    }

    /// Whether nothing is waited on (no fd, no pending deadline).
    pub fn is_empty(&self) -> bool {
        self.fds.is_empty() && self.clocks.is_empty()
    }

    /// Waits as the module docs say and calls `on_ready(tag, woken)` once for each entry that
    /// became ready; returns how many did. With `ready_already` it never blocks. Without it,
    /// and with nothing to wait on, it returns 0 at once (it would otherwise sleep forever).
    ///
    /// Errors: the first error `on_ready` returns (the wait stops there), `ppoll`'s own
    /// failure (`EINVAL` for more fds than `RLIMIT_NOFILE`, `ENOMEM`), or [`DeadlinePassed`]
    /// when the deadline set by [`WaitSet::bound`] passed with nothing ready.
    pub fn wait<E: From<rustix::io::Errno> + From<DeadlinePassed>>(
        &mut self,
        ready_already: bool,
        mut on_ready: impl FnMut(u32, Woken<'_>) -> Result<(), E>,
    ) -> Result<usize, E> {
        if !ready_already && self.is_empty() {
            return Ok(0);
        }
        self.run::<E, false>(ready_already, &mut on_ready)
    }

    /// [`WaitSet::wait`] once the kernel refused the list: merges it, then waits on the
    /// merged pollfds. Kept out of line so the common path carries none of it.
    #[cold]
    #[inline(never)]
    fn wait_merged<E: From<rustix::io::Errno> + From<DeadlinePassed>>(
        &mut self,
        ready_already: bool,
        on_ready: &mut impl FnMut(u32, Woken<'_>) -> Result<(), E>,
    ) -> Result<usize, E> {
        self.merge();
        self.run::<E, true>(ready_already, on_ready)
    }

    /// The wait loop of [`WaitSet::wait`], over the entries' own pollfds or (`MERGED`) the
    /// merged ones.
    #[inline(always)]
    fn run<E: From<rustix::io::Errno> + From<DeadlinePassed>, const MERGED: bool>(
        &mut self,
        ready_already: bool,
        on_ready: &mut impl FnMut(u32, Woken<'_>) -> Result<(), E>,
    ) -> Result<usize, E> {
        let mut n = 0;
        loop {
            // Zero if something is ready already; else until the earliest deadline (read
            // afresh on every round), bounded by the run's; `None` (until an fd is ready)
            // without either.
            let sleep_virtually = self.now.virt.is_some() && !self.clocks.is_empty();
            let timeout = if ready_already || sleep_virtually {
                Some(0)
            } else {
                let now = &mut self.now;
                let t =
                    self.clocks.iter().map(|c| c.deadline.saturating_sub(now.get(c.clock))).min();
                match self.deadline {
                    Some(d) => {
                        let left = d.saturating_sub(now.host_monotonic());
                        Some(t.map_or(left, |t| t.min(left)))
                    }
                    None => t,
                }
            };
            if !self.fds.is_empty() || timeout != Some(0) {
                let ts = timeout.map(timespec);
                let r = match &mut self.merge {
                    Some(m) if MERGED => rustix::event::poll(&mut m.pollfds, ts.as_ref()),
                    _ => rustix::event::poll(&mut self.fds, ts.as_ref()),
                };
                match r {
                    Ok(_) => {}
                    Err(rustix::io::Errno::INTR) => match &mut self.merge {
                        Some(m) if MERGED => m.pollfds.iter_mut().for_each(PollFd::clear_revents),
                        _ => self.fds.iter_mut().for_each(PollFd::clear_revents),
                    },
                    // More pollfds than RLIMIT_NOFILE: merge the entries per fd and wait on
                    // those (nothing was waited or reported yet).
                    Err(rustix::io::Errno::INVAL) if !MERGED && self.fds.len() > 1 => {
                        return self.wait_merged(ready_already, on_ready);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            match &self.merge {
                Some(merge) if MERGED => {
                    for (e, &slot) in self.fd_tags.iter().zip(&merge.slots) {
                        let m = &merge.pollfds[slot as usize];
                        let re = m.revents() & (e.events | ALWAYS);
                        if !re.is_empty() {
                            on_ready(e.tag, Woken::Fd(m.as_fd(), re))?;
                            n += 1;
                        }
                    }
                }
                _ => {
                    for (p, e) in self.fds.iter().zip(&self.fd_tags) {
                        let re = p.revents();
                        if !re.is_empty() {
                            on_ready(e.tag, Woken::Fd(p.as_fd(), re))?;
                            n += 1;
                        }
                    }
                }
            }
            // A virtual sleep: nothing else is ready, so time jumps to the earliest deadline.
            if sleep_virtually && !ready_already && n == 0 {
                if let Some(v) = &self.now.virt {
                    let first = self.clocks.iter().min_by_key(|c| {
                        let now = v.peek(c.clock);
                        c.deadline.saturating_sub(now)
                    });
                    if let Some(c) = first {
                        v.advance_to(c.clock, c.deadline);
                    }
                }
            }
            // Every round, zero timeout or not: collect the deadlines that have passed.
            self.now.reset();
            for c in &self.clocks {
                if self.now.get(c.clock) >= c.deadline {
                    on_ready(c.tag, Woken::Clock)?;
                    n += 1;
                }
            }
            if ready_already || n > 0 {
                return Ok(n);
            }
            if let Some(d) = self.deadline {
                if self.now.host_monotonic() >= d {
                    return Err(DeadlinePassed.into());
                }
            }
            self.now.reset();
        }
    }
}

impl<'fd> WaitSet<'fd> {
    /// Builds [`WaitSet::merge`]'s one pollfd per distinct fd: the entries sorted by fd, each
    /// run of equal fds one pollfd with the union of their events; `slots[i]` is entry `i`'s.
    /// O(N log N), into the reused buffers (no allocation once they have grown).
    #[cold]
    fn merge(&mut self) {
        use std::os::fd::AsRawFd;
        let fds = &self.fds;
        let raw = |i: u32| fds[i as usize].as_fd().as_raw_fd();
        let m = &mut **self.merge.get_or_insert_with(Box::default);
        m.order.clear();
        m.order.extend(0..fds.len() as u32);
        m.order.sort_unstable_by_key(|&i| raw(i));
        m.slots.clear();
        m.slots.resize(fds.len(), 0);
        m.pollfds.clear();
        let mut start = 0;
        while start < m.order.len() {
            let fd = raw(m.order[start]);
            let mut end = start;
            let mut events = PollFlags::empty();
            while end < m.order.len() && raw(m.order[end]) == fd {
                let i = m.order[end] as usize;
                events |= self.fd_tags[i].events;
                m.slots[i] = m.pollfds.len() as u32;
                end += 1;
            }
            // SAFETY: `fd` is the fd of entries of `self.fds`, each a `PollFd<'fd>` that
            // borrows it for `'fd`. The merged pollfd is used only by `wait` while this set
            // (so that borrow) is alive, and `Poller::finish` clears it; the `'static` is
            // never relied on beyond that.
            let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
            m.pollfds.push(PollFd::from_borrowed_fd(borrowed, events));
            start = end;
        }
    }
}

impl Woken<'_> {
    /// The fd's `revents` (empty for a clock).
    pub fn revents(&self) -> PollFlags {
        match self {
            Woken::Fd(_, re) => *re,
            Woken::Clock => PollFlags::empty(),
        }
    }

    /// The fd that woke (for a follow-up `FIONREAD`), if an fd did.
    pub fn fd(&self) -> Option<BorrowedFd<'_>> {
        match self {
            Woken::Fd(fd, _) => Some(*fd),
            Woken::Clock => None,
        }
    }
}

/// Whether `fd` is ready for `interest` now (one zero-timeout `poll`; never blocks).
/// `POLLHUP`/`POLLERR` count as ready. Used by `pollable.ready`.
pub fn ready_now(fd: BorrowedFd<'_>, interest: Interest) -> bool {
    let flags = match interest {
        Interest::Read => PollFlags::IN,
        Interest::Write => PollFlags::OUT,
    };
    let mut p = [PollFd::from_borrowed_fd(fd, flags)];
    let zero = rustix::time::Timespec::default();
    matches!(rustix::event::poll(&mut p, Some(&zero)), Ok(n) if n > 0)
}

/// Re-types an emptied `pollfd` vector to another borrow lifetime, keeping its allocation.
fn recycle<'a, 'b>(mut v: Vec<PollFd<'a>>) -> Vec<PollFd<'b>> {
    v.clear();
    let mut v = std::mem::ManuallyDrop::new(v);
    let (ptr, cap) = (v.as_mut_ptr(), v.capacity());
    // SAFETY: `PollFd<'a>` and `PollFd<'b>` differ only in a lifetime (same layout); the
    // vector is empty, so no fd borrowed for `'a` is reachable through the result; `ptr` and
    // `cap` come from a `Vec` of the same layout allocated by the global allocator, and the
    // original is not dropped (`ManuallyDrop`).
    unsafe { Vec::from_raw_parts(ptr.cast::<PollFd<'b>>(), 0, cap) }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::time::{Duration, Instant};

    use super::*;

    /// The error type of the tests' waits.
    #[derive(Debug, PartialEq, Eq)]
    enum Error {
        Os(rustix::io::Errno),
        Deadline,
    }
    impl From<rustix::io::Errno> for Error {
        fn from(e: rustix::io::Errno) -> Error {
            Error::Os(e)
        }
    }
    impl From<DeadlinePassed> for Error {
        fn from(_: DeadlinePassed) -> Error {
            Error::Deadline
        }
    }

    thread_local! {
        /// Scripted clock readings for [`scripted`]; after the script the real clock.
        static SCRIPT: Cell<&'static [u64]> = const { Cell::new(&[]) };
    }

    fn scripted(clock: Clock) -> u64 {
        let s = SCRIPT.get();
        match s.split_first() {
            Some((&t, rest)) => {
                SCRIPT.set(rest);
                t
            }
            None => clock.now(),
        }
    }

    /// Runs `f` on a thread and fails if it does not return within 5 s (a spin or a hang).
    fn within_5s<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(Duration::from_secs(5)).expect("wait did not return within 5 s")
    }

    /// The `poll_oneoff` spin of issue 8: a wake-up just before a deadline, after which the
    /// deadline has passed by the time the timeout is recomputed. The scan reads 0 (deadline
    /// 1 ms away: a real 1 ms wait), the collection after that wait reads 0.5 ms (not yet
    /// passed: an early wake-up), and the recomputed timeout reads 2 ms, so it is zero. The
    /// old loop then skipped both the wait and the collection, forever; this one collects on
    /// every round and reports the clock.
    #[test]
    fn deadline_passing_between_rounds_is_reported() {
        let events = within_5s(|| {
            // scan (add; the first timeout reuses it), the collection after the first wait,
            // then the recomputed timeout: already past.
            const MS: u64 = 1_000_000;
            SCRIPT.set(&[0, MS / 2, 2 * MS]);
            let mut poller = Poller::default();
            let mut set = poller.begin();
            set.now.read = scripted;
            assert!(!set.add(7, Readiness::At(Clock::Monotonic, MS)));
            let mut got = Vec::new();
            let n = set
                .wait::<Error>(false, |tag, w| {
                    assert!(matches!(w, Woken::Clock));
                    got.push(tag);
                    Ok(())
                })
                .unwrap();
            poller.finish(set);
            (n, got)
        });
        assert_eq!(events, (1, vec![7]));
    }

    /// A signal storm while waiting on a deadline: every `EINTR` is a wake-up before the
    /// deadline; the clock must still be reported, once, and not much later than due.
    #[test]
    fn signals_during_the_wait_do_not_lose_the_deadline() {
        extern "C" fn nop(_: libc::c_int) {}
        // SAFETY: installs a handler that does nothing for SIGUSR2 without SA_RESTART (so a
        // blocked ppoll returns EINTR); no other test in this binary uses SIGUSR2.
        unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = nop as extern "C" fn(libc::c_int) as usize;
            assert_eq!(libc::sigaction(libc::SIGUSR2, &act, std::ptr::null_mut()), 0);
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            // SAFETY: pthread_self has no preconditions.
            tx.send(unsafe { libc::pthread_self() }).unwrap();
            let mut poller = Poller::default();
            let start = Instant::now();
            let mut set = poller.begin();
            let deadline = Clock::Monotonic.now() + 200_000_000;
            assert!(!set.add(1, Readiness::At(Clock::Monotonic, deadline)));
            let mut got = 0;
            let n = set
                .wait::<Error>(false, |_, _| {
                    got += 1;
                    Ok(())
                })
                .unwrap();
            poller.finish(set);
            (n, got, start.elapsed())
        });
        let thread = rx.recv().unwrap();
        let stop = Instant::now() + Duration::from_millis(150);
        while Instant::now() < stop {
            // SAFETY: the waiter thread is alive (joined only after the storm ends).
            unsafe { libc::pthread_kill(thread, libc::SIGUSR2) };
            std::thread::sleep(Duration::from_micros(200));
        }
        let (n, got, took) = waiter.join().unwrap();
        assert_eq!((n, got), (1, 1));
        assert!(took >= Duration::from_millis(200), "returned early: {took:?}");
        assert!(took < Duration::from_secs(2), "returned late: {took:?}");
    }

    fn pipe() -> (std::os::fd::OwnedFd, std::os::fd::OwnedFd) {
        rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).unwrap()
    }

    /// A wait bounded by the run's deadline: nothing becomes ready (an idle pipe, a clock an
    /// hour away), so it fails with the deadline, on time; without the bound the same wait
    /// would sleep an hour.
    #[test]
    fn the_run_deadline_bounds_a_wait() {
        let (rd, _wr) = pipe();
        let took = within_5s(move || {
            let mut poller = Poller::default();
            let start = Instant::now();
            let mut set = poller.begin();
            set.bound(Some(Clock::Monotonic.now() + 100_000_000));
            assert!(!set.add(0, Readiness::Fd(rd.as_fd(), Interest::Read)));
            assert!(!set.add(
                1,
                Readiness::At(Clock::Monotonic, Clock::Monotonic.now() + 3_600_000_000_000)
            ));
            let r = set.wait::<Error>(false, |_, _| Ok(()));
            poller.finish(set);
            assert_eq!(r, Err(Error::Deadline));
            start.elapsed()
        });
        assert!(took >= Duration::from_millis(100), "returned early: {took:?}");
        assert!(took < Duration::from_secs(2), "returned late: {took:?}");
    }

    /// Something ready wins over a deadline that has passed: the answer is reported, not
    /// the deadline (the next blocking call, or the epoch, stops the guest).
    #[test]
    fn ready_entries_win_over_a_passed_deadline() {
        let (rd, wr) = pipe();
        rustix::io::write(&wr, b"x").unwrap();
        let mut poller = Poller::default();
        let mut set = poller.begin();
        set.bound(Some(1));
        assert!(!set.add(3, Readiness::Fd(rd.as_fd(), Interest::Read)));
        let mut got = Vec::new();
        let r = set.wait::<Error>(false, |tag, _| {
            got.push(tag);
            Ok(())
        });
        poller.finish(set);
        assert_eq!((r, got), (Ok(1), vec![3]));
    }

    #[test]
    fn wait_fd_is_bounded_by_the_deadline() {
        let (rd, wr) = pipe();
        let start = Instant::now();
        let d = Clock::Monotonic.now() + 50_000_000;
        assert_eq!(wait_fd(rd.as_fd(), Interest::Read, Some(d)), Ok(false));
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(50) && took < Duration::from_secs(2), "{took:?}");
        rustix::io::write(&wr, b"x").unwrap();
        assert_eq!(wait_fd(rd.as_fd(), Interest::Read, Some(d)), Ok(true), "ready at the deadline");
        assert_eq!(wait_fd(rd.as_fd(), Interest::Read, None), Ok(true));
        assert_eq!(wait_fd(wr.as_fd(), Interest::Write, Some(u64::MAX)), Ok(true));
    }

    /// More entries than the kernel takes pollfds (`RLIMIT_NOFILE` + 1, the soft limit as the
    /// test runs; 20 001 here), all on three fds: the list is merged per fd and every entry
    /// is answered from its fd's events filtered by its own interest. Read entries on an
    /// empty pipe stay quiet while write entries on the same pipe's write end are ready;
    /// write entries on a pipe whose reader is gone get `POLLERR`; then data makes the read
    /// entries ready too.
    #[test]
    fn more_entries_than_rlimit_nofile_are_merged_per_fd() {
        // SAFETY: getrlimit writes the struct it is given.
        let soft = unsafe {
            let mut r: libc::rlimit = std::mem::zeroed();
            assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut r), 0);
            r.rlim_cur
        };
        let n = (soft.min(1 << 20) + 1) as u32;
        let (rd, wr) = pipe();
        let (rd_gone, wr_err) = pipe();
        drop(rd_gone);
        let mut poller = Poller::default();
        // Entry i: read on `rd` (i % 3 == 0), write on `wr` (1), write on `wr_err` (2).
        let kind = |i: u32| i % 3;
        let run = |poller: &mut Poller| {
            let mut set = poller.begin();
            for i in 0..n {
                let r = match kind(i) {
                    0 => Readiness::Fd(rd.as_fd(), Interest::Read),
                    1 => Readiness::Fd(wr.as_fd(), Interest::Write),
                    _ => Readiness::Fd(wr_err.as_fd(), Interest::Write),
                };
                assert!(!set.add(i, r));
            }
            let mut got = Vec::new();
            let r = set.wait::<Error>(false, |tag, w| {
                got.push((tag, w.revents()));
                Ok(())
            });
            poller.finish(set);
            (r, got)
        };
        let (r, got) = run(&mut poller);
        assert_eq!(r, Ok(got.len()));
        let expected: Vec<(u32, PollFlags)> = (0..n)
            .filter_map(|i| match kind(i) {
                0 => None,
                1 => Some((i, PollFlags::OUT)),
                _ => Some((i, PollFlags::OUT | PollFlags::ERR)),
            })
            .collect();
        assert_eq!(got, expected);
        let merged = poller.merge.as_ref().map_or(0, |m| m.pollfds.capacity());
        assert!(merged >= 3, "the list was not merged");
        rustix::io::write(&wr, b"x").unwrap();
        let (r, got) = run(&mut poller);
        assert_eq!(r, Ok(n as usize));
        assert!(got.iter().all(|&(i, re)| match kind(i) {
            0 => re == PollFlags::IN,
            1 => re == PollFlags::OUT,
            _ => re == PollFlags::OUT | PollFlags::ERR,
        }));
    }
}
