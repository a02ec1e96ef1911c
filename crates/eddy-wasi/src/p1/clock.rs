//! `clock_res_get`, `clock_time_get`.

use wasmtime::Linker;

use super::wasi_fn;
use super::P1View;
use crate::clocks::Clock;
use crate::errno::Errno;

pub(crate) fn add<T: P1View>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    // clock_res_get(id: clockid) -> Result<timestamp, errno>: the clock's resolution in ns.
    // Errors: EINVAL for an unknown clockid; EFAULT for a bad result pointer.
    wasi_fn!(linker, "clock_res_get", |_ctx, mem, id: u32, resolution: u32| {
        let clock = Clock::from_p1(id).ok_or(Errno::Inval)?;
        mem.write_u64(resolution, clock.resolution())
    });
    // clock_time_get(id: clockid, precision: timestamp) -> Result<timestamp, errno>: the
    // clock's time in ns (`precision` is a hint and is ignored: the host's best is always
    // cheap). Errors: EINVAL for an unknown clockid; EFAULT.
    wasi_fn!(linker, "clock_time_get", |_ctx, mem, id: u32, precision: u64, time: u32| {
        let _ = precision;
        let clock = Clock::from_p1(id).ok_or(Errno::Inval)?;
        mem.write_u64(time, clock.now())
    });
    Ok(())
}
