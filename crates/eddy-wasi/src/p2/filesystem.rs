//! wasi:filesystem — `types` (descriptor, directory-entry-stream, filesystem-error-code) and
//! `preopens`, for components.
//!
//! A `descriptor` resource *is* a [`Descriptor`], the type preview1's fds hold. Every path
//! goes through the same permission checks, sandboxed resolution and syscalls as preview1's
//! `path_*` (the shared functions of [`crate::filesystem::ops`]); errors are the shared
//! [`Errno`] mapped once onto the WIT `error-code` ([`error_code`]). Lack of permission, and
//! any attempt to leave a preopen, is `not-permitted`.

use std::mem::MaybeUninit;

use rustix::fs::{FileType, OFlags, Timespec, Timestamps, UTIME_NOW, UTIME_OMIT};
use wasmtime::component::Resource;

use super::io::error::IoError;
use super::io::streams::{InputStream, OutputStream};
use super::DirectoryEntryStream;
use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::filesystem::{resolve, Descriptor, DescriptorKind};
use crate::p2::bindings::wasi::clocks::wall_clock::Datetime;
use crate::p2::bindings::wasi::filesystem::preopens;
use crate::p2::bindings::wasi::filesystem::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use crate::sys::retry;

/// The error of a wasi:filesystem call: an `error-code` for the guest, or a trap.
#[derive(Debug)]
pub enum FsError {
    /// Returned to the guest.
    Code(ErrorCode),
    /// A host failure (a bad resource handle): traps.
    Trap(wasmtime::Error),
}

impl From<Errno> for FsError {
    fn from(e: Errno) -> FsError {
        match e {
            // The run's deadline passed while the call waited: the interrupt trap.
            Errno::Interrupted => FsError::Trap(crate::readiness::DeadlinePassed.trap()),
            e => FsError::Code(error_code(e)),
        }
    }
}

impl From<wasmtime::Error> for FsError {
    fn from(e: wasmtime::Error) -> FsError {
        FsError::Trap(e)
    }
}

type FResult<T> = Result<T, FsError>;

/// The one mapping from the shared [`Errno`] onto wasi:filesystem's `error-code`.
/// `ENOTCAPABLE` (a permission Eddy withholds, or a path leaving its preopen) and `EPERM` are
/// `not-permitted`; `EACCES` (the host refused) is `access`; errnos with no counterpart are
/// `io`.
pub fn error_code(e: Errno) -> ErrorCode {
    use ErrorCode as C;
    match e {
        Errno::Acces => C::Access,
        Errno::Again => C::WouldBlock,
        Errno::Already => C::Already,
        Errno::Badf => C::BadDescriptor,
        Errno::Busy => C::Busy,
        Errno::Deadlk => C::Deadlock,
        Errno::Dquot => C::Quota,
        Errno::Exist => C::Exist,
        Errno::Fbig => C::FileTooLarge,
        Errno::Ilseq => C::IllegalByteSequence,
        Errno::Inprogress => C::InProgress,
        Errno::Intr => C::Interrupted,
        Errno::Inval => C::Invalid,
        Errno::Isdir => C::IsDirectory,
        Errno::Loop => C::Loop,
        Errno::Mlink => C::TooManyLinks,
        Errno::Msgsize => C::MessageSize,
        Errno::Nametoolong => C::NameTooLong,
        Errno::Nodev => C::NoDevice,
        Errno::Noent => C::NoEntry,
        Errno::Nolck => C::NoLock,
        Errno::Nomem => C::InsufficientMemory,
        Errno::Nospc => C::InsufficientSpace,
        Errno::Notdir => C::NotDirectory,
        Errno::Notempty => C::NotEmpty,
        Errno::Notrecoverable => C::NotRecoverable,
        Errno::Notsup | Errno::Nosys => C::Unsupported,
        Errno::Notty => C::NoTty,
        Errno::Nxio => C::NoSuchDevice,
        Errno::Overflow => C::Overflow,
        Errno::Perm | Errno::Notcapable => C::NotPermitted,
        Errno::Pipe => C::Pipe,
        Errno::Rofs => C::ReadOnly,
        Errno::Spipe => C::InvalidSeek,
        Errno::Txtbsy => C::TextFileBusy,
        Errno::Xdev => C::CrossDevice,
        _ => C::Io,
    }
}

/// The WIT `descriptor-type` of a host file type.
fn descriptor_type(t: FileType) -> DescriptorType {
    match t {
        FileType::RegularFile => DescriptorType::RegularFile,
        FileType::Directory => DescriptorType::Directory,
        FileType::Symlink => DescriptorType::SymbolicLink,
        FileType::Fifo => DescriptorType::Fifo,
        FileType::CharacterDevice => DescriptorType::CharacterDevice,
        FileType::BlockDevice => DescriptorType::BlockDevice,
        FileType::Socket | FileType::Unknown => DescriptorType::Unknown,
    }
}

/// A `datetime` from seconds and ns; `None` before the epoch.
fn datetime(sec: i64, nsec: u64) -> Option<Datetime> {
    Some(Datetime { seconds: u64::try_from(sec).ok()?, nanoseconds: nsec as u32 })
}

/// The WIT `descriptor-stat` of a host `stat`.
#[allow(clippy::useless_conversion)] // field widths differ between architectures
fn descriptor_stat(st: &rustix::fs::Stat) -> DescriptorStat {
    DescriptorStat {
        type_: descriptor_type(FileType::from_raw_mode(st.st_mode)),
        link_count: u64::from(st.st_nlink),
        size: u64::try_from(st.st_size).unwrap_or(0),
        data_access_timestamp: datetime(i64::from(st.st_atime), u64::from(st.st_atime_nsec)),
        data_modification_timestamp: datetime(i64::from(st.st_mtime), u64::from(st.st_mtime_nsec)),
        status_change_timestamp: datetime(i64::from(st.st_ctime), u64::from(st.st_ctime_nsec)),
    }
}

/// `metadata-hash-value` of a host `stat`: device and inode, mixed so equal files (and only
/// they, barring a 128-bit collision) hash equal. Reveals nothing a guest could not compare
/// with `is-same-object` anyway.
#[allow(clippy::useless_conversion)]
fn metadata_hash(st: &rustix::fs::Stat) -> MetadataHashValue {
    let mix = |mut x: u64| {
        // splitmix64's finaliser.
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    };
    let (dev, ino) = (u64::from(st.st_dev), u64::from(st.st_ino));
    MetadataHashValue { lower: mix(ino ^ mix(dev)), upper: mix(dev.rotate_left(17) ^ ino) }
}

/// The `utimensat` timestamp of a WIT `new-timestamp`.
fn timespec(t: &NewTimestamp) -> Timespec {
    match t {
        NewTimestamp::NoChange => Timespec { tv_sec: 0, tv_nsec: UTIME_OMIT },
        NewTimestamp::Now => Timespec { tv_sec: 0, tv_nsec: UTIME_NOW },
        NewTimestamp::Timestamp(d) => {
            Timespec { tv_sec: d.seconds as i64, tv_nsec: d.nanoseconds.into() }
        }
    }
}

impl WasiCtx {
    /// The descriptor behind a handle (a trap if the handle is stale).
    fn desc(&self, r: &Resource<Descriptor>) -> wasmtime::Result<&Descriptor> {
        self.get(r)
    }

    /// The descriptor as a file: `is-directory` for a directory.
    fn file(&self, r: &Resource<Descriptor>) -> FResult<&Descriptor> {
        let d = self.desc(r)?;
        if d.kind == DescriptorKind::Dir {
            return Err(ErrorCode::IsDirectory.into_err());
        }
        Ok(d)
    }

    /// The descriptor as a file open for writing: `bad-descriptor` if it was not.
    fn writable_file(&self, r: &Resource<Descriptor>) -> FResult<&Descriptor> {
        let d = self.file(r)?;
        if !d.file_perms.write {
            return Err(ErrorCode::BadDescriptor.into_err());
        }
        Ok(d)
    }

    /// The descriptor as a file open for reading: `bad-descriptor` if it was not.
    fn readable_file(&self, r: &Resource<Descriptor>) -> FResult<&Descriptor> {
        let d = self.file(r)?;
        if !d.file_perms.read {
            return Err(ErrorCode::BadDescriptor.into_err());
        }
        Ok(d)
    }
}

trait IntoErr {
    fn into_err(self) -> FsError;
}

impl IntoErr for ErrorCode {
    fn into_err(self) -> FsError {
        FsError::Code(self)
    }
}

impl types::HostDescriptor for WasiCtx {
    /// `read-via-stream(offset)`: an input stream reading the file from `offset` (a child of
    /// the descriptor). Errors: `is-directory`, `bad-descriptor` (not open for reading).
    fn read_via_stream(
        &mut self,
        self_: Resource<Descriptor>,
        offset: u64,
    ) -> FResult<Resource<InputStream>> {
        self.readable_file(&self_)?;
        Ok(self.push_child(InputStream::file(self_.rep(), offset), &self_)?)
    }

    /// `write-via-stream(offset)`: an output stream writing the file from `offset`.
    /// Errors: `is-directory`, `bad-descriptor` (not open for writing).
    fn write_via_stream(
        &mut self,
        self_: Resource<Descriptor>,
        offset: u64,
    ) -> FResult<Resource<OutputStream>> {
        self.writable_file(&self_)?;
        let s = OutputStream::File { desc: self_.rep(), offset, append: false };
        Ok(self.push_child(s, &self_)?)
    }

    /// `append-via-stream`: an output stream writing at the file's end.
    /// Errors: `is-directory`, `bad-descriptor` (not open for writing).
    fn append_via_stream(
        &mut self,
        self_: Resource<Descriptor>,
    ) -> FResult<Resource<OutputStream>> {
        self.writable_file(&self_)?;
        let s = OutputStream::File { desc: self_.rep(), offset: 0, append: true };
        Ok(self.push_child(s, &self_)?)
    }

    /// `advise(offset, length, advice)`: `posix_fadvise(2)`. Errors: `is-directory`, the
    /// host's.
    fn advise(
        &mut self,
        self_: Resource<Descriptor>,
        offset: u64,
        length: u64,
        advice: Advice,
    ) -> FResult<()> {
        use rustix::fs::Advice as A;
        let d = self.file(&self_)?;
        let a = match advice {
            Advice::Normal => A::Normal,
            Advice::Sequential => A::Sequential,
            Advice::Random => A::Random,
            Advice::WillNeed => A::WillNeed,
            Advice::DontNeed => A::DontNeed,
            Advice::NoReuse => A::NoReuse,
        };
        let len = std::num::NonZeroU64::new(length);
        Ok(retry(|| rustix::fs::fadvise(d.as_fd(), offset, len, a))?)
    }

    /// `sync-data`: `fdatasync(2)`.
    fn sync_data(&mut self, self_: Resource<Descriptor>) -> FResult<()> {
        let d = self.desc(&self_)?;
        Ok(retry(|| rustix::fs::fdatasync(d.as_fd()))?)
    }

    /// `get-flags`: `read`/`write` as the file was opened (for a directory: `read`, and
    /// `mutate-directory` if its entries may change), plus the sync flags it was opened with.
    fn get_flags(&mut self, self_: Resource<Descriptor>) -> FResult<DescriptorFlags> {
        let d = self.desc(&self_)?;
        let mut f = DescriptorFlags::empty();
        if d.kind == DescriptorKind::Dir {
            if d.dir_perms.read {
                f |= DescriptorFlags::READ;
            }
            if d.dir_perms.mutate {
                f |= DescriptorFlags::MUTATE_DIRECTORY;
            }
        } else {
            if d.file_perms.read {
                f |= DescriptorFlags::READ;
            }
            if d.file_perms.write {
                f |= DescriptorFlags::WRITE;
            }
        }
        let fl = retry(|| rustix::fs::fcntl_getfl(d.as_fd()))?;
        if fl.contains(OFlags::SYNC) {
            f |= DescriptorFlags::FILE_INTEGRITY_SYNC;
        }
        if fl.contains(OFlags::DSYNC) {
            f |= DescriptorFlags::DATA_INTEGRITY_SYNC;
        }
        if fl.contains(OFlags::RSYNC) {
            f |= DescriptorFlags::REQUESTED_WRITE_SYNC;
        }
        Ok(f)
    }

    /// `get-type`: the file type (`fstat`).
    fn get_type(&mut self, self_: Resource<Descriptor>) -> FResult<DescriptorType> {
        let d = self.desc(&self_)?;
        if d.kind == DescriptorKind::Dir {
            return Ok(DescriptorType::Directory);
        }
        let st = retry(|| rustix::fs::fstat(d.as_fd()))?;
        Ok(descriptor_type(FileType::from_raw_mode(st.st_mode)))
    }

    /// `set-size(size)`: `ftruncate(2)`. Errors: `is-directory`, `bad-descriptor` (not open
    /// for writing), the host's.
    fn set_size(&mut self, self_: Resource<Descriptor>, size: u64) -> FResult<()> {
        let d = self.writable_file(&self_)?;
        Ok(retry(|| rustix::fs::ftruncate(d.as_fd(), size))?)
    }

    /// `set-times(atime, mtime)`: `futimens(2)`. A file must be open for writing
    /// (`bad-descriptor`), a directory mutable (`not-permitted`).
    fn set_times(
        &mut self,
        self_: Resource<Descriptor>,
        data_access_timestamp: NewTimestamp,
        data_modification_timestamp: NewTimestamp,
    ) -> FResult<()> {
        let d = self.desc(&self_)?;
        if d.kind == DescriptorKind::Dir {
            d.dir_fd(true)?;
        } else {
            self.writable_file(&self_)?;
        }
        let ts = Timestamps {
            last_access: timespec(&data_access_timestamp),
            last_modification: timespec(&data_modification_timestamp),
        };
        Ok(retry(|| rustix::fs::futimens(d.as_fd(), &ts))?)
    }

    /// `read(length, offset)`: `pread(2)` of up to `length` bytes (at most 1 MiB per call);
    /// the flag is true at end of file. Errors: `is-directory`, `bad-descriptor`.
    fn read(
        &mut self,
        self_: Resource<Descriptor>,
        length: u64,
        offset: u64,
    ) -> FResult<(Vec<u8>, bool)> {
        let d = self.readable_file(&self_)?;
        let len = length.min(super::io::streams::MAX_CHUNK) as usize;
        let mut buf = vec![0u8; len];
        let n = retry(|| rustix::io::pread(d.as_fd(), &mut buf, offset))?;
        buf.truncate(n);
        Ok((buf, n == 0 && len > 0))
    }

    /// `write(buffer, offset)`: `pwrite(2)`; returns the bytes written.
    /// Errors: `is-directory`, `bad-descriptor`.
    fn write(&mut self, self_: Resource<Descriptor>, buffer: Vec<u8>, offset: u64) -> FResult<u64> {
        let d = self.writable_file(&self_)?;
        Ok(retry(|| rustix::io::pwrite(d.as_fd(), &buffer, offset))? as u64)
    }

    /// `read-directory`: a stream of the directory's entries (without `.` and `..`), read
    /// when called. Errors: `not-directory`, `not-permitted` (not readable).
    fn read_directory(
        &mut self,
        self_: Resource<Descriptor>,
    ) -> FResult<Resource<DirectoryEntryStream>> {
        use rustix::fs::{AtFlags, RawDir};
        let d = self.desc(&self_)?;
        let dir = d.dir_fd(false)?;
        // A fresh open of the directory, so its read position is our own.
        let fd =
            resolve::open(dir, ".", OFlags::RDONLY | OFlags::DIRECTORY, rustix::fs::Mode::empty())?;
        let mut hbuf = [MaybeUninit::<u8>::uninit(); 8192];
        let mut entries = RawDir::new(&fd, &mut hbuf);
        let mut out = Vec::new();
        while let Some(ent) = entries.next() {
            let ent = match ent {
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(Errno::from(e).into()),
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
            let name = String::from_utf8(name.to_bytes().to_vec())
                .map_err(|_| ErrorCode::IllegalByteSequence.into_err())?;
            out.push(DirectoryEntry { type_: descriptor_type(t), name });
        }
        let s = DirectoryEntryStream { entries: out.into_iter() };
        Ok(self.push_child(s, &self_)?)
    }

    /// `sync`: `fsync(2)`.
    fn sync(&mut self, self_: Resource<Descriptor>) -> FResult<()> {
        let d = self.desc(&self_)?;
        Ok(retry(|| rustix::fs::fsync(d.as_fd()))?)
    }

    /// `create-directory-at(path)`: `mkdirat` beneath the directory (shared with p1).
    fn create_directory_at(&mut self, self_: Resource<Descriptor>, path: String) -> FResult<()> {
        Ok(self.desc(&self_)?.create_directory_at(&path)?)
    }

    /// `stat`: `fstat` of the descriptor.
    fn stat(&mut self, self_: Resource<Descriptor>) -> FResult<DescriptorStat> {
        let d = self.desc(&self_)?;
        Ok(descriptor_stat(&retry(|| rustix::fs::fstat(d.as_fd()))?))
    }

    /// `stat-at(flags, path)`: stat of `path` beneath the directory, following a final
    /// symlink with `symlink-follow` (within the sandbox).
    fn stat_at(
        &mut self,
        self_: Resource<Descriptor>,
        path_flags: PathFlags,
        path: String,
    ) -> FResult<DescriptorStat> {
        let follow = path_flags.contains(PathFlags::SYMLINK_FOLLOW);
        Ok(descriptor_stat(&self.desc(&self_)?.stat_at(follow, &path)?))
    }

    /// `set-times-at(flags, path, atime, mtime)`: `utimensat` beneath the directory (needs
    /// `mutate-directory`).
    fn set_times_at(
        &mut self,
        self_: Resource<Descriptor>,
        path_flags: PathFlags,
        path: String,
        data_access_timestamp: NewTimestamp,
        data_modification_timestamp: NewTimestamp,
    ) -> FResult<()> {
        let ts = Timestamps {
            last_access: timespec(&data_access_timestamp),
            last_modification: timespec(&data_modification_timestamp),
        };
        let follow = path_flags.contains(PathFlags::SYMLINK_FOLLOW);
        Ok(self.desc(&self_)?.set_times_at(follow, &path, &ts)?)
    }

    /// `link-at(flags, old, new-descriptor, new)`: a hard link (both directories need
    /// `mutate-directory`).
    fn link_at(
        &mut self,
        self_: Resource<Descriptor>,
        old_path_flags: PathFlags,
        old_path: String,
        new_descriptor: Resource<Descriptor>,
        new_path: String,
    ) -> FResult<()> {
        let follow = old_path_flags.contains(PathFlags::SYMLINK_FOLLOW);
        let (od, nd) = (self.desc(&self_)?, self.desc(&new_descriptor)?);
        Ok(od.link_at(follow, &old_path, nd, &new_path)?)
    }

    /// `open-at(path-flags, path, open-flags, flags)`: opens `path` beneath the directory
    /// (shared with p1's `path_open`). `read`/`write` choose the access; `create`,
    /// `exclusive`, `truncate`, `directory` and the sync flags map onto `open(2)`'s.
    /// Errors: `not-directory`, `not-permitted` (permissions, an escape), `exist`,
    /// `no-entry`, `is-directory`, `loop`, the host's.
    fn open_at(
        &mut self,
        self_: Resource<Descriptor>,
        path_flags: PathFlags,
        path: String,
        open_flags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FResult<Resource<Descriptor>> {
        let d = self.desc(&self_)?;
        let read = flags.contains(DescriptorFlags::READ);
        let write = flags.contains(DescriptorFlags::WRITE);
        let directory = open_flags.contains(OpenFlags::DIRECTORY);
        if flags.contains(DescriptorFlags::MUTATE_DIRECTORY) && !d.dir_perms.mutate {
            return Err(ErrorCode::NotPermitted.into_err());
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
            if open_flags.contains(bit) {
                o |= f;
            }
        }
        for (bit, f) in [
            (DescriptorFlags::FILE_INTEGRITY_SYNC, OFlags::SYNC),
            (DescriptorFlags::DATA_INTEGRITY_SYNC, OFlags::DSYNC),
            (DescriptorFlags::REQUESTED_WRITE_SYNC, OFlags::RSYNC),
        ] {
            if flags.contains(bit) {
                o |= f;
            }
        }
        if !path_flags.contains(PathFlags::SYMLINK_FOLLOW) {
            o |= OFlags::NOFOLLOW;
        }
        if write && directory {
            return Err(ErrorCode::IsDirectory.into_err());
        }
        let new = d.open_at(&path, o, read, write, directory, self.deadline)?;
        Ok(self.push(new)?)
    }

    /// `readlink-at(path)`: the target of the symlink at `path`.
    fn readlink_at(&mut self, self_: Resource<Descriptor>, path: String) -> FResult<String> {
        let mut buf = [MaybeUninit::<u8>::uninit(); resolve::MAX_PATH];
        let t = self.desc(&self_)?.readlink_at(&path, &mut buf)?;
        String::from_utf8(t.to_vec()).map_err(|_| ErrorCode::IllegalByteSequence.into_err())
    }

    /// `remove-directory-at(path)`: removes an empty directory (needs `mutate-directory`).
    fn remove_directory_at(&mut self, self_: Resource<Descriptor>, path: String) -> FResult<()> {
        Ok(self.desc(&self_)?.remove_directory_at(&path)?)
    }

    /// `rename-at(old, new-descriptor, new)`: `renameat` (both need `mutate-directory`).
    fn rename_at(
        &mut self,
        self_: Resource<Descriptor>,
        old_path: String,
        new_descriptor: Resource<Descriptor>,
        new_path: String,
    ) -> FResult<()> {
        let (od, nd) = (self.desc(&self_)?, self.desc(&new_descriptor)?);
        Ok(od.rename_at(&old_path, nd, &new_path)?)
    }

    /// `symlink-at(old, new)`: creates the symlink `new` with target text `old`.
    fn symlink_at(
        &mut self,
        self_: Resource<Descriptor>,
        old_path: String,
        new_path: String,
    ) -> FResult<()> {
        Ok(self.desc(&self_)?.symlink_at(&old_path, &new_path)?)
    }

    /// `unlink-file-at(path)`: removes a non-directory (needs `mutate-directory`).
    fn unlink_file_at(&mut self, self_: Resource<Descriptor>, path: String) -> FResult<()> {
        Ok(self.desc(&self_)?.unlink_file_at(&path)?)
    }

    /// `is-same-object(other)`: whether both descriptors are the same file (device and
    /// inode equal). A failing `fstat` answers false.
    fn is_same_object(
        &mut self,
        self_: Resource<Descriptor>,
        other: Resource<Descriptor>,
    ) -> wasmtime::Result<bool> {
        let (a, b) = (self.desc(&self_)?, self.desc(&other)?);
        Ok(match (rustix::fs::fstat(a.as_fd()), rustix::fs::fstat(b.as_fd())) {
            (Ok(x), Ok(y)) => x.st_dev == y.st_dev && x.st_ino == y.st_ino,
            _ => false,
        })
    }

    /// `metadata-hash`: a 128-bit hash of the file's identity (device, inode).
    fn metadata_hash(&mut self, self_: Resource<Descriptor>) -> FResult<MetadataHashValue> {
        let d = self.desc(&self_)?;
        Ok(metadata_hash(&retry(|| rustix::fs::fstat(d.as_fd()))?))
    }

    /// `metadata-hash-at(flags, path)`: as `metadata-hash`, of `path` beneath the directory.
    fn metadata_hash_at(
        &mut self,
        self_: Resource<Descriptor>,
        path_flags: PathFlags,
        path: String,
    ) -> FResult<MetadataHashValue> {
        let follow = path_flags.contains(PathFlags::SYMLINK_FOLLOW);
        Ok(metadata_hash(&self.desc(&self_)?.stat_at(follow, &path)?))
    }

    /// Drops a descriptor (closing its host fd).
    fn drop(&mut self, rep: Resource<Descriptor>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl types::HostDirectoryEntryStream for WasiCtx {
    /// `read-directory-entry`: the next entry, or none at the end.
    fn read_directory_entry(
        &mut self,
        self_: Resource<DirectoryEntryStream>,
    ) -> FResult<Option<DirectoryEntry>> {
        Ok(self.get_mut(&self_)?.entries.next())
    }

    /// Drops a directory-entry stream.
    fn drop(&mut self, rep: Resource<DirectoryEntryStream>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl types::Host for WasiCtx {
    /// `filesystem-error-code(err)`: the filesystem `error-code` of a stream's error (every
    /// stream error Eddy raises is an OS errno, so always some).
    fn filesystem_error_code(
        &mut self,
        err: Resource<IoError>,
    ) -> wasmtime::Result<Option<ErrorCode>> {
        Ok(Some(error_code(self.get(&err)?.0)))
    }

    /// The WIT `error-code` of an [`FsError`], or its trap.
    fn convert_error_code(&mut self, err: FsError) -> wasmtime::Result<ErrorCode> {
        match err {
            FsError::Code(c) => Ok(c),
            FsError::Trap(e) => Err(e),
        }
    }
}

impl preopens::Host for WasiCtx {
    /// `get-directories`: each preopened directory with its guest path, in grant order. Each
    /// call gives new descriptors on duplicates (`dup`) of the preopens' host fds, with the
    /// same permissions.
    fn get_directories(&mut self) -> wasmtime::Result<Vec<(Resource<Descriptor>, String)>> {
        let mut found = Vec::new();
        for p in self.preopens() {
            let d = &p.dir;
            let dup = d.fd.try_clone().map_err(|e| wasmtime::Error::msg(format!("dup: {e}")))?;
            found.push((Descriptor::dir(dup, d.dir_perms, d.file_perms), p.guest_path.clone()));
        }
        let mut out = Vec::with_capacity(found.len());
        for (d, name) in found {
            out.push((self.push(d)?, name));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p2::bindings::wasi::io::streams;

    use crate::p2::bindings::wasi::io::streams::Host as _;
    use crate::p2::bindings::wasi::io::streams::{HostInputStream, HostOutputStream};
    use preopens::Host as _;
    use types::{HostDescriptor, HostDirectoryEntryStream};

    /// A context with a fresh temporary directory preopened read-write as `/d`; the
    /// directory is removed when the guard drops.
    fn ctx(tag: &str) -> (WasiCtx, Resource<Descriptor>, TempDir) {
        let dir =
            TempDir(std::env::temp_dir().join(format!("eddy-p2fs-{tag}-{}", std::process::id())));
        let _ = std::fs::remove_dir_all(&dir.0);
        std::fs::create_dir_all(&dir.0).unwrap();
        let mut b = crate::WasiCtxBuilder::new();
        b.preopened_dir(&dir.0, "/d", crate::DirPerms::ALL, crate::FilePerms::ALL).unwrap();
        let mut c = b.build().unwrap();
        let mut pre = c.get_directories().unwrap();
        assert_eq!(pre.len(), 1);
        let (d, name) = pre.pop().unwrap();
        assert_eq!(name, "/d");
        (c, d, dir)
    }

    struct TempDir(std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn borrow(r: &Resource<Descriptor>) -> Resource<Descriptor> {
        Resource::new_borrow(r.rep())
    }

    #[test]
    fn file_streams_write_append_and_read_back() {
        let (mut c, d, dir) = ctx("streams");
        let rw = DescriptorFlags::READ | DescriptorFlags::WRITE;
        let f = c
            .open_at(borrow(&d), PathFlags::empty(), "f.txt".into(), OpenFlags::CREATE, rw)
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        let w = c.write_via_stream(borrow(&f), 2).map_err(|e| format!("{e:?}")).unwrap();
        c.blocking_write_and_flush(Resource::new_borrow(w.rep()), b"ab".to_vec())
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        c.write_zeroes(Resource::new_borrow(w.rep()), 1).map_err(|e| format!("{e:?}")).unwrap();
        let a = c.append_via_stream(borrow(&f)).map_err(|e| format!("{e:?}")).unwrap();
        HostOutputStream::write(&mut c, Resource::new_borrow(a.rep()), b"Z".to_vec())
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        assert_eq!(std::fs::read(dir.0.join("f.txt")).unwrap(), b"\0\0ab\0Z");
        let r = c.read_via_stream(borrow(&f), 1).map_err(|e| format!("{e:?}")).unwrap();
        let got = c
            .blocking_read(Resource::new_borrow(r.rep()), 100)
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        assert_eq!(got, b"\0ab\0Z");
        // At the end: `closed`.
        let end = c.blocking_read(Resource::new_borrow(r.rep()), 100).unwrap_err();
        assert!(matches!(c.convert_stream_error(end).unwrap(), streams::StreamError::Closed));
        // A descriptor cannot be dropped while its streams live.
        assert!(HostDescriptor::drop(&mut c, Resource::new_own(f.rep())).is_err());
        HostOutputStream::drop(&mut c, w).unwrap();
        HostOutputStream::drop(&mut c, a).unwrap();
        HostInputStream::drop(&mut c, r).unwrap();
        HostDescriptor::drop(&mut c, f).unwrap();
    }

    #[test]
    fn directory_entries_and_identity() {
        let (mut c, d, dir) = ctx("dirs");
        std::fs::write(dir.0.join("a"), "x").unwrap();
        std::fs::create_dir(dir.0.join("b")).unwrap();
        let s = c.read_directory(borrow(&d)).map_err(|e| format!("{e:?}")).unwrap();
        let mut names = Vec::new();
        while let Some(e) = c
            .read_directory_entry(Resource::new_borrow(s.rep()))
            .map_err(|e| format!("{e:?}"))
            .unwrap()
        {
            names.push((e.name, e.type_));
        }
        names.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(
            names,
            [
                ("a".to_string(), DescriptorType::RegularFile),
                ("b".to_string(), DescriptorType::Directory)
            ]
        );
        let fa = c
            .open_at(
                borrow(&d),
                PathFlags::empty(),
                "a".into(),
                OpenFlags::empty(),
                DescriptorFlags::READ,
            )
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        let fa2 = c
            .open_at(
                borrow(&d),
                PathFlags::empty(),
                "./a".into(),
                OpenFlags::empty(),
                DescriptorFlags::READ,
            )
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        assert!(c.is_same_object(borrow(&fa), borrow(&fa2)).unwrap());
        assert!(!c.is_same_object(borrow(&fa), borrow(&d)).unwrap());
        let h1 = c.metadata_hash(borrow(&fa)).map_err(|e| format!("{e:?}")).unwrap();
        let h2 = c
            .metadata_hash_at(borrow(&d), PathFlags::empty(), "a".into())
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        assert_eq!((h1.lower, h1.upper), (h2.lower, h2.upper));
        // Escapes are `not-permitted`.
        let e = c.stat_at(borrow(&d), PathFlags::empty(), "../x".into()).unwrap_err();
        assert!(matches!(e, FsError::Code(ErrorCode::NotPermitted)));
        // Writing to a file opened read-only: `bad-descriptor`.
        let e = HostDescriptor::write(&mut c, borrow(&fa), b"y".to_vec(), 0).unwrap_err();
        assert!(matches!(e, FsError::Code(ErrorCode::BadDescriptor)));
    }

    #[test]
    fn errno_mapping() {
        assert_eq!(error_code(Errno::Notcapable), ErrorCode::NotPermitted);
        assert_eq!(error_code(Errno::Perm), ErrorCode::NotPermitted);
        assert_eq!(error_code(Errno::Acces), ErrorCode::Access);
        assert_eq!(error_code(Errno::Noent), ErrorCode::NoEntry);
        assert_eq!(error_code(Errno::Notsup), ErrorCode::Unsupported);
        assert_eq!(error_code(Errno::Srch), ErrorCode::Io);
    }

    #[test]
    fn metadata_hash_depends_on_device_and_inode() {
        let h = |p: &str| {
            let v = metadata_hash(&rustix::fs::stat(p).unwrap());
            (v.lower, v.upper)
        };
        assert_eq!(h("/"), h("/"));
        assert_ne!(h("/"), h("/proc"));
    }
}
