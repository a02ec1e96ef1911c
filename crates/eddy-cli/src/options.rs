//! Command-line options, spelled as wasmtime spells them.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use eddy::{Capabilities, Engine, EngineConfig, Error, OptLevel, Preopen, WasmFeature};

/// Why a command failed: a bad option value (a usage error: exit status 2, as clap's own) or
/// an error from Eddy (its [`Error::exit_status`]).
#[derive(Debug)]
pub enum Failure {
    /// A flag's value could not be parsed (`-W timeout=abc`, `--dir ::/g`, …): one line.
    Usage(String),
    /// Loading, linking or running the program failed.
    Eddy(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Eddy(e)
    }
}

/// A usage error with this message.
fn usage<T>(msg: String) -> Result<T, Failure> {
    Err(Failure::Usage(msg))
}

/// Eddy: a WebAssembly System Interface (WASI) runtime.
#[derive(Parser, Debug)]
#[command(name = "eddy", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a WASI program: a preview1 core module or a WASI 0.2 command component (`.wasm` or
    /// `.wat`).
    Run(RunCommand),
    /// Compile a program ahead of time into a `.cwasm` file for `eddy run --allow-precompiled`.
    Compile(CompileCommand),
}

/// The subcommands, for `eddy X` with an unknown X.
const SUBCOMMANDS: &[&str] = &["run", "compile", "help"];

/// `eddy [OPTIONS] FILE ...` means `eddy run [OPTIONS] FILE ...`, as in wasmtime. A first
/// word that is neither an option, a subcommand nor a file (no `.` or `/` in it and nothing
/// of that name exists) is refused as an unknown subcommand (`eddy settings`): the message.
pub fn implicit_run(args: impl Iterator<Item = OsString>) -> Result<Vec<OsString>, String> {
    let mut v: Vec<OsString> = args.collect();
    let Some(first) = v.get(1) else { return Ok(v) };
    let word = first.to_str();
    let insert = match word {
        Some("-h" | "--help" | "-V" | "--version") => false,
        Some(w) if w.starts_with('-') => true,
        Some(w) if SUBCOMMANDS.contains(&w) => false,
        Some(w) if !w.contains(['.', '/']) && !std::path::Path::new(w).exists() => {
            return Err(format!(
                "eddy has no '{w}' subcommand (known: run, compile)"
            ));
        }
        _ => true,
    };
    if insert {
        v.insert(1, "run".into());
    }
    Ok(v)
}

#[derive(Args, Debug)]
pub struct RunCommand {
    /// Grant a host directory: `HOST[::GUEST]`, GUEST defaulting to HOST. Append `:ro` to
    /// make it read-only (`--dir ./data::/data:ro`; exactly `:ro`: `:RO`, `:rw` are errors).
    /// Repeatable; fds 3, 4, ... in order.
    #[arg(long = "dir", value_name = "HOST[::GUEST][:ro]")]
    dirs: Vec<String>,
    /// Set an environment variable (`NAME=VALUE`), or pass one through from the host (`NAME`).
    #[arg(long = "env", value_name = "NAME[=VAL]")]
    envs: Vec<String>,
    /// Call one export instead of running the program; each result is printed on its own
    /// line. A core module: NAME is the export, ARGS its i32/i64/f32/f64 arguments. A
    /// component: a WAVE call `NAME(ARG, ...)` (e.g. 'add(2, 3)', 'greet("you")'), NAME a
    /// top-level export or `IFACE#FUNC` for a function of an exported interface
    /// (`pkg:ns/iface@1.0.0#func`; `pkg:ns/iface#func` or `iface#func` when unambiguous);
    /// results are printed in WAVE.
    #[arg(long, value_name = "NAME|CALL")]
    invoke: Option<String>,
    /// The program name the guest sees as argv[0] (default: FILE as given).
    #[arg(long, value_name = "NAME")]
    argv0: Option<String>,
    #[command(flatten)]
    engine: EngineFlags,
    /// WASI options (`-S help` lists them): `inherit-env`, `inherit-stdin`, `tcplisten=ADDR`,
    /// `inherit-network`, `allow-ip-name-lookup`, `tcp`, `udp`, `p3`, ...
    #[arg(short = 'S', long = "wasi", value_name = "KEY[=VAL[,..]]")]
    wasi: Vec<String>,
    /// Let a WASI 0.2 guest connect (TCP) and send datagrams (UDP) to these addresses:
    /// `ADDR[/PREFIX]:PORT[-PORT]`,
    /// IPv6 in brackets (`127.0.0.1:8000-9000`, `10.0.0.0/8:443`, `[::1]:80`). Repeatable.
    /// Anything not allowed is `access-denied`.
    #[arg(long = "allow-connect", value_name = "ADDR[/PREFIX]:PORT[-PORT]")]
    allow_connect: Vec<String>,
    /// Let a WASI 0.2 guest bind (and listen) on these local addresses, same syntax as
    /// `--allow-connect` (`0.0.0.0:8080`; a range must include port 0 to allow binding an
    /// OS-chosen port). Repeatable.
    #[arg(long = "allow-bind", value_name = "ADDR[/PREFIX]:PORT[-PORT]")]
    allow_bind: Vec<String>,
    /// Allow FILE to be precompiled code written by `eddy compile`.
    #[arg(long)]
    allow_precompiled: bool,
    /// Print one line per WASI hostcall on stderr (function, arguments, errno, duration).
    #[arg(long)]
    trace: bool,
    /// wasmtime's `--profile`: refused (not supported yet).
    #[arg(long, hide = true, value_name = "STRATEGY")]
    profile: Vec<String>,
    /// wasmtime's `--preload`: refused (not supported yet).
    #[arg(long, hide = true, value_name = "NAME=PATH")]
    preload: Vec<String>,
    /// wasmtime's `--config`: refused (not supported yet).
    #[arg(long, hide = true, value_name = "FILE")]
    config: Vec<String>,
    /// The program (FILE), then its arguments (ARGS): every word after FILE is the guest's,
    /// verbatim, `--` and words that look like Eddy's options included (as in wasmtime), so
    /// no argument meant for the guest can grant it anything. With `--invoke`, ARGS are the
    /// core module function's arguments.
    #[arg(value_name = "FILE", trailing_var_arg = true)]
    file_and_args: Vec<OsString>,
}

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

#[derive(Args, Debug)]
pub struct CompileCommand {
    #[command(flatten)]
    engine: EngineFlags,
    /// Output file (default: FILE with the extension `.cwasm`).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// The program to compile.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// Splits `KEY[=VAL]`; a bare KEY means `y`.
fn key_val(s: &str) -> (&str, &str) {
    s.split_once('=').unwrap_or((s, "y"))
}

fn yes_no(opt: &str, key: &str, v: &str) -> Result<bool, Failure> {
    match v {
        "y" | "yes" | "true" | "" => Ok(true),
        "n" | "no" | "false" => Ok(false),
        _ => usage(format!("{opt} {key}={v}: expected y or n")),
    }
}

fn parse_duration(s: &str) -> Option<Duration> {
    let (num, unit) = s.find(|c: char| c.is_ascii_alphabetic()).map_or((s, "s"), |i| s.split_at(i));
    let n: f64 = num.parse().ok()?;
    let secs = match unit {
        "ns" => n / 1e9,
        "us" => n / 1e6,
        "ms" => n / 1e3,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(secs).ok()
}

fn parse_size(s: &str) -> Option<usize> {
    let (num, mult) = match s.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => {
            let m = match &s[i..] {
                "K" | "KiB" | "k" => 1 << 10,
                "M" | "MiB" => 1 << 20,
                "G" | "GiB" => 1 << 30,
                _ => return None,
            };
            (&s[..i], m)
        }
        None => (s, 1),
    };
    num.parse::<usize>().ok()?.checked_mul(mult)
}

/// One key of an option group (`-W`, `-S`, `-C`, `-O`, `-D`), for `-X help` and the list of
/// known keys in an error.
struct Key {
    /// `NAME=VALUE-SYNTAX` as the help shows it.
    spelling: String,
    /// The default, as the user would write it.
    default: &'static str,
    about: &'static str,
}

fn key(spelling: &str, default: &'static str, about: &'static str) -> Key {
    Key { spelling: spelling.to_string(), default, about }
}

/// An option group: its flag, what it is, its keys, and wasmtime's keys Eddy refuses.
struct Group {
    flag: &'static str,
    what: &'static str,
    keys: Vec<Key>,
    /// wasmtime 49 keys of this group that Eddy does not support (yet): each is refused with
    /// a line saying so rather than "unknown".
    unsupported: &'static [&'static str],
}

impl Group {
    /// The name of each key.
    fn names(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.spelling.split('=').next().unwrap_or_default()).collect()
    }

    /// The usage error for a key this group does not handle.
    fn refuse<T>(&self, k: &str) -> Result<T, Failure> {
        if self.unsupported.contains(&k) {
            return usage(format!(
                "{} {k}: Eddy does not support this wasmtime option yet",
                self.flag
            ));
        }
        let names = self.names();
        let known = if names.is_empty() { "none".to_string() } else { names.join(", ") };
        usage(format!("unknown {} option `{k}`; known: {known} (`{} help` describes them)", self.flag, self.flag))
    }

    /// The text of `-X help`.
    fn help(&self) -> String {
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

fn feature_about(f: WasmFeature) -> &'static str {
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

fn wasm_group() -> Group {
    let mut keys: Vec<Key> = WasmFeature::ALL
        .iter()
        .map(|&(name, f)| key(&format!("{name}=y|n"), "y", feature_about(f)))
        .collect();
    keys.extend([
        key("all-proposals=y|n", "y", "turn every feature above on (y) or off (n)"),
        key("max-memory-size=BYTES", "4G", "most bytes one linear memory may grow to (64K, 2M)"),
        key("max-table-elements=N", "10000000", "most elements one table may hold"),
        key("max-wasm-stack=BYTES", "512K", "native stack wasm may use before it traps (at most 2M)"),
        key("unknown-imports-trap=y|n", "n", "link unknown imports as functions that trap"),
        key("timeout=DURATION", "none", "wall-clock limit (10s, 500ms); the guest traps: interrupt"),
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

fn wasi_group() -> Group {
    Group {
        flag: "-S",
        what: "WASI",
        keys: vec![
            key("inherit-env=y|n", "n", "pass the whole host environment"),
            key("inherit-stdin=y|n", "y", "the guest reads the host's stdin (n: /dev/null)"),
            key("tcplisten=ADDR", "none", "listen on ADDR; the socket is a preview1 fd (repeatable)"),
            key("inherit-network=y|n", "n", "WASI 0.2 sockets may use any address"),
            key("allow-ip-name-lookup=y|n", "n", "resolve host names (wasi:sockets/ip-name-lookup)"),
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

fn codegen_group() -> Group {
    Group {
        flag: "-C",
        what: "codegen",
        keys: vec![
            key("cache=y|n", "y", "the compile cache ($EDDY_CACHE_DIR, else ~/.cache/eddy)"),
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

fn optimize_group() -> Group {
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

fn debug_group() -> Group {
    Group {
        flag: "-D",
        what: "debug",
        keys: vec![],
        unsupported: &["debug-info", "address-map", "logging", "log-to-files", "coredump", "guest-debug"],
    }
}

/// Every `KEY[=VAL]` item of a group's occurrences (`-W a,b=1 -W c` → `a`, `b=1`, `c`); none
/// of Eddy's values contains a comma.
fn items(list: &[String]) -> impl Iterator<Item = &str> {
    list.iter().flat_map(|s| s.split(',')).filter(|s| !s.is_empty())
}

/// The help text if some group of `groups` was given `help` (`-W help`).
fn group_help(groups: &[(&[String], fn() -> Group)]) -> Option<String> {
    groups
        .iter()
        .find(|(list, _)| items(list).any(|i| i == "help"))
        .map(|(_, group)| group().help())
}

/// Options that shape both the engine and the store.
struct WasmOptions {
    engine: EngineConfig,
    max_memory: Option<usize>,
    max_table_elements: Option<usize>,
    unknown_imports_trap: bool,
    timeout: Option<Duration>,
    fuel: Option<u64>,
}

impl EngineFlags {
    /// `-X help` for the first of these groups given `help`.
    fn help(&self) -> Option<String> {
        group_help(&[
            (&self.wasm, wasm_group),
            (&self.codegen, codegen_group),
            (&self.optimize, optimize_group),
            (&self.debug, debug_group),
        ])
    }

    fn options(&self) -> Result<WasmOptions, Failure> {
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
                    o.timeout = Some(
                        parse_duration(v).ok_or_else(|| bad("a duration (e.g. 10s, 500ms)"))?,
                    );
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

/// Colon suffixes that look like a preopen option but are not `:ro` (any case, `:RO` too):
/// refused rather than silently becoming part of the guest path.
const DIR_OPTION_LOOKALIKES: &[&str] = &[
    "ro",
    "rw",
    "r",
    "w",
    "wo",
    "readonly",
    "read-only",
    "read_only",
    "readwrite",
    "read-write",
    "read_write",
    "writeonly",
    "write-only",
    "write_only",
    "write",
];

/// Parses `HOST[::GUEST][:ro]`. Usage errors: an empty HOST or GUEST, or a GUEST ending in a
/// colon suffix that looks like an option but is not exactly `:ro` (`:RO`, `:rw`, …).
fn parse_dir(arg: &str) -> Result<Preopen, Failure> {
    let (s, read_only) = match arg.strip_suffix(":ro") {
        Some(rest) => (rest, true),
        None => (arg, false),
    };
    let (host, guest) = s.split_once("::").unwrap_or((s, s));
    if host.is_empty() {
        return usage(format!("--dir {arg:?}: empty host directory (expected HOST[::GUEST][:ro])"));
    }
    if guest.is_empty() {
        return usage(format!("--dir {arg:?}: empty guest path (expected HOST[::GUEST][:ro])"));
    }
    if let Some((_, suffix)) = guest.rsplit_once(':') {
        if DIR_OPTION_LOOKALIKES.contains(&suffix.to_ascii_lowercase().as_str()) {
            return usage(format!(
                "--dir {arg:?}: unknown option `:{suffix}` (the only one is `:ro`, read-only; \
                 directories are read-write without it)"
            ));
        }
    }
    Ok(Preopen { host: PathBuf::from(host), guest: guest.to_string(), read_only })
}

impl RunCommand {
    /// FILE and the guest's arguments (which must be UTF-8: WASI arguments are strings).
    fn file_and_args(&self) -> Result<(PathBuf, Vec<String>), Failure> {
        let (file, rest) = self.file_and_args.split_first().expect("clap requires FILE");
        let args = rest
            .iter()
            .enumerate()
            .map(|(i, a)| {
                a.clone().into_string().map_err(|a| {
                    Failure::Usage(format!("argument {} after FILE is not UTF-8: {a:?}", i + 1))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok((PathBuf::from(file), args))
    }

    pub fn execute(self) -> Result<i32, Failure> {
        if let Some(help) =
            self.engine.help().or_else(|| group_help(&[(&self.wasi, wasi_group)]))
        {
            print!("{help}");
            return Ok(0);
        }
        for (flag, given) in
            [("--profile", &self.profile), ("--preload", &self.preload), ("--config", &self.config)]
        {
            if !given.is_empty() {
                return usage(format!("{flag}: Eddy does not support this wasmtime option yet"));
            }
        }
        if self.file_and_args.is_empty() {
            return usage("no FILE given (usage: eddy run [OPTIONS] FILE [ARGS]...)".to_string());
        }
        let (file, args) = self.file_and_args()?;
        let w = self.engine.options()?;
        let mut caps = Capabilities::default();
        for s in items(&self.wasi) {
            let (k, v) = key_val(s);
            match k {
                "inherit-env" => {
                    if yes_no("-S", k, v)? {
                        caps.env.extend(std::env::vars());
                    }
                }
                "inherit-stdin" => caps.inherit_stdin = yes_no("-S", k, v)?,
                "tcplisten" => {
                    use std::net::ToSocketAddrs;
                    let addr =
                        v.to_socket_addrs().ok().and_then(|mut a| a.next()).ok_or_else(|| {
                            Failure::Usage(format!("-S tcplisten={v}: expected ADDRESS:PORT"))
                        })?;
                    caps.tcp_listen.push(addr);
                }
                "inherit-network" => caps.network.inherit_network = yes_no("-S", k, v)?,
                "allow-ip-name-lookup" => caps.network.allow_ip_name_lookup = yes_no("-S", k, v)?,
                "tcp" => caps.network.tcp = yes_no("-S", k, v)?,
                "udp" => caps.network.udp = yes_no("-S", k, v)?,
                "p3" => caps.p3 = yes_no("-S", k, v)?,
                // wasmtime's switch between its two preview1 implementations: Eddy has one.
                "preview2" => {
                    yes_no("-S", k, v)?;
                }
                // Always on in Eddy: accepted as wasmtime scripts spell them; `n` is refused.
                "cli-exit-with-code" | "cli" | "preview0" | "common" => {
                    if !yes_no("-S", k, v)? {
                        return usage(format!("-S {k}={v}: always on in Eddy; it cannot be turned off"));
                    }
                }
                _ => return wasi_group().refuse(k),
            }
        }
        for (flag, list, out) in [
            ("--allow-connect", &self.allow_connect, &mut caps.network.allow_connect),
            ("--allow-bind", &self.allow_bind, &mut caps.network.allow_bind),
        ] {
            for a in list {
                out.push(a.parse().map_err(|e| Failure::Usage(format!("{flag} {e}")))?);
            }
        }
        for e in &self.envs {
            match e.split_once('=') {
                Some((k, v)) => caps.env.push((k.to_string(), v.to_string())),
                None => {
                    if let Ok(v) = std::env::var(e) {
                        caps.env.push((e.clone(), v));
                    }
                }
            }
        }
        caps.preopens = self.dirs.iter().map(|d| parse_dir(d)).collect::<Result<_, _>>()?;
        caps.inherit_stdio = true;
        caps.trace = self.trace;
        if let Some(m) = w.max_memory {
            caps.max_memory_bytes = m;
        }
        if let Some(n) = w.max_table_elements {
            caps.max_table_elements = n;
        }
        caps.unknown_imports_trap = w.unknown_imports_trap;
        caps.timeout = w.timeout;
        caps.fuel = w.fuel;
        init_logging(self.trace);

        let engine = Engine::new(&w.engine)?;
        match &self.invoke {
            Some(name) => {
                let program = engine.load_file_with(&file, self.allow_precompiled)?;
                caps.args.push(self.argv0.clone().unwrap_or_else(|| name.clone()));
                let results = eddy::invoke(&engine, &program, &caps, name, &args)
                    .map_err(|e| naming(e, &file))?;
                for r in results {
                    println!("{r}");
                }
                Ok(0)
            }
            None => {
                // A program that is not a command is refused before it is compiled.
                let program = engine.load_command_file(&file, self.allow_precompiled)?;
                caps.args.push(self.argv0.clone().unwrap_or_else(|| file.display().to_string()));
                caps.args.extend(args.iter().cloned());
                Ok(eddy::run(&engine, &program, &caps).map_err(|e| naming(e, &file))?)
            }
        }
    }
}

/// A trap's message, first line, naming the program file (the backtrace names functions,
/// and the module only if its name section has a name: `<unknown>!main`).
fn naming(e: Error, file: &std::path::Path) -> Error {
    match e {
        Error::Trap(msg) => Error::Trap(format!("failed to run `{}`: {msg}", file.display())),
        e => e,
    }
}

impl CompileCommand {
    pub fn execute(self) -> Result<i32, Failure> {
        if let Some(help) = self.engine.help() {
            print!("{help}");
            return Ok(0);
        }
        let w = self.engine.options()?;
        let mut config = w.engine;
        config.cache_dir = None;
        let engine = Engine::new(&config)?;
        let bytes = engine.precompile_file(&self.file)?;
        let out = self.output.unwrap_or_else(|| self.file.with_extension("cwasm"));
        std::fs::write(&out, bytes)
            .map_err(|e| Error::Other(format!("cannot write `{}`: {e}", out.display())))?;
        Ok(0)
    }
}

/// Log lines go to stderr: hostcalls with `--trace`; Eddy's own events (compile cache hits
/// and stores) when `EDDY_LOG=info`.
fn init_logging(trace: bool) {
    use tracing_subscriber::filter::{filter_fn, LevelFilter};
    use tracing_subscriber::prelude::*;
    let eddy_log = std::env::var("EDDY_LOG").is_ok_and(|v| v == "info" || v == "debug");
    if !trace && !eddy_log {
        return;
    }
    let layer =
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_target(false)
            .without_time()
            .with_level(false)
            .with_filter(filter_fn(move |m| {
                if m.target().starts_with("eddy::p1") {
                    trace
                } else {
                    eddy_log
                }
            }))
            .with_filter(LevelFilter::INFO);
    // Components: WASI 0.2 and 0.3 host calls (TRACE spans from eddy-wasi's p2 and p3
    // modules; an async 0.3 call's span closes when its future completes, so its line
    // carries the time it waited).
    let calls = trace.then(|| {
        crate::trace::ComponentCalls.with_filter(filter_fn(|m| {
            m.target().starts_with("eddy_wasi::p2") || m.target().starts_with("eddy_wasi::p3")
        }))
    });
    tracing_subscriber::registry().with(layer).with(calls).init();
}
