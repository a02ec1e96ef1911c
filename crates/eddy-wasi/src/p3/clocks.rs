//! wasi:clocks@0.3 — monotonic-clock, system-clock and timezone, on the same host clocks as
//! the other views ([`crate::clocks::Clock`]): a monotonic `mark` is `CLOCK_MONOTONIC` in
//! ns, a system-clock `instant` is `CLOCK_REALTIME` since the Unix epoch; both through the
//! instance's [`ClockSource`] (a virtual clock in a deterministic run).
//!
//! `wait-for` and `wait-until` are timers of the event loop (tokio's timer wheel: one entry
//! per waiting task, no thread, no fd), so thousands of tasks can wait at once at the cost of
//! a timer entry each.

use std::time::Duration;

use wasmtime::component::Accessor;

use super::bindings::wasi::clocks::{monotonic_clock, system_clock, timezone, types};
use super::WasiP3;
use crate::budget::Held;
use crate::clocks::{Clock, ClockSource};
use crate::ctx::WasiCtx;

impl types::Host for WasiCtx {}

impl monotonic_clock::Host for WasiCtx {
    /// `now`: the monotonic clock, ns.
    fn now(&mut self) -> wasmtime::Result<u64> {
        Ok(self.clocks.now(Clock::Monotonic))
    }

    /// `get-resolution`: the monotonic clock's resolution, ns (at least 1).
    fn get_resolution(&mut self) -> wasmtime::Result<u64> {
        Ok(self.clocks.resolution(Clock::Monotonic))
    }
}

/// Waits until the monotonic clock reads `when` (ns); a mark in the past returns at once
/// (without yielding to other tasks, as a zero wait must not cost a trip round the loop).
///
/// The timer is polled outside tokio's cooperative budget (`unconstrained`): the engine
/// polls every waiting host future of an instance from one task, so with the budget (128
/// polls per turn) each turn would make only 128 timers progress and re-poll all the others,
/// which self-wake: quadratic in the number of waiting timers (1.7 s instead of 0.4 s for
/// 50 000). The engine's own loop already bounds how long one turn runs.
///
/// On a virtual clock (a deterministic run) nothing sleeps: the clock moves to `when` and the
/// call returns at once, so concurrent waits end in the order they run, not by deadline.
async fn sleep_until_mark(clocks: ClockSource, when: u64) {
    if let Some(v) = clocks.as_virtual() {
        v.advance_to(Clock::Monotonic, when);
        return;
    }
    let now = Clock::Monotonic.now();
    if when > now {
        tokio::task::unconstrained(tokio::time::sleep(Duration::from_nanos(when - now))).await;
    }
}

/// One unit of the instance's budget ([`crate::budget`]) for a waiting timer, held until it
/// fires or the wait is cancelled. Errors: a trap past the limit (the WIT functions have no
/// error code).
fn timer<T>(accessor: &Accessor<T, WasiP3>, what: &'static str) -> wasmtime::Result<Held> {
    Ok(accessor.with(|mut a| a.get().budget.hold(what))?)
}

impl<T: Send> monotonic_clock::HostWithStore<T> for WasiP3 {
    /// `wait-until(when)`: returns once the monotonic clock reaches `when` (ns). Traps past
    /// the instance's limit of waiting calls ([`crate::Limits::max_resources`]).
    async fn wait_until(accessor: &Accessor<T, Self>, when: u64) -> wasmtime::Result<()> {
        let _held = timer(accessor, "wait-until timer")?;
        let clocks = accessor.with(|mut a| a.get().clocks.clone());
        sleep_until_mark(clocks, when).await;
        Ok(())
    }

    /// `wait-for(how-long)`: returns after `how-long` ns on the monotonic clock. Traps past
    /// the instance's limit of waiting calls ([`crate::Limits::max_resources`]).
    async fn wait_for(accessor: &Accessor<T, Self>, how_long: u64) -> wasmtime::Result<()> {
        let _held = timer(accessor, "wait-for timer")?;
        let (clocks, now) = accessor.with(|mut a| {
            let ctx = a.get();
            (ctx.clocks.clone(), ctx.clocks.now(Clock::Monotonic))
        });
        sleep_until_mark(clocks, now.saturating_add(how_long)).await;
        Ok(())
    }
}

/// Splits ns since the epoch into a WIT `instant`.
fn instant(ns: u64) -> system_clock::Instant {
    system_clock::Instant {
        seconds: (ns / 1_000_000_000) as i64,
        nanoseconds: (ns % 1_000_000_000) as u32,
    }
}

impl system_clock::Host for WasiCtx {
    /// `now`: system time since the Unix epoch.
    fn now(&mut self) -> wasmtime::Result<system_clock::Instant> {
        Ok(instant(self.clocks.now(Clock::Realtime)))
    }

    /// `get-resolution`: the system clock's resolution, ns.
    fn get_resolution(&mut self) -> wasmtime::Result<u64> {
        Ok(self.clocks.resolution(Clock::Realtime))
    }
}

/// `wasi:clocks/timezone` (`@unstable(feature = clocks-timezone)`, linked): the guest's zone
/// is UTC. The host's zone is host state no grant names (like its hostname), so it is not
/// shown; a guest that wants local time is given it through `--env TZ=...`.
impl timezone::Host for WasiCtx {
    /// `iana-id`: `"UTC"`.
    fn iana_id(&mut self) -> wasmtime::Result<Option<String>> {
        Ok(Some("UTC".to_string()))
    }

    /// `utc-offset(when)`: 0 ns (UTC has no offset at any instant).
    fn utc_offset(&mut self, _when: system_clock::Instant) -> wasmtime::Result<Option<i64>> {
        Ok(Some(0))
    }

    /// `to-debug-string`: `"UTC"`.
    fn to_debug_string(&mut self) -> wasmtime::Result<String> {
        Ok("UTC".to_string())
    }
}
