//! `eddy run`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Args;
use eddy::{Capabilities, Engine, Error};

use super::dirs::parse_dir;
use super::engine_flags::EngineFlags;
use super::groups::{group_help, wasi_group};
use super::values::{items, key_val, yes_no};
use super::{usage, Failure};

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
    /// Run deterministically: clocks start at 2000-01-01T00:00:00Z (monotonic 0) and move
    /// only by 1 µs per read and by what the guest sleeps (sleeps return at once); random
    /// bytes come from ChaCha20 seeded with --seed (NOT secure); no network, no host
    /// environment (only --env NAME=VALUE).
    #[arg(long)]
    deterministic: bool,
    /// The random seed of --deterministic (default 0).
    #[arg(long, value_name = "N", requires = "deterministic")]
    seed: Option<u64>,
    /// Print no progress line on long compiles.
    #[arg(short = 'q', long)]
    quiet: bool,
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
        if let Some(help) = self.engine.help().or_else(|| group_help(&[(&self.wasi, wasi_group)])) {
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
                        return usage(format!(
                            "-S {k}={v}: always on in Eddy; it cannot be turned off"
                        ));
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
        crate::determinism::apply(
            self.deterministic,
            self.seed,
            &self.wasi,
            &self.envs,
            &mut caps,
        )?;
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

        let mut engine = Engine::new(&w.engine)?;
        crate::progress::Progress::attach(&mut engine, self.quiet);
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
pub(super) fn naming(e: Error, file: &std::path::Path) -> Error {
    match e {
        Error::Trap(msg) => Error::Trap(format!("failed to run `{}`: {msg}", file.display())),
        e => e,
    }
}

/// and stores) when `EDDY_LOG=info`.
/// Log lines go to stderr: hostcalls with `--trace`; Eddy's own events (compile cache hits
/// and stores) when `EDDY_LOG=info`.
pub(super) fn init_logging(trace: bool) {
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
