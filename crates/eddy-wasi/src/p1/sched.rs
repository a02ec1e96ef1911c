//! `sched_yield`.

use wasmtime::Linker;

use super::wasi_fn;
use super::P1View;

pub(crate) fn add<T: P1View>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    // sched_yield() -> Result<(), errno>: yields the host thread (sched_yield(2)). Never fails.
    wasi_fn!(linker, "sched_yield", |_ctx, _mem| {
        rustix::thread::sched_yield();
        Ok(())
    });
    Ok(())
}
