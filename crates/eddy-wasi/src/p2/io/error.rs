//! wasi:io/error — the `error` resource a stream's `last-operation-failed` carries.

use wasmtime::component::Resource;

use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::p2::bindings::wasi::io::error;

/// A `wasi:io/error.error`: the OS error of a failed stream operation, as the shared
/// [`Errno`] (the one mapping from OS errors). `wasi:filesystem`'s `filesystem-error-code`
/// turns it into a filesystem `error-code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoError(pub Errno);

impl error::HostError for WasiCtx {
    /// `to-debug-string`: the errno's name and number, e.g. `pipe (64)`.
    fn to_debug_string(&mut self, self_: Resource<IoError>) -> wasmtime::Result<String> {
        Ok(self.get(&self_)?.0.to_string())
    }

    /// Drops an `error`.
    fn drop(&mut self, rep: Resource<IoError>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl error::Host for WasiCtx {}
