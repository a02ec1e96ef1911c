//! Output capture: a pipe whose read end a thread copies into the embedder's writer.

use std::io::{Read, Write};
use std::os::fd::OwnedFd;

use crate::error::Error;

/// Makes a pipe, starts a thread copying everything written to it into `out` (flushing
/// after each read), and returns the write end. The thread ends when every copy of the write
/// end is closed (the reactor and all its stores dropped), or when `out` fails.
/// Errors: `Error::Capability` if the OS refuses the pipe or the thread.
pub(crate) fn capture(mut out: Box<dyn Write + Send>, what: &str) -> Result<OwnedFd, Error> {
    let fail =
        |e: std::io::Error| Error::Capability(format!("cannot capture the guest's {what}: {e}"));
    let (rd, wr) = rustix::pipe::pipe().map_err(|e| fail(e.into()))?;
    let mut rd = std::fs::File::from(rd);
    std::thread::Builder::new()
        .name(format!("eddy-{what}"))
        .spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match rd.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        if out.write_all(&buf[..n]).and_then(|()| out.flush()).is_err() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        })
        .map_err(fail)?;
    Ok(wr)
}
