//! `proc_exit`, `proc_raise`.

use wasmtime::{Caller, Linker};

use super::P1View;
use super::{wasi_fn, MODULE};
use crate::errno::Errno;
use crate::ExitCode;

/// `proc_exit(rval: exitcode)` — ends the program with status `rval`; never returns to the
/// guest. It unwinds out of wasm with an [`ExitCode`] error, which the embedder turns into
/// the exit status. Statuses above 255 are passed through; the CLI truncates as the OS does.
///
/// Errors: none reach the guest (the returned `Err` *is* the exit). `--trace` shows it as
/// `proc_exit(rval=N) -> exit(N)`.
///
/// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-proc_exitrval-exitcode>
#[inline]
pub fn proc_exit<T: P1View>(caller: &mut Caller<'_, T>, rval: u32) -> wasmtime::Result<()> {
    proc_exit_in(MODULE, caller, rval)
}

/// [`proc_exit`] as called through `module` (the name its trace line shows).
#[inline]
fn proc_exit_in<T: P1View>(
    module: &'static str,
    caller: &mut Caller<'_, T>,
    rval: u32,
) -> wasmtime::Result<()> {
    if caller.data_mut().p1().trace {
        super::trace_exit(module, rval);
    }
    Err(ExitCode(rval as i32).into())
}

wasi_fn! {
    module = MODULE, register = add_traced;

    /// `proc_raise(sig: signal) -> Result<(), errno>` — removed from later WASI; Eddy
    /// delivers no signals to the host.
    ///
    /// Errors: `ENOSYS` always (the documented "not supported" answer).
    ///
    /// Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md#-proc_raisesig-signal---result-errno>
    fn proc_raise(_ctx, _mem, sig: u32) {
        let _ = sig;
        Err(Errno::Nosys)
    }
}

/// Defines `proc_exit` and `proc_raise` in `linker` under [`MODULE`] and, with
/// `Some((module, except))`, under that module too (except the names in `except`).
pub(crate) fn add<T: P1View>(
    linker: &mut Linker<T>,
    alias: Option<(&'static str, &[&str])>,
) -> wasmtime::Result<()> {
    let exit = |mut caller: Caller<'_, T>, rval: u32| proc_exit(&mut caller, rval);
    linker.func_wrap(MODULE, "proc_exit", exit)?;
    if let Some((alias, except)) = alias {
        if !except.contains(&"proc_exit") {
            let exit =
                move |mut caller: Caller<'_, T>, rval: u32| proc_exit_in(alias, &mut caller, rval);
            linker.func_wrap(alias, "proc_exit", exit)?;
        }
    }
    add_traced(linker, alias)
}
