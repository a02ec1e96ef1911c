//! The one event loop: the process's tokio runtime, on which every WASI 0.3 instance runs
//! (inside the engine's `run_concurrent`).
//!
//! A current-thread runtime, built on first use and kept for the life of the process: the
//! thread that runs a program drives the loop while it waits for it, so a 0.3 run has no
//! thread hop between the guest and its I/O, and timers, sockets and pipe readiness of every
//! instance share one reactor. docs/RATIONALE.md, "WASI 0.3: who polls what".

use std::future::Future;
use std::sync::OnceLock;

use crate::error::Error;

/// The process's runtime, built on first use. Errors: `Error::Other` if the OS refuses what
/// the runtime needs (an epoll fd, an eventfd).
fn runtime() -> Result<&'static tokio::runtime::Runtime, Error> {
    static RT: OnceLock<std::io::Result<tokio::runtime::Runtime>> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build())
        .as_ref()
        .map_err(|e| Error::Other(format!("cannot start the event loop: {e}")))
}

/// Runs `f` to completion on the event loop, driving the loop on this thread meanwhile.
/// Errors: those of [`runtime`]; otherwise `f`'s own result.
pub(crate) fn block_on<R>(f: impl Future<Output = Result<R, Error>>) -> Result<R, Error> {
    runtime()?.block_on(f)
}

/// Spawns `f` onto the event loop. The loop then also runs on a thread of its own (started
/// on first use, named `eddy-loop`), so spawned tasks make progress whoever awaits their
/// results, on whatever executor; [`block_on`] callers keep driving their own futures.
/// Errors: those of [`runtime`].
pub(crate) fn spawn<F>(f: F) -> Result<(), Error>
where
    F: Future<Output = ()> + Send + 'static,
{
    let rt = runtime()?;
    static LOOP: OnceLock<std::io::Result<std::thread::JoinHandle<()>>> = OnceLock::new();
    LOOP.get_or_init(|| {
        std::thread::Builder::new()
            .name("eddy-loop".into())
            .spawn(move || rt.block_on(std::future::pending::<()>()))
    })
    .as_ref()
    .map_err(|e| Error::Other(format!("cannot start the event loop's thread: {e}")))?;
    drop(rt.spawn(f));
    Ok(())
}

/// Runs blocking `f` on the loop's blocking-thread pool; the handle may be awaited on any
/// executor. Errors: those of [`runtime`].
pub(crate) fn spawn_blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
) -> Result<tokio::task::JoinHandle<R>, Error> {
    Ok(runtime()?.spawn_blocking(f))
}
