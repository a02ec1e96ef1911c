//! `wasi:io/poll.poll` without per-pollable lifting costs: the `list<borrow<pollable>>`
//! argument is lifted as the pollables' table indices (reps), and the `list<u32>` result is
//! lowered from a reused buffer.
//!
//! The generated binding lifts the argument as `Vec<Resource<Pollable>>`: for each element
//! wasmtime looks up and type-checks the resource type again, then lends the handle. With
//! 1000 pollables that was 70% of a `poll` call. [`PollReps`] checks the element type once
//! per call (it must be the host's [`Pollable`]), then only lends each handle
//! (`guest_resource_lift_borrow`, which still rejects a bad or wrong-typed handle and tracks
//! the borrow for the call, as the canonical ABI requires). Both lists live in buffers kept
//! per thread and reused, so a `poll` call allocates nothing once warm.
//!
//! The `ComponentType`/`Lift`/`Lower` traits are wasmtime's doc-hidden canonical-ABI
//! interface (see [`super::direct`] for why that is acceptable here).

use std::cell::Cell;
use std::mem::MaybeUninit;

use wasmtime::component::__internal::{
    CanonicalAbiInfo, InstanceType, InterfaceType, LiftContext, LowerContext,
};
use wasmtime::component::{ComponentType, Lift, Linker, Lower, Resource, ResourceType};
use wasmtime::{StoreContextMut, ValRaw};

use super::poll::Pollable;
use crate::ctx::WasiView;

thread_local! {
    /// The buffer [`PollReps`] lifts into, between calls.
    static REPS: Cell<Vec<u32>> = const { Cell::new(Vec::new()) };
    /// The buffer [`ReadyList`] is lowered from, between calls.
    static READY: Cell<Vec<u32>> = const { Cell::new(Vec::new()) };
}

/// The argument of `poll`: the reps of the borrowed pollables, in order. Its buffer goes back
/// to the thread's pool when dropped.
#[derive(Debug)]
pub struct PollReps(Vec<u32>);

impl PollReps {
    /// The reps, in the guest's order.
    pub fn reps(&self) -> &[u32] {
        &self.0
    }

    fn lift(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        ptr: usize,
        len: usize,
    ) -> wasmtime::Result<Self> {
        let elem = match ty {
            InterfaceType::List(i) => cx.types[i].element,
            _ => wasmtime::bail!("poll: argument is not a list"),
        };
        let InterfaceType::Borrow(t) = elem else {
            wasmtime::bail!("poll: list element is not a borrow");
        };
        if cx.resource_type(t) != ResourceType::host::<Pollable>() {
            wasmtime::bail!("poll: list element is not a wasi:io/poll.pollable");
        }
        let memory = cx.memory();
        let bytes = len
            .checked_mul(4)
            .and_then(|n| memory.get(ptr..)?.get(..n))
            .ok_or_else(|| wasmtime::Error::msg("list pointer/length out of bounds of memory"))?;
        if !ptr.is_multiple_of(4) {
            wasmtime::bail!("list pointer is not aligned");
        }
        cx.consume_fuel_array(len, std::mem::size_of::<Resource<Pollable>>())?;
        let mut reps = REPS.take();
        reps.clear();
        reps.reserve(len);
        for b in bytes.chunks_exact(4) {
            let index = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            match cx.guest_resource_lift_borrow(t, index) {
                Ok(rep) => reps.push(rep),
                Err(e) => {
                    REPS.set(reps);
                    return Err(e);
                }
            }
        }
        Ok(PollReps(reps))
    }
}

impl Drop for PollReps {
    fn drop(&mut self) {
        REPS.set(std::mem::take(&mut self.0));
    }
}

// SAFETY: the canonical ABI shape is a list's (a pointer pair); the type check accepts
// exactly `list<borrow<pollable>>`'s shape, and `lift` checks the resource type.
unsafe impl ComponentType for PollReps {
    type Lower = [ValRaw; 2];

    const ABI: CanonicalAbiInfo = CanonicalAbiInfo::POINTER_PAIR;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> wasmtime::Result<()> {
        <Vec<Resource<Pollable>> as ComponentType>::typecheck(ty, types)
    }
}

// SAFETY: reads a pointer pair and the in-bounds, aligned list it names.
unsafe impl Lift for PollReps {
    fn linear_lift_from_flat(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        src: &[ValRaw; 2],
    ) -> wasmtime::Result<Self> {
        let ptr = src[0].get_u32() as usize;
        let len = src[1].get_u32() as usize;
        Self::lift(cx, ty, ptr, len)
    }

    fn linear_lift_from_memory(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        bytes: &[u8],
    ) -> wasmtime::Result<Self> {
        let ptr = u32::from_le_bytes(bytes[..4].try_into()?) as usize;
        let len = u32::from_le_bytes(bytes[4..8].try_into()?) as usize;
        Self::lift(cx, ty, ptr, len)
    }
}

/// The result of `poll`: the indices of the ready pollables, lowered as `list<u32>`. Its
/// buffer comes from and goes back to the thread's pool.
#[derive(Debug)]
pub struct ReadyList(Vec<u32>);

impl ReadyList {
    /// An empty list (with the pooled buffer).
    pub fn new() -> ReadyList {
        let mut v = READY.take();
        v.clear();
        ReadyList(v)
    }

    /// The indices, for filling.
    pub fn indices(&mut self) -> &mut Vec<u32> {
        &mut self.0
    }

    /// The indices as an owned `Vec` (for the generated binding).
    pub fn into_vec(mut self) -> Vec<u32> {
        std::mem::take(&mut self.0)
    }
}

impl Default for ReadyList {
    fn default() -> ReadyList {
        ReadyList::new()
    }
}

impl Drop for ReadyList {
    fn drop(&mut self) {
        READY.set(std::mem::take(&mut self.0));
    }
}

// SAFETY: exactly `list<u32>`'s ABI, lowered by wasmtime's own `[u32]` implementation.
unsafe impl ComponentType for ReadyList {
    type Lower = [ValRaw; 2];

    const ABI: CanonicalAbiInfo = CanonicalAbiInfo::POINTER_PAIR;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> wasmtime::Result<()> {
        <[u32] as ComponentType>::typecheck(ty, types)
    }
}

// SAFETY: delegates to `[u32]`.
unsafe impl Lower for ReadyList {
    fn linear_lower_to_flat<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        ty: InterfaceType,
        dst: &mut MaybeUninit<[ValRaw; 2]>,
    ) -> wasmtime::Result<()> {
        self.0[..].linear_lower_to_flat(cx, ty, dst)
    }

    fn linear_lower_to_memory<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        ty: InterfaceType,
        offset: usize,
    ) -> wasmtime::Result<()> {
        self.0[..].linear_lower_to_memory(cx, ty, offset)
    }
}

/// Defines `poll` of `wasi:io/poll@0.2.12` again, over the generated one. The caller has
/// turned the linker's shadowing on.
pub(crate) fn add_to_linker<T: WasiView>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    let mut inst = linker.instance("wasi:io/poll@0.2.12")?;
    inst.func_wrap("poll", |mut store: StoreContextMut<'_, T>, (list,): (PollReps,)| {
        let span = super::direct::call_span!("poll", "poll");
        let _enter = span.enter();
        tracing::event!(tracing::Level::TRACE, in_ = list.reps().len(), "call");
        let mut ready = ReadyList::new();
        let r = store.data_mut().wasi().poll_reps(list.reps(), ready.indices());
        tracing::event!(tracing::Level::TRACE, result = ?r.as_ref().map(|_| &ready.0), "return");
        r?;
        Ok((ready,))
    })
}
