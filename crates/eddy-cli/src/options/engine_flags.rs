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
    wasm: Vec<String>,
    /// Codegen options (`-C help`): `cache=y|n`, `parallel-compilation=y|n`.
    #[arg(short = 'C', long = "codegen", value_name = "KEY[=VAL[,..]]")]
    codegen: Vec<String>,
    /// Optimization options (`-O help`): `opt-level=0|1|2|s`.
    #[arg(short = 'O', long = "optimize", value_name = "KEY[=VAL[,..]]")]
    optimize: Vec<String>,
    /// Debug options (`-D help`): none supported yet.
    #[arg(short = 'D', long = "debug", value_name = "KEY[=VAL[,..]]")]
    debug: Vec<String>,
}

/// Options that shape both the engine and the store.
pub(super) struct WasmOptions {
    pub(super) engine: EngineConfig,
    pub(super) max_memory: Option<usize>,
    pub(super) max_table_elements: Option<usize>,
    pub(super) unknown_imports_trap: bool,
    pub(super) timeout: Option<Duration>,
    pub(super) fuel: Option<u64>,
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
        if let Some(c) = items(&self.debug).next() {
            return debug_group().refuse(key_val(c).0);
        }
        Ok(o)
    }
}
