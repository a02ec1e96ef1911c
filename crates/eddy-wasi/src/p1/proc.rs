//! `proc_exit`, `proc_raise`.

use wasmtime::{Caller, Linker};

use super::P1View;
use super::{wasi_fn, MODULE};
use crate::errno::Errno;
use crate::ExitCode;

pub(crate) fn add<T: P1View>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    // proc_exit(rval: exitcode) -> !: ends the program with status `rval`. Unwinds out of wasm
    // with an `ExitCode` error that the embedder turns into the exit status. Statuses above
    // 255 are passed through; the CLI truncates as the OS does.
    linker.func_wrap(
        MODULE,
        "proc_exit",
        |_caller: Caller<'_, T>, rval: u32| -> wasmtime::Result<()> {
            Err(ExitCode(rval as i32).into())
        },
    )?;
    // proc_raise(sig: signal) -> Result<(), errno>: removed from later WASI; Eddy delivers no
    // signals to the host. Errors: ENOSYS always (the documented "not supported" answer).
    wasi_fn!(linker, "proc_raise", |_ctx, _mem, sig: u32| {
        let _ = sig;
        Err(Errno::Nosys)
    });
    Ok(())
}
