//! wasi:filesystem@0.3 — `types` (descriptor) and `preopens`.
//!
//! A `descriptor` resource *is* a [`Descriptor`], the type the other views' descriptors
//! hold, and every method is a thin mapping of the 0.3 WIT types onto the view-neutral
//! descriptor operations of [`crate::filesystem::host`] and [`crate::filesystem::ops`]: the
//! same permission checks, sandboxed resolution and syscalls as the other views. Errors are
//! the shared [`Errno`] mapped onto the WIT `error-code` ([`error_code`]); lack of permission,
//! an attempt to leave a preopen, and an absolute symlink target are `not-permitted`.
//!
//! The `async func`s do their syscalls directly, on the thread polling the event loop (a
//! regular file or directory never makes a syscall wait; an `open-at` of a FIFO under the
//! run's deadline is bounded as in the other views). `read-via-stream`, `write-via-stream` and
//! `append-via-stream` make a byte stream over a duplicate of the descriptor's fd (see
//! [`super::bytes`]), so the descriptor may be dropped while its streams live; errors found
//! before the stream starts (`is-directory`, `bad-descriptor`) resolve the returned future,
//! with an empty stream. `read-directory` lists the directory when called and streams the
//! entries from memory.

use std::os::fd::OwnedFd;

use rustix::fs::FileType;
use wasmtime::component::{Access, Accessor, Resource, StreamReader};

use super::bindings::wasi::clocks::system_clock::Instant;
use super::bindings::wasi::filesystem::{preopens, types};
use super::bytes::{
    self, budget, ready_future, Counted, Outcome, ReadStream, WriteStream, WriteTo,
};
use super::WasiP3;
use crate::ctx::WasiCtx;
use crate::errno::{self, Errno};
use crate::filesystem::host::{self, fs_error_code, NewTime};
use crate::filesystem::Descriptor;
use crate::sys::retry;
use types::{
    Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};

/// The error of a wasi:filesystem@0.3 call: an `error-code` for the guest, or a trap (a
/// stale handle; the run's deadline passing while an `open-at` waited).
pub type FsError = host::CallError<ErrorCode>;

/// A wasi:filesystem@0.3 call's result.
type FResult<T> = Result<T, FsError>;

/// The future of a stream's end (`future<result<_, error-code>>`).
type Done = bytes::Done<ErrorCode>;

/// The 0.3 `error-code` of a host errno (the component views' one table; 0.3 has no
/// `would-block`, so `EAGAIN` is `io`).
pub fn error_code(e: Errno) -> ErrorCode {
    fs_error_code!(ErrorCode, e)
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

/// The 0.3 `descriptor-type` of a host file type (what the host cannot name is
/// `other(none)`).
fn descriptor_type(t: FileType) -> DescriptorType {
    match t {
        FileType::RegularFile => DescriptorType::RegularFile,
        FileType::Directory => DescriptorType::Directory,
        FileType::Symlink => DescriptorType::SymbolicLink,
        FileType::Fifo => DescriptorType::Fifo,
        FileType::CharacterDevice => DescriptorType::CharacterDevice,
        FileType::BlockDevice => DescriptorType::BlockDevice,
        FileType::Socket => DescriptorType::Socket,
        FileType::Unknown => DescriptorType::Other(None),
    }
}

/// A WIT `instant` of a neutral time (0.3's instants may precede the epoch).
fn instant(t: host::Time) -> Option<Instant> {
    Some(Instant { seconds: t.seconds, nanoseconds: t.nanoseconds })
}

/// The WIT `descriptor-stat` of a host `stat`.
fn descriptor_stat(st: &rustix::fs::Stat) -> DescriptorStat {
    let s = host::Stat::of(st);
    DescriptorStat {
        type_: descriptor_type(s.file_type),
        link_count: s.link_count,
        size: s.size,
        data_access_timestamp: instant(s.accessed),
        data_modification_timestamp: instant(s.modified),
        status_change_timestamp: instant(s.changed),
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
        NewTimestamp::Timestamp(i) => NewTime::At(i.seconds, i.nanoseconds),
    }
}

/// Whether `symlink-follow` is set.
fn follow(f: PathFlags) -> bool {
    f.contains(PathFlags::SYMLINK_FOLLOW)
}

/// Runs `op` on the descriptor behind `r` (a trap if the handle is stale).
fn with_desc<T, R>(
    accessor: &Accessor<T, WasiP3>,
    r: &Resource<Descriptor>,
    op: impl FnOnce(&Descriptor) -> errno::Result<R>,
) -> FResult<R> {
    accessor.with(|mut a| Ok(op(a.get().get(r)?)?))
}

/// Runs `op` on the descriptors behind `a` and `b` (a trap if either handle is stale).
fn with_two<T, R>(
    accessor: &Accessor<T, WasiP3>,
    a: &Resource<Descriptor>,
    b: &Resource<Descriptor>,
    op: impl FnOnce(&Descriptor, &Descriptor) -> R,
) -> wasmtime::Result<R> {
    accessor.with(|mut s| {
        let ctx: &WasiCtx = s.get();
        Ok(op(ctx.get(a)?, ctx.get(b)?))
    })
}

/// A future already resolved with `err(error_code(e))`: a stream that never started.
/// Errors: a trap past the instance's limit.
fn failed<T>(store: &mut Access<'_, T, WasiP3>, e: Errno) -> wasmtime::Result<Done> {
    let budget = budget(store);
    ready_future(store, &budget, Err(error_code(e)))
}

/// An empty stream of `T` (counted: [`crate::budget`]), beside a future that says why.
/// Errors: a trap past the instance's limit.
fn empty<T, U>(store: &mut Access<'_, T, WasiP3>) -> wasmtime::Result<StreamReader<U>>
where
    U: wasmtime::component::Lower + wasmtime::component::Lift + Send + Sync + 'static,
{
    let budget = budget(store);
    let stream = Counted::new(&budget, "stream", std::iter::empty::<U>())?;
    StreamReader::new(store, stream)
}

/// A duplicate of `d`'s fd, and whether it is a regular file (else it has no offsets).
fn dup(d: &Descriptor) -> errno::Result<(OwnedFd, bool)> {
    Ok((retry(|| rustix::io::fcntl_dupfd_cloexec(d.as_fd(), 0))?, d.regular_file))
}

/// Consumes the guest's `data` into the file behind `self_` (`write-via-stream` at
/// `offset`; appending with `offset` `None`). Errors before the first byte — `is-directory`,
/// `bad-descriptor` (not open for writing) — close `data` and resolve the future; a stale
/// handle traps.
fn write_file<T>(
    mut store: Access<'_, T, WasiP3>,
    self_: &Resource<Descriptor>,
    mut data: StreamReader<u8>,
    offset: Option<u64>,
) -> wasmtime::Result<Done> {
    let target = store.get().get(self_)?.writable_file().and_then(dup);
    let (fd, regular) = match target {
        Ok(t) => t,
        Err(e) => {
            data.close(&mut store)?;
            return failed(&mut store, e);
        }
    };
    let to = match offset {
        // A FIFO or device opened by path has no offsets: plain `write`.
        _ if !regular => WriteTo::Sequential(fd),
        Some(offset) => WriteTo::At { fd, offset },
        None => WriteTo::Append(fd),
    };
    let budget = budget(&mut store);
    let (outcome, future) = Outcome::new(&mut store, &budget, error_code)?;
    data.pipe(&mut store, Counted::new(&budget, "stream", WriteStream::new(to, outcome))?)?;
    Ok(future)
}

impl<T: Send> types::HostDescriptorWithStore<T> for WasiP3 {
    /// `read-via-stream(offset)`: a stream of the file's bytes from byte `offset` (a FIFO or
    /// device: its bytes as read, the offset unused), and the future of how it ended.
    /// Errors, on the future: `is-directory`, `bad-descriptor` (not open for reading), the
    /// host's (a read failing).
    fn read_via_stream(
        mut store: Access<'_, T, Self>,
        self_: Resource<Descriptor>,
        offset: u64,
    ) -> wasmtime::Result<(StreamReader<u8>, Done)> {
        let source = store.get().get(&self_)?.readable_file().and_then(dup);
        let (fd, regular) = match source {
            Ok(s) => s,
            Err(e) => {
                let empty = empty::<T, u8>(&mut store)?;
                return Ok((empty, failed(&mut store, e)?));
            }
        };
        let budget = budget(&mut store);
        let (outcome, future) = Outcome::new(&mut store, &budget, error_code)?;
        let stream = if regular {
            ReadStream::file(fd, offset, outcome)
        } else {
            ReadStream::sequential(fd, outcome)
        };
        let stream = Counted::new(&budget, "stream", stream)?;
        Ok((StreamReader::new(&mut store, stream)?, future))
    }

    /// `write-via-stream(data, offset)`: writes the guest's stream to the file from byte
    /// `offset` (`pwrite(2)`; a FIFO or device: `write(2)`). Errors, on the future:
    /// `is-directory`, `bad-descriptor` (not open for writing), the host's.
    fn write_via_stream(
        store: Access<'_, T, Self>,
        self_: Resource<Descriptor>,
        data: StreamReader<u8>,
        offset: u64,
    ) -> wasmtime::Result<Done> {
        write_file(store, &self_, data, Some(offset))
    }

    /// `append-via-stream(data)`: writes the guest's stream at the file's end
    /// (`pwritev2(RWF_APPEND)`). Errors, on the future: `is-directory`, `bad-descriptor`
    /// (not open for writing), the host's.
    fn append_via_stream(
        store: Access<'_, T, Self>,
        self_: Resource<Descriptor>,
        data: StreamReader<u8>,
    ) -> wasmtime::Result<Done> {
        write_file(store, &self_, data, None)
    }

    /// `advise(offset, length, advice)`: `posix_fadvise(2)` of `length` bytes from `offset`
    /// (0: to the end). Errors: `is-directory`, the host's.
    async fn advise(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        offset: u64,
        length: u64,
        advice: Advice,
    ) -> FResult<()> {
        with_desc(accessor, &self_, |d| d.advise(offset, length, host::ADVICE[advice as usize]))
    }

    /// `sync-data`: `fdatasync(2)`. Errors: the host's.
    async fn sync_data(accessor: &Accessor<T, Self>, self_: Resource<Descriptor>) -> FResult<()> {
        with_desc(accessor, &self_, Descriptor::sync_data)
    }

    /// `get-flags`: `read`/`write` as the file was opened (for a directory: `read`, and
    /// `mutate-directory` if its entries may change), plus the sync flags it was opened with.
    async fn get_flags(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
    ) -> FResult<DescriptorFlags> {
        let f = with_desc(accessor, &self_, Descriptor::flags)?;
        Ok(host::flags_of(f.0, DescriptorFlags::empty(), &DESCRIPTOR_FLAGS))
    }

    /// `get-type`: the file type (a directory's without a syscall, else `fstat`'s).
    async fn get_type(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
    ) -> FResult<DescriptorType> {
        Ok(descriptor_type(with_desc(accessor, &self_, Descriptor::file_type)?))
    }

    /// `set-size(size)`: `ftruncate(2)` to `size` bytes. Errors: `is-directory`,
    /// `bad-descriptor` (not open for writing), the host's.
    async fn set_size(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        size: u64,
    ) -> FResult<()> {
        with_desc(accessor, &self_, |d| d.set_size(size))
    }

    /// `set-times(atime, mtime)`: `futimens(2)`. A file must be open for writing
    /// (`bad-descriptor`), a directory mutable (`not-permitted`).
    async fn set_times(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        data_access_timestamp: NewTimestamp,
        data_modification_timestamp: NewTimestamp,
    ) -> FResult<()> {
        let (a, m) = (new_time(data_access_timestamp), new_time(data_modification_timestamp));
        with_desc(accessor, &self_, |d| d.set_times(a, m))
    }

    /// `read-directory`: a stream of the directory's entries (without `.` and `..`), listed
    /// when called, and the future of how it ended. Errors, on the future (with an empty
    /// stream): `not-directory`, `not-permitted` (not readable), `illegal-byte-sequence` (a
    /// name that is not UTF-8), the host's.
    fn read_directory(
        mut store: Access<'_, T, Self>,
        self_: Resource<Descriptor>,
    ) -> wasmtime::Result<(StreamReader<DirectoryEntry>, Done)> {
        let entries = match store.get().get(&self_)?.read_directory() {
            Ok(entries) => entries,
            Err(e) => {
                let empty = empty::<T, DirectoryEntry>(&mut store)?;
                return Ok((empty, failed(&mut store, e)?));
            }
        };
        let entries = entries
            .into_iter()
            .map(|(name, t)| DirectoryEntry { type_: descriptor_type(t), name })
            .collect::<Vec<_>>();
        let budget = budget(&mut store);
        let stream = StreamReader::new(&mut store, Counted::new(&budget, "stream", entries)?)?;
        let done = ready_future(&mut store, &budget, Ok(()))?;
        Ok((stream, done))
    }

    /// `sync`: `fsync(2)`. Errors: the host's.
    async fn sync(accessor: &Accessor<T, Self>, self_: Resource<Descriptor>) -> FResult<()> {
        with_desc(accessor, &self_, Descriptor::sync)
    }

    /// `create-directory-at(path)`: `mkdirat` beneath the directory (needs
    /// `mutate-directory`). Errors: `not-directory`, `not-permitted`, `exist`, the host's.
    async fn create_directory_at(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        path: String,
    ) -> FResult<()> {
        with_desc(accessor, &self_, |d| d.create_directory_at(&path))
    }

    /// `stat`: `fstat` of the descriptor. Errors: the host's.
    async fn stat(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
    ) -> FResult<DescriptorStat> {
        Ok(descriptor_stat(&with_desc(accessor, &self_, Descriptor::stat)?))
    }

    /// `stat-at(flags, path)`: stat of `path` beneath the directory, following a final
    /// symlink with `symlink-follow` (within the sandbox). Errors: `not-directory`,
    /// `not-permitted` (not readable, an escape), `no-entry`, the host's.
    async fn stat_at(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        path_flags: PathFlags,
        path: String,
    ) -> FResult<DescriptorStat> {
        let st = with_desc(accessor, &self_, |d| d.stat_at(follow(path_flags), &path))?;
        Ok(descriptor_stat(&st))
    }

    /// `set-times-at(flags, path, atime, mtime)`: `utimensat` beneath the directory (needs
    /// `mutate-directory`). Errors: `not-directory`, `not-permitted`, `no-entry`, the host's.
    async fn set_times_at(
        accessor: &Accessor<T, Self>,
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
        with_desc(accessor, &self_, |d| d.set_times_at(follow(path_flags), &path, &ts))
    }

    /// `link-at(flags, old, new-descriptor, new)`: a hard link (both directories need
    /// `mutate-directory`). Errors: `not-directory`, `not-permitted`, `exist`, `no-entry`,
    /// the host's.
    async fn link_at(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        old_path_flags: PathFlags,
        old_path: String,
        new_descriptor: Resource<Descriptor>,
        new_path: String,
    ) -> FResult<()> {
        let follow = follow(old_path_flags);
        let r = with_two(accessor, &self_, &new_descriptor, |od, nd| {
            od.link_at(follow, &old_path, nd, &new_path)
        })?;
        Ok(r?)
    }

    /// `open-at(path-flags, path, open-flags, flags)`: opens `path` beneath the directory,
    /// as the other views do ([`Descriptor::open_at_flags`]); a new descriptor.
    /// Errors: `not-directory`, `not-permitted` (permissions, an escape), `exist`,
    /// `no-entry`, `is-directory`, `loop`, the host's.
    async fn open_at(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        path_flags: PathFlags,
        path: String,
        open_flags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FResult<Resource<Descriptor>> {
        let open = host::OpenFlags(open_flags.as_array()[0]);
        let flags = host::DescFlags(flags.as_array()[0]);
        accessor.with(|mut a| {
            let ctx: &mut WasiCtx = a.get();
            let d = ctx.get(&self_)?;
            let new = d.open_at_flags(follow(path_flags), &path, open, flags, ctx.deadline)?;
            Ok(ctx.push(new)?)
        })
    }

    /// `readlink-at(path)`: the target of the symlink at `path`. Errors: `not-directory`,
    /// `not-permitted`, `invalid` (not a symlink), `illegal-byte-sequence` (a target that is
    /// not UTF-8), the host's.
    async fn readlink_at(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        path: String,
    ) -> FResult<String> {
        with_desc(accessor, &self_, |d| d.readlink_at_string(&path))
    }

    /// `remove-directory-at(path)`: removes an empty directory (needs `mutate-directory`).
    /// Errors: `not-directory`, `not-permitted`, `not-empty`, `no-entry`, the host's.
    async fn remove_directory_at(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        path: String,
    ) -> FResult<()> {
        with_desc(accessor, &self_, |d| d.remove_directory_at(&path))
    }

    /// `rename-at(old, new-descriptor, new)`: `renameat` (both need `mutate-directory`).
    /// Errors: `not-directory`, `not-permitted`, `no-entry`, the host's.
    async fn rename_at(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        old_path: String,
        new_descriptor: Resource<Descriptor>,
        new_path: String,
    ) -> FResult<()> {
        let r = with_two(accessor, &self_, &new_descriptor, |od, nd| {
            od.rename_at(&old_path, nd, &new_path)
        })?;
        Ok(r?)
    }

    /// `symlink-at(old, new)`: creates the symlink `new` with target text `old` (needs
    /// `mutate-directory`). Errors: `not-permitted` (also for an absolute target),
    /// `not-directory`, `exist`, the host's.
    async fn symlink_at(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        old_path: String,
        new_path: String,
    ) -> FResult<()> {
        with_desc(accessor, &self_, |d| d.symlink_at(&old_path, &new_path))
    }

    /// `unlink-file-at(path)`: removes a non-directory (needs `mutate-directory`).
    /// Errors: `not-directory`, `not-permitted`, `is-directory`, `no-entry`, the host's.
    async fn unlink_file_at(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        path: String,
    ) -> FResult<()> {
        with_desc(accessor, &self_, |d| d.unlink_file_at(&path))
    }

    /// `is-same-object(other)`: whether both descriptors are the same file (device and
    /// inode equal). A failing `fstat` answers false.
    async fn is_same_object(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        other: Resource<Descriptor>,
    ) -> wasmtime::Result<bool> {
        with_two(accessor, &self_, &other, Descriptor::is_same_object)
    }

    /// `metadata-hash`: a 128-bit hash of the file's identity (device, inode).
    /// Errors: the host's.
    async fn metadata_hash(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
    ) -> FResult<MetadataHashValue> {
        Ok(metadata_hash(&with_desc(accessor, &self_, Descriptor::stat)?))
    }

    /// `metadata-hash-at(flags, path)`: as `metadata-hash`, of `path` beneath the
    /// directory. Errors: those of `stat-at`.
    async fn metadata_hash_at(
        accessor: &Accessor<T, Self>,
        self_: Resource<Descriptor>,
        path_flags: PathFlags,
        path: String,
    ) -> FResult<MetadataHashValue> {
        let st = with_desc(accessor, &self_, |d| d.stat_at(follow(path_flags), &path))?;
        Ok(metadata_hash(&st))
    }
}

impl types::HostDescriptor for WasiCtx {
    /// Drops a descriptor (closing its host fd; its streams have fds of their own).
    fn drop(&mut self, rep: Resource<Descriptor>) -> wasmtime::Result<()> {
        self.delete(rep).map(|_| ())
    }
}

impl types::Host for WasiCtx {
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
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use tokio::sync::oneshot;
    use wasmtime::component::{FutureConsumer, Lift, Source, StreamConsumer, StreamResult};
    use wasmtime::{Engine, Store, StoreContextMut};

    use super::*;
    use types::HostDescriptorWithStore as D;

    /// The store's data.
    struct Host {
        ctx: WasiCtx,
    }

    /// A temporary directory, removed on drop.
    struct TempDir(std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Runs `f` inside the event loop of a store whose context preopens a fresh temporary
    /// directory read-write (`/d`, `f`'s second argument).
    fn run<R: Send + 'static>(
        tag: &str,
        f: impl AsyncFnOnce(&Accessor<Host, WasiP3>, Resource<Descriptor>, &std::path::Path) -> R,
    ) -> R {
        let dir =
            TempDir(std::env::temp_dir().join(format!("eddy-p3fs-{tag}-{}", std::process::id())));
        let _ = std::fs::remove_dir_all(&dir.0);
        std::fs::create_dir_all(&dir.0).unwrap();
        let mut b = crate::WasiCtxBuilder::new();
        b.preopened_dir(&dir.0, "/d", crate::DirPerms::ALL, crate::FilePerms::ALL).unwrap();
        let mut ctx = b.build().unwrap();
        let mut pre = preopens::Host::get_directories(&mut ctx).unwrap();
        assert_eq!(pre.len(), 1);
        let (d, name) = pre.pop().unwrap();
        assert_eq!(name, "/d");
        let mut config = wasmtime::Config::new();
        config.wasm_component_model_async(true);
        let engine = Engine::new(&config).unwrap();
        let mut store = Store::new(&engine, Host { ctx });
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(store.run_concurrent(async |acc| {
            let acc = acc.with_getter::<WasiP3>(|h| &mut h.ctx);
            f(&acc, d, &dir.0).await
        }))
        .unwrap()
    }

    /// Collects a stream's items; sends them when the stream ends (the consumer is dropped).
    struct Collect<I> {
        got: Vec<I>,
        tx: Option<oneshot::Sender<Vec<I>>>,
    }

    impl<I> Drop for Collect<I> {
        fn drop(&mut self) {
            if let Some(tx) = self.tx.take() {
                let _ = tx.send(std::mem::take(&mut self.got));
            }
        }
    }

    impl<I: Lift + Send + Sync + Unpin + 'static> StreamConsumer<Host> for Collect<I> {
        type Item = I;

        fn poll_consume(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            mut store: StoreContextMut<Host>,
            mut src: Source<'_, I>,
            _: bool,
        ) -> Poll<wasmtime::Result<StreamResult>> {
            let mut buf = Vec::with_capacity(64);
            src.read(&mut store, &mut buf)?;
            self.get_mut().got.extend(buf);
            Poll::Ready(Ok(StreamResult::Completed))
        }
    }

    /// Takes a future's value.
    struct Take<I>(Option<oneshot::Sender<I>>);

    impl<I: Lift + Send + Sync + 'static> FutureConsumer<Host> for Take<I> {
        type Item = I;

        fn poll_consume(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            mut store: StoreContextMut<Host>,
            mut src: Source<'_, I>,
            _: bool,
        ) -> Poll<wasmtime::Result<()>> {
            let mut v = None;
            src.read(&mut store, &mut v)?;
            if let (Some(v), Some(tx)) = (v, self.get_mut().0.take()) {
                let _ = tx.send(v);
            }
            Poll::Ready(Ok(()))
        }
    }

    /// Everything `stream` yields.
    async fn drain<I: Lift + Send + Sync + Unpin + 'static>(
        acc: &Accessor<Host, WasiP3>,
        stream: StreamReader<I>,
    ) -> Vec<I> {
        let (tx, rx) = oneshot::channel();
        acc.with(|mut a| stream.pipe(&mut a, Collect { got: Vec::new(), tx: Some(tx) })).unwrap();
        rx.await.unwrap()
    }

    /// What `done` resolves to.
    async fn outcome(acc: &Accessor<Host, WasiP3>, done: Done) -> Result<(), ErrorCode> {
        let (tx, rx) = oneshot::channel();
        acc.with(|mut a| done.pipe(&mut a, Take(Some(tx)))).unwrap();
        rx.await.unwrap()
    }

    /// A stream of `bytes` written by the host.
    fn bytes(acc: &Accessor<Host, WasiP3>, bytes: &[u8]) -> StreamReader<u8> {
        acc.with(|mut a| StreamReader::new(&mut a, bytes.to_vec())).unwrap()
    }

    fn borrow(r: &Resource<Descriptor>) -> Resource<Descriptor> {
        Resource::new_borrow(r.rep())
    }

    /// An error's code (panics on a trap).
    fn code<T: std::fmt::Debug>(r: FResult<T>) -> ErrorCode {
        match r.unwrap_err() {
            FsError::Code(c) => c,
            FsError::Trap(e) => panic!("trap: {e}"),
        }
    }

    #[test]
    fn file_streams_write_append_and_read_back() {
        let (content, read, ends) = run("streams", async |acc, d, dir| {
            let rw = DescriptorFlags::READ | DescriptorFlags::WRITE;
            let f = WasiP3::open_at(
                acc,
                borrow(&d),
                PathFlags::empty(),
                "f".into(),
                OpenFlags::CREATE,
                rw,
            )
            .await
            .unwrap();
            let data = bytes(acc, b"ab");
            let done = acc.with(|a| WasiP3::write_via_stream(a, borrow(&f), data, 2)).unwrap();
            let w = outcome(acc, done).await;
            let data = bytes(acc, b"Z");
            let done = acc.with(|a| WasiP3::append_via_stream(a, borrow(&f), data)).unwrap();
            let ap = outcome(acc, done).await;
            let content = std::fs::read(dir.join("f")).unwrap();
            let (s, done) = acc.with(|a| WasiP3::read_via_stream(a, borrow(&f), 1)).unwrap();
            let read = drain(acc, s).await;
            let r = outcome(acc, done).await;
            (content, read, [w, ap, r])
        });
        assert_eq!(content, b"\0\0abZ");
        assert_eq!(read, b"\0abZ");
        assert!(ends.iter().all(|e| e.is_ok()), "{ends:?}");
    }

    #[test]
    fn stream_errors_resolve_the_future() {
        let (dir_read, ro_write, listed) = run("errors", async |acc, d, dir| {
            std::fs::write(dir.join("a"), "x").unwrap();
            std::fs::create_dir(dir.join("b")).unwrap();
            // Reading a directory as a file: `is-directory`, an empty stream.
            let (s, done) = acc.with(|a| WasiP3::read_via_stream(a, borrow(&d), 0)).unwrap();
            assert!(drain(acc, s).await.is_empty());
            let dir_read = outcome(acc, done).await;
            // Writing a file opened read-only: `bad-descriptor`.
            let ro = WasiP3::open_at(
                acc,
                borrow(&d),
                PathFlags::empty(),
                "a".into(),
                OpenFlags::empty(),
                DescriptorFlags::READ,
            )
            .await
            .unwrap();
            let data = bytes(acc, b"y");
            let done = acc.with(|a| WasiP3::write_via_stream(a, borrow(&ro), data, 0)).unwrap();
            let ro_write = outcome(acc, done).await;
            // The directory's entries.
            let (s, done) = acc.with(|a| WasiP3::read_directory(a, borrow(&d))).unwrap();
            let mut listed: Vec<_> = drain(acc, s)
                .await
                .into_iter()
                .map(|e| (e.name, format!("{:?}", e.type_)))
                .collect();
            listed.sort();
            assert!(outcome(acc, done).await.is_ok());
            // A file is not a directory.
            let (s, done) = acc.with(|a| WasiP3::read_directory(a, borrow(&ro))).unwrap();
            assert!(drain(acc, s).await.is_empty());
            assert!(matches!(outcome(acc, done).await, Err(ErrorCode::NotDirectory)));
            (dir_read, ro_write, listed)
        });
        assert!(matches!(dir_read, Err(ErrorCode::IsDirectory)), "{dir_read:?}");
        assert!(matches!(ro_write, Err(ErrorCode::BadDescriptor)), "{ro_write:?}");
        assert_eq!(
            listed,
            [
                ("a".to_string(), "DescriptorType::RegularFile".to_string()),
                ("b".to_string(), "DescriptorType::Directory".to_string())
            ]
        );
    }

    #[test]
    fn sandbox_permissions_and_identity() {
        run("sandbox", async |acc, d, dir| {
            std::fs::write(dir.join("a"), "x").unwrap();
            let escape = WasiP3::stat_at(acc, borrow(&d), PathFlags::empty(), "../x".into()).await;
            assert!(matches!(code(escape), ErrorCode::NotPermitted));
            let abs = WasiP3::symlink_at(acc, borrow(&d), "/etc".into(), "l".into()).await;
            assert!(matches!(code(abs), ErrorCode::NotPermitted));
            let mk = WasiP3::create_directory_at(acc, borrow(&d), "sub".into()).await;
            assert!(mk.is_ok());
            let fl = WasiP3::get_flags(acc, borrow(&d)).await.unwrap();
            assert_eq!(fl, DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY);
            let open = |path: &'static str| {
                WasiP3::open_at(
                    acc,
                    borrow(&d),
                    PathFlags::empty(),
                    path.into(),
                    OpenFlags::empty(),
                    DescriptorFlags::READ,
                )
            };
            let (a1, a2) = (open("a").await.unwrap(), open("./a").await.unwrap());
            assert!(WasiP3::is_same_object(acc, borrow(&a1), borrow(&a2)).await.unwrap());
            assert!(!WasiP3::is_same_object(acc, borrow(&a1), borrow(&d)).await.unwrap());
            let h1 = WasiP3::metadata_hash(acc, borrow(&a1)).await.unwrap();
            let h2 = WasiP3::metadata_hash_at(acc, borrow(&d), PathFlags::empty(), "a".into())
                .await
                .unwrap();
            assert_eq!((h1.lower, h1.upper), (h2.lower, h2.upper));
            let st = WasiP3::stat(acc, borrow(&a1)).await.unwrap();
            assert_eq!(st.size, 1);
            assert!(matches!(st.type_, DescriptorType::RegularFile));
            assert!(st.data_modification_timestamp.is_some());
            let sz = WasiP3::set_size(acc, borrow(&a1), 0).await;
            assert!(matches!(code(sz), ErrorCode::BadDescriptor));
            let t = WasiP3::get_type(acc, borrow(&d)).await.unwrap();
            assert!(matches!(t, DescriptorType::Directory));
        });
    }

    #[test]
    fn errno_mapping() {
        let name = |e| format!("{:?}", error_code(e));
        assert_eq!(name(Errno::Notcapable), "ErrorCode::NotPermitted");
        assert_eq!(name(Errno::Perm), "ErrorCode::NotPermitted");
        assert_eq!(name(Errno::Acces), "ErrorCode::Access");
        assert_eq!(name(Errno::Noent), "ErrorCode::NoEntry");
        assert_eq!(name(Errno::Again), "ErrorCode::Io");
        assert_eq!(name(Errno::Srch), "ErrorCode::Io");
    }

    #[test]
    fn flags_follow_wit_order() {
        for (i, f) in DESCRIPTOR_FLAGS.iter().enumerate() {
            assert_eq!(f.as_array()[0], 1 << i);
        }
        assert_eq!(OpenFlags::TRUNCATE.as_array()[0], host::OpenFlags::TRUNCATE.0);
        assert_eq!(host::ADVICE[Advice::DontNeed as usize], rustix::fs::Advice::DontNeed);
    }
}
