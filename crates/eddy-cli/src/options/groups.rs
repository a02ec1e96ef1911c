//! The option groups (`-W`, `-S`, `-C`, `-O`, `-D`): their keys, defaults and help.

use eddy::WasmFeature;

use super::values::items;
use super::{usage, Failure};

/// One key of an option group (`-W`, `-S`, `-C`, `-O`, `-D`), for `-X help` and the list of
/// known keys in an error.
pub(super) struct Key {
    /// `NAME=VALUE-SYNTAX` as the help shows it.
    spelling: String,
    /// The default, as the user would write it.
    default: &'static str,
    about: &'static str,
}

pub(super) fn key(spelling: &str, default: &'static str, about: &'static str) -> Key {
    Key { spelling: spelling.to_string(), default, about }
}

/// An option group: its flag, what it is, its keys, and wasmtime's keys Eddy refuses.
pub(super) struct Group {
    flag: &'static str,
    what: &'static str,
    keys: Vec<Key>,
    /// wasmtime 49 keys of this group that Eddy does not support (yet): each is refused with
    /// a line saying so rather than "unknown".
    unsupported: &'static [&'static str],
}

impl Group {
    /// The name of each key.
    pub(super) fn names(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.spelling.split('=').next().unwrap_or_default()).collect()
    }

    /// The usage error for a key this group does not handle.
    pub(super) fn refuse<T>(&self, k: &str) -> Result<T, Failure> {
        if self.unsupported.contains(&k) {
            return usage(format!(
                "{} {k}: Eddy does not support this wasmtime option yet",
                self.flag
            ));
        }
        let names = self.names();
        let known = if names.is_empty() { "none".to_string() } else { names.join(", ") };
        usage(format!(
            "unknown {} option `{k}`; known: {known} (`{} help` describes them)",
            self.flag, self.flag
        ))
    }

    /// The text of `-X help`.
    pub(super) fn help(&self) -> String {
        let mut out = format!(
            "{} ({}) options: {} KEY[=VAL][,KEY[=VAL]...] (repeatable; a bare KEY means KEY=y)\n",
            self.flag, self.what, self.flag
        );
        if self.keys.is_empty() {
            out.push_str("  (none yet)\n");
        }
        for k in &self.keys {
            out.push_str(&format!("  {:<28} {} [default: {}]\n", k.spelling, k.about, k.default));
        }
        if !self.unsupported.is_empty() {
            out.push_str(&format!(
                "wasmtime's {} keys Eddy does not support yet (refused): {}\n",
                self.flag,
                self.unsupported.join(", ")
            ));
        }
        out
    }
}

pub(super) fn feature_about(f: WasmFeature) -> &'static str {
    match f {
        WasmFeature::Exceptions => "exception handling (Wasm 3.0)",
        WasmFeature::TailCall => "tail calls (Wasm 3.0)",
        WasmFeature::ExtendedConst => "extended constant expressions (Wasm 3.0)",
        WasmFeature::MultiMemory => "several memories per module (Wasm 3.0)",
        WasmFeature::BulkMemory => "bulk memory operations (Wasm 2.0)",
        WasmFeature::Simd => "128-bit SIMD (Wasm 2.0)",
        WasmFeature::RelaxedSimd => "relaxed SIMD (Wasm 3.0; off when simd is)",
        WasmFeature::ReferenceTypes => "reference types (Wasm 2.0)",
        WasmFeature::FunctionReferences => {
            "typed function references (Wasm 3.0; off when reference-types is)"
        }
        WasmFeature::Gc => "GC structs and arrays (Wasm 3.0; off when function-references is)",
        WasmFeature::Memory64 => "64-bit memories (Wasm 3.0)",
        WasmFeature::Threads => "shared memories and atomics",
        WasmFeature::ComponentModelAsync => "the component model's async ABI (WASI 0.3 needs it)",
    }
}

pub(super) fn wasm_group() -> Group {
    let mut keys: Vec<Key> = WasmFeature::ALL
        .iter()
        .map(|&(name, f)| key(&format!("{name}=y|n"), "y", feature_about(f)))
        .collect();
    keys.extend([
        key("all-proposals=y|n", "y", "turn every feature above on (y) or off (n)"),
        key("max-memory-size=BYTES", "4G", "most bytes one linear memory may grow to (64K, 2M)"),
        key("max-table-elements=N", "10000000", "most elements one table may hold"),
        key(
            "max-wasm-stack=BYTES",
            "512K",
            "native stack wasm may use before it traps (at most 2M)",
        ),
        key("unknown-imports-trap=y|n", "n", "link unknown imports as functions that trap"),
        key(
            "timeout=DURATION",
            "none",
            "wall-clock limit (10s, 500ms); the guest traps: interrupt",
        ),
        key("fuel=N", "none", "fuel for the whole run; the guest traps when it runs out"),
        key("epoch-interruption=y|n", "n", "compile in epoch checks (timeout turns them on)"),
        key("nan-canonicalization=y|n", "n", "canonical NaNs from float operations (determinism)"),
    ]);
    Group {
        flag: "-W",
        what: "wasm",
        keys,
        unsupported: &[
            "unknown-imports-default",
            "unknown-exports-allow",
            "max-instances",
            "max-tables",
            "max-memories",
            "trap-on-grow-failure",
            "async-stack-size",
            "async-stack-zeroing",
            "relaxed-simd-deterministic",
            "multi-value",
            "component-model",
            "component-model-async-builtins",
            "component-model-async-stackful",
            "component-model-error-context",
            "component-model-gc",
            "custom-page-sizes",
            "wide-arithmetic",
            "stack-switching",
            "shared-everything-threads",
        ],
    }
}

pub(super) fn wasi_group() -> Group {
    Group {
        flag: "-S",
        what: "WASI",
        keys: vec![
            key("inherit-env=y|n", "n", "pass the whole host environment"),
            key("inherit-stdin=y|n", "y", "the guest reads the host's stdin (n: /dev/null)"),
            key(
                "tcplisten=ADDR",
                "none",
                "listen on ADDR; the socket is a preview1 fd (repeatable)",
            ),
            key("inherit-network=y|n", "n", "WASI 0.2 sockets may use any address"),
            key(
                "allow-ip-name-lookup=y|n",
                "n",
                "resolve host names (wasi:sockets/ip-name-lookup)",
            ),
            key("tcp=y|n", "y", "TCP, once some address is allowed"),
            key("udp=y|n", "y", "UDP, once some address is allowed"),
            key("p3=y|n", "y", "link the WASI 0.3 interfaces for components"),
            key("cli-exit-with-code=y", "y", "components' exit-with-code: always linked"),
            key("preview2=y|n", "y", "wasmtime's preview1 implementation switch: no effect"),
            key("cli=y", "y", "wasi:cli: always linked"),
            key("preview0=y", "y", "preview0 (wasi_unstable) modules: always supported"),
            key("common=y", "y", "the common WASI interfaces: always linked"),
        ],
        unsupported: &[
            "http",
            "http-outgoing-body-buffer-chunks",
            "http-outgoing-body-chunk-size",
            "nn",
            "nn-graph",
            "threads",
            "config",
            "config-var",
            "keyvalue",
            "keyvalue-in-memory-data",
            "listenfd",
            "cwd",
            "max-resources",
            "hostcall-fuel",
            "max-random-size",
            "network-error-code",
        ],
    }
}

pub(super) fn codegen_group() -> Group {
    Group {
        flag: "-C",
        what: "codegen",
        keys: vec![
            key("cache=y|n", "y", "the compile cache ($EDDY_CACHE_DIR, else ~/.cache/eddy)"),
            key(
                "cache-size=BYTES",
                "1G",
                "bound on the compile cache (K/M/G); least recently used out",
            ),
            key("parallel-compilation=y|n", "y", "compile functions on several threads"),
        ],
        unsupported: &[
            "cache-config",
            "compiler",
            "collector",
            "cranelift-debug-verifier",
            "native-unwind-info",
            "inlining",
        ],
    }
}

pub(super) fn optimize_group() -> Group {
    Group {
        flag: "-O",
        what: "optimization",
        keys: vec![key("opt-level=0|1|2|s", "2", "Cranelift's optimization level (s: also size)")],
        unsupported: &[
            "regalloc-algorithm",
            "memory-may-move",
            "memory-reservation",
            "memory-reservation-for-growth",
            "memory-guard-size",
            "guard-before-linear-memory",
            "table-lazy-init",
            "pooling-allocator",
            "memory-init-cow",
            "signals-based-traps",
        ],
    }
}

pub(super) fn debug_group() -> Group {
    Group {
        flag: "-D",
        what: "debug",
        keys: vec![],
        unsupported: &[
            "debug-info",
            "address-map",
            "logging",
            "log-to-files",
            "coredump",
            "guest-debug",
        ],
    }
}

/// The help text if some group of `groups` was given `help` (`-W help`).
#[allow(clippy::type_complexity)] // a list of (values, group) pairs, read once
pub(super) fn group_help(groups: &[(&[String], fn() -> Group)]) -> Option<String> {
    groups
        .iter()
        .find(|(list, _)| items(list).any(|i| i == "help"))
        .map(|(_, group)| group().help())
}
