//! `-W`/`-C`/`-O`/`-D`: the options that shape the engine, for `run` and `compile`.

use std::time::Duration;

use clap::Args;
use eddy::{EngineConfig, OptLevel, WasmFeature};

use super::groups::{codegen_group, debug_group, group_help, optimize_group, wasm_group};
use super::values::{items, key_val, parse_duration, parse_size, yes_no};
use super::{usage, Failure};

/// The options that shape the engine, for `run` and `compile`: each `KEY[=VAL]`, several
/// separated by commas (`-W simd=n,fuel=1000`) or repeated (`-W simd=n -W fuel=1000`), as in
/// wasmtime; a bare KEY means `KEY=y`; `-W help` (etc.) lists the keys.
#[derive(Args, Debug)]
pub struct EngineFlags {
    /// Wasm options (`-W help` lists them): features (`simd=n`, `gc=n`, ...) and limits
    /// (`timeout=10s`, `fuel=N`, `max-memory-size=2M`, `max-wasm-stack=BYTES`, ...).
    #[arg(short = 'W', long = "wasm", value_name = "KEY[=VAL[,..]]")]
    pub(super) wasm: Vec<String>,
    /// Codegen options (`-C help`): `cache=y|n`, `parallel-compilation=y|n`.
    #[arg(short = 'C', long = "codegen", value_name = "KEY[=VAL[,..]]")]
    pub(super) codegen: Vec<String>,
    /// Optimization options (`-O help`): `opt-level=0|1|2|s`.
    #[arg(short = 'O', long = "optimize", value_name = "KEY[=VAL[,..]]")]
    pub(super) optimize: Vec<String>,
    /// Debug options (`-D help`): `debug-info`, `coredump=PATH`.
    #[arg(short = 'D', long = "debug", value_name = "KEY[=VAL[,..]]")]
    pub(super) debug: Vec<String>,
}

/// Options that shape both the engine and the store.
pub(super) struct WasmOptions {
    pub(super) engine: EngineConfig,
    pub(super) max_memory: Option<usize>,
    pub(super) max_table_elements: Option<usize>,
    pub(super) unknown_imports_trap: bool,
    pub(super) timeout: Option<Duration>,
    pub(super) fuel: Option<u64>,
    pub(super) unknown_imports_default: bool,
    pub(super) max_instances: Option<usize>,
    pub(super) max_tables: Option<usize>,
    pub(super) max_memories: Option<usize>,
    pub(super) trap_on_grow_failure: bool,
    /// `-D coredump=PATH`.
    pub(super) coredump: Option<std::path::PathBuf>,
}

impl EngineFlags {
    /// `-X help` for the first of these groups given `help`.
    pub(super) fn help(&self) -> Option<String> {
        group_help(&[
            (&self.wasm, wasm_group),
            (&self.codegen, codegen_group),
            (&self.optimize, optimize_group),
            (&self.debug, debug_group),
        ])
    }

    pub(super) fn options(&self) -> Result<WasmOptions, Failure> {
        let mut o = WasmOptions {
            engine: EngineConfig::default(),
            max_memory: None,
            max_table_elements: None,
            unknown_imports_trap: false,
            timeout: None,
            fuel: None,
            unknown_imports_default: false,
            max_instances: None,
            max_tables: None,
            max_memories: None,
            trap_on_grow_failure: false,
            coredump: None,
        };
        for w in items(&self.wasm) {
            let (k, v) = key_val(w);
            if let Some(f) = WasmFeature::from_name(k) {
                o.engine.features.push((f, yes_no("-W", k, v)?));
                continue;
            }
            let bad =
                |what: &str| Failure::Usage(format!("-W {k}={v}: invalid value, expected {what}"));
            let bytes = "bytes (e.g. 65536, 64K, 2M)";
            match k {
                "all-proposals" => {
                    let on = yes_no("-W", k, v)?;
                    o.engine.features.extend(WasmFeature::ALL.iter().map(|&(_, f)| (f, on)));
                }
                "max-memory-size" => o.max_memory = Some(parse_size(v).ok_or_else(|| bad(bytes))?),
                "max-table-elements" => {
                    o.max_table_elements = Some(v.parse().map_err(|_| bad("a whole number"))?)
                }
                "max-wasm-stack" => {
                    let n = parse_size(v).filter(|&n| n > 0).ok_or_else(|| bad(bytes))?;
                    if n > 2 << 20 {
                        return usage(format!(
                            "-W max-wasm-stack={v}: at most 2M (the stack Eddy runs wasm on)"
                        ));
                    }
                    o.engine.max_wasm_stack = Some(n);
                }
                "unknown-imports-trap" => o.unknown_imports_trap = yes_no("-W", k, v)?,
                "timeout" => {
                    o.timeout =
                        Some(parse_duration(v).ok_or_else(|| bad("a duration (e.g. 10s, 500ms)"))?);
                    o.engine.epoch_interruption = true;
                }
                "fuel" => {
                    o.fuel = Some(v.parse().map_err(|_| bad("a whole number"))?);
                    o.engine.consume_fuel = true;
                }
                "epoch-interruption" => {
                    o.engine.epoch_interruption |= yes_no("-W", k, v)?;
                }
                "nan-canonicalization" => o.engine.nan_canonicalization = yes_no("-W", k, v)?,
                "unknown-imports-default" => o.unknown_imports_default = yes_no("-W", k, v)?,
                "relaxed-simd-deterministic" => {
                    o.engine.relaxed_simd_deterministic = yes_no("-W", k, v)?
                }
                "max-instances" | "max-tables" | "max-memories" => {
                    let n = Some(v.parse().map_err(|_| bad("a whole number"))?);
                    match k {
                        "max-instances" => o.max_instances = n,
                        "max-tables" => o.max_tables = n,
                        _ => o.max_memories = n,
                    }
                }
                "trap-on-grow-failure" => o.trap_on_grow_failure = yes_no("-W", k, v)?,
                "multi-value" | "component-model" => {
                    if !yes_no("-W", k, v)? {
                        return usage(format!(
                            "-W {k}=n: always on in Eddy; it cannot be turned off"
                        ));
                    }
                }
                _ => return wasm_group().refuse(k),
            }
        }
        for c in items(&self.codegen) {
            match key_val(c) {
                ("cache", v) => {
                    if !yes_no("-C", "cache", v)? {
                        o.engine.cache_dir = None;
                    }
                }
                ("cache-size", v) => {
                    o.engine.cache_max_bytes = crate::cache_cmd::parse_cache_size(v)?
                }
                ("parallel-compilation", v) => {
                    o.engine.parallel_compilation = yes_no("-C", "parallel-compilation", v)?
                }
                ("cache-config", v) => {
                    o.engine.cache_dir = super::config_file::cache_config(v)?;
                }
                (k, _) => return codegen_group().refuse(k),
            }
        }
        for c in items(&self.optimize) {
            match key_val(c) {
                ("opt-level", v) => {
                    o.engine.opt_level = Some(match v {
                        "0" => OptLevel::None,
                        "1" | "2" => OptLevel::Speed,
                        "s" => OptLevel::SpeedAndSize,
                        _ => return usage(format!("-O opt-level={v}: expected 0, 1, 2 or s")),
                    })
                }
                (k, _) => return optimize_group().refuse(k),
            }
        }
        for c in items(&self.debug) {
            match key_val(c) {
                ("debug-info", v) => o.engine.debug_info = yes_no("-D", "debug-info", v)?,
                ("coredump", "y") | ("coredump", "") => {
                    return usage("-D coredump: give the file, `-D coredump=PATH`".to_string())
                }
                ("coredump", v) => {
                    o.coredump = Some(v.into());
                    o.engine.coredump_on_trap = true;
                }
                ("address-map", v) => {
                    if !yes_no("-D", "address-map", v)? {
                        return usage(
                            "-D address-map=n: always on in Eddy (trap backtraces need it)".into(),
                        );
                    }
                }
                (k, _) => return debug_group().refuse(k),
            }
        }
        Ok(o)
    }
}
