//! The view-neutral half of the component views' `wasi:filesystem/types.descriptor`
//! (WASI 0.2 and 0.3): every check, decision and syscall of a descriptor method, over
//! neutral types, so that each view is a thin mapping of its generated WIT types onto these.
//!
//! - errors are [`Errno`]s, mapped onto a view's `error-code` by `fs_error_code!` (one
//!   table, expanded for each view's type) and carried as a [`CallError`];
//! - flags are bits in WIT order ([`DescFlags`], [`OpenFlags`]): a view's canonical-ABI
//!   bits one way, [`flags_of`] with the view's list of its flags the other;
//! - a file's type is rustix's [`FileType`]; a `stat` is a [`Stat`]; a new timestamp a
//!   [`NewTime`]; a metadata hash a `(lower, upper)` pair ([`metadata_hash`]).
//!
//! Permission errors: a file operation on a directory is `EISDIR` (`is-directory`); reading
//! or writing a file not opened for it is `EBADF` (`bad-descriptor`); a withheld directory
//! permission or an escape from the preopen is `ENOTCAPABLE` (`not-permitted`).

use std::mem::MaybeUninit;
use std::ops::BitOr;

use rustix::fs::{FileType, OFlags, Timespec, Timestamps, UTIME_NOW, UTIME_OMIT};

use super::{resolve, Descriptor, DescriptorKind};
use crate::errno::{Errno, Result};
use crate::sys::retry;

/// Expands to the wasi:filesystem `error-code` (of the view's type `$C`, an enum whose
/// variants are named as in the WIT) for errno `$e`: the one errno → error-code table of the
/// component views. `ENOTCAPABLE` (a permission Eddy withholds, or a path leaving its
/// preopen) and `EPERM` are `not-permitted`; `EACCES` (the host refused) is `access`; errnos
/// with no counterpart are `io`. `$errno => $code` pairs after the errno add mappings of the
/// view's own (0.2 has `would-block`, 0.3 does not).
macro_rules! fs_error_code {
    ($C:ident, $e:expr $(, $errno:ident => $code:ident)*) => {{
        use $crate::errno::Errno as E;
        match $e {
            $(E::$errno => $C::$code,)*
            E::Acces => $C::Access,
            E::Already => $C::Already,
            E::Badf => $C::BadDescriptor,
            E::Busy => $C::Busy,
            E::Deadlk => $C::Deadlock,
            E::Dquot => $C::Quota,
            E::Exist => $C::Exist,
            E::Fbig => $C::FileTooLarge,
            E::Ilseq => $C::IllegalByteSequence,
            E::Inprogress => $C::InProgress,
            E::Intr => $C::Interrupted,
            E::Inval => $C::Invalid,
            E::Isdir => $C::IsDirectory,
            E::Loop => $C::Loop,
            E::Mlink => $C::TooManyLinks,
            E::Msgsize => $C::MessageSize,
            E::Nametoolong => $C::NameTooLong,
            E::Nodev => $C::NoDevice,
            E::Noent => $C::NoEntry,
            E::Nolck => $C::NoLock,
            E::Nomem => $C::InsufficientMemory,
            E::Nospc => $C::InsufficientSpace,
            E::Notdir => $C::NotDirectory,
            E::Notempty => $C::NotEmpty,
            E::Notrecoverable => $C::NotRecoverable,
            E::Notsup | E::Nosys => $C::Unsupported,
            E::Notty => $C::NoTty,
            E::Nxio => $C::NoSuchDevice,
            E::Overflow => $C::Overflow,
            E::Perm | E::Notcapable => $C::NotPermitted,
            E::Pipe => $C::Pipe,
            E::Rofs => $C::ReadOnly,
            E::Spipe => $C::InvalidSeek,
            E::Txtbsy => $C::TextFileBusy,
            E::Xdev => $C::CrossDevice,
            _ => $C::Io,
        }
    }};
}
pub(crate) use fs_error_code;

/// The error of a component view's wasi:filesystem call: an `error-code` (`C`, the view's
/// generated type) returned to the guest, or a trap. A view names `CallError<ErrorCode>` as
/// its `trappable_error_type`.
#[derive(Debug)]
pub enum CallError<C> {
    /// Returned to the guest.
    Code(C),
    /// A host failure (a stale resource handle; the run's deadline passed): traps.
    Trap(wasmtime::Error),
}

impl<C: From<Errno>> From<Errno> for CallError<C> {
    fn from(e: Errno) -> CallError<C> {
        match e {
            // The run's deadline passed while the call waited: the interrupt trap.
            Errno::Interrupted => CallError::Trap(crate::readiness::DeadlinePassed.trap()),
            e => CallError::Code(C::from(e)),
        }
    }
}

impl<C> From<wasmtime::Error> for CallError<C> {
    fn from(e: wasmtime::Error) -> CallError<C> {
        CallError::Trap(e)
    }
}

impl<C> CallError<C> {
    /// The `error-code` for the guest, or the trap (the views' `convert-error-code`).
    pub fn into_code(self) -> wasmtime::Result<C> {
        match self {
            CallError::Code(c) => Ok(c),
            CallError::Trap(e) => Err(e),
        }
    }
}

/// The WIT flags with bits `bits`, starting from `empty`: `order[i]` for each bit *i* set
/// (the view lists its generated flags in WIT order). The other way, a view's flags are
/// their canonical-ABI bits, `as_array()[0]`, which are in WIT order too.
pub fn flags_of<F: Copy + BitOr<Output = F>>(bits: u32, empty: F, order: &[F]) -> F {
    order.iter().enumerate().fold(empty, |f, (i, &x)| if bits & 1 << i != 0 { f | x } else { f })
}

/// `advice` in WIT order (the same in 0.2 and 0.3): a view's `advice as usize` indexes it.
pub const ADVICE: [rustix::fs::Advice; 6] = {
    use rustix::fs::Advice as A;
    [A::Normal, A::Sequential, A::Random, A::WillNeed, A::DontNeed, A::NoReuse]
};

/// `descriptor-flags` as bits in WIT order (the same in 0.2 and 0.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DescFlags(pub u32);

impl DescFlags {
    /// `read`: a file open for reading; a directory whose entries may be read.
    pub const READ: DescFlags = DescFlags(1 << 0);
    /// `write`: a file open for writing.
    pub const WRITE: DescFlags = DescFlags(1 << 1);
    /// `file-integrity-sync` (`O_SYNC`).
    pub const FILE_INTEGRITY_SYNC: DescFlags = DescFlags(1 << 2);
    /// `data-integrity-sync` (`O_DSYNC`).
    pub const DATA_INTEGRITY_SYNC: DescFlags = DescFlags(1 << 3);
    /// `requested-write-sync` (`O_RSYNC`).
    pub const REQUESTED_WRITE_SYNC: DescFlags = DescFlags(1 << 4);
    /// `mutate-directory`: a directory whose entries may be changed.
    pub const MUTATE_DIRECTORY: DescFlags = DescFlags(1 << 5);
}

/// `open-flags` as bits in WIT order (the same in 0.2 and 0.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenFlags(pub u32);

impl OpenFlags {
    /// `create` (`O_CREAT`).
    pub const CREATE: OpenFlags = OpenFlags(1 << 0);
    /// `directory` (`O_DIRECTORY`).
    pub const DIRECTORY: OpenFlags = OpenFlags(1 << 1);
    /// `exclusive` (`O_EXCL`).
    pub const EXCLUSIVE: OpenFlags = OpenFlags(1 << 2);
    /// `truncate` (`O_TRUNC`).
    pub const TRUNCATE: OpenFlags = OpenFlags(1 << 3);
}

/// `contains` and `|=` for the neutral flag types.
macro_rules! bit_ops {
    ($($T:ident),*) => {$(
        impl $T {
            /// Whether every bit of `f` is set.
            pub fn contains(self, f: $T) -> bool {
                self.0 & f.0 == f.0
            }
        }

        impl std::ops::BitOrAssign for $T {
            fn bitor_assign(&mut self, rhs: $T) {
                self.0 |= rhs.0;
            }
        }
    )*};
}
bit_ops!(DescFlags, OpenFlags);

/// An instant as seconds and nanoseconds since the Unix epoch (negative seconds: before it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Time {
    /// Whole seconds since the epoch.
    pub seconds: i64,
    /// Nanoseconds within the second (0..1e9).
    pub nanoseconds: u32,
}

/// A `descriptor-stat`: what `stat` tells of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    /// The file's type.
    pub file_type: FileType,
    /// Hard links to the file.
    pub link_count: u64,
    /// Size in bytes (0 if the host reports a negative size).
    pub size: u64,
    /// Last data access.
    pub accessed: Time,
    /// Last data modification.
    pub modified: Time,
    /// Last status change.
    pub changed: Time,
}

impl Stat {
    /// The neutral stat of a host `stat`.
    #[allow(clippy::useless_conversion)] // field widths differ between architectures
    pub fn of(st: &rustix::fs::Stat) -> Stat {
        let t = |s, ns| Time { seconds: i64::from(s), nanoseconds: u64::from(ns) as u32 };
        Stat {
            file_type: FileType::from_raw_mode(st.st_mode),
            link_count: u64::from(st.st_nlink),
            size: u64::try_from(st.st_size).unwrap_or(0),
            accessed: t(st.st_atime, st.st_atime_nsec),
            modified: t(st.st_mtime, st.st_mtime_nsec),
            changed: t(st.st_ctime, st.st_ctime_nsec),
        }
    }
}

/// A `new-timestamp`: leave the time as it is, set it to now, or to an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewTime {
    /// `no-change` (`UTIME_OMIT`).
    NoChange,
    /// `now` (`UTIME_NOW`).
    Now,
    /// `timestamp(t)`: seconds and nanoseconds since the Unix epoch.
    At(i64, u32),
}

impl NewTime {
    /// The `utimensat` timespec.
    fn timespec(self) -> Timespec {
        match self {
            NewTime::NoChange => Timespec { tv_sec: 0, tv_nsec: UTIME_OMIT },
            NewTime::Now => Timespec { tv_sec: 0, tv_nsec: UTIME_NOW },
            NewTime::At(s, ns) => Timespec { tv_sec: s, tv_nsec: ns.into() },
        }
    }
}

/// The `utimensat`/`futimens` times of an access and a modification [`NewTime`].
pub fn timestamps(access: NewTime, modification: NewTime) -> Timestamps {
    Timestamps { last_access: access.timespec(), last_modification: modification.timespec() }
}

/// The `metadata-hash-value` `(lower, upper)` of a host `stat`: device and inode, mixed so
/// equal files (and only they, barring a 128-bit collision) hash equal. Reveals nothing a
/// guest could not compare with `is-same-object` anyway.
#[allow(clippy::useless_conversion)]
pub fn metadata_hash(st: &rustix::fs::Stat) -> (u64, u64) {
    let mix = |mut x: u64| {
        // splitmix64's finaliser.
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    };
    let (dev, ino) = (u64::from(st.st_dev), u64::from(st.st_ino));
    (mix(ino ^ mix(dev)), mix(dev.rotate_left(17) ^ ino))
}

impl Descriptor {
    /// This descriptor as a file. Errors: `EISDIR` for a directory.
    pub fn as_file(&self) -> Result<&Descriptor> {
        if self.kind == DescriptorKind::Dir {
            return Err(Errno::Isdir);
        }
        Ok(self)
    }

    /// This descriptor as a file open for reading. Errors: `EISDIR`; `EBADF` if it was not
    /// opened for reading.
    pub fn readable_file(&self) -> Result<&Descriptor> {
        let d = self.as_file()?;
        if !d.file_perms.read {
            return Err(Errno::Badf);
        }
        Ok(d)
    }

    /// This descriptor as a file open for writing. Errors: `EISDIR`; `EBADF` if it was not
    /// opened for writing.
    pub fn writable_file(&self) -> Result<&Descriptor> {
        let d = self.as_file()?;
        if !d.file_perms.write {
            return Err(Errno::Badf);
        }
        Ok(d)
    }

    /// `advise(offset, length, advice)`: `posix_fadvise(2)` (`length` 0: to the end).
    /// Errors: `EISDIR`, the host's.
    pub fn advise(&self, offset: u64, length: u64, advice: rustix::fs::Advice) -> Result<()> {
        let d = self.as_file()?;
        let len = std::num::NonZeroU64::new(length);
        retry(|| rustix::fs::fadvise(d.as_fd(), offset, len, advice))
    }

    /// `sync-data`: `fdatasync(2)`. Errors: the host's.
    pub fn sync_data(&self) -> Result<()> {
        retry(|| rustix::fs::fdatasync(self.as_fd()))
    }

    /// `sync`: `fsync(2)`. Errors: the host's.
    pub fn sync(&self) -> Result<()> {
        retry(|| rustix::fs::fsync(self.as_fd()))
    }

    /// `get-flags`: `read`/`write` as the file was opened (for a directory: `read`, and
    /// `mutate-directory` if its entries may change), plus the sync flags it was opened with
    /// (`fcntl(F_GETFL)`). Errors: the host's.
    pub fn flags(&self) -> Result<DescFlags> {
        let mut f = DescFlags::default();
        let (read, write, may_write) = if self.kind == DescriptorKind::Dir {
            (self.dir_perms.read, DescFlags::MUTATE_DIRECTORY, self.dir_perms.mutate)
        } else {
            (self.file_perms.read, DescFlags::WRITE, self.file_perms.write)
        };
        if read {
            f |= DescFlags::READ;
        }
        if may_write {
            f |= write;
        }
        let fl = retry(|| rustix::fs::fcntl_getfl(self.as_fd()))?;
        for (o, bit) in [
            (OFlags::SYNC, DescFlags::FILE_INTEGRITY_SYNC),
            (OFlags::DSYNC, DescFlags::DATA_INTEGRITY_SYNC),
            (OFlags::RSYNC, DescFlags::REQUESTED_WRITE_SYNC),
        ] {
            if fl.contains(o) {
                f |= bit;
            }
        }
        Ok(f)
    }

    /// `get-type`: a directory descriptor's type without a syscall, else `fstat`'s.
    /// Errors: the host's.
    pub fn file_type(&self) -> Result<FileType> {
        if self.kind == DescriptorKind::Dir {
            return Ok(FileType::Directory);
        }
        let st = retry(|| rustix::fs::fstat(self.as_fd()))?;
        Ok(FileType::from_raw_mode(st.st_mode))
    }

    /// `set-size(size)`: `ftruncate(2)`, bytes. Errors: `EISDIR`, `EBADF` (not open for
    /// writing), the host's.
    pub fn set_size(&self, size: u64) -> Result<()> {
        let d = self.writable_file()?;
        retry(|| rustix::fs::ftruncate(d.as_fd(), size))
    }

    /// `set-times(atime, mtime)`: `futimens(2)`. A file must be open for writing (`EBADF`),
    /// a directory mutable (`ENOTCAPABLE`).
    pub fn set_times(&self, access: NewTime, modification: NewTime) -> Result<()> {
        if self.kind == DescriptorKind::Dir {
            self.dir_fd(true)?;
        } else {
            self.writable_file()?;
        }
        retry(|| rustix::fs::futimens(self.as_fd(), &timestamps(access, modification)))
    }

    /// `stat`: `fstat` of the descriptor. Errors: the host's.
    pub fn stat(&self) -> Result<rustix::fs::Stat> {
        retry(|| rustix::fs::fstat(self.as_fd()))
    }

    /// `is-same-object(other)`: whether both are the same file (device and inode equal). A
    /// failing `fstat` answers false.
    pub fn is_same_object(&self, other: &Descriptor) -> bool {
        match (rustix::fs::fstat(self.as_fd()), rustix::fs::fstat(other.as_fd())) {
            (Ok(x), Ok(y)) => x.st_dev == y.st_dev && x.st_ino == y.st_ino,
            _ => false,
        }
    }

    /// `read-directory`: the directory's entries (without `.` and `..`), each name with its
    /// type (from the entry, or `lstat` where the filesystem does not say), read now through
    /// a fresh open of the directory (so the read position is our own). Errors: `ENOTDIR`,
    /// `ENOTCAPABLE` (not readable), `EILSEQ` (a name that is not UTF-8), the host's.
    pub fn read_directory(&self) -> Result<Vec<(String, FileType)>> {
        use rustix::fs::{AtFlags, RawDir};
        let dir = self.dir_fd(false)?;
        let fd =
            resolve::open(dir, ".", OFlags::RDONLY | OFlags::DIRECTORY, rustix::fs::Mode::empty())?;
        let mut hbuf = [MaybeUninit::<u8>::uninit(); 8192];
        let mut entries = RawDir::new(&fd, &mut hbuf);
        let mut out = Vec::new();
        while let Some(ent) = entries.next() {
            let ent = match ent {
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(Errno::from(e)),
                Ok(ent) => ent,
            };
            let name = ent.file_name();
            if name.to_bytes() == b"." || name.to_bytes() == b".." {
                continue;
            }
            let t = match ent.file_type() {
                FileType::Unknown => rustix::fs::statat(&fd, name, AtFlags::SYMLINK_NOFOLLOW)
                    .map_or(FileType::Unknown, |st| FileType::from_raw_mode(st.st_mode)),
                t => t,
            };
            let name = String::from_utf8(name.to_bytes().to_vec()).map_err(|_| Errno::Ilseq)?;
            out.push((name, t));
        }
        Ok(out)
    }

    /// `readlink-at(path)`: the target of the symlink at `path` beneath this directory.
    /// Errors: those of [`Descriptor::readlink_at`], `EILSEQ` (a target that is not UTF-8).
    pub fn readlink_at_string(&self, path: &str) -> Result<String> {
        let mut buf = [MaybeUninit::<u8>::uninit(); resolve::MAX_PATH];
        let t = self.readlink_at(path, &mut buf)?;
        String::from_utf8(t.to_vec()).map_err(|_| Errno::Ilseq)
    }

    /// `open-at(path-flags, path, open-flags, flags)`: decodes the component views'
    /// arguments and opens `path` beneath this directory ([`Descriptor::open_at`], shared
    /// with p1's `path_open`). `follow`: `symlink-follow`; `read`/`write` choose the access;
    /// `create`, `exclusive`, `truncate`, `directory` and the sync flags map onto `open(2)`'s.
    /// `deadline`: the run's (monotonic ns).
    ///
    /// Errors: `ENOTCAPABLE` (`mutate-directory` asked of a directory without it, other
    /// permissions, an escape), `EISDIR` (`write` with `directory`), and those of
    /// [`Descriptor::open_at`].
    pub fn open_at_flags(
        &self,
        follow: bool,
        path: &str,
        open: OpenFlags,
        flags: DescFlags,
        deadline: Option<u64>,
    ) -> Result<Descriptor> {
        let read = flags.contains(DescFlags::READ);
        let write = flags.contains(DescFlags::WRITE);
        let directory = open.contains(OpenFlags::DIRECTORY);
        if flags.contains(DescFlags::MUTATE_DIRECTORY) && !self.dir_perms.mutate {
            return Err(Errno::Notcapable);
        }
        let mut o = OFlags::NOCTTY | OFlags::CLOEXEC;
        o |= match (read, write) {
            (_, false) => OFlags::RDONLY,
            (false, true) => OFlags::WRONLY,
            (true, true) => OFlags::RDWR,
        };
        for (bit, f) in [
            (OpenFlags::CREATE, OFlags::CREATE),
            (OpenFlags::DIRECTORY, OFlags::DIRECTORY),
            (OpenFlags::EXCLUSIVE, OFlags::EXCL),
            (OpenFlags::TRUNCATE, OFlags::TRUNC),
        ] {
            if open.contains(bit) {
                o |= f;
            }
        }
        for (bit, f) in [
            (DescFlags::FILE_INTEGRITY_SYNC, OFlags::SYNC),
            (DescFlags::DATA_INTEGRITY_SYNC, OFlags::DSYNC),
            (DescFlags::REQUESTED_WRITE_SYNC, OFlags::RSYNC),
        ] {
            if flags.contains(bit) {
                o |= f;
            }
        }
        if !follow {
            o |= OFlags::NOFOLLOW;
        }
        if write && directory {
            return Err(Errno::Isdir);
        }
        self.open_at(path, o, read, write, directory, deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_hash_depends_on_device_and_inode() {
        let h = |p: &str| metadata_hash(&rustix::fs::stat(p).unwrap());
        assert_eq!(h("/"), h("/"));
        assert_ne!(h("/"), h("/proc"));
    }

    #[test]
    fn flags_of_sets_the_listed_flags() {
        assert_eq!(flags_of(0b101, 0u8, &[1, 2, 8]), 9);
        assert_eq!(flags_of(0, 0u8, &[1, 2, 8]), 0);
    }

    #[test]
    fn flags_of_a_read_only_directory() {
        let d = Descriptor::open_preopen(
            std::path::Path::new("/"),
            crate::DirPerms::READ,
            crate::FilePerms::READ,
        )
        .unwrap();
        assert_eq!(d.flags().unwrap(), DescFlags::READ);
        assert_eq!(d.file_type().unwrap(), FileType::Directory);
        assert_eq!(d.as_file().unwrap_err(), Errno::Isdir);
        assert_eq!(d.set_times(NewTime::Now, NewTime::NoChange).unwrap_err(), Errno::Notcapable);
    }
}
