//! `sched_yield`.

use super::{wasi_fn, MODULE};

wasi_fn! {
    module = MODULE, register = add;

    /// `sched_yield() -> Result<(), errno>` — yields the host thread (sched_yield(2)).
    ///
    /// Errors: none; it never fails.
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-sched_yield---result-errno>
    fn sched_yield(_ctx, _mem) {
        rustix::thread::sched_yield();
        Ok(())
    }
}
