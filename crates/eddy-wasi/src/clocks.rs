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
