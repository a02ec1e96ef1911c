//! wasi:clocks — monotonic-clock and wall-clock for components, on the same host clocks as
//! preview1 ([`crate::clocks::Clock`]): monotonic is the host's `CLOCK_MONOTONIC` in ns,
//! wall-clock is `CLOCK_REALTIME`; both read through the instance's
//! [`crate::clocks::ClockSource`] (a virtual clock in a deterministic run).

use wasmtime::component::Resource;

use super::bindings::wasi::clocks::{monotonic_clock, timezone, wall_clock};
use super::io::poll::Pollable;
use crate::clocks::Clock;
use crate::ctx::WasiCtx;

impl monotonic_clock::Host for WasiCtx {
    /// `now`: the monotonic clock, ns.
    fn now(&mut self) -> wasmtime::Result<u64> {
        Ok(self.clocks.now(Clock::Monotonic))
    }

    /// `resolution`: the monotonic clock's resolution, ns (at least 1).
    fn resolution(&mut self) -> wasmtime::Result<u64> {
        Ok(self.clocks.resolution(Clock::Monotonic))
    }

    /// `subscribe-instant(when)`: a pollable ready once the monotonic clock reaches `when`
    /// (ns; a past instant is ready at once).
    fn subscribe_instant(&mut self, when: u64) -> wasmtime::Result<Resource<Pollable>> {
        self.push(Pollable::Deadline(when))
    }

    /// `subscribe-duration(when)`: a pollable ready `when` ns from now.
    fn subscribe_duration(&mut self, when: u64) -> wasmtime::Result<Resource<Pollable>> {
        let now = self.clocks.now(Clock::Monotonic);
        self.push(Pollable::Deadline(now.saturating_add(when)))
    }
}

/// Splits ns since the epoch into a WIT `datetime`.
fn datetime(ns: u64) -> wall_clock::Datetime {
    wall_clock::Datetime { seconds: ns / 1_000_000_000, nanoseconds: (ns % 1_000_000_000) as u32 }
}

impl wall_clock::Host for WasiCtx {
    /// `now`: wall-clock time since the Unix epoch.
    fn now(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        Ok(datetime(self.clocks.now(Clock::Realtime)))
    }

    /// `resolution`: the wall clock's resolution.
    fn resolution(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        Ok(datetime(self.clocks.resolution(Clock::Realtime)))
    }
}

/// `wasi:clocks/timezone` is `@unstable` and not linked ([`super::add_to_linker`] leaves its
/// feature off); the bindings still require the trait. If it is ever enabled, it answers UTC.
impl timezone::Host for WasiCtx {
    /// `display`: UTC (offset 0, name "UTC", no daylight saving time).
    fn display(
        &mut self,
        _when: wall_clock::Datetime,
    ) -> wasmtime::Result<timezone::TimezoneDisplay> {
        Ok(timezone::TimezoneDisplay {
            utc_offset: 0,
            name: "UTC".to_string(),
            in_daylight_saving_time: false,
        })
    }

    /// `utc-offset`: 0 s (UTC).
    fn utc_offset(&mut self, _when: wall_clock::Datetime) -> wasmtime::Result<i32> {
        Ok(0)
    }
}
