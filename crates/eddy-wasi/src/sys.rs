//! Syscall helpers shared by every host object and ABI view.

use crate::errno::{Errno, Result};

/// Runs `f` (one syscall) again while it fails with `EINTR` (interrupted by a signal), and
/// maps any other failure to the shared [`Errno`].
#[inline]
pub fn retry<R>(mut f: impl FnMut() -> rustix::io::Result<R>) -> Result<R> {
    loop {
        match f() {
            Err(rustix::io::Errno::INTR) => continue,
            r => return r.map_err(Errno::from),
        }
    }
}
