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
    /// Insert epoch checks so a wall-clock timeout can interrupt the guest (`-W timeout`).
    /// Part of the compiled code, so part of the cache key.
    pub epoch_interruption: bool,
    /// Insert fuel checks (`-W fuel=N`).
    pub consume_fuel: bool,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            features: Vec::new(),
            cache_dir: default_cache_dir(),
            epoch_interruption: false,
            consume_fuel: false,
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

/// wasmtime's engine configured for Eddy, with the compile cache.
#[derive(Clone, Debug)]
pub struct Engine {
    pub(crate) inner: wasmtime::Engine,
    cache: Option<CompileCache>,
    pub(crate) config: EngineConfig,
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
            .wasm_component_model_async(on(WasmFeature::ComponentModelAsync))
            .epoch_interruption(config.epoch_interruption)
            .consume_fuel(config.consume_fuel);
        let inner = wasmtime::Engine::new(&c).map_err(|e| Error::Other(one_line(&e)))?;
        let cache = config.cache_dir.clone().map(|dir| CompileCache::new(dir, &inner));
        Ok(Engine { inner, cache, config: config.clone(), ticker: Default::default() })
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
        let bytes = std::fs::read(path)
            .map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        if wasmtime::Engine::detect_precompiled(&bytes).is_some() {
            if !allow_precompiled {
                return Err(Error::Usage(format!(
                    "`{}` is precompiled code; pass --allow-precompiled to run a file `eddy compile` wrote",
                    path.display()
                )));
            }
            let component = wasmtime::Engine::detect_precompiled(&bytes)
                == Some(wasmtime::Precompiled::Component);
            // SAFETY: the user asserted (--allow-precompiled) that this file was written by
            // `eddy compile`; wasmtime checks it was built by a compatible engine.
            let p = unsafe {
                if component {
                    wasmtime::component::Component::deserialize(&self.inner, &bytes)
                        .map(Program::Component)
                } else {
                    wasmtime::Module::deserialize(&self.inner, &bytes).map(Program::Module)
                }
            };
            return p
                .map_err(|e| Error::Compile { path: path.to_path_buf(), message: one_line(&e) });
        }
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
        let program = if component {
            Program::Component(
                wasmtime::component::Component::new(&self.inner, &binary).map_err(compile_err)?,
            )
        } else {
            Program::Module(wasmtime::Module::new(&self.inner, &binary).map_err(compile_err)?)
        };
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
        let r = if is_component(&binary) {
            self.inner.precompile_component(&binary)
        } else {
            self.inner.precompile_module(&binary)
        };
        r.map_err(|e| Error::Compile { path: path.to_path_buf(), message: one_line(&e) })
    }
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
