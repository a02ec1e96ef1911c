//! wasi:cli stdin/stdout/stderr host objects.

use std::io::IoSlice;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::OnceLock;

use crate::errno::Result;
use crate::sys::retry;

/// Most bytes Eddy passes to one `write(2)` when a standard stream is a pipe (16 KiB): a
/// longer guest write is split so that the reader can drain the pipe while the rest is
/// written, instead of sleeping until one write has filled it (docs/RATIONALE.md, "Why
/// are writes to a pipe split?").
pub const PIPE_WRITE_CHUNK: usize = 16 << 10;

/// Most buffers in one `writev(2)` of [`Stdio::write_vectored`]; more make a shorter window.
const MAX_WINDOW: usize = 16;

/// A host fd that is either owned by the guest's context or borrowed from the host process
/// (the CLI's inherited fds 0-2, which Eddy must never close).
#[derive(Debug)]
pub enum HostFd {
    /// Closed when dropped.
    Owned(OwnedFd),
    /// Borrowed for the life of the process; never closed by Eddy.
    Inherited(RawFd),
}

impl AsFd for HostFd {
    #[inline]
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            HostFd::Owned(fd) => fd.as_fd(),
            // SAFETY: `Inherited` is only built (by `Stdio::inherit`) for fds 0-2, which stay
            // open for the life of the process.
            HostFd::Inherited(raw) => unsafe { BorrowedFd::borrow_raw(*raw) },
        }
    }
}

/// Which standard stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StdioKind {
    /// fd 0, readable.
    Stdin,
    /// fd 1, writable.
    Stdout,
    /// fd 2, writable.
    Stderr,
}

/// A standard stream as the guest sees it: a host fd (the process's own stdio, a file, a pipe,
/// or `/dev/null`) and which of the three it is.
#[derive(Debug)]
pub struct Stdio {
    /// The host fd reads/writes go to.
    pub fd: HostFd,
    /// stdin, stdout or stderr.
    pub kind: StdioKind,
    /// Whether `fd` is a pipe (FIFO): asked once (`fstat`), on the first write.
    pipe: OnceLock<bool>,
}

impl Stdio {
    /// The host process's own stream (fd 0, 1 or 2), borrowed.
    pub fn inherit(kind: StdioKind) -> Stdio {
        let raw = match kind {
            StdioKind::Stdin => 0,
            StdioKind::Stdout => 1,
            StdioKind::Stderr => 2,
        };
        Stdio { fd: HostFd::Inherited(raw), kind, pipe: OnceLock::new() }
    }

    /// A stream backed by an owned host fd (a file, pipe or socket end).
    pub fn owned(kind: StdioKind, fd: OwnedFd) -> Stdio {
        Stdio { fd: HostFd::Owned(fd), kind, pipe: OnceLock::new() }
    }

    /// A stream on `/dev/null`: reads give EOF, writes are discarded.
    pub fn null(kind: StdioKind) -> std::io::Result<Stdio> {
        use rustix::fs::{open, Mode, OFlags};
        // One /dev/null opened per process; each stream gets a duplicate of it (a `dup` is
        // several times cheaper than an `open`, which walks the path: reactors make many
        // stores).
        static NULL: std::sync::OnceLock<Option<rustix::fd::OwnedFd>> = std::sync::OnceLock::new();
        let fd = match NULL
            .get_or_init(|| open("/dev/null", OFlags::RDWR | OFlags::CLOEXEC, Mode::empty()).ok())
        {
            Some(null) => rustix::io::fcntl_dupfd_cloexec(null, 3)?,
            None => open("/dev/null", OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())?,
        };
        Ok(Stdio::owned(kind, fd))
    }

    /// Whether the stream is a terminal (`isatty`).
    pub fn is_terminal(&self) -> bool {
        rustix::termios::isatty(self.fd.as_fd())
    }

    /// Most bytes one `write(2)` to this stream carries: [`PIPE_WRITE_CHUNK`] if the fd is a
    /// pipe, else no limit (`usize::MAX`). The fd is `fstat`ed once, on the first call, and
    /// the answer kept (a failed `fstat` counts as not a pipe); the fd's flags are never
    /// changed.
    pub fn write_limit(&self) -> usize {
        let pipe = *self.pipe.get_or_init(|| {
            rustix::fs::fstat(self.fd.as_fd())
                .is_ok_and(|st| rustix::fs::FileType::from_raw_mode(st.st_mode).is_fifo())
        });
        if pipe {
            PIPE_WRITE_CHUNK
        } else {
            usize::MAX
        }
    }

    /// Writes `bufs`, in order, as `write(2)` (one buffer) or `writev(2)` calls of at most
    /// [`write_limit`](Self::write_limit) bytes each (on anything but a pipe: exactly one
    /// call); returns how many bytes were written. Stops after a short write, so the count
    /// can be short, as from one `writev`. Errors: the OS error of the first call (`EPIPE`,
    /// `EAGAIN` on a non-blocking fd, …); an error after some bytes were written ends the
    /// write with the count so far, and the next write meets the error again.
    pub fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> Result<usize> {
        let fd = self.fd.as_fd();
        let limit = self.write_limit();
        if bufs.iter().map(|b| b.len()).sum::<usize>() <= limit {
            return match bufs {
                [] => Ok(0),
                [one] => retry(|| rustix::io::write(fd, one)),
                _ => retry(|| rustix::io::writev(fd, bufs)),
            };
        }
        let mut window = [IoSlice::new(&[]); MAX_WINDOW];
        let (mut buf, mut at, mut done) = (0, 0, 0);
        while buf < bufs.len() {
            // The next window: up to `limit` bytes from buffer `buf`, offset `at`, on.
            let (mut n, mut want) = (0, 0);
            while buf < bufs.len() && n < MAX_WINDOW && want < limit {
                let rest = &bufs[buf][at..];
                let take = rest.len().min(limit - want);
                window[n] = IoSlice::new(&rest[..take]);
                n += 1;
                want += take;
                if take == rest.len() {
                    (buf, at) = (buf + 1, 0);
                } else {
                    at += take;
                }
            }
            let r = match &window[..n] {
                [one] => retry(|| rustix::io::write(fd, one)),
                w => retry(|| rustix::io::writev(fd, w)),
            };
            match r {
                Ok(w) if w < want => return Ok(done + w),
                Ok(w) => done += w,
                Err(e) if done == 0 => return Err(e),
                Err(_) => return Ok(done),
            }
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Bytes 0, 1, 2, … (mod 251, so no period lines up with a chunk), `n` of them.
    fn pattern(n: usize, seed: usize) -> Vec<u8> {
        (0..n).map(|i| ((i + seed) % 251) as u8).collect()
    }

    #[test]
    fn pipe_writes_are_split_and_arrive_whole_and_in_order() {
        let (rd, wr) = rustix::pipe::pipe().unwrap();
        let out = Stdio::owned(StdioKind::Stdout, wr);
        assert_eq!(out.write_limit(), PIPE_WRITE_CHUNK);
        // Three buffers, 100 KiB + 7 in all: windows cross buffer boundaries.
        let parts = [pattern(10, 0), pattern(70_000, 1), pattern(32_415, 2)];
        let want: Vec<u8> = parts.concat();
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            std::fs::File::from(rd).read_to_end(&mut got).unwrap();
            got
        });
        let bufs: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
        assert_eq!(out.write_vectored(&bufs).unwrap(), want.len());
        assert_eq!(out.write_vectored(&[]).unwrap(), 0);
        drop(out);
        assert_eq!(reader.join().unwrap(), want);
    }

    #[test]
    fn a_file_is_written_in_one_call_and_a_closed_pipe_is_epipe() {
        let path = std::env::temp_dir().join(format!("eddy-stdio-{}", std::process::id()));
        let file = std::fs::File::create(&path).unwrap();
        let out = Stdio::owned(StdioKind::Stdout, file.into());
        assert_eq!(out.write_limit(), usize::MAX);
        let data = pattern(200_000, 3);
        assert_eq!(out.write_vectored(&[IoSlice::new(&data)]).unwrap(), data.len());
        assert_eq!(std::fs::read(&path).unwrap(), data);
        std::fs::remove_file(&path).unwrap();

        // Nothing written: the error itself (the test harness ignores SIGPIPE, as Rust
        // programs do, so this is EPIPE rather than a signal).
        let (rd, wr) = rustix::pipe::pipe().unwrap();
        drop(rd);
        let out = Stdio::owned(StdioKind::Stderr, wr);
        let big = pattern(40_000, 4);
        assert_eq!(out.write_vectored(&[IoSlice::new(&big)]), Err(crate::errno::Errno::Pipe));
    }
}
