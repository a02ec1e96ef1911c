//! wasi:random — secure random bytes from the host's `getrandom(2)`, and a fast insecure
//! generator for `wasi:random/insecure`.

use crate::errno::{Errno, Result};

/// Fills `buf` with cryptographically secure random bytes (`getrandom(2)`, blocking until the
/// kernel's pool is initialised). Errors: the OS error mapped to an errno (never expected).
pub fn fill_secure(buf: &mut [u8]) -> Result<()> {
    let mut done = 0;
    while done < buf.len() {
        match rustix::rand::getrandom(&mut buf[done..], rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => done += n,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(Errno::from(e)),
        }
    }
    Ok(())
}
