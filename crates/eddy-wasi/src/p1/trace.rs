//! `--trace` lines of preview1 calls: arguments decoded (flags and rights by name, paths as
//! text, out-pointers left out) and the values written back on success (the opened fd, bytes
//! read or written, offsets, times).
//!
//! Each call is one `tracing` event, target `eddy::p1`, level INFO, with the fields
//! `module` (`wasi_snapshot_preview1` or `wasi_unstable`), `function`, `args` (text),
//! `result` (`success`, `success(nread=5)`, an errno name such as `badf`, or `exit(N)`),
//! and `ns` (the call's duration in nanoseconds): a subscriber renders them as text or JSON.

use std::fmt::Write;
use std::time::Instant;

use super::GuestMemory;
use crate::errno::Result;

/// Longest path shown; longer ones are cut with `...`.
const MAX_SHOWN: usize = 200;

/// What an argument holds, for showing it.
#[derive(Clone, Copy)]
enum Shown {
    /// A number, as is.
    Plain,
    /// A pointer to where a result is written: left out of the arguments, read back into
    /// the result on success (4 or 8 bytes).
    Out(u32),
    /// A pointer to a string whose length is the next argument: shown as text, the length
    /// argument left out.
    Str,
    /// A length already shown with its string.
    Skip,
    /// Flag bits with these names (bit 0 first).
    Flags(&'static [&'static str]),
    /// One of these names (value 0 first).
    Enum(&'static [&'static str]),
    /// `rights` bits.
    Rights,
}

const OFLAGS: &[&str] = &["CREAT", "DIRECTORY", "EXCL", "TRUNC"];
const FDFLAGS: &[&str] = &["APPEND", "DSYNC", "NONBLOCK", "RSYNC", "SYNC"];
const LOOKUP: &[&str] = &["SYMLINK_FOLLOW"];
const FSTFLAGS: &[&str] = &["ATIM", "ATIM_NOW", "MTIM", "MTIM_NOW"];
const WHENCE: &[&str] = &["SET", "CUR", "END"];
const CLOCKS: &[&str] = &["REALTIME", "MONOTONIC", "PROCESS_CPUTIME_ID", "THREAD_CPUTIME_ID"];
const ADVICE: &[&str] = &["NORMAL", "SEQUENTIAL", "RANDOM", "WILLNEED", "DONTNEED", "NOREUSE"];
const SDFLAGS: &[&str] = &["RD", "WR"];
const RIFLAGS: &[&str] = &["RECV_PEEK", "RECV_WAITALL"];
const RIGHTS: &[&str] = &[
    "FD_DATASYNC",
    "FD_READ",
    "FD_SEEK",
    "FD_FDSTAT_SET_FLAGS",
    "FD_SYNC",
    "FD_TELL",
    "FD_WRITE",
    "FD_ADVISE",
    "FD_ALLOCATE",
    "PATH_CREATE_DIRECTORY",
    "PATH_CREATE_FILE",
    "PATH_LINK_SOURCE",
    "PATH_LINK_TARGET",
    "PATH_OPEN",
    "FD_READDIR",
    "PATH_READLINK",
    "PATH_RENAME_SOURCE",
    "PATH_RENAME_TARGET",
    "PATH_FILESTAT_GET",
    "PATH_FILESTAT_SET_SIZE",
    "PATH_FILESTAT_SET_TIMES",
    "FD_FILESTAT_GET",
    "FD_FILESTAT_SET_SIZE",
    "FD_FILESTAT_SET_TIMES",
    "PATH_SYMLINK",
    "PATH_REMOVE_DIRECTORY",
    "PATH_UNLINK_FILE",
    "POLL_FD_READWRITE",
    "SOCK_SHUTDOWN",
    "SOCK_ACCEPT",
];

/// How argument `arg` of `function` is shown.
fn shown(function: &str, arg: &str) -> Shown {
    use Shown::*;
    match (function, arg) {
        (_, "nread" | "nwritten" | "opened_fd" | "bufused" | "nevents" | "ro_fd") => Out(4),
        (_, "ro_datalen" | "so_datalen" | "argc" | "argv_buf_size" | "count" | "buf_size") => {
            Out(4)
        }
        (_, "newoffset" | "time" | "resolution") => Out(8),
        ("fd_tell", "offset") => Out(8),
        (f, "path" | "old_path" | "new_path") if f.starts_with("path_") => Str,
        (_, "path_len" | "old_len" | "new_len") => Skip,
        ("path_filestat_get", "len") => Skip,
        (_, "oflags") => Flags(OFLAGS),
        ("path_open", "fdflags") | ("fd_fdstat_set_flags" | "sock_accept", "flags") => {
            Flags(FDFLAGS)
        }
        (_, "dirflags" | "old_flags") => Flags(LOOKUP),
        ("path_filestat_get" | "path_filestat_set_times", "flags") => Flags(LOOKUP),
        (_, "fst_flags") => Flags(FSTFLAGS),
        (_, "whence") => Enum(WHENCE),
        ("clock_time_get" | "clock_res_get", "id") => Enum(CLOCKS),
        (_, "advice") => Enum(ADVICE),
        ("sock_shutdown", "how") => Flags(SDFLAGS),
        (_, "ri_flags") => Flags(RIFLAGS),
        (_, "fs_rights_base" | "fs_rights_inheriting" | "base" | "inheriting") => Rights,
        _ => Plain,
    }
}

/// `A|B|0x40` for the set bits of `v`.
fn flags(v: u64, names: &[&str]) -> String {
    if v == 0 {
        return "0".to_string();
    }
    let mut out = String::new();
    for bit in 0..64 {
        if v & (1 << bit) == 0 {
            continue;
        }
        if !out.is_empty() {
            out.push('|');
        }
        match names.get(bit) {
            Some(n) => out.push_str(n),
            None => {
                let _ = write!(out, "{:#x}", 1u64 << bit);
            }
        }
    }
    out
}

/// A string argument as the guest passed it (lossy UTF-8, cut at [`MAX_SHOWN`] bytes), or
/// `<bad pointer>`.
fn text(mem: &GuestMemory, ptr: u32, len: u32) -> String {
    match mem.slice(ptr, len) {
        Ok(b) => {
            let cut = &b[..b.len().min(MAX_SHOWN)];
            let s = String::from_utf8_lossy(cut);
            if b.len() > MAX_SHOWN {
                format!("{s:?}...")
            } else {
                format!("{s:?}")
            }
        }
        Err(_) => "<bad pointer>".to_string(),
    }
}

/// Emits the trace event of one call (see the module docs).
#[cold]
pub(crate) fn trace_call(
    module: &str,
    name: &str,
    args: &[(&str, i64)],
    r: Result<()>,
    start: Instant,
    mem: &GuestMemory,
) {
    let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let mut a = String::new();
    let mut out = String::new();
    for (i, &(arg, v)) in args.iter().enumerate() {
        let how = shown(name, arg);
        let value = match how {
            Shown::Skip => continue,
            Shown::Out(size) => {
                if r.is_ok() {
                    let read = if size == 8 {
                        mem.read_u64(v as u32).ok()
                    } else {
                        mem.read_u32(v as u32).ok().map(u64::from)
                    };
                    if let Some(x) = read {
                        let sep = if out.is_empty() { "" } else { ", " };
                        let _ = write!(out, "{sep}{arg}={x}");
                    }
                }
                continue;
            }
            Shown::Plain => v.to_string(),
            Shown::Str => {
                let len = args.get(i + 1).map_or(0, |&(_, l)| l as u32);
                text(mem, v as u32, len)
            }
            Shown::Flags(names) => flags(v as u64, names),
            Shown::Enum(names) => {
                names.get(v as usize).map_or_else(|| v.to_string(), |n| n.to_string())
            }
            Shown::Rights => {
                let all = (1u64 << RIGHTS.len()) - 1;
                if v as u64 & all == all {
                    "ALL".to_string()
                } else {
                    flags(v as u64, RIGHTS)
                }
            }
        };
        let sep = if a.is_empty() { "" } else { ", " };
        let _ = write!(a, "{sep}{arg}={value}");
    }
    if name == "fd_prestat_dir_name" && r.is_ok() {
        let (ptr, len) = (args[1].1 as u32, args[2].1 as u32);
        out = format!("name={}", text(mem, ptr, len));
    }
    let result = match r {
        Ok(()) if out.is_empty() => "success".to_string(),
        Ok(()) => format!("success({out})"),
        Err(e) => e.name().to_string(),
    };
    tracing::info!(target: "eddy::p1", module, function = name, args = a.as_str(), result = result.as_str(), ns);
}

/// Emits the trace event of `proc_exit(rval)`: result `exit(rval)`.
#[cold]
pub(crate) fn trace_exit(module: &str, rval: u32) {
    let result = format!("exit({rval})");
    let args = format!("rval={rval}");
    tracing::info!(target: "eddy::p1", module, function = "proc_exit", args = args.as_str(), result = result.as_str(), ns = 0u64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_by_name_unknown_bits_in_hex() {
        assert_eq!(flags(0b1001, OFLAGS), "CREAT|TRUNC");
        assert_eq!(flags(0, OFLAGS), "0");
        assert_eq!(flags(1 << 5, OFLAGS), "0x20");
    }

    #[test]
    fn shown_kinds() {
        assert!(matches!(shown("path_open", "opened_fd"), Shown::Out(4)));
        assert!(matches!(shown("path_open", "path"), Shown::Str));
        assert!(matches!(shown("fd_prestat_dir_name", "path"), Shown::Plain));
        assert!(matches!(shown("fd_seek", "newoffset"), Shown::Out(8)));
        assert!(matches!(shown("fd_seek", "offset"), Shown::Plain));
    }
}
