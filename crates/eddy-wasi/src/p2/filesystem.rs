//! wasi:filesystem — `types` (descriptor, directory-entry-stream, filesystem-error-code) and
//! `preopens`, for components.
//!
//! A `descriptor` resource *is* a [`Descriptor`], the type preview1's fds hold. Every method
//! is a thin mapping of the WIT types onto the view-neutral descriptor operations of
//! [`crate::filesystem::host`] and [`crate::filesystem::ops`] (the same permission checks,
//! sandboxed resolution and syscalls as preview1's `path_*`); errors are the shared
//! [`Errno`] mapped once onto the WIT `error-code` ([`error_code`]). Lack of permission, and
//! any attempt to leave a preopen, is `not-permitted`.

use rustix::fs::FileType;
use wasmtime::component::Resource;

use super::io::error::IoError;
use super::io::streams::{InputStream, OutputStream};
use super::DirectoryEntryStream;
use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::filesystem::host::{self, fs_error_code, NewTime};
use crate::filesystem::Descriptor;
use crate::p2::bindings::wasi::clocks::wall_clock::Datetime;
use crate::p2::bindings::wasi::filesystem::preopens;
use crate::p2::bindings::wasi::filesystem::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use crate::sys::retry;

/// The error of a wasi:filesystem call: an `error-code` for the guest, or a trap.
pub type FsError = host::CallError<ErrorCode>;

type FResult<T> = Result<T, FsError>;

/// The one mapping from the shared [`Errno`] onto wasi:filesystem's `error-code` (the table
/// of `fs_error_code!`, plus `EAGAIN` as `would-block`).
pub fn error_code(e: Errno) -> ErrorCode {
    fs_error_code!(ErrorCode, e, Again => WouldBlock)
}

impl From<Errno> for ErrorCode {
    fn from(e: Errno) -> ErrorCode {
        error_code(e)
    }
}

/// `descriptor-flags` in WIT order (bit *i* of [`host::DescFlags`] is entry *i*).
const DESCRIPTOR_FLAGS: [DescriptorFlags; 6] = [
    DescriptorFlags::READ,
    DescriptorFlags::WRITE,
    DescriptorFlags::FILE_INTEGRITY_SYNC,
    DescriptorFlags::DATA_INTEGRITY_SYNC,
    DescriptorFlags::REQUESTED_WRITE_SYNC,
    DescriptorFlags::MUTATE_DIRECTORY,
];

/// The WIT `descriptor-type` of a host file type (a socket is `unknown`: 0.2 has no socket).
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

/// A `datetime` of a neutral time; `None` before the epoch.
fn datetime(t: host::Time) -> Option<Datetime> {
    Some(Datetime { seconds: u64::try_from(t.seconds).ok()?, nanoseconds: t.nanoseconds })
}

/// The WIT `descriptor-stat` of a host `stat`.
fn descriptor_stat(st: &rustix::fs::Stat) -> DescriptorStat {
    let s = host::Stat::of(st);
    DescriptorStat {
        type_: descriptor_type(s.file_type),
        link_count: s.link_count,
        size: s.size,
        data_access_timestamp: datetime(s.accessed),
        data_modification_timestamp: datetime(s.modified),
        status_change_timestamp: datetime(s.changed),
    }
}

/// The WIT `metadata-hash-value` of a host `stat`.
fn metadata_hash(st: &rustix::fs::Stat) -> MetadataHashValue {
    let (lower, upper) = host::metadata_hash(st);
    MetadataHashValue { lower, upper }
}

/// The neutral timestamp of a WIT `new-timestamp`.
fn new_time(t: NewTimestamp) -> NewTime {
    match t {
        NewTimestamp::NoChange => NewTime::NoChange,
        NewTimestamp::Now => NewTime::Now,
        NewTimestamp::Timestamp(d) => NewTime::At(d.seconds as i64, d.nanoseconds),
    }
}

impl WasiCtx {
    /// The descriptor behind a handle (a trap if the handle is stale).
    fn desc(&self, r: &Resource<Descriptor>) -> wasmtime::Result<&Descriptor> {
        self.get(r)
    }
}

impl types::HostDescriptor for WasiCtx {
    /// `read-via-stream(offset)`: an input stream reading the file from `offset`. It shares
    /// the descriptor's host fd and may outlive the descriptor's handle (the WIT does not
    /// make streams children of their descriptor). Errors: `is-directory`, `bad-descriptor`
    /// (not open for reading).
    fn read_via_stream(
        &mut self,
        self_: Resource<Descriptor>,
        offset: u64,
    ) -> FResult<Resource<InputStream>> {
        let d = self.desc(&self_)?;
        d.readable_file()?;
        let s = InputStream::file(d.fd.clone(), d.regular_file, offset);
        Ok(self.push(s)?)
    }

    /// `write-via-stream(offset)`: an output stream writing the file from `offset`.
    /// Errors: `is-directory`, `bad-descriptor` (not open for writing).
    fn write_via_stream(
        &mut self,
        self_: Resource<Descriptor>,
        offset: u64,
    ) -> FResult<Resource<OutputStream>> {
        let d = self.desc(&self_)?;
        d.writable_file()?;
        let s =
            OutputStream::File { fd: d.fd.clone(), regular: d.regular_file, offset, append: false };
        Ok(self.push(s)?)
    }

    /// `append-via-stream`: an output stream writing at the file's end.
    /// Errors: `is-directory`, `bad-descriptor` (not open for writing).
    fn append_via_stream(
        &mut self,
        self_: Resource<Descriptor>,
    ) -> FResult<Resource<OutputStream>> {
        let d = self.desc(&self_)?;
        d.writable_file()?;
        let s = OutputStream::File {
            fd: d.fd.clone(),
            regular: d.regular_file,
            offset: 0,
            append: true,
        };
        Ok(self.push(s)?)
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
        Ok(self.desc(&self_)?.advise(offset, length, host::ADVICE[advice as usize])?)
    }

    /// `sync-data`: `fdatasync(2)`.
    fn sync_data(&mut self, self_: Resource<Descriptor>) -> FResult<()> {
        Ok(self.desc(&self_)?.sync_data()?)
    }

    /// `get-flags`: `read`/`write` as the file was opened (for a directory: `read`, and
    /// `mutate-directory` if its entries may change), plus the sync flags it was opened with.
    fn get_flags(&mut self, self_: Resource<Descriptor>) -> FResult<DescriptorFlags> {
        let f = self.desc(&self_)?.flags()?;
        Ok(host::flags_of(f.0, DescriptorFlags::empty(), &DESCRIPTOR_FLAGS))
    }

    /// `get-type`: the file type (`fstat`).
    fn get_type(&mut self, self_: Resource<Descriptor>) -> FResult<DescriptorType> {
        Ok(descriptor_type(self.desc(&self_)?.file_type()?))
    }

    /// `set-size(size)`: `ftruncate(2)`. Errors: `is-directory`, `bad-descriptor` (not open
    /// for writing), the host's.
    fn set_size(&mut self, self_: Resource<Descriptor>, size: u64) -> FResult<()> {
        Ok(self.desc(&self_)?.set_size(size)?)
    }

    /// `set-times(atime, mtime)`: `futimens(2)`. A file must be open for writing
    /// (`bad-descriptor`), a directory mutable (`not-permitted`).
    fn set_times(
        &mut self,
        self_: Resource<Descriptor>,
        data_access_timestamp: NewTimestamp,
        data_modification_timestamp: NewTimestamp,
    ) -> FResult<()> {
        let (a, m) = (new_time(data_access_timestamp), new_time(data_modification_timestamp));
        Ok(self.desc(&self_)?.set_times(a, m)?)
    }

    /// `read(length, offset)`: `pread(2)` of up to `length` bytes (at most 1 MiB per call);
    /// the flag is true at end of file. Errors: `is-directory`, `bad-descriptor`.
    fn read(
        &mut self,
        self_: Resource<Descriptor>,
        length: u64,
        offset: u64,
    ) -> FResult<(Vec<u8>, bool)> {
        let d = self.desc(&self_)?.readable_file()?;
        let len = length.min(super::io::streams::MAX_CHUNK) as usize;
        let mut buf = vec![0u8; len];
        let n = retry(|| rustix::io::pread(d.as_fd(), &mut buf, offset))?;
        buf.truncate(n);
        Ok((buf, n == 0 && len > 0))
    }

    /// `write(buffer, offset)`: `pwrite(2)`; returns the bytes written.
    /// Errors: `is-directory`, `bad-descriptor`.
    fn write(&mut self, self_: Resource<Descriptor>, buffer: Vec<u8>, offset: u64) -> FResult<u64> {
        let d = self.desc(&self_)?.writable_file()?;
        Ok(retry(|| rustix::io::pwrite(d.as_fd(), &buffer, offset))? as u64)
    }

    /// `read-directory`: a stream of the directory's entries (without `.` and `..`), read
    /// when called. Errors: `not-directory`, `not-permitted` (not readable),
    /// `illegal-byte-sequence` (a name that is not UTF-8).
    fn read_directory(
        &mut self,
        self_: Resource<Descriptor>,
    ) -> FResult<Resource<DirectoryEntryStream>> {
        let entries = self.desc(&self_)?.read_directory()?;
        let entries = entries
            .into_iter()
            .map(|(name, t)| DirectoryEntry { type_: descriptor_type(t), name })
            .collect::<Vec<_>>();
        // The entries are read at once: the stream needs nothing of the descriptor and may
        // outlive its handle.
        let s = DirectoryEntryStream { entries: entries.into_iter() };
        Ok(self.push(s)?)
    }

    /// `sync`: `fsync(2)`.
    fn sync(&mut self, self_: Resource<Descriptor>) -> FResult<()> {
        Ok(self.desc(&self_)?.sync()?)
    }

    /// `create-directory-at(path)`: `mkdirat` beneath the directory (shared with p1).
    fn create_directory_at(&mut self, self_: Resource<Descriptor>, path: String) -> FResult<()> {
        Ok(self.desc(&self_)?.create_directory_at(&path)?)
    }

    /// `stat`: `fstat` of the descriptor.
    fn stat(&mut self, self_: Resource<Descriptor>) -> FResult<DescriptorStat> {
        Ok(descriptor_stat(&self.desc(&self_)?.stat()?))
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
        let ts = host::timestamps(
            new_time(data_access_timestamp),
            new_time(data_modification_timestamp),
        );
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
    /// (shared with p1's `path_open`, see [`Descriptor::open_at_flags`]).
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
        let follow = path_flags.contains(PathFlags::SYMLINK_FOLLOW);
        let open = host::OpenFlags(open_flags.as_array()[0]);
        let flags = host::DescFlags(flags.as_array()[0]);
        let new = self.desc(&self_)?.open_at_flags(follow, &path, open, flags, self.deadline)?;
        Ok(self.push(new)?)
    }

    /// `readlink-at(path)`: the target of the symlink at `path`.
    fn readlink_at(&mut self, self_: Resource<Descriptor>, path: String) -> FResult<String> {
        Ok(self.desc(&self_)?.readlink_at_string(&path)?)
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
        Ok(self.desc(&self_)?.is_same_object(self.desc(&other)?))
    }

    /// `metadata-hash`: a 128-bit hash of the file's identity (device, inode).
    fn metadata_hash(&mut self, self_: Resource<Descriptor>) -> FResult<MetadataHashValue> {
        Ok(metadata_hash(&self.desc(&self_)?.stat()?))
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
        err.into_code()
    }
}

impl preopens::Host for WasiCtx {
    /// `get-directories`: each preopened directory with its guest path, in grant order. Each
    /// call gives new descriptors on duplicates (`dup`) of the preopens' host fds, with the
    /// same permissions.
    fn get_directories(&mut self) -> wasmtime::Result<Vec<(Resource<Descriptor>, String)>> {
        self.push_preopens()
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
        // The descriptor may be dropped while its streams live (the WIT does not make them
        // its children), and they go on working on the file.
        HostDescriptor::drop(&mut c, f).unwrap();
        HostOutputStream::write(&mut c, Resource::new_borrow(a.rep()), b"!".to_vec())
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        assert_eq!(std::fs::read(dir.0.join("f.txt")).unwrap(), b"\0\0ab\0Z!");
        HostOutputStream::drop(&mut c, w).unwrap();
        HostOutputStream::drop(&mut c, a).unwrap();
        HostInputStream::drop(&mut c, r).unwrap();
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

    #[test]
    fn flags_and_advice_follow_wit_order() {
        use host::{DescFlags, OpenFlags as O};
        for (i, f) in DESCRIPTOR_FLAGS.iter().enumerate() {
            assert_eq!(f.as_array()[0], 1 << i);
        }
        let f = DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY;
        assert_eq!(f.as_array()[0], DescFlags::READ.0 | DescFlags::MUTATE_DIRECTORY.0);
        assert_eq!(host::flags_of(f.as_array()[0], DescriptorFlags::empty(), &DESCRIPTOR_FLAGS), f);
        assert_eq!(OpenFlags::TRUNCATE.as_array()[0], O::TRUNCATE.0);
        assert_eq!(OpenFlags::CREATE.as_array()[0], O::CREATE.0);
        assert_eq!(host::ADVICE[Advice::NoReuse as usize], rustix::fs::Advice::NoReuse);
        assert_eq!(host::ADVICE[Advice::Normal as usize], rustix::fs::Advice::Normal);
    }
}
