//! `eddy run`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Args;
use eddy::{Capabilities, Engine, Error, Profiler, Program};

use super::config_file::read_config;
use super::dirs::parse_dir;
use super::engine_flags::EngineFlags;
use super::groups::{group_help, wasi_group};
use super::values::{items, key_val, parse_size, yes_no};
use super::{usage, Failure};

/// `eddy run --help`'s closing text: examples and the exit statuses.
const RUN_AFTER_HELP: &str = "\
Examples:
  eddy run app.wasm arg1 arg2              run a preview1 module or a 0.2/0.3 component
  eddy app.wasm                            the same (`run` is implied)
  eddy run --dir ./data::/data:ro app.wasm read-only access to ./data as /data
  eddy run --env HOME=/ -S inherit-env app.wasm
  eddy run -W timeout=10s,fuel=100000000 app.wasm
  eddy run --allow-connect 127.0.0.1:8080 client.wasm
  eddy run --invoke 'add(2, 3)' calc.wasm  call one export, WAVE in and out
  eddy run --trace=fs,sockets --trace-file trace.txt app.wasm

Exit status:
  N    the guest's: proc_exit(N) / exit-with-code(N) (N < 126); `_start`/`run` returning: 0;
       a component's exit(err) or run returning err: 1
  1    a load, link or capability error, a program that is not a command, a status >= 126
  2    a usage error (a bad flag or flag value)
  134  the guest trapped (the trap and its wasm backtrace on stderr)";

#[derive(Args, Debug)]
#[command(after_help = RUN_AFTER_HELP)]
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
    /// top-level export or a function of an exported interface, in Eddy's spelling
    /// `IFACE#FUNC` (`pkg:ns/iface@1.0.0#func`; `pkg:ns/iface#func` or `iface#func` when
    /// unambiguous) or wasmtime's (`pkg:ns/iface.func@1.0.0`, or a bare `func` that one
    /// exported interface has); results are printed in WAVE.
    #[arg(long, value_name = "NAME|CALL")]
    invoke: Option<String>,
    /// The program name the guest sees as argv[0] (default: FILE's base name, as wasmtime).
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
    /// Print one line per WASI host call (p1, p0, 0.2 and 0.3): the function, its arguments
    /// decoded (flags and rights by name, paths), the result with what was written back
    /// (fds, byte counts, offsets) or the errno/error-code, and the duration; exits as
    /// `exit(N)`. FILTER (after `=`) is a comma list of groups (fs, sockets, clocks, random,
    /// cli, poll, io, proc, sched), function names (path_open, open-at) or module prefixes
    /// (wasi:filesystem, wasi_unstable): `--trace=fs,sock_send`.
    #[arg(long, value_name = "FILTER", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    trace: Option<String>,
    /// Write the trace lines to PATH instead of stderr (created or truncated).
    #[arg(long, value_name = "PATH")]
    trace_file: Option<PathBuf>,
    /// Trace line format: `text` (default) or `json` (one object per line: module,
    /// function, args, result, ns).
    #[arg(long, value_name = "text|json", default_value = "text")]
    trace_format: String,
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
    /// Tell a native profiler about the compiled code: `perfmap` (`/tmp/perf-PID.map`, for
    /// `perf report`) or `jitdump` (`jit-PID.dump`, for `perf inject --jit`).
    #[arg(long, value_name = "perfmap|jitdump")]
    profile: Option<String>,
    /// Instantiate core module PATH first and link it as import module NAME of the main
    /// module (core modules only). Repeatable.
    #[arg(long, value_name = "NAME=PATH")]
    preload: Vec<String>,
    /// Read `-W`/`-S`/`-C`/`-O`/`-D` options from a TOML file (tables `[wasm]`, `[wasi]`,
    /// `[codegen]`, `[optimize]`, `[debug]` of the same keys); the command line's win.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
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

    pub fn execute(mut self) -> Result<i32, Failure> {
        if let Some(help) = self.engine.help().or_else(|| group_help(&[(&self.wasi, wasi_group)])) {
            print!("{help}");
            return Ok(0);
        }
        if let Some(path) = self.config.take() {
            let c = read_config(&path)?;
            let e = &mut self.engine;
            for (from_file, cli) in [
                (c.wasm, &mut e.wasm),
                (c.codegen, &mut e.codegen),
                (c.optimize, &mut e.optimize),
                (c.debug, &mut e.debug),
                (c.wasi, &mut self.wasi),
            ] {
                let given = std::mem::replace(cli, from_file);
                cli.extend(given);
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
                "inherit-stdout" => caps.inherit_stdout = yes_no("-S", k, v)?,
                "inherit-stderr" => caps.inherit_stderr = yes_no("-S", k, v)?,
                "cwd" => caps.initial_cwd = Some(v.to_string()),
                "max-resources" => {
                    caps.limits.max_resources =
                        v.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                            Failure::Usage(format!(
                                "-S max-resources={v}: expected a positive whole number"
                            ))
                        })?
                }
                "max-random-size" => {
                    caps.limits.max_random_bytes =
                        parse_size(v).and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
                            Failure::Usage(format!(
                                "-S max-random-size={v}: expected bytes below 4G (e.g. 1M)"
                            ))
                        })?
                }
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
        caps.trace = self.trace.is_some();
        if let Some(m) = w.max_memory {
            caps.max_memory_bytes = m;
        }
        if let Some(n) = w.max_table_elements {
            caps.max_table_elements = n;
        }
        caps.unknown_imports_trap = w.unknown_imports_trap;
        caps.timeout = w.timeout;
        caps.fuel = w.fuel;
        caps.unknown_imports_default = w.unknown_imports_default;
        caps.trap_on_grow_failure = w.trap_on_grow_failure;
        for (limit, given) in [
            (&mut caps.max_instances, w.max_instances),
            (&mut caps.max_tables, w.max_tables),
            (&mut caps.max_memories, w.max_memories),
        ] {
            if let Some(n) = given {
                *limit = n;
            }
        }
        caps.coredump = w.coredump;
        let mut config = w.engine;
        config.profiler = match self.profile.as_deref() {
            None => None,
            Some("perfmap") => Some(Profiler::PerfMap),
            Some("jitdump") => Some(Profiler::JitDump),
            Some(p) if p.starts_with("guest") => {
                return usage(format!(
                    "--profile {p}: the guest profiler is not built into Eddy; use perfmap or jitdump with `perf`"
                ))
            }
            Some(p) if p.starts_with("vtune") => {
                return usage(format!("--profile {p}: VTune is not built into Eddy; use perfmap or jitdump"))
            }
            Some(p) => return usage(format!("--profile {p}: expected perfmap or jitdump")),
        };
        init_logging(self.trace.as_deref(), self.trace_file.as_deref(), &self.trace_format)?;

        let mut engine = Engine::new(&config)?;
        crate::progress::Progress::attach(&mut engine, self.quiet);
        for p in &self.preload {
            let Some((name, path)) =
                p.split_once('=').filter(|(n, p)| !n.is_empty() && !p.is_empty())
            else {
                return usage(format!("--preload {p}: expected NAME=PATH"));
            };
            let program = engine.load_file_with(path.as_ref(), self.allow_precompiled)?;
            caps.preloads.push((name.to_string(), program));
        }
        // argv[0]: the file's base name, as wasmtime gives it.
        let argv0 = || {
            self.argv0.clone().unwrap_or_else(|| {
                file.file_name().map_or_else(
                    || file.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            })
        };
        match &self.invoke {
            Some(name) => {
                let program = engine.load_file_with(&file, self.allow_precompiled)?;
                refuse_component_only_p1(&program, &caps)?;
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
                refuse_component_only_p1(&program, &caps)?;
                caps.args.push(argv0());
                caps.args.extend(args.iter().cloned());
                Ok(eddy::run(&engine, &program, &caps).map_err(|e| naming(e, &file))?)
            }
        }
    }
}

/// Grants only a preview1 core module can use, refused for a component before it runs:
/// `-S tcplisten` (a component's sockets are `wasi:sockets`, granted with `--allow-bind`).
fn refuse_component_only_p1(program: &Program, caps: &Capabilities) -> Result<(), Failure> {
    if matches!(program, Program::Component(_)) && !caps.tcp_listen.is_empty() {
        return usage(
            "-S tcplisten: only a preview1 core module can take a listener as an fd; a component \
             listens with wasi:sockets (grant the address with --allow-bind)"
                .to_string(),
        );
    }
    Ok(())
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
/// Log lines: with `--trace`, the host-call lines ([`crate::trace`]) to stderr or the trace
/// file; with `EDDY_LOG` (`RUST_LOG` syntax, e.g. `EDDY_LOG=info` or `eddy=debug`), Eddy's own
/// events (compile cache hits and stores) to stderr. Errors (usage): a bad filter or format,
/// a trace file that cannot be created.
pub(super) fn init_logging(
    trace: Option<&str>,
    trace_file: Option<&std::path::Path>,
    format: &str,
) -> Result<(), Failure> {
    use crate::trace::{ComponentCalls, Filter, P1Calls, Sink};
    use std::sync::Arc;
    use tracing_subscriber::filter::{filter_fn, EnvFilter};
    use tracing_subscriber::prelude::*;
    let json = match format {
        "text" => false,
        "json" => true,
        other => return usage(format!("--trace-format {other}: expected text or json")),
    };
    if trace.is_none() && trace_file.is_some() {
        return usage("--trace-file: give --trace too".to_string());
    }
    let eddy_log = std::env::var("EDDY_LOG").ok().filter(|v| !v.is_empty());
    if trace.is_none() && eddy_log.is_none() {
        return Ok(());
    }
    let sink = match trace {
        None => None,
        Some(f) => {
            let filter = Filter::parse(f).map_err(Failure::Usage)?;
            let out: Box<dyn std::io::Write + Send> = match trace_file {
                None => Box::new(std::io::stderr()),
                Some(p) => Box::new(std::fs::File::create(p).or_else(|e| {
                    usage(format!("--trace-file {}: cannot create it: {e}", p.display()))
                })?),
            };
            Some(Arc::new(Sink::new(out, json, filter)))
        }
    };
    let own = match eddy_log {
        None => None,
        Some(spec) => {
            let filter =
                EnvFilter::try_new(&spec).or_else(|e| usage(format!("EDDY_LOG={spec}: {e}")))?;
            Some(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_target(false)
                    .without_time()
                    .with_level(false)
                    .with_filter(filter_fn(|m| {
                        !m.target().starts_with("eddy::p1") && !m.target().starts_with("eddy_wasi")
                    }))
                    .with_filter(filter),
            )
        }
    };
    // Components: WASI 0.2 and 0.3 host calls (TRACE spans from eddy-wasi's p2 and p3
    // modules; an async 0.3 call's span closes when its future completes, so its line
    // carries the time it waited).
    let p1 = sink.clone().map(|s| P1Calls(s).with_filter(filter_fn(|m| m.target() == "eddy::p1")));
    let calls = sink.map(|s| {
        ComponentCalls(s).with_filter(filter_fn(|m| {
            m.target().starts_with("eddy_wasi::p2") || m.target().starts_with("eddy_wasi::p3")
        }))
    });
    tracing_subscriber::registry().with(own).with(p1).with(calls).init();
    Ok(())
}
