//! The pool for synchronous exports (WASI 0.2 sync-lifted functions, preview1 reactor
//! functions): up to `size` instances, each call on a blocking thread of the event loop's
//! pool, so it blocks no executor; calls queue (in order) while all instances are busy. An
//! instance whose call failed (a trap, an interrupt, an exit) is dropped, and a new one is
//! made from the `InstancePre` when next needed.

use std::any::Any;
use std::sync::{Arc, Mutex};

use eddy_wasi::p1::P1Ctx;
use tokio::sync::Semaphore;
use wasmtime::component;
use wasmtime::Store;

use crate::epoch::Interrupt;
use crate::error::Error;
use crate::store::Host;

/// One pooled instance and its store.
pub(crate) enum Slot {
    /// A component's.
    Component(Store<Host>, component::Instance),
    /// A core module's (`_initialize` already run).
    Module(Store<Host<P1Ctx>>, wasmtime::Instance),
}

impl Slot {
    /// Makes `interrupt` (and its deadline, `deadline` in monotonic ns, for blocking host
    /// calls too) this store's, and refills its fuel, for the next call.
    pub(crate) fn arm(
        &mut self,
        interrupt: &Arc<Interrupt>,
        deadline: Option<u64>,
        fuel: Option<u64>,
    ) {
        match self {
            Slot::Component(s, _) => {
                s.data_mut().interrupt = interrupt.clone();
                s.data_mut().ctx.set_deadline(deadline);
                if let Some(f) = fuel {
                    // Only fails on an engine without fuel, which passes no `fuel`.
                    let _ = s.set_fuel(f);
                }
            }
            Slot::Module(s, _) => {
                s.data_mut().interrupt = interrupt.clone();
                s.data_mut().ctx.set_deadline(deadline);
                if let Some(f) = fuel {
                    let _ = s.set_fuel(f);
                }
            }
        }
    }
}

/// Work to do with one instance: a call, returning its results boxed.
pub(crate) type SyncWork =
    Box<dyn FnOnce(&mut Slot) -> wasmtime::Result<Box<dyn Any + Send>> + Send>;

/// The instances and the permits that bound how many are busy.
pub(crate) struct Pool {
    idle: Mutex<Vec<Slot>>,
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("free", &self.permits.available_permits()).finish()
    }
}

impl Pool {
    /// A pool of at most `size` (at least 1) instances, `first` among them.
    pub(crate) fn new(size: usize, first: Option<Slot>) -> Pool {
        Pool {
            idle: Mutex::new(first.into_iter().collect()),
            permits: Arc::new(Semaphore::new(size.max(1))),
        }
    }

    /// Waits for a free instance (or room for a new one), then runs `work` with it on a
    /// blocking thread (`make` builds a new instance there when none is idle). Returns the
    /// work's result and whether the instance is still sound. The permit is held until the
    /// thread is done, also when the returned future is dropped meanwhile (a cancelled call
    /// still occupies its instance until its interrupt stops it).
    pub(crate) async fn run(
        self: &Arc<Pool>,
        make: impl FnOnce() -> Result<Slot, Error> + Send + 'static,
        before: impl FnOnce(&mut Slot) + Send + 'static,
        work: SyncWork,
    ) -> Result<wasmtime::Result<Box<dyn Any + Send>>, Error> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Other("the reactor's pool is closed".into()))?;
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let pool = Arc::clone(self);
        let handle = crate::runtime::spawn_blocking(move || {
            let _permit = permit;
            let mut slot = match idle {
                Some(s) => s,
                None => make()?,
            };
            before(&mut slot);
            let r = work(&mut slot);
            let sound = match &r {
                Ok(_) => true,
                Err(e) => e.is::<super::NotCalled>(),
            };
            if sound {
                pool.idle.lock().unwrap_or_else(|p| p.into_inner()).push(slot);
            }
            Ok(r)
        })?;
        handle.await.map_err(|e| Error::Other(format!("a reactor call's thread failed: {e}")))?
    }
}
