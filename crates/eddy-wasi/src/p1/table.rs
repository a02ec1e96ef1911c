//! The preview1 fd table: p1's own state, small integers onto the shared host objects of the
//! [`WasiCtx`](crate::WasiCtx).
//!
//! fd 0-2 are stdin/stdout/stderr, preopens follow from 3 in the order granted; new fds take
//! the lowest free number (as POSIX does, so `fd_renumber` and reuse behave as C expects).
//! The table holds at most [`crate::Limits::max_fds`] entries.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use crate::errno::{Errno, Result};
use crate::filesystem::Descriptor;
use crate::sockets::Socket;
use crate::stdio::Stdio;

/// The host object behind a p1 fd. Stdio and preopens are the context's own objects,
/// shared; files and directories the guest opens are the fd's alone.
#[derive(Debug)]
pub enum Object {
    /// stdin, stdout or stderr (the context's object).
    Stdio(Arc<Stdio>),
    /// A file or directory (directories include preopens, shared with the context).
    Descriptor(Arc<Descriptor>),
    /// A socket handed in by the host, or accepted from one.
    Socket(Socket),
}

/// One p1 fd: the object, the p1 rights the guest holds on it, and for preopens the guest path.
#[derive(Debug)]
pub struct FdEntry {
    /// The host object.
    pub object: Object,
    /// p1 `rights` (base): operations allowed on this fd. Checked before every operation.
    pub rights_base: u64,
    /// p1 `rights` (inheriting): the most an fd opened through this one may get.
    pub rights_inheriting: u64,
    /// For a preopened directory, the guest-visible path (`fd_prestat_dir_name`).
    pub preopen: Option<String>,
    /// `NONBLOCK` as the guest set it on a stdio fd (`fd_fdstat_set_flags`), emulated here:
    /// stdio's host fd (often the shell's terminal or pipe, shared with other processes) keeps
    /// its own file-status flags, so reads and writes check readiness first and return
    /// `EAGAIN` instead of blocking. Always false for other objects.
    pub nonblock: bool,
}

/// The fd table of one instance.
#[derive(Debug)]
pub struct FdTable {
    entries: Vec<Option<FdEntry>>,
    free: BinaryHeap<Reverse<u32>>,
    len: u32,
    max: u32,
}

impl FdTable {
    /// An empty table holding at most `max` fds.
    pub fn new(max: u32) -> FdTable {
        FdTable { entries: Vec::new(), free: BinaryHeap::new(), len: 0, max }
    }

    /// The entry at `fd`. Errors: `EBADF` if `fd` is not open.
    #[inline]
    pub fn get(&self, fd: u32) -> Result<&FdEntry> {
        match self.entries.get(fd as usize) {
            Some(Some(e)) => Ok(e),
            _ => Err(Errno::Badf),
        }
    }

    /// The entry at `fd`, mutably. Errors: `EBADF` if `fd` is not open.
    #[inline]
    pub fn get_mut(&mut self, fd: u32) -> Result<&mut FdEntry> {
        match self.entries.get_mut(fd as usize) {
            Some(Some(e)) => Ok(e),
            _ => Err(Errno::Badf),
        }
    }

    /// Inserts at the lowest free fd and returns it. Errors: `EMFILE` when the table holds
    /// `max` fds.
    pub fn insert(&mut self, entry: FdEntry) -> Result<u32> {
        if self.len >= self.max {
            return Err(Errno::Mfile);
        }
        let fd = match self.free.pop() {
            Some(Reverse(fd)) => fd,
            None => {
                self.entries.push(None);
                (self.entries.len() - 1) as u32
            }
        };
        self.entries[fd as usize] = Some(entry);
        self.len += 1;
        Ok(fd)
    }

    /// Removes and returns the entry at `fd`. Errors: `EBADF` if not open.
    pub fn remove(&mut self, fd: u32) -> Result<FdEntry> {
        let slot = self.entries.get_mut(fd as usize).ok_or(Errno::Badf)?;
        let e = slot.take().ok_or(Errno::Badf)?;
        self.free.push(Reverse(fd));
        self.len -= 1;
        Ok(e)
    }

    /// Moves the entry at `from` to `to`, closing whatever `to` held (`fd_renumber`).
    /// Errors: `EBADF` if either fd is not open.
    pub fn renumber(&mut self, from: u32, to: u32) -> Result<()> {
        self.get(from)?;
        self.get(to)?;
        if from == to {
            return Ok(());
        }
        let e = self.remove(from)?;
        self.entries[to as usize] = Some(e);
        Ok(())
    }

    /// Every open fd and its entry, in ascending fd order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &FdEntry)> {
        self.entries.iter().enumerate().filter_map(|(i, e)| e.as_ref().map(|e| (i as u32, e)))
    }

    /// Number of open fds.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether no fd is open.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
