//! The concurrent instance for async-lifted exports (WASI 0.3 style): one task on the event
//! loop owns the store and runs `Store::run_concurrent`; inside it, call requests arrive on
//! a channel and each becomes a `call_concurrent` future, all polled together, so a call
//! waiting on a timer or a socket never holds up another. Each call answers on its own
//! oneshot. A call whose caller went away (the future dropped) or whose deadline passed is
//! dropped inside the loop (its guest task runs on in the background until it returns: the
//! engine cannot cancel one task). A trap ends the whole instance: the loop returns the
//! trap, every call in it fails with it, and the next call starts a new instance.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;

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
        ) -> Pin<Box<dyn Future<Output = wasmtime::Result<Box<dyn Any + Send>>> + Send + 'a>>
        + Send,
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
}

/// How a call in the loop ended.
pub(crate) enum Outcome {
    /// It returned (or failed before or while calling: the error).
    Done(wasmtime::Result<Box<dyn Any + Send>>),
    /// Its deadline passed.
    Deadline,
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
    pub(crate) fn start(
        store: impl FnOnce() -> Result<wasmtime::Store<Host>, Error> + Send + 'static,
        pre: component::InstancePre<Host>,
        ready: Option<std::sync::mpsc::Sender<Result<(), Error>>>,
    ) -> Result<Driver, Error> {
        let (tx, rx) = mpsc::unbounded_channel();
        let (stopped_tx, stopped) = watch::channel(None);
        crate::runtime::spawn(async move {
            let why = serve(store, pre, ready, rx).await;
            let _ = stopped_tx.send(Some(why));
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

/// The task: instantiate, then the loop. Returns why it stopped.
async fn serve(
    store: impl FnOnce() -> Result<wasmtime::Store<Host>, Error>,
    pre: component::InstancePre<Host>,
    ready: Option<std::sync::mpsc::Sender<Result<(), Error>>>,
    mut rx: mpsc::UnboundedReceiver<Job>,
) -> String {
    let started = async {
        let mut store = store()?;
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
            return why;
        }
    };
    let r = store
        .run_concurrent(async |a| {
            let mut calls = FuturesUnordered::new();
            loop {
                tokio::select! {
                    Some(()) = calls.next(), if !calls.is_empty() => {}
                    job = rx.recv() => match job {
                        Some(job) => calls.push(one_call(a, instance, job)),
                        None => break,
                    },
                }
            }
        })
        .await;
    match r {
        Ok(()) => "the reactor was dropped".to_string(),
        Err(e) => format!("the instance trapped: {}", err_text(trap(e))),
    }
}

/// The text of an error.
fn err_text(e: Error) -> String {
    e.to_string()
}

/// Runs one call in the loop, racing its caller going away and its deadline.
async fn one_call(a: &Accessor<Host>, instance: component::Instance, mut job: Job) {
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
