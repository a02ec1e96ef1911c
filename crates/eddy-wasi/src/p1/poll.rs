//! `poll_*` preview1 functions.

use wasmtime::Linker;

use crate::ctx::WasiView;

pub(crate) fn add<T: WasiView>(_linker: &mut Linker<T>) -> wasmtime::Result<()> {
    Ok(())
}

/// Buffers `poll_oneoff` reuses across calls.
#[derive(Debug, Default)]
pub struct Scratch {}
