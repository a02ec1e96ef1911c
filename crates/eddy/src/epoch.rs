//! Deadlines per store on one epoch clock per engine.
//!
//! wasmtime's epoch is a counter of the whole engine: bumping it interrupts every store of
//! the engine whose deadline it passes. So Eddy bumps it at a steady pace from one thread
//! per engine ([`Ticker`], started on first use, every [`TICK`]), and each store decides at
//! each tick, in its epoch callback, whether *its* deadline ([`Interrupt`]) has passed: a
//! short timeout on one store never interrupts another. docs/RATIONALE.md, "Deadlines per
//! store".

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How often the ticker bumps the engine's epoch: the resolution of every deadline.
pub(crate) const TICK: Duration = Duration::from_millis(2);

/// The engine's epoch ticker: a thread started on first use, which bumps the epoch every
/// [`TICK`] for as long as the engine lives (it holds only a weak reference to it).
#[derive(Debug, Default)]
pub(crate) struct Ticker {
    started: OnceLock<()>,
}

impl Ticker {
    /// Starts the thread if it is not running yet. A thread the OS refuses is logged and
    /// leaves deadlines unenforced inside wasm (host calls still honour them).
    pub(crate) fn start(&self, engine: &wasmtime::Engine) {
        self.started.get_or_init(|| {
            let weak = engine.weak();
            let spawned =
                std::thread::Builder::new().name("eddy-epoch".into()).spawn(move || loop {
                    std::thread::sleep(TICK);
                    match weak.upgrade() {
                        Some(e) => e.increment_epoch(),
                        None => break,
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!("cannot start the epoch thread: {e}; wasm code is not interrupted");
            }
        });
    }
}

/// When one store's guest must stop: a deadline on the monotonic clock (ns, the clock
/// `eddy_wasi` waits on), or a cancellation. Shared between the store's epoch callback and
/// whoever may cancel (a dropped call).
#[derive(Debug)]
pub(crate) struct Interrupt {
    /// Monotonic ns; `u64::MAX` for none.
    deadline: AtomicU64,
    cancelled: AtomicBool,
}

impl Default for Interrupt {
    fn default() -> Interrupt {
        Interrupt { deadline: AtomicU64::new(u64::MAX), cancelled: AtomicBool::new(false) }
    }
}

impl Interrupt {
    /// A fresh interrupt with `deadline` (monotonic ns) if any.
    pub(crate) fn new(deadline: Option<u64>) -> Arc<Interrupt> {
        let i = Interrupt::default();
        i.deadline.store(deadline.unwrap_or(u64::MAX), Ordering::Relaxed);
        Arc::new(i)
    }

    /// Asks the guest to stop at the next tick.
    pub(crate) fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether it was cancelled.
    pub(crate) fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Whether the deadline passed (not counting cancellation).
    pub(crate) fn expired(&self) -> bool {
        let d = self.deadline.load(Ordering::Relaxed);
        d != u64::MAX && eddy_wasi::clocks::Clock::Monotonic.now() >= d
    }

    /// Whether the guest must stop now.
    pub(crate) fn due(&self) -> bool {
        self.cancelled() || self.expired()
    }
}

/// The monotonic instant (ns) `d` from now.
pub(crate) fn deadline_in(d: Duration) -> u64 {
    let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    eddy_wasi::clocks::Clock::Monotonic.now().saturating_add(ns)
}
