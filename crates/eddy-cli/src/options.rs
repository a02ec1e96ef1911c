//! Command-line options, spelled as wasmtime spells them.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use eddy::{Capabilities, Engine, EngineConfig, Error, Preopen, WasmFeature};

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

/// `eddy FILE ...` means `eddy run FILE ...`, as in wasmtime.
pub fn implicit_run(args: impl Iterator<Item = OsString>) -> Vec<OsString> {
    let mut v: Vec<OsString> = args.collect();
    if let Some(first) = v.get(1).and_then(|a| a.to_str()) {
        let known = ["run", "compile", "help"];
        if !first.starts_with('-') && !known.contains(&first) {
            v.insert(1, "run".into());
        }
    }
    v
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
    /// Wasm options: features `NAME=y|n` (exceptions, tail-call, extended-const,
    /// multi-memory, bulk-memory, simd, relaxed-simd, reference-types, function-references,
    /// gc, memory64, threads, component-model-async) and limits: `max-memory-size=BYTES`,
    /// `unknown-imports-trap=y|n`, `timeout=DURATION` (e.g. 10s, 500ms), `fuel=N`.
    #[arg(short = 'W', long = "wasm", value_name = "KEY[=VAL]")]
    wasm: Vec<String>,
    /// WASI options: `inherit-env=y|n` (pass the whole host environment);
    /// `tcplisten=ADDR` (listen on ADDR, e.g. 127.0.0.1:8080, and hand the socket to a
    /// preview1 guest as the fd after the preopens; repeatable); `inherit-network=y|n` (WASI
    /// 0.2 sockets may use any address); `allow-ip-name-lookup=y|n` (resolve names);
    /// `tcp=y|n`, `udp=y|n` (protocols, on by default once some address is allowed);
    /// `p3=y|n` (link the WASI 0.3 interfaces for components; default y).
    #[arg(short = 'S', long = "wasi", value_name = "KEY[=VAL]")]
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
    /// Codegen options: `cache=y|n` (the compile cache, on by default).
    #[arg(short = 'C', long = "codegen", value_name = "KEY[=VAL]")]
    codegen: Vec<String>,
    /// Allow FILE to be precompiled code written by `eddy compile`.
    #[arg(long)]
    allow_precompiled: bool,
    /// Print one line per WASI hostcall on stderr (function, arguments, errno, duration).
    #[arg(long)]
    trace: bool,
    /// The program (FILE), then its arguments (ARGS): every word after FILE is the guest's,
    /// verbatim, `--` and words that look like Eddy's options included (as in wasmtime), so
    /// no argument meant for the guest can grant it anything. With `--invoke`, ARGS are the
    /// core module function's arguments.
    #[arg(value_name = "FILE", required = true, trailing_var_arg = true)]
    file_and_args: Vec<OsString>,
}

#[derive(Args, Debug)]
pub struct CompileCommand {
    /// Wasm options (features), as for `eddy run`.
    #[arg(short = 'W', long = "wasm", value_name = "KEY[=VAL]")]
    wasm: Vec<String>,
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

/// Options that shape both the engine and the store.
struct WasmOptions {
    engine: EngineConfig,
    max_memory: Option<usize>,
    unknown_imports_trap: bool,
    timeout: Option<Duration>,
    fuel: Option<u64>,
}

fn wasm_options(wasm: &[String], codegen: &[String]) -> Result<WasmOptions, Failure> {
    let mut o = WasmOptions {
        engine: EngineConfig::default(),
        max_memory: None,
        unknown_imports_trap: false,
        timeout: None,
        fuel: None,
    };
    for w in wasm {
        let (k, v) = key_val(w);
        if let Some(f) = WasmFeature::from_name(k) {
            o.engine.features.push((f, yes_no("-W", k, v)?));
            continue;
        }
        let bad =
            |what: &str| Failure::Usage(format!("-W {k}={v}: invalid value, expected {what}"));
        match k {
            "max-memory-size" => {
                o.max_memory =
                    Some(parse_size(v).ok_or_else(|| bad("bytes (e.g. 65536, 64K, 2M)"))?)
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
            _ => {
                let names: Vec<&str> = WasmFeature::ALL.iter().map(|(n, _)| *n).collect();
                return usage(format!(
                    "unknown -W option `{k}`; known: {}, max-memory-size, unknown-imports-trap, timeout, fuel",
                    names.join(", ")
                ));
            }
        }
    }
    for c in codegen {
        match key_val(c) {
            ("cache", v) => {
                if !yes_no("-C", "cache", v)? {
                    o.engine.cache_dir = None;
                }
            }
            (k, _) => return usage(format!("unknown -C option `{k}`; known: cache")),
        }
    }
    Ok(o)
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
        let (file, args) = self.file_and_args()?;
        let w = wasm_options(&self.wasm, &self.codegen)?;
        let mut caps = Capabilities::default();
        for s in &self.wasi {
            match key_val(s) {
                ("inherit-env", v) => {
                    if yes_no("-S", "inherit-env", v)? {
                        caps.env.extend(std::env::vars());
                    }
                }
                ("tcplisten", v) => {
                    use std::net::ToSocketAddrs;
                    let addr =
                        v.to_socket_addrs().ok().and_then(|mut a| a.next()).ok_or_else(|| {
                            Failure::Usage(format!("-S tcplisten={v}: expected ADDRESS:PORT"))
                        })?;
                    caps.tcp_listen.push(addr);
                }
                ("inherit-network", v) => {
                    caps.network.inherit_network = yes_no("-S", "inherit-network", v)?
                }
                ("allow-ip-name-lookup", v) => {
                    caps.network.allow_ip_name_lookup = yes_no("-S", "allow-ip-name-lookup", v)?
                }
                ("tcp", v) => caps.network.tcp = yes_no("-S", "tcp", v)?,
                ("udp", v) => caps.network.udp = yes_no("-S", "udp", v)?,
                ("p3", v) => caps.p3 = yes_no("-S", "p3", v)?,
                (k, _) => {
                    return usage(format!(
                        "unknown -S option `{k}`; known: inherit-env, tcplisten, \
                         inherit-network, allow-ip-name-lookup, tcp, udp, p3"
                    ))
                }
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
        let w = wasm_options(&self.wasm, &[])?;
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
