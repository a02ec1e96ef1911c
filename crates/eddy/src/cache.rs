//! The compile cache: compiled artifacts under the user's cache dir, keyed by the SHA-256 of
//! the wasm bytes and wasmtime's `precompile_compatibility_hash` (engine version, target and
//! every codegen setting). Only files this cache wrote are ever deserialized, and a write is
//! atomic (temp file + rename) so concurrent runs never see half a file.
//!
//! An entry is the serialized artifact followed by a [`TRAILER_LEN`]-byte trailer: the
//! BLAKE3 hash of the artifact, then [`MAGIC`]. wasmtime checks an artifact's header but
//! trusts its code, so a bit flipped on disk in the code section would otherwise run as
//! machine code (a crash on every later run). `get` verifies the hash before deserializing;
//! an entry that fails is removed, and the caller recompiles and rewrites it.
//!
//! Size bound: the entries' total size is kept under a bound ([`DEFAULT_CACHE_MAX_BYTES`],
//! `-C cache-size`), least recently used first out. A hit sets the entry's mtime to now;
//! after a store, the oldest entries by mtime are removed until the total fits. An artifact
//! larger than the whole bound is not stored. Nothing else is kept (no index file), so runs
//! sharing the directory need no lock: at worst two evict the same file.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::program::Program;

/// Ends every entry, after the artifact's hash (format version 1).
const MAGIC: &[u8; 8] = b"eddyb3v1";

/// The bytes after the artifact: its BLAKE3 hash (32) and [`MAGIC`] (8).
const TRAILER_LEN: usize = 32 + MAGIC.len();

/// Whether the entry at `path` has an intact trailer whose hash matches its artifact. Hashes
/// the file mapped (no copy of the entry: the warm start stays one pass over the page cache;
/// wasmtime then maps the same pages again).
fn verified(path: &Path) -> std::io::Result<bool> {
    let file = std::fs::File::open(path)?;
    // SAFETY: entries are never written in place (`put` renames a new file over an old one),
    // so the mapped bytes do not change while they are read.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    let Some(n) = map.len().checked_sub(TRAILER_LEN) else {
        return Ok(false);
    };
    let (artifact, trailer) = map.split_at(n);
    let (hash, magic) = trailer.split_at(32);
    Ok(magic == MAGIC && blake3::hash(artifact).as_bytes() == hash)
}

/// The default bound on the compile cache's total size: 1 GiB.
pub const DEFAULT_CACHE_MAX_BYTES: u64 = 1 << 30;

/// What a compile-cache directory holds ([`cache_stats`]), or what [`clear_cache`] removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Number of entries (`*.cwasm` files).
    pub entries: u64,
    /// Their total size, bytes.
    pub bytes: u64,
}

/// One entry file: its path, size (bytes) and mtime.
fn entries(dir: &Path) -> std::io::Result<Vec<(PathBuf, u64, std::time::SystemTime)>> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        // No directory yet: an empty cache.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for e in rd {
        let e = e?;
        let path = e.path();
        if path.extension().is_none_or(|x| x != "cwasm") {
            continue;
        }
        // An entry removed meanwhile (another run evicting) is skipped.
        let Ok(m) = e.metadata() else { continue };
        if m.is_file() {
            out.push((path, m.len(), m.modified().unwrap_or(std::time::UNIX_EPOCH)));
        }
    }
    Ok(out)
}

/// The number and total size of the compile-cache entries in `dir` (a missing directory is
/// an empty cache). Errors: the OS error reading the directory.
pub fn cache_stats(dir: &Path) -> std::io::Result<CacheStats> {
    let e = entries(dir)?;
    Ok(CacheStats { entries: e.len() as u64, bytes: e.iter().map(|x| x.1).sum() })
}

/// Removes every compile-cache entry in `dir` (its `*.cwasm` files and leftover temporary
/// files; nothing else, and not the directory) and returns what was removed. A missing
/// directory is an empty cache. Errors: the OS error reading the directory or removing a
/// file (entries removed before it stay removed).
pub fn clear_cache(dir: &Path) -> std::io::Result<CacheStats> {
    let mut removed = CacheStats::default();
    for (path, len, _) in entries(dir)? {
        match std::fs::remove_file(&path) {
            Ok(()) => {
                removed.entries += 1;
                removed.bytes += len;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with(".tmp-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(removed)
}

/// A directory of `<key>.cwasm` files.
#[derive(Clone, Debug)]
pub(crate) struct CompileCache {
    dir: PathBuf,
    engine_key: [u8; 32],
    /// Most bytes all entries together may take.
    max_bytes: u64,
}

/// Feeds `Hash` output into SHA-256.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

impl CompileCache {
    /// The cache in `dir` for `engine`'s settings, its entries kept under `max_bytes`.
    pub(crate) fn new(dir: PathBuf, engine: &wasmtime::Engine, max_bytes: u64) -> CompileCache {
        let mut h = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut h);
        env!("CARGO_PKG_VERSION").hash(&mut h);
        CompileCache { dir, engine_key: h.0.finalize().into(), max_bytes }
    }

    fn path(&self, bytes: &[u8]) -> PathBuf {
        let mut h = Sha256::new();
        h.update(self.engine_key);
        h.update(bytes);
        let key: [u8; 32] = h.finalize().into();
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{hex}.cwasm"))
    }

    /// The cached program for `bytes` (a component if `component`), if this cache holds one
    /// that still deserializes.
    pub(crate) fn get(
        &self,
        engine: &wasmtime::Engine,
        bytes: &[u8],
        component: bool,
    ) -> Option<Program> {
        let path = self.path(bytes);
        if !path.is_file() {
            return None;
        }
        if !verified(&path).unwrap_or(false) {
            tracing::debug!("compile cache: discarding {}: checksum mismatch", path.display());
            let _ = std::fs::remove_file(&path);
            return None;
        }
        // SAFETY: the file was written by `put` below (it lives in Eddy's own cache directory
        // under a name derived from the content hash and engine settings) and the BLAKE3 hash
        // written with it still matches, so its artifact is the bytes wasmtime produced (the
        // trailer after them is outside every ELF section, which is all wasmtime reads). The
        // key covers the wasm bytes, so a module's bytes never name a component's file or vice
        // versa.
        let r = unsafe {
            if component {
                wasmtime::component::Component::deserialize_file(engine, &path)
                    .map(Program::Component)
            } else {
                wasmtime::Module::deserialize_file(engine, &path).map(Program::Module)
            }
        };
        match r {
            Ok(p) => {
                tracing::info!(target: "eddy::cache", "compile cache: hit {}", path.display());
                // Recently used: eviction goes by mtime. A failure only makes it look older.
                let now = std::time::SystemTime::now();
                if let Ok(f) = std::fs::File::open(&path) {
                    let _ =
                        f.set_times(std::fs::FileTimes::new().set_modified(now).set_accessed(now));
                }
                Some(p)
            }
            Err(e) => {
                tracing::debug!("compile cache: discarding {}: {e:#}", path.display());
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Removes the least recently used entries (oldest mtime first, never `keep`, the entry
    /// just stored) until the entries' total is at most the bound. Errors: reading the
    /// directory; a file another run removed first is not one.
    fn evict(&self, keep: &Path) -> std::io::Result<()> {
        let mut all = entries(&self.dir)?;
        let mut total: u64 = all.iter().map(|e| e.1).sum();
        if total <= self.max_bytes {
            return Ok(());
        }
        all.sort_by_key(|e| e.2);
        for (path, len, _) in all {
            if total <= self.max_bytes {
                break;
            }
            if path == keep {
                continue;
            }
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    tracing::info!(target: "eddy::cache", "compile cache: evicted {}", path.display());
                    total -= len;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => total -= len,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Stores a compiled program. Failures (read-only cache dir, full disk) are logged and
    /// ignored: the cache is an optimisation.
    pub(crate) fn put(&self, bytes: &[u8], program: &Program) {
        let path = self.path(bytes);
        let res = (|| -> wasmtime::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let mut data = match program {
                Program::Module(m) => m.serialize()?,
                Program::Component(c) => c.serialize()?,
            };
            let hash = blake3::hash(&data);
            data.extend_from_slice(hash.as_bytes());
            data.extend_from_slice(MAGIC);
            if data.len() as u64 > self.max_bytes {
                tracing::info!(
                    target: "eddy::cache",
                    "compile cache: not storing {} ({} bytes): larger than the cache's bound of {} bytes",
                    path.display(),
                    data.len(),
                    self.max_bytes
                );
                return Ok(());
            }
            let tmp = self.dir.join(format!(
                ".tmp-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::write(&tmp, data)?;
            std::fs::rename(&tmp, &path)?;
            tracing::info!(target: "eddy::cache", "compile cache: stored {}", path.display());
            self.evict(&path)?;
            Ok(())
        })();
        if let Err(e) = res {
            tracing::debug!("compile cache: cannot write {}: {e:#}", path.display());
        }
    }
}
