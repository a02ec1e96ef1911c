//! [`Budget`]: the count of what one instance makes the host hold, against
//! [`crate::Limits::max_resources`].
//!
//! One counter per instance (per [`crate::WasiCtx`]), shared by the component views: every
//! entry of the component resource table (WASI 0.2 and 0.3 resources: streams, pollables,
//! descriptors, sockets) and every host-side object of the 0.3 view that outlives the call
//! that made it — the host end of a `stream` or `future` (a file, pipe, stdio or socket
//! stream, the future of how it ended, a directory listing, a listener's stream of
//! connections) and every 0.3 call that waits on the loop (`wait-for`, `wait-until`, TCP
//! `connect`, UDP `send`/`receive`, `resolve-addresses`). Past the limit the next one is
//! refused: with the WIT's error code where the function has one that fits (sockets:
//! `out-of-memory`), else with a one-line trap ([`LimitExceeded`]).
//!
//! A 0.3 object holds a [`Held`] unit, given back when it is dropped (a stream or future
//! the guest dropped or read to its end, a call that returned or was cancelled), so the
//! count is exact however the object goes. Resource-table entries are counted by the
//! context's `push` and `delete`. See docs/RATIONALE.md, "How are 0.3 streams, futures and
//! waits limited?".

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Debug)]
struct Inner {
    live: AtomicUsize,
    max: usize,
}

/// The live count of one instance's host objects and its limit. Cloning shares the count.
#[derive(Clone, Debug)]
pub struct Budget(Arc<Inner>);

/// One unit of a [`Budget`], held by a host object while it lives: dropping it gives the
/// unit back.
#[derive(Debug)]
pub struct Held(Arc<Inner>);

impl Drop for Held {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A host object refused because the instance is at its limit: what it was and the limit.
/// Displays as one line (the trap's message).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "resource limit: cannot create another {what}: the instance already holds {max} \
     resources, streams, futures and waiting calls (the limit)"
)]
pub struct LimitExceeded {
    /// What was refused, e.g. `"stream"`, `"wait-for timer"`.
    pub what: &'static str,
    /// The limit ([`crate::Limits::max_resources`]).
    pub max: usize,
}

impl Budget {
    /// A budget of `max` units, none taken.
    pub fn new(max: usize) -> Budget {
        Budget(Arc::new(Inner { live: AtomicUsize::new(0), max }))
    }

    /// How many units are taken now: the instance's live resources, 0.3 streams and
    /// futures, and waiting 0.3 calls.
    pub fn live(&self) -> usize {
        self.0.live.load(Ordering::Relaxed)
    }

    /// The limit.
    pub fn max(&self) -> usize {
        self.0.max
    }

    /// Takes one unit without a [`Held`] (for resource-table entries, given back with
    /// [`Budget::give_back`]). Errors: the budget is spent; nothing is taken.
    pub(crate) fn take_unit(&self, what: &'static str) -> Result<(), LimitExceeded> {
        let prev = self.0.live.fetch_add(1, Ordering::Relaxed);
        if prev >= self.0.max {
            self.0.live.fetch_sub(1, Ordering::Relaxed);
            return Err(LimitExceeded { what, max: self.0.max });
        }
        Ok(())
    }

    /// Gives back a unit taken with [`Budget::take_unit`].
    pub(crate) fn give_back(&self) {
        self.0.live.fetch_sub(1, Ordering::Relaxed);
    }

    /// Takes one unit for a host object (`what` names it in the error), given back when the
    /// [`Held`] is dropped. Errors: the budget is spent.
    pub fn hold(&self, what: &'static str) -> Result<Held, LimitExceeded> {
        self.take_unit(what)?;
        Ok(Held(Arc::clone(&self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_come_back_when_dropped_and_the_limit_refuses_one_more() {
        let b = Budget::new(2);
        let x = b.hold("stream").unwrap();
        b.take_unit("resource").unwrap();
        assert_eq!(b.live(), 2);
        let e = b.hold("future").unwrap_err();
        assert_eq!(e, LimitExceeded { what: "future", max: 2 });
        assert_eq!(
            e.to_string(),
            "resource limit: cannot create another future: the instance already holds 2 \
             resources, streams, futures and waiting calls (the limit)"
        );
        assert_eq!(b.live(), 2, "a refused unit is not counted");
        drop(x);
        b.give_back();
        assert_eq!(b.live(), 0);
        let _y = b.hold("stream").unwrap();
        assert_eq!(b.live(), 1);
    }
}
