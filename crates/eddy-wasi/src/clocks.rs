//! wasi:clocks — the host's clocks, in nanoseconds.
//!
//! Monotonic time is the host's `CLOCK_MONOTONIC`; wall-clock time is `CLOCK_REALTIME` in ns
//! since the Unix epoch. Process and thread CPU time are the calling thread's process/thread
//! CPU clocks (preview1 `clockid` 2 and 3).

use rustix::time::{clock_getres, clock_gettime, ClockId, Timespec};

/// Which clock (preview1 `clockid`, u32): realtime 0, monotonic 1, process-cputime 2,
/// thread-cputime 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// `realtime`: wall-clock time, ns since 1970-01-01T00:00:00Z.
    Realtime,
    /// `monotonic`: ns since an arbitrary point, never goes backwards.
    Monotonic,
    /// `process_cputime_id`: CPU time consumed by this process, ns.
    ProcessCputime,
    /// `thread_cputime_id`: CPU time consumed by the calling thread, ns.
    ThreadCputime,
}

impl Clock {
    /// Decodes a preview1 `clockid`; `None` for values the spec does not define (→ EINVAL).
    pub fn from_p1(id: u32) -> Option<Clock> {
        Some(match id {
            0 => Clock::Realtime,
            1 => Clock::Monotonic,
            2 => Clock::ProcessCputime,
            3 => Clock::ThreadCputime,
            _ => return None,
        })
    }

    fn os(self) -> ClockId {
        match self {
            Clock::Realtime => ClockId::Realtime,
            Clock::Monotonic => ClockId::Monotonic,
            Clock::ProcessCputime => ClockId::ProcessCPUTime,
            Clock::ThreadCputime => ClockId::ThreadCPUTime,
        }
    }

    /// The clock's current value in ns (`clock_gettime`, one vDSO call for realtime and
    /// monotonic).
    #[inline]
    pub fn now(self) -> u64 {
        ns(clock_gettime(self.os()))
    }

    /// The clock's resolution in ns (`clock_getres`), at least 1.
    pub fn resolution(self) -> u64 {
        ns(clock_getres(self.os())).max(1)
    }
}

/// Converts a `timespec` to ns, saturating; times before the epoch clamp to 0.
#[inline]
pub fn ns(ts: Timespec) -> u64 {
    if ts.tv_sec < 0 {
        return 0;
    }
    (ts.tv_sec as u64).saturating_mul(1_000_000_000).saturating_add(ts.tv_nsec as u64)
}

/// Converts ns to a `timespec`.
#[inline]
pub fn timespec(ns: u64) -> Timespec {
    Timespec { tv_sec: (ns / 1_000_000_000) as i64, tv_nsec: (ns % 1_000_000_000) as _ }
}

/// Where one instance's clocks come from, chosen when its [`crate::WasiCtx`] is built
/// ([`crate::WasiCtxBuilder::clocks`]) and read by every ABI view (preview1 `clock_time_get`
/// and `poll_oneoff`, `wasi:clocks` 0.2 and 0.3, `wasi:io/poll` deadlines).
///
/// `Host` (the default) is the host's clocks: a read is one `clock_gettime`, matched on an
/// enum tag (no allocation, no lock). `Virtual` is [`VirtualClock`], for deterministic runs.
#[derive(Clone, Debug, Default)]
pub enum ClockSource {
    /// The host's clocks ([`Clock::now`]).
    #[default]
    Host,
    /// A virtual clock shared by the instance's views (an `Arc`, so a poll can hold it
    /// while it borrows the instance's fds).
    Virtual(std::sync::Arc<VirtualClock>),
}

impl ClockSource {
    /// A virtual clock starting at monotonic 0 and wall-clock `wall_start` (ns since the
    /// Unix epoch), advancing `tick` ns per guest read: see [`VirtualClock`].
    pub fn virtual_clock(wall_start: u64, tick: u64) -> ClockSource {
        ClockSource::Virtual(std::sync::Arc::new(VirtualClock::new(wall_start, tick)))
    }

    /// `clock`'s value for a guest read, in ns. A virtual clock advances by its tick.
    #[inline]
    pub fn now(&self, clock: Clock) -> u64 {
        match self {
            ClockSource::Host => clock.now(),
            ClockSource::Virtual(v) => v.read(clock),
        }
    }

    /// `clock`'s resolution in ns: the host's ([`Clock::resolution`]), or a virtual clock's
    /// tick (at least 1).
    pub fn resolution(&self, clock: Clock) -> u64 {
        match self {
            ClockSource::Host => clock.resolution(),
            ClockSource::Virtual(v) => v.tick.max(1),
        }
    }

    /// The virtual clock, if this source is one.
    #[inline]
    pub fn as_virtual(&self) -> Option<&std::sync::Arc<VirtualClock>> {
        match self {
            ClockSource::Host => None,
            ClockSource::Virtual(v) => Some(v),
        }
    }
}

/// A clock for deterministic runs (`--deterministic`): monotonic time starts at 0 and
/// wall-clock time at a fixed instant, and both advance only when the guest reads a clock
/// (by a fixed tick per read, so two reads never return the same value and a loop that
/// waits for time to pass ends) and when the guest sleeps (a clock subscription or deadline
/// it waits on completes at once, and the clock jumps to its deadline). Nothing of the
/// host's time is visible. The CPU-time clocks read the same counter as monotonic.
///
/// One counter (monotonic ns), atomic so the views can share it through an `Arc` without a
/// lock; wall-clock is `wall_start` plus that counter, so the two clocks move together.
#[derive(Debug)]
pub struct VirtualClock {
    /// Monotonic ns since the run started.
    monotonic: std::sync::atomic::AtomicU64,
    /// Wall-clock ns since the Unix epoch when monotonic is 0.
    wall_start: u64,
    /// ns added per guest read.
    tick: u64,
}

impl VirtualClock {
    /// A clock at monotonic 0 and wall-clock `wall_start` (ns since the Unix epoch),
    /// advancing `tick` ns per read.
    pub fn new(wall_start: u64, tick: u64) -> VirtualClock {
        VirtualClock { monotonic: std::sync::atomic::AtomicU64::new(0), wall_start, tick }
    }

    /// `clock`'s value now, then the clock advances by one tick (a guest read).
    #[inline]
    pub fn read(&self, clock: Clock) -> u64 {
        let m = self.monotonic.fetch_add(self.tick, std::sync::atomic::Ordering::Relaxed);
        self.on(clock, m)
    }

    /// `clock`'s value now, without advancing (the host looking, as a poll's scan does).
    #[inline]
    pub fn peek(&self, clock: Clock) -> u64 {
        self.on(clock, self.monotonic.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Moves the clock forward so that `clock` reads at least `deadline` (ns): what a sleep
    /// until `deadline` does. Never moves it back; a deadline before wall-clock's start only
    /// leaves it where it is.
    pub fn advance_to(&self, clock: Clock, deadline: u64) {
        let m = match clock {
            Clock::Realtime => deadline.saturating_sub(self.wall_start),
            _ => deadline,
        };
        self.monotonic.fetch_max(m, std::sync::atomic::Ordering::Relaxed);
    }

    /// `clock`'s value when the monotonic counter is `m`.
    #[inline]
    fn on(&self, clock: Clock, m: u64) -> u64 {
        match clock {
            Clock::Realtime => self.wall_start.saturating_add(m),
            _ => m,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_ticks_per_read_and_jumps_on_sleep() {
        let c = ClockSource::virtual_clock(946_684_800_000_000_000, 1000);
        assert_eq!(c.now(Clock::Monotonic), 0);
        assert_eq!(c.now(Clock::Monotonic), 1000);
        assert_eq!(c.now(Clock::Realtime), 946_684_800_000_002_000);
        assert_eq!(c.resolution(Clock::Monotonic), 1000);
        let v = c.as_virtual().unwrap();
        v.advance_to(Clock::Monotonic, 5_000_000_000);
        assert_eq!(v.peek(Clock::Monotonic), 5_000_000_000);
        v.advance_to(Clock::Monotonic, 1);
        assert_eq!(v.peek(Clock::Monotonic), 5_000_000_000);
        v.advance_to(Clock::Realtime, 946_684_800_000_000_000 + 6_000_000_000);
        assert_eq!(c.now(Clock::Monotonic), 6_000_000_000);
        assert_eq!(c.now(Clock::ProcessCputime), 6_000_001_000);
    }
}
