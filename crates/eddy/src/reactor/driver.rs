//! The concurrent instance for async-lifted exports (WASI 0.3 style): one task on the event
//! loop owns the store and runs `Store::run_concurrent`; inside it, call requests arrive on
//! a channel and each becomes a `call_concurrent` future, all polled together, so a call
//! waiting on a timer or a socket never holds up another. Each call answers on its own
//! oneshot. A call whose caller went away (the future dropped) or whose deadline passed is
//! dropped inside the loop (its guest task runs on in the background until it returns: the
//! engine cannot cancel one task). A trap ends the whole instance: the loop returns the
//! trap, every call in it fails with it, and the next call starts a new instance.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::stream::{FuturesUnordered, StreamExt};
use tokio::sync::{mpsc, oneshot, watch};
use wasmtime::component::{self, Accessor, ComponentExportIndex};

use crate::error::Error;
use crate::store::{trap, Host};

/// What a call does with its function inside the loop.
pub(crate) type AsyncWork = Box<
    dyn for<'a> FnOnce(
            &'a Accessor<Host>,
            component::Func,
        ) -> Pin<
            Box<dyn Future<Output = wasmtime::Result<Box<dyn Any + Send>>> + Send + 'a>,
        > + Send,
>;

/// One call request.
pub(crate) struct Job {
    /// The export to call.
    pub(crate) index: ComponentExportIndex,
    /// The call.
    pub(crate) work: AsyncWork,
    /// When to give up on it.
    pub(crate) deadline: Option<tokio::time::Instant>,
    /// Where its result goes.
    pub(crate) reply: oneshot::Sender<Outcome>,
    /// Its deadline and cancellation, for the epoch callback ([`Watch`]).
    pub(crate) state: Arc<CallState>,
}

/// Most queued calls taken into the loop in one turn, beyond the one that woke it.
const BURST: usize = 1024;

/// How long past a call's deadline (or cancellation) the loop may still be inside guest
/// code before the instance is deemed wedged and stopped: the loop's own timer drops a call
/// well within it unless guest code holds the loop's thread.
const GRACE_NS: u64 = 50_000_000;

/// One call's deadline and cancellation, monotonic ns (`u64::MAX`: none).
#[derive(Debug)]
pub(crate) struct CallState {
    deadline: u64,
    cancelled_at: AtomicU64,
}

impl CallState {
    /// A call with `deadline` (monotonic ns), if any.
    pub(crate) fn new(deadline: Option<u64>) -> CallState {
        CallState { deadline: deadline.unwrap_or(u64::MAX), cancelled_at: AtomicU64::new(u64::MAX) }
    }

    /// Whether it is past its deadline or cancellation by more than [`GRACE_NS`] at `now`.
    fn overdue(&self, now: u64) -> bool {
        let c = self.cancelled_at.load(Ordering::Relaxed);
        now >= self.deadline.saturating_add(GRACE_NS) || now >= c.saturating_add(GRACE_NS)
    }
}

/// Marks a call cancelled when its future is dropped before the result came.
pub(crate) struct CancelOnDrop(pub(crate) Option<Arc<CallState>>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(s) = self.0.take() {
            s.cancelled_at.store(eddy_wasi::clocks::Clock::Monotonic.now(), Ordering::Relaxed);
        }
    }
}

/// The calls in the loop, for the store's epoch callback: an overdue one means the loop's
/// thread is held by guest code (its timers cannot fire), and the instance must stop.
#[derive(Debug, Default)]
pub(crate) struct Watch {
    calls: Mutex<HashMap<u64, Arc<CallState>>>,
    next: AtomicU64,
    /// Turns of this instance's loop so far ([`Watch::turned`]).
    turns: AtomicU64,
    /// The turn the epoch callback last saw, and when it first saw it (monotonic ns).
    seen: Mutex<(u64, u64)>,
}

impl Watch {
    /// Whether the instance's guest code holds the loop: some call in the loop is overdue,
    /// and the loop has not turned for [`GRACE_NS`]. Overdue alone is not enough: another
    /// instance's guest may have held the one loop thread, and then this instance's calls
    /// are late through no fault of its own (its first epoch check after that sees a new
    /// turn).
    pub(crate) fn wedged(&self) -> bool {
        let now = eddy_wasi::clocks::Clock::Monotonic.now();
        let turn = self.turns.load(Ordering::Relaxed);
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if seen.0 != turn || seen.1 == 0 {
                *seen = (turn, now);
                return false;
            }
            if now < seen.1.saturating_add(GRACE_NS) {
                return false;
            }
        }
        let calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls.values().any(|c| c.overdue(now))
    }

    /// Marks one turn of the instance's loop (it took a call or a call made progress).
    fn turned(&self) {
        self.turns.fetch_add(1, Ordering::Relaxed);
    }

    /// Registers a call until the returned guard is dropped.
    fn register(self: &Arc<Watch>, state: Arc<CallState>) -> Registered {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).insert(id, state);
        Registered { watch: self.clone(), id }
    }
}

/// A call registered in a [`Watch`].
struct Registered {
    watch: Arc<Watch>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.watch.calls.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.id);
    }
}

/// How a call in the loop ended.
pub(crate) enum Outcome {
    /// It returned (or failed before or while calling: the error).
    Done(wasmtime::Result<Box<dyn Any + Send>>),
    /// Its deadline passed.
    Deadline,
    /// The instance stopped before the call reached it: the call, to make elsewhere.
    NotStarted(AsyncWork),
}

/// A running concurrent instance: where to send calls, and why it stopped once it has.
#[derive(Clone, Debug)]
pub(crate) struct Driver {
    tx: mpsc::UnboundedSender<Job>,
    stopped: watch::Receiver<Option<String>>,
}

impl Driver {
    /// Starts an instance: a task on the event loop that makes its store with `store`,
    /// instantiates `pre` in it, sends the instantiation's result on `ready`, then serves
    /// calls until the `Driver` and all its clones are dropped or the instance traps.
    /// `watched`: the store has the epoch callback that reads the [`Watch`], so calls are
    /// registered in it (without epoch interruption nothing reads it).
    pub(crate) fn start(
        store: impl FnOnce(Arc<Watch>) -> Result<wasmtime::Store<Host>, Error> + Send + 'static,
        pre: component::InstancePre<Host>,
        ready: Option<std::sync::mpsc::Sender<Result<(), Error>>>,
        watched: bool,
    ) -> Result<Driver, Error> {
        let (tx, rx) = mpsc::unbounded_channel();
        let (stopped_tx, stopped) = watch::channel(None);
        crate::runtime::spawn(async move {
            let (why, mut rx) = serve(store, pre, ready, rx, watched).await;
            let _ = stopped_tx.send(Some(why));
            // Calls queued but never taken go back to their callers, to be made on a new
            // instance (the `stopped` above makes the next call start one).
            rx.close();
            while let Ok(job) = rx.try_recv() {
                let _ = job.reply.send(Outcome::NotStarted(job.work));
            }
        })?;
        Ok(Driver { tx, stopped })
    }

    /// Whether the instance has stopped (trapped, or never started).
    pub(crate) fn stopped(&self) -> bool {
        self.stopped.borrow().is_some() || self.tx.is_closed()
    }

    /// Queues a call. Errors: the job back if the instance has stopped.
    pub(crate) fn send(&self, job: Job) -> Result<(), Job> {
        self.tx.send(job).map_err(|e| e.0)
    }

    /// Why the instance stopped, once it has.
    pub(crate) async fn why_stopped(&self) -> String {
        let mut w = self.stopped.clone();
        let why = match w.wait_for(|s| s.is_some()).await {
            Ok(s) => s.clone().unwrap_or_default(),
            Err(_) => "the instance stopped".to_string(),
        };
        why
    }
}

/// The task: instantiate, then the loop. Returns why it stopped, and the channel (with the
/// calls never taken).
async fn serve(
    store: impl FnOnce(Arc<Watch>) -> Result<wasmtime::Store<Host>, Error>,
    pre: component::InstancePre<Host>,
    ready: Option<std::sync::mpsc::Sender<Result<(), Error>>>,
    mut rx: mpsc::UnboundedReceiver<Job>,
    watched: bool,
) -> (String, mpsc::UnboundedReceiver<Job>) {
    let watch = Arc::new(Watch::default());
    let started = async {
        let mut store = store(watch.clone())?;
        let instance = pre.instantiate_async(&mut store).await.map_err(trap)?;
        Ok::<_, Error>((store, instance))
    };
    let (mut store, instance) = match started.await {
        Ok(s) => {
            if let Some(r) = ready {
                let _ = r.send(Ok(()));
            }
            s
        }
        Err(e) => {
            let why = format!("cannot instantiate: {e}");
            if let Some(r) = ready {
                let _ = r.send(Err(e));
            }
            return (why, rx);
        }
    };
    let r = store
        .run_concurrent(async |a| {
            let mut calls = FuturesUnordered::new();
            loop {
                watch.turned();
                tokio::select! {
                    Some(()) = calls.next(), if !calls.is_empty() => {}
                    job = rx.recv() => match job {
                        Some(job) => {
                            let watch = watched.then_some(&watch);
                            calls.push(one_call(a, instance, watch, job));
                            // Whatever else is queued joins in the same turn (a burst of
                            // calls costs one pass of this loop, not one each).
                            for _ in 0..BURST {
                                let Ok(job) = rx.try_recv() else { break };
                                calls.push(one_call(a, instance, watch, job));
                            }
                        }
                        None => break,
                    },
                }
            }
        })
        .await;
    let why = match r {
        Ok(()) => "the reactor was dropped".to_string(),
        Err(e) => format!("the instance trapped: {}", err_text(trap(e))),
    };
    (why, rx)
}

/// The text of an error.
fn err_text(e: Error) -> String {
    e.to_string()
}

/// Runs one call in the loop, racing its caller going away and its deadline.
async fn one_call(
    a: &Accessor<Host>,
    instance: component::Instance,
    watch: Option<&Arc<Watch>>,
    mut job: Job,
) {
    let _registered = watch.map(|w| w.register(job.state.clone()));
    let func = a.with(|mut s| instance.get_func(&mut s, job.index));
    let Some(func) = func else {
        let _ = job.reply.send(Outcome::Done(Err(wasmtime::Error::msg("not a function"))));
        return;
    };
    let call = (job.work)(a, func);
    let deadline = async {
        match job.deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    let outcome = tokio::select! {
        r = call => Outcome::Done(r),
        () = deadline => Outcome::Deadline,
        () = job.reply.closed() => return,
    };
    let _ = job.reply.send(outcome);
}
