//! [`Engine`]: wasmtime's engine configured for Eddy, plus the compile cache.

use std::path::{Path, PathBuf};

use crate::cache::CompileCache;
use crate::error::{one_line, Error};
use crate::program::{self, is_component, Program};

/// A WebAssembly feature that `-W name=y|n` toggles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WasmFeature {
    /// `exceptions` (Wasm 3.0; on by default).
    Exceptions,
    /// `tail-call` (Wasm 3.0; on).
    TailCall,
    /// `extended-const` (Wasm 3.0; on).
    ExtendedConst,
    /// `multi-memory` (Wasm 3.0; on).
    MultiMemory,
    /// `bulk-memory` (Wasm 2.0; on).
    BulkMemory,
    /// `simd` (Wasm 2.0; on).
    Simd,
    /// `relaxed-simd` (Wasm 3.0; on).
    RelaxedSimd,
    /// `reference-types` (Wasm 2.0; on).
    ReferenceTypes,
    /// `function-references` (Wasm 3.0; on).
    FunctionReferences,
    /// `gc` (Wasm 3.0; on).
    Gc,
    /// `memory64` (Wasm 3.0; on).
    Memory64,
    /// `threads` (shared memories and atomics; on).
    Threads,
    /// `component-model-async` (the component model's async ABI, `stream`/`future`, which
    /// WASI 0.3 components need; on).
    ComponentModelAsync,
}

impl WasmFeature {
    /// Every feature with its `-W` name.
    pub const ALL: &'static [(&'static str, WasmFeature)] = &[
        ("exceptions", WasmFeature::Exceptions),
        ("tail-call", WasmFeature::TailCall),
        ("extended-const", WasmFeature::ExtendedConst),
        ("multi-memory", WasmFeature::MultiMemory),
        ("bulk-memory", WasmFeature::BulkMemory),
        ("simd", WasmFeature::Simd),
        ("relaxed-simd", WasmFeature::RelaxedSimd),
        ("reference-types", WasmFeature::ReferenceTypes),
        ("function-references", WasmFeature::FunctionReferences),
        ("gc", WasmFeature::Gc),
        ("memory64", WasmFeature::Memory64),
        ("threads", WasmFeature::Threads),
        ("component-model-async", WasmFeature::ComponentModelAsync),
    ];

    /// Looks a feature up by its `-W` name.
    pub fn from_name(name: &str) -> Option<WasmFeature> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }
}

/// How to build an [`Engine`].
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Feature overrides (`-W name=y|n`); unlisted features keep Eddy's defaults (all the
    /// standardised Wasm 3.0 features on).
    pub features: Vec<(WasmFeature, bool)>,
    /// Where compiled artifacts are cached; `None` turns the cache off. Default: `$EDDY_CACHE_DIR`,
    /// else `$XDG_CACHE_HOME/eddy`, else `~/.cache/eddy`.
    pub cache_dir: Option<PathBuf>,
    /// Most bytes the compile cache's entries may take together (`-C cache-size`); beyond
    /// it the least recently used are removed after each store. Default
    /// [`crate::DEFAULT_CACHE_MAX_BYTES`] (1 GiB).
    pub cache_max_bytes: u64,
    /// Insert epoch checks so a wall-clock timeout can interrupt the guest (`-W timeout`).
    /// Part of the compiled code, so part of the cache key.
    pub epoch_interruption: bool,
    /// Insert fuel checks (`-W fuel=N`).
    pub consume_fuel: bool,
    /// Most bytes of native stack wasm code may use before it traps with a stack overflow
    /// (`-W max-wasm-stack`); `None`: wasmtime's default (512 KiB).
    pub max_wasm_stack: Option<usize>,
    /// Canonicalize NaN results of float operations, for deterministic bits
    /// (`-W nan-canonicalization`). Part of the compiled code, so part of the cache key.
    pub nan_canonicalization: bool,
    /// Cranelift's optimization level (`-O opt-level`); `None`: wasmtime's default
    /// ([`OptLevel::Speed`]). Part of the cache key.
    pub opt_level: Option<OptLevel>,
    /// Compile functions on several threads (`-C parallel-compilation`; default on).
    pub parallel_compilation: bool,
    /// Emit DWARF for the compiled code so a native debugger (gdb, lldb) can step through
    /// the guest's source (`-D debug-info`). Part of the cache key.
    pub debug_info: bool,
    /// Capture the guest's state when it traps, so [`crate::Capabilities::coredump`] can
    /// write a wasm core dump (`-D coredump=PATH`).
    pub coredump_on_trap: bool,
    /// Relaxed SIMD instructions give the same results on every host (`-W
    /// relaxed-simd-deterministic`). Part of the compiled code, so part of the cache key.
    pub relaxed_simd_deterministic: bool,
    /// A native profiler's view of the compiled code (`--profile perfmap|jitdump`); `None`:
    /// none.
    pub profiler: Option<Profiler>,
}

/// What a native profiler is told about the compiled code (`--profile`, as wasmtime spells it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profiler {
    /// `perfmap`: a `/tmp/perf-PID.map` of function names and addresses, for `perf report`.
    PerfMap,
    /// `jitdump`: a `jit-PID.dump` file in the current directory, for `perf inject --jit`.
    JitDump,
}

/// Cranelift's optimization level (`-O opt-level=0|1|2|s`, as wasmtime spells it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptLevel {
    /// `0`: no optimizations.
    None,
    /// `1` or `2`: optimize for speed (wasmtime's default).
    Speed,
    /// `s`: optimize for speed and size.
    SpeedAndSize,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            features: Vec::new(),
            cache_dir: default_cache_dir(),
            cache_max_bytes: crate::cache::DEFAULT_CACHE_MAX_BYTES,
            epoch_interruption: false,
            consume_fuel: false,
            max_wasm_stack: None,
            nan_canonicalization: false,
            opt_level: None,
            parallel_compilation: true,
            debug_info: false,
            coredump_on_trap: false,
            profiler: None,
            relaxed_simd_deterministic: false,
        }
    }
}

/// The default compile-cache directory: `$EDDY_CACHE_DIR`, `$XDG_CACHE_HOME/eddy` or
/// `$HOME/.cache/eddy`; `None` if none of them is set.
pub fn default_cache_dir() -> Option<PathBuf> {
    let var = |k| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("EDDY_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("eddy")))
        .or_else(|| var("HOME").map(|d| d.join(".cache").join("eddy")))
}

/// Every feature's final setting: all on, then the user's overrides, then features that
/// depend on a disabled one (relaxed-simd on simd; gc on function-references; both on
/// reference-types) turned off too unless the user named them explicitly.
fn resolve_features(overrides: &[(WasmFeature, bool)]) -> Vec<(WasmFeature, bool)> {
    let explicit = |x: WasmFeature| overrides.iter().rev().find(|(g, _)| *g == x).map(|p| p.1);
    let mut out: Vec<(WasmFeature, bool)> =
        WasmFeature::ALL.iter().map(|&(_, f)| (f, explicit(f).unwrap_or(true))).collect();
    let deps = [
        (WasmFeature::RelaxedSimd, WasmFeature::Simd),
        (WasmFeature::FunctionReferences, WasmFeature::ReferenceTypes),
        (WasmFeature::Gc, WasmFeature::FunctionReferences),
    ];
    for (dependent, base) in deps {
        let base_on = out.iter().any(|&(g, v)| g == base && v);
        if !base_on && explicit(dependent).is_none() {
            for p in out.iter_mut().filter(|p| p.0 == dependent) {
                p.1 = false;
            }
        }
    }
    out
}

/// What the engine is about to compile, as told to a [`CompileObserver`].
#[derive(Clone, Copy, Debug)]
pub struct CompileStart<'a> {
    /// The program's file (or the name given to [`Engine::load_bytes`]).
    pub name: &'a Path,
    /// Size of the wasm binary being compiled, bytes.
    pub bytes: usize,
    /// Whether the result will be stored in the compile cache (it is on, and the compile is
    /// not `eddy compile`'s).
    pub cached: bool,
}

/// Told when the engine compiles a program (nothing is said on a compile-cache hit or for a
/// `.cwasm`): for progress reports on long compiles ([`Engine::set_compile_observer`]).
pub trait CompileObserver: Send + Sync {
    /// Called just before compiling; the value returned is dropped when compiling ends
    /// (successfully or not), so a guard's `Drop` marks the end.
    fn start(&self, what: &CompileStart<'_>) -> Box<dyn Send>;
}

/// The engine's observer, if any (a newtype for `Debug`).
#[derive(Clone, Default)]
struct Observer(Option<std::sync::Arc<dyn CompileObserver>>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Observer(set)" } else { "Observer(none)" })
    }
}

/// wasmtime's engine configured for Eddy, with the compile cache.
#[derive(Clone, Debug)]
pub struct Engine {
    pub(crate) inner: wasmtime::Engine,
    cache: Option<CompileCache>,
    pub(crate) config: EngineConfig,
    observer: Observer,
    /// The one epoch ticker of this engine (and its clones): see [`crate::epoch`].
    ticker: std::sync::Arc<crate::epoch::Ticker>,
}

impl Engine {
    /// Builds an engine. Errors: `Error::Other` if wasmtime rejects the configuration (a
    /// feature combination it cannot support).
    pub fn new(config: &EngineConfig) -> Result<Engine, Error> {
        let f = resolve_features(&config.features);
        let on = |x: WasmFeature| f.iter().any(|&(g, v)| g == x && v);
        let mut c = wasmtime::Config::new();
        c.wasm_exceptions(on(WasmFeature::Exceptions))
            .wasm_tail_call(on(WasmFeature::TailCall))
            .wasm_extended_const(on(WasmFeature::ExtendedConst))
            .wasm_multi_memory(on(WasmFeature::MultiMemory))
            .wasm_bulk_memory(on(WasmFeature::BulkMemory))
            .wasm_simd(on(WasmFeature::Simd))
            .wasm_relaxed_simd(on(WasmFeature::RelaxedSimd))
            .wasm_reference_types(on(WasmFeature::ReferenceTypes))
            .wasm_function_references(on(WasmFeature::FunctionReferences))
            .wasm_gc(on(WasmFeature::Gc))
            .wasm_memory64(on(WasmFeature::Memory64))
            .wasm_threads(on(WasmFeature::Threads))
            // A module built for threads defines a shared memory; it runs (on one thread:
            // Eddy provides no thread-spawning import) when the threads feature is on.
            .shared_memory(on(WasmFeature::Threads))
            .wasm_component_model_async(on(WasmFeature::ComponentModelAsync))
            .epoch_interruption(config.epoch_interruption)
            .consume_fuel(config.consume_fuel)
            .cranelift_nan_canonicalization(config.nan_canonicalization)
            .parallel_compilation(config.parallel_compilation)
            .debug_info(config.debug_info)
            .coredump_on_trap(config.coredump_on_trap)
            .relaxed_simd_deterministic(config.relaxed_simd_deterministic)
            .profiler(match config.profiler {
                None => wasmtime::ProfilingStrategy::None,
                Some(Profiler::PerfMap) => wasmtime::ProfilingStrategy::PerfMap,
                Some(Profiler::JitDump) => wasmtime::ProfilingStrategy::JitDump,
            });
        if let Some(size) = config.max_wasm_stack {
            c.max_wasm_stack(size);
        }
        if let Some(level) = config.opt_level {
            c.cranelift_opt_level(match level {
                OptLevel::None => wasmtime::OptLevel::None,
                OptLevel::Speed => wasmtime::OptLevel::Speed,
                OptLevel::SpeedAndSize => wasmtime::OptLevel::SpeedAndSize,
            });
        }
        let inner = wasmtime::Engine::new(&c).map_err(|e| Error::Other(one_line(&e)))?;
        let cache = config
            .cache_dir
            .clone()
            .map(|dir| CompileCache::new(dir, &inner, config.cache_max_bytes));
        Ok(Engine {
            inner,
            cache,
            config: config.clone(),
            observer: Observer::default(),
            ticker: Default::default(),
        })
    }

    /// Tells `observer` about every compile from now on (not about cache hits): the CLI's
    /// progress line on long compiles.
    pub fn set_compile_observer(&mut self, observer: std::sync::Arc<dyn CompileObserver>) {
        self.observer = Observer(Some(observer));
    }

    /// The observer's guard for compiling `bytes` bytes named `name` (`None` without one).
    fn observe(&self, name: &Path, bytes: usize, cached: bool) -> Option<Box<dyn Send>> {
        let o = self.observer.0.as_ref()?;
        Some(o.start(&CompileStart { name, bytes, cached }))
    }

    /// Starts the engine's epoch ticker (once; a no-op after): per-store deadlines are
    /// counted on it ([`crate::epoch`]).
    pub(crate) fn start_ticker(&self) {
        self.ticker.start(&self.inner);
    }

    /// Whether the component model's async ABI is on (`-W component-model-async`, default
    /// on): what WASI 0.3 components need.
    pub fn component_model_async(&self) -> bool {
        resolve_features(&self.config.features)
            .iter()
            .any(|&(f, on)| f == WasmFeature::ComponentModelAsync && on)
    }

    /// The underlying wasmtime engine.
    pub fn wasmtime(&self) -> &wasmtime::Engine {
        &self.inner
    }

    /// Reads and compiles a program file: a `.wasm` binary or `.wat` text, through the compile
    /// cache. A precompiled `.cwasm` is only accepted with `allow_precompiled` (it is
    /// executable code; load only files `eddy compile` wrote).
    ///
    /// Errors: `Error::Read` (missing/unreadable file), `Error::Compile` (invalid wasm, a
    /// disabled feature, an incompatible `.cwasm`), `Error::Usage` (a `.cwasm` without
    /// `allow_precompiled`).
    pub fn load_file_with(&self, path: &Path, allow_precompiled: bool) -> Result<Program, Error> {
        self.load(path, allow_precompiled, false)
    }

    /// [`Engine::load_file_with`] for a program to be [`crate::run`] as a command: before
    /// compiling (or looking in the compile cache), its exports are read from the bytes, and a
    /// core module without a `_start` function or a component without a
    /// `wasi:cli/run@0.2.x` export is refused at once, with the message `run` would give
    /// after compiling it. (A `.cwasm` is not checked before loading; `run` checks it.)
    ///
    /// Errors: those of [`Engine::load_file_with`], and `Error::Usage` (not a command).
    pub fn load_command_file(
        &self,
        path: &Path,
        allow_precompiled: bool,
    ) -> Result<Program, Error> {
        self.load(path, allow_precompiled, true)
    }

    fn load(&self, path: &Path, allow_precompiled: bool, command: bool) -> Result<Program, Error> {
        let read_err = |source| Error::Read { path: path.to_path_buf(), source };
        if let Some(kind) = precompiled_kind(path).map_err(read_err)? {
            if !allow_precompiled {
                return Err(Error::Usage(format!(
                    "`{}` is precompiled code; pass --allow-precompiled to run a file `eddy compile` wrote",
                    path.display()
                )));
            }
            // Mapped, not read: wasmtime maps the file and runs its code from those pages,
            // so a large `.cwasm` costs neither a copy nor its size in private memory.
            // SAFETY: the user asserted (--allow-precompiled) that this file was written by
            // `eddy compile`; wasmtime checks it was built by a compatible engine. The file
            // must not change while it is mapped (as for any executable).
            let p = unsafe {
                match kind {
                    wasmtime::Precompiled::Component => {
                        wasmtime::component::Component::deserialize_file(&self.inner, path)
                            .map(Program::Component)
                    }
                    wasmtime::Precompiled::Module => {
                        wasmtime::Module::deserialize_file(&self.inner, path).map(Program::Module)
                    }
                }
            };
            return p
                .map_err(|e| Error::Compile { path: path.to_path_buf(), message: one_line(&e) });
        }
        let bytes = std::fs::read(path).map_err(read_err)?;
        self.compile(&bytes, path, command)
    }

    /// [`Engine::load_file_with`] without precompiled files.
    pub fn load_file(&self, path: &Path) -> Result<Program, Error> {
        self.load_file_with(path, false)
    }

    /// Compiles wasm (or WAT) bytes — a core module or a component, told apart by the
    /// binary's preamble ([`is_component`]) — through the compile cache; `name` is only used
    /// in error messages. Errors: `Error::Compile`.
    pub fn load_bytes(&self, bytes: &[u8], name: &Path) -> Result<Program, Error> {
        self.compile(bytes, name, false)
    }

    /// Compiles through the compile cache; with `command`, first checks the binary is a
    /// command ([`program::check_command`]).
    fn compile(&self, bytes: &[u8], name: &Path, command: bool) -> Result<Program, Error> {
        let compile_err =
            |e: wasmtime::Error| Error::Compile { path: name.to_path_buf(), message: one_line(&e) };
        let binary = parse_wat(bytes, name)?;
        if command {
            program::check_command(&binary)?;
        }
        let component = is_component(&binary);
        if let Some(cache) = &self.cache {
            if let Some(p) = cache.get(&self.inner, &binary, component) {
                return Ok(p);
            }
        }
        let guard = self.observe(name, binary.len(), self.cache.is_some());
        let program = if component {
            Program::Component(
                wasmtime::component::Component::new(&self.inner, &binary).map_err(compile_err)?,
            )
        } else {
            Program::Module(wasmtime::Module::new(&self.inner, &binary).map_err(compile_err)?)
        };
        drop(guard);
        if let Some(cache) = &self.cache {
            cache.put(&binary, &program);
        }
        Ok(program)
    }

    /// Compiles a program ahead of time (`eddy compile`): returns the `.cwasm` bytes.
    /// Errors: `Error::Read`, `Error::Compile`.
    pub fn precompile_file(&self, path: &Path) -> Result<Vec<u8>, Error> {
        let bytes = std::fs::read(path)
            .map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let binary = parse_wat(&bytes, path)?;
        let _guard = self.observe(path, binary.len(), false);
        let r = if is_component(&binary) {
            self.inner.precompile_component(&binary)
        } else {
            self.inner.precompile_module(&binary)
        };
        r.map_err(|e| Error::Compile { path: path.to_path_buf(), message: one_line(&e) })
    }
}

/// Whether the file at `path` is wasmtime precompiled code, and of which kind, read from
/// its first bytes and ELF headers only (`Engine::detect_precompiled_file` parses just the
/// headers it needs). A file that does not start with the ELF magic is not. Errors: the OS
/// error opening or reading it.
fn precompiled_kind(path: &Path) -> std::io::Result<Option<wasmtime::Precompiled>> {
    use std::io::Read;
    let mut magic = [0u8; 4];
    let mut f = std::fs::File::open(path)?;
    let mut n = 0;
    while n < magic.len() {
        match f.read(&mut magic[n..])? {
            0 => break,
            k => n += k,
        }
    }
    if magic != *b"\x7fELF" {
        return Ok(None);
    }
    // An ELF file wasmtime cannot parse is not precompiled code: compiling it as wasm then
    // reports it plainly.
    Ok(wasmtime::Engine::detect_precompiled_file(path).ok().flatten())
}

/// The wasm binary of `bytes`: as they are if already binary, else WAT text compiled.
/// Errors: `Error::Compile` on one line, naming `path` and where in it (`FILE:LINE:COL:
/// message`, where the parser's own rendering has several lines and no file name).
fn parse_wat<'a>(bytes: &'a [u8], path: &Path) -> Result<std::borrow::Cow<'a, [u8]>, Error> {
    wat::Parser::new().parse_bytes(Some(path), bytes).map_err(|e| {
        let text = e.to_string();
        let mut lines = text.lines();
        let what = lines.next().unwrap_or_default().trim();
        let message = match lines.find_map(|l| l.trim_start().strip_prefix("--> ")) {
            Some(at) => format!("{}: {what}", at.trim()),
            None => what.to_string(),
        };
        Error::Compile { path: path.to_path_buf(), message }
    })
}
