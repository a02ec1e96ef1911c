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
    /// wasmtime 49 keys of this group that Eddy refuses, each with why: refused with a line
    /// saying so rather than "unknown".
    unsupported: &'static [(&'static str, &'static str)],
}

impl Group {
    /// The name of each key.
    pub(super) fn names(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.spelling.split('=').next().unwrap_or_default()).collect()
    }

    /// The usage error for a key this group does not handle.
    pub(super) fn refuse<T>(&self, k: &str) -> Result<T, Failure> {
        if let Some((_, why)) = self.unsupported.iter().find(|(name, _)| *name == k) {
            return usage(format!("{} {k}: not supported by Eddy: {why}", self.flag));
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
            out.push_str(&format!("wasmtime's {} keys Eddy refuses, and why:\n", self.flag));
            for (name, why) in self.unsupported {
                out.push_str(&format!("  {name:<28} {why}\n"));
            }
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
        key(
            "unknown-imports-default=y|n",
            "n",
            "link unknown imports as functions returning zeros (core modules)",
        ),
        key(
            "relaxed-simd-deterministic=y|n",
            "n",
            "relaxed SIMD gives the same results everywhere",
        ),
        key("max-instances=N", "10000", "most instances one store may hold"),
        key("max-tables=N", "10000", "most tables one store may hold"),
        key("max-memories=N", "10000", "most linear memories one store may hold"),
        key("trap-on-grow-failure=y|n", "n", "memory.grow/table.grow past a limit traps (else -1)"),
        key("multi-value=y", "y", "multiple results: always on"),
        key("component-model=y", "y", "components: always on"),
    ]);
    Group {
        flag: "-W",
        what: "wasm",
        keys,
        unsupported: &[
            ("unknown-exports-allow", "Eddy runs only commands and reactors it can call"),
            ("async-stack-size", "the engine's default fiber stack is used"),
            ("async-stack-zeroing", "the engine's default fiber stacks are used"),
            ("component-model-async-builtins", "not in the WASI 0.3.0 ABI Eddy implements"),
            ("component-model-async-stackful", "not in the WASI 0.3.0 ABI Eddy implements"),
            ("component-model-error-context", "not in the WASI 0.3.0 ABI Eddy implements"),
            ("component-model-gc", "not standardised; the engine build has it off"),
            ("custom-page-sizes", "a proposal, off in the engine build"),
            ("wide-arithmetic", "a proposal, off in the engine build"),
            ("stack-switching", "a proposal, off in the engine build"),
            ("shared-everything-threads", "a proposal, off in the engine build"),
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
            key("inherit-stdout=y|n", "y", "the guest writes the host's stdout (n: /dev/null)"),
            key("inherit-stderr=y|n", "y", "the guest writes the host's stderr (n: /dev/null)"),
            key(
                "cwd=DIR",
                "none",
                "initial-cwd for components (wasi:cli/environment); grants nothing",
            ),
            key(
                "tcplisten=ADDR",
                "none",
                "listen on ADDR; the socket is a preview1 fd (repeatable)",
            ),
            key("inherit-network=y|n", "n", "WASI 0.2/0.3 sockets may use any address"),
            key(
                "allow-ip-name-lookup=y|n",
                "n",
                "resolve host names (wasi:sockets/ip-name-lookup)",
            ),
            key("tcp=y|n", "y", "TCP, once some address is allowed"),
            key("udp=y|n", "y", "UDP, once some address is allowed"),
            key("p3=y|n", "y", "link the WASI 0.3 interfaces for components"),
            key("max-resources=N", "1048576", "most WASI resources a component holds at once"),
            key("max-random-size=BYTES", "64M", "most bytes one get-random-bytes call returns"),
            key("cli-exit-with-code=y", "y", "components' exit-with-code: always linked"),
            key("preview2=y|n", "y", "wasmtime's preview1 implementation switch: no effect"),
            key("cli=y", "y", "wasi:cli: always linked"),
            key("preview0=y", "y", "preview0 (wasi_unstable) modules: always supported"),
            key("common=y", "y", "the common WASI interfaces: always linked"),
        ],
        unsupported: &[
            ("http", "wasi:http is not implemented yet (`eddy serve` is its own work)"),
            ("http-outgoing-body-buffer-chunks", "wasi:http is not implemented yet"),
            ("http-outgoing-body-chunk-size", "wasi:http is not implemented yet"),
            ("max-http-fields-size", "wasi:http is not implemented yet"),
            ("nn", "wasi-nn is not implemented"),
            ("nn-graph", "wasi-nn is not implemented"),
            ("threads", "wasi-threads is not implemented"),
            ("config", "wasi:config is not implemented"),
            ("config-var", "wasi:config is not implemented"),
            ("keyvalue", "wasi:keyvalue is not implemented"),
            ("keyvalue-in-memory-data", "wasi:keyvalue is not implemented"),
            ("tls", "wasi:tls is not implemented"),
            ("listenfd", "use -S tcplisten=ADDR to hand a listener to a preview1 guest"),
            ("hostcall-fuel", "host calls copy straight into guest memory; bounded by the limits"),
            ("max-component-handles", "wasmtime 48, Eddy's engine, has a fixed 100000 handle cap"),
            ("network-error-code", "an unstable 0.2 feature Eddy does not link"),
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
            key("cache-config=FILE", "none", "a cache config TOML (`eddy config new` writes one)"),
        ],
        unsupported: &[
            ("compiler", "Cranelift is the only compiler in Eddy's engine build"),
            ("collector", "the DRC collector is the only one in Eddy's engine build"),
            ("cranelift-debug-verifier", "a compiler developer's switch"),
            ("native-unwind-info", "the engine decides"),
            ("inlining", "the engine decides"),
        ],
    }
}

pub(super) fn optimize_group() -> Group {
    Group {
        flag: "-O",
        what: "optimization",
        keys: vec![key("opt-level=0|1|2|s", "2", "Cranelift's optimization level (s: also size)")],
        unsupported: &[
            ("regalloc-algorithm", "the engine's default allocator is used"),
            ("memory-may-move", "the engine's memory defaults are used"),
            ("memory-reservation", "the engine's memory defaults are used"),
            ("memory-reservation-for-growth", "the engine's memory defaults are used"),
            ("memory-guard-size", "the engine's memory defaults are used"),
            ("guard-before-linear-memory", "the engine's memory defaults are used"),
            ("table-lazy-init", "the engine's default is used"),
            ("pooling-allocator", "one instance per run; the on-demand allocator is used"),
            ("memory-init-cow", "the engine's default (on) is used"),
            ("signals-based-traps", "the engine's default (on) is used"),
        ],
    }
}

pub(super) fn debug_group() -> Group {
    Group {
        flag: "-D",
        what: "debug",
        keys: vec![
            key(
                "debug-info=y|n",
                "n",
                "DWARF for the compiled code: gdb/lldb step through the guest",
            ),
            key("coredump=PATH", "none", "write a wasm core dump to PATH when a core module traps"),
            key("address-map=y", "y", "native-to-wasm address maps: always on (trap backtraces)"),
        ],
        unsupported: &[
            ("guest-debug", "no debugger interface in Eddy"),
            ("debugger", "no debugger interface in Eddy"),
            ("arg", "no debugger interface in Eddy"),
            ("logging", "Eddy logs with --trace and EDDY_LOG"),
            ("log-to-files", "use --trace-file PATH"),
            ("max-backtrace", "trap backtraces are whole"),
            ("symbols", "`.cwasm` files keep the engine's default"),
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
