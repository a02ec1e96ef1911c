//! `clock_res_get`, `clock_time_get`.

use super::{wasi_fn, MODULE};
use crate::clocks::Clock;
use crate::errno::Errno;

wasi_fn! {
    module = MODULE, register = add;

    /// `clock_res_get(id: clockid) -> Result<timestamp, errno>` — writes the clock's
    /// resolution in ns (u64 at `resolution`). clockid: realtime 0, monotonic 1,
    /// process_cputime_id 2, thread_cputime_id 3.
    ///
    /// Errors: `EINVAL` for an unknown clockid; `EFAULT` for a bad result pointer.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-clock_res_getid-clockid---resulttimestamp-errno>
    fn clock_res_get(ctx, mem, id: u32, resolution: u32) {
        let clock = Clock::from_p1(id).ok_or(Errno::Inval)?;
        mem.write_u64(resolution, ctx.clocks().resolution(clock))
    }

    /// `clock_time_get(id: clockid, precision: timestamp) -> Result<timestamp, errno>` —
    /// writes the clock's time in ns (u64 at `time`; realtime counts from the Unix epoch),
    /// from the instance's [`crate::clocks::ClockSource`] (virtual in a deterministic run).
    /// `precision` is a hint and is ignored: the host's best is always cheap.
    ///
    /// Errors: `EINVAL` for an unknown clockid; `EFAULT` for a bad result pointer.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-clock_time_getid-clockid-precision-timestamp---resulttimestamp-errno>
    fn clock_time_get(ctx, mem, id: u32, precision: u64, time: u32) {
        let _ = precision;
        let clock = Clock::from_p1(id).ok_or(Errno::Inval)?;
        mem.write_u64(time, ctx.clocks().now(clock))
    }
}
