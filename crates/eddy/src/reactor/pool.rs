//! The pool for synchronous exports (WASI 0.2 sync-lifted functions, preview1 reactor
//! functions): up to `size` instances, calls run on blocking threads of the event loop's
//! pool, so they block no executor; calls queue (in order) while all instances are busy,
//! and a worker runs the queued calls back to back (one thread hand-off per burst, not per
//! call). An instance whose call failed (a trap, an interrupt, an exit) is dropped, and a
//! new one is made from the `InstancePre` when next needed.

use std::any::Any;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use eddy_wasi::p1::P1Ctx;
use tokio::sync::oneshot;
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

/// Makes a new instance when none is idle.
pub(crate) type MakeSlot = Box<dyn Fn() -> Result<Slot, Error> + Send + Sync>;

/// What a call gets back: the work's result, or why it never ran.
type Reply = Result<wasmtime::Result<Box<dyn Any + Send>>, Error>;

/// One queued call.
struct Job {
    work: SyncWork,
    /// The call's interrupt, deadline (monotonic ns) and fuel ([`Slot::arm`]).
    interrupt: Arc<Interrupt>,
    deadline: Option<u64>,
    fuel: Option<u64>,
    reply: oneshot::Sender<Reply>,
}

/// The queue and the instances, under one lock so that a worker that finds the queue
/// empty and stops, and a call that is queued meanwhile, cannot miss each other.
struct State {
    queue: VecDeque<Job>,
    idle: Vec<Slot>,
    /// Workers running (each holds at most one instance): at most `size`.
    workers: usize,
}

/// The instances, the calls waiting for one, and the workers that run them.
///
/// A call is queued; when fewer than `size` workers run, a new one starts on a blocking
/// thread of the event loop with an idle instance (or makes one) and runs queued calls
/// back to back until the queue is empty, then puts its instance back and ends. So a burst
/// of calls costs one thread hand-off, not one per call.
pub(crate) struct Pool {
    state: Mutex<State>,
    size: usize,
    make: MakeSlot,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.lock();
        f.debug_struct("Pool")
            .field("size", &self.size)
            .field("workers", &s.workers)
            .field("queued", &s.queue.len())
            .finish()
    }
}

impl Pool {
    /// A pool of at most `size` (at least 1) instances, `first` among them; `make` builds
    /// the others when needed.
    pub(crate) fn new(size: usize, first: Option<Slot>, make: MakeSlot) -> Pool {
        Pool {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                idle: first.into_iter().collect(),
                workers: 0,
            }),
            size: size.max(1),
            make,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `work` (armed with `interrupt`, `deadline` in monotonic ns and `fuel`) and
    /// waits for its result. Dropping the future before the call starts takes it out of
    /// the line (it is skipped); a running call is stopped by its interrupt.
    pub(crate) async fn run(
        self: &Arc<Pool>,
        interrupt: Arc<Interrupt>,
        deadline: Option<u64>,
        fuel: Option<u64>,
        work: SyncWork,
    ) -> Reply {
        let (reply, rx) = oneshot::channel();
        let start = {
            let mut s = self.lock();
            s.queue.push_back(Job { work, interrupt, deadline, fuel, reply });
            if s.workers < self.size {
                s.workers += 1;
                Some(s.idle.pop())
            } else {
                None
            }
        };
        if let Some(slot) = start {
            let pool = Arc::clone(self);
            if let Err(e) = crate::runtime::spawn_blocking(move || pool.work(slot)) {
                // No thread for a worker: every queued call gets the error.
                let mut s = self.lock();
                s.workers -= 1;
                if s.workers == 0 {
                    for job in s.queue.drain(..) {
                        let _ = job.reply.send(Err(Error::Other(e.to_string())));
                    }
                }
            }
        }
        rx.await.map_err(|_| Error::Other("the reactor's pool stopped".into()))?
    }

    /// A worker: runs queued calls with `slot` (made when needed) until none is left.
    fn work(&self, mut slot: Option<Slot>) {
        loop {
            let job = {
                let mut s = self.lock();
                match s.queue.pop_front() {
                    Some(job) => job,
                    None => {
                        s.workers -= 1;
                        s.idle.extend(slot);
                        return;
                    }
                }
            };
            if job.reply.is_closed() {
                // Cancelled while it waited.
                continue;
            }
            if job.interrupt.expired() {
                // Its deadline passed while it waited: answered as an interrupted call.
                let _ = job.reply.send(Ok(Err(wasmtime::Trap::Interrupt.into())));
                continue;
            }
            let mut sl = match slot.take() {
                Some(sl) => sl,
                None => match (self.make)() {
                    Ok(sl) => sl,
                    Err(e) => {
                        let _ = job.reply.send(Err(e));
                        continue;
                    }
                },
            };
            sl.arm(&job.interrupt, job.deadline, job.fuel);
            let r = (job.work)(&mut sl);
            // A failed call leaves its instance unsound (a trap, an interrupt, an exit),
            // except one refused before it entered the guest.
            if match &r {
                Ok(_) => true,
                Err(e) => e.is::<super::NotCalled>(),
            } {
                slot = Some(sl);
            }
            let _ = job.reply.send(Ok(r));
        }
    }
}
