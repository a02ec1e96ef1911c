//! [`WasiCtx`]: everything one guest instance was granted (args, environment, stdio,
//! preopens, sockets, network policy) and the limits it runs under. Every ABI view reads its
//! grants here; each view keeps its own state (the preview1 fd table, the component resource
//! table) beside it, pointing at these objects.

use std::path::Path;
use std::sync::Arc;
use wasmtime::component::{Resource, ResourceTable, ResourceTableError};

use crate::filesystem::{Descriptor, DirPerms, FilePerms};
use crate::readiness::Poller;
use crate::sockets::{NetworkPolicy, Socket};
use crate::stdio::{Stdio, StdioKind};

/// Limits that keep a guest from making the host allocate or work without bound. All are on
/// by default; the defaults are generous for real programs (CPython runs under them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most fds (p1) open at once per instance; beyond it opens fail with `EMFILE`.
    /// Default 16384.
    pub max_fds: u32,
    /// Most bytes one random request may return as a host-allocated list (p2
    /// `get-random-bytes`). p1 `random_get` writes straight into guest memory and needs no
    /// host buffer. Default 64 MiB.
    pub max_random_bytes: u32,
    /// Most subscriptions one `poll_oneoff` call may carry (beyond it `EINVAL`), and most
    /// pollables one WASI 0.2 `poll` may wait on (beyond it a trap). Default 65536.
    pub max_poll_subscriptions: u32,
    /// Most host objects one component instance may hold at once: its resources (WASI 0.2
    /// and 0.3: streams, pollables, descriptors, sockets, …) plus the host ends of its WASI
    /// 0.3 `stream`s and `future`s and its 0.3 calls waiting on the loop (timers, connects,
    /// datagrams, name lookups): see [`crate::budget`]. One more is refused with the WIT's
    /// error code where the function has one (sockets: `out-of-memory`), else a trap whose
    /// message says so. Default 1048576 (wasmtime's own cap on component handles per
    /// store, 100 000, usually comes first).
    pub max_resources: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_fds: 16384,
            max_random_bytes: 64 << 20,
            max_poll_subscriptions: 65536,
            max_resources: 1 << 20,
        }
    }
}

/// Implemented by a store's data type to give the WASI host its [`WasiCtx`].
pub trait WasiView: Send + 'static {
    /// The instance's WASI context.
    fn wasi(&mut self) -> &mut WasiCtx;
}

impl WasiView for WasiCtx {
    #[inline]
    fn wasi(&mut self) -> &mut WasiCtx {
        self
    }
}

/// A granted directory: the open host directory (with the guest's permissions) and the path
/// the guest sees it at (`fd_prestat_dir_name`, `wasi:filesystem/preopens.get-directories`).
#[derive(Debug)]
pub struct Preopen {
    /// The directory; every path the guest names beneath it is resolved by the sandbox.
    pub dir: Arc<Descriptor>,
    /// The guest-visible path, e.g. `/data`.
    pub guest_path: String,
}

/// A stored argument or variable as a string, without the NUL terminator kept for preview1.
fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b.strip_suffix(&[0]).unwrap_or(b)).into_owned()
}

/// One instance's granted WASI state: arguments, environment, stdio, preopens, granted
/// sockets, network policy and limits, shared by every ABI view of the instance. Build one
/// with [`WasiCtxBuilder`].
#[derive(Debug)]
pub struct WasiCtx {
    /// Arguments, each NUL-terminated, as `args_get` writes them.
    pub(crate) args: Vec<Vec<u8>>,
    /// `NAME=VALUE` pairs, each NUL-terminated, as `environ_get` writes them.
    pub(crate) env: Vec<Vec<u8>>,
    /// stdin, stdout, stderr (in that order).
    pub(crate) stdio: [Arc<Stdio>; 3],
    /// The granted directories, in the order granted.
    pub(crate) preopens: Vec<Preopen>,
    /// Host sockets granted as-is (`-S tcplisten`); the preview1 view takes them as the fds
    /// after the preopens.
    pub(crate) sockets: Vec<Socket>,
    /// Limits in force.
    pub limits: Limits,
    /// Whether `--trace` is on: one line per hostcall.
    pub(crate) trace: bool,
    /// The component resource table (WASI 0.2 resources: streams, pollables, descriptors,
    /// …), the engine's handle-to-object map, shared by the component views.
    pub(crate) resources: wasmtime::component::ResourceTable,
    /// The count of the instance's resources, 0.3 streams, futures and waiting calls against
    /// [`Limits::max_resources`].
    pub(crate) budget: crate::budget::Budget,
    /// Reused buffers of the component views' `poll` (so polling does not allocate).
    pub(crate) poller: Poller,
    /// State of `wasi:random/insecure` (a wyrand generator) and `insecure-seed`'s value,
    /// both seeded from the host's secure source on first use.
    pub(crate) insecure: Option<crate::random::Insecure>,
    /// What the guest may do on the network (WASI 0.2 `wasi:sockets`); denies all by default.
    pub(crate) network: NetworkPolicy,
    /// The run's deadline on the monotonic clock (ns since its epoch, as
    /// [`crate::clocks::Clock::Monotonic`] reads), if any (`-W timeout`): a host call blocked
    /// past it (in a poll, a read or write on a pipe, FIFO, tty or socket) stops and traps
    /// with the interrupt trap, as wasm code does at the engine's epoch deadline.
    pub(crate) deadline: Option<u64>,
    /// The initial working directory `wasi:cli/environment` reports (`-S cwd`), if any.
    pub(crate) initial_cwd: Option<String>,
    /// Where the guest's clocks come from: the host's, or a virtual clock (deterministic
    /// runs). Every view reads time through it ([`WasiCtx::clocks`]).
    pub(crate) clocks: crate::clocks::ClockSource,
    /// Where the guest's random bytes come from: the host's `getrandom`, or a seeded stream.
    pub(crate) random: crate::random::RandomSource,
}

impl WasiCtx {
    /// The instance's clocks (the host's, or a deterministic run's virtual clock): what
    /// every view reads time from.
    #[inline]
    pub fn clocks(&self) -> &crate::clocks::ClockSource {
        &self.clocks
    }

    /// The standard stream `kind`: the object behind p1 fd 0, 1 or 2 and behind every WASI
    /// 0.2 stream over stdio. Always `Some` (the type leaves room for an instance without
    /// one).
    pub fn stdio(&self, kind: StdioKind) -> Option<&Stdio> {
        Some(&self.stdio[kind as usize])
    }

    /// The standard stream `kind`, shared (the preview1 fd table holds these).
    pub fn stdio_shared(&self, kind: StdioKind) -> Arc<Stdio> {
        Arc::clone(&self.stdio[kind as usize])
    }

    /// Whether the standard stream `kind` is a terminal (`isatty`): what the component views'
    /// `terminal-std*` getters answer.
    pub(crate) fn stdio_is_tty(&self, kind: StdioKind) -> bool {
        self.stdio(kind).is_some_and(|s| s.is_terminal())
    }

    /// The granted directories, in the order granted.
    pub fn preopens(&self) -> &[Preopen] {
        &self.preopens
    }

    /// Takes the host sockets granted as-is (`-S tcplisten`), leaving none: the preview1
    /// view makes them fds.
    pub fn take_granted_sockets(&mut self) -> Vec<Socket> {
        std::mem::take(&mut self.sockets)
    }

    /// Whether `--trace` is on.
    pub fn trace(&self) -> bool {
        self.trace
    }

    /// The arguments as strings, program name (argv 0) first: what the component views'
    /// `wasi:cli/environment.get-arguments` return (preview1's `args_get` writes the same
    /// bytes NUL-terminated).
    pub fn arguments(&self) -> Vec<String> {
        self.args.iter().map(|a| text(a)).collect()
    }

    /// The granted environment as (name, value) pairs, in grant order: what the component
    /// views' `wasi:cli/environment.get-environment` return.
    pub fn environment(&self) -> Vec<(String, String)> {
        self.env
            .iter()
            .map(|kv| {
                let s = text(kv);
                match s.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (s, String::new()),
                }
            })
            .collect()
    }

    /// The run's deadline (monotonic ns), if one was set: see [`WasiCtxBuilder::deadline`].
    #[inline]
    pub fn deadline(&self) -> Option<u64> {
        self.deadline
    }

    /// Changes the run's deadline (monotonic ns; `None`: none) from now on, e.g. per call of
    /// an embedder that calls one instance's exports many times.
    #[inline]
    pub fn set_deadline(&mut self, deadline: Option<u64>) {
        self.deadline = deadline;
    }
}

/// Builds a [`WasiCtx`]. Nothing is granted unless added: no args, no environment, stdio on
/// `/dev/null`, no preopens, no sockets.
#[derive(Debug, Default)]
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdio: [Option<Stdio>; 3],
    preopens: Vec<(Descriptor, String)>,
    sockets: Vec<Socket>,
    network: NetworkPolicy,
    limits: Limits,
    trace: bool,
    deadline: Option<u64>,
    initial_cwd: Option<String>,
    clocks: crate::clocks::ClockSource,
    random_seed: Option<u64>,
}

impl WasiCtxBuilder {
    /// An empty builder: nothing granted.
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    /// Appends one argument (`args_get`; the first is the program name, `argv[0]`).
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    /// Adds one environment variable (`environ_get`).
    pub fn env(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Gives the guest the host process's stdin, stdout and stderr.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.stdio = [
            Some(Stdio::inherit(StdioKind::Stdin)),
            Some(Stdio::inherit(StdioKind::Stdout)),
            Some(Stdio::inherit(StdioKind::Stderr)),
        ];
        self
    }

    /// Sets one standard stream (fd 0, 1 or 2 by `stdio.kind`).
    pub fn stdio(&mut self, stdio: Stdio) -> &mut Self {
        let i = stdio.kind as usize;
        self.stdio[i] = Some(stdio);
        self
    }

    /// Grants the host directory `host` to the guest as the preopen `guest`, with the given
    /// permissions. Errors: the host's error opening `host` (not found, not a directory, …).
    pub fn preopened_dir(
        &mut self,
        host: impl AsRef<Path>,
        guest: impl Into<String>,
        dir_perms: DirPerms,
        file_perms: FilePerms,
    ) -> std::io::Result<&mut Self> {
        let d = Descriptor::open_preopen(host.as_ref(), dir_perms, file_perms)?;
        self.preopens.push((d, guest.into()));
        Ok(self)
    }

    /// Grants a host socket (a listener for `sock_accept`, or a connected stream); it gets the
    /// next fd after the preopens.
    pub fn socket(&mut self, socket: Socket) -> &mut Self {
        self.sockets.push(socket);
        self
    }

    /// Sets the network policy for `wasi:sockets` (default: everything denied).
    pub fn network(&mut self, policy: NetworkPolicy) -> &mut Self {
        self.network = policy;
        self
    }

    /// Sets the limits (default: [`Limits::default`]).
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// Turns on one trace line per hostcall (to the `tracing` subscriber, target `eddy::p1`).
    pub fn trace(&mut self, on: bool) -> &mut Self {
        self.trace = on;
        self
    }

    /// Sets the run's deadline: an absolute instant of the monotonic clock in ns (as
    /// `clock_time_get(monotonic)` reads it; see [`crate::clocks::Clock::Monotonic`]). A host
    /// call that would block past it returns early with the interrupt trap
    /// (`wasmtime::Trap::Interrupt`). The embedder pairs it with the engine's epoch deadline
    /// (`-W timeout`), which stops wasm code itself. Default `None`: no bound.
    pub fn deadline(&mut self, deadline: Option<u64>) -> &mut Self {
        self.deadline = deadline;
        self
    }

    /// Sets the initial working directory that `wasi:cli/environment`'s `initial-cwd`
    /// (0.2) and `get-initial-cwd` (0.3) report (`-S cwd`). It grants nothing: the guest's
    /// libc resolves relative paths against it, and only preopens reach files. Default
    /// `None`.
    pub fn initial_cwd(&mut self, cwd: Option<String>) -> &mut Self {
        self.initial_cwd = cwd;
        self
    }

    /// Sets where the guest's clocks come from (default [`crate::clocks::ClockSource::Host`]);
    /// a [`crate::clocks::ClockSource::Virtual`] makes time deterministic in every view.
    pub fn clocks(&mut self, clocks: crate::clocks::ClockSource) -> &mut Self {
        self.clocks = clocks;
        self
    }

    /// Seeds the guest's random bytes (secure and insecure interfaces alike) from `seed`
    /// ([`crate::random::RandomSource::Seeded`]: reproducible, not cryptographically
    /// secure); `None` (the default): the host's `getrandom`.
    pub fn random_seed(&mut self, seed: Option<u64>) -> &mut Self {
        self.random_seed = seed;
        self
    }

    /// Builds the context. Errors: `std::io::Error` if `/dev/null` cannot be opened for a
    /// stream that was not set.
    pub fn build(&mut self) -> std::io::Result<WasiCtx> {
        let kinds = [StdioKind::Stdin, StdioKind::Stdout, StdioKind::Stderr];
        let mut stdio = Vec::with_capacity(3);
        for (slot, kind) in self.stdio.iter_mut().zip(kinds) {
            stdio.push(Arc::new(match slot.take() {
                Some(s) => s,
                None => Stdio::null(kind)?,
            }));
        }
        let stdio: [Arc<Stdio>; 3] = stdio.try_into().expect("three streams");
        let nul = |s: String| {
            let mut v = s.into_bytes();
            v.push(0);
            v
        };
        // The table is bounded by the budget (`push` counts every entry against
        // `max_resources` first), so it needs no capacity of its own.
        let resources = wasmtime::component::ResourceTable::new();
        Ok(WasiCtx {
            args: self.args.drain(..).map(nul).collect(),
            env: self.env.drain(..).map(|(k, v)| nul(format!("{k}={v}"))).collect(),
            stdio,
            preopens: self
                .preopens
                .drain(..)
                .map(|(d, guest_path)| Preopen { dir: Arc::new(d), guest_path })
                .collect(),
            sockets: std::mem::take(&mut self.sockets),
            limits: self.limits,
            trace: self.trace,
            resources,
            budget: crate::budget::Budget::new(self.limits.max_resources as usize),
            poller: Poller::default(),
            insecure: None,
            network: std::mem::take(&mut self.network),
            deadline: self.deadline,
            initial_cwd: self.initial_cwd.take(),
            clocks: std::mem::take(&mut self.clocks),
            random: match self.random_seed {
                Some(seed) => crate::random::RandomSource::seeded(seed),
                None => crate::random::RandomSource::Host,
            },
        })
    }
}

/// A resource-table failure inside a host call: the handle named no live resource of the
/// expected type, which wasmtime's own handle checks make a host bug. It traps.
pub(crate) fn table_trap(e: ResourceTableError) -> wasmtime::Error {
    wasmtime::Error::msg(format!("component resource table: {e}"))
}

impl WasiCtx {
    /// The component resource table (the WASI 0.2 and 0.3 resources of this instance).
    pub fn resource_table(&mut self) -> &mut ResourceTable {
        &mut self.resources
    }

    /// The object behind a borrowed or owned handle. Errors: a trap (see [`table_trap`]).
    pub(crate) fn get<R: 'static>(&self, r: &Resource<R>) -> wasmtime::Result<&R> {
        self.resources.get(r).map_err(table_trap)
    }

    /// The object behind a handle, mutably. Errors: a trap.
    pub(crate) fn get_mut<R: 'static>(&mut self, r: &Resource<R>) -> wasmtime::Result<&mut R> {
        self.resources.get_mut(r).map_err(table_trap)
    }

    /// The count of this instance's resources, 0.3 streams, futures and waiting calls
    /// against [`Limits::max_resources`] (see [`crate::budget`]).
    pub fn budget(&self) -> &crate::budget::Budget {
        &self.budget
    }

    /// Adds a resource, counted in the [`crate::budget`]. Errors (a trap): the limit is
    /// reached.
    pub(crate) fn push<R: Send + 'static>(&mut self, v: R) -> wasmtime::Result<Resource<R>> {
        self.budget.take_unit("resource")?;
        self.resources.push(v).map_err(|e| {
            self.budget.give_back();
            table_trap(e)
        })
    }

    /// Adds a resource that borrows from `parent` (a stream of a descriptor, a pollable of a
    /// stream): the parent cannot be dropped while it lives. Errors (a trap): table full.
    pub(crate) fn push_child<R: Send + 'static, P: 'static>(
        &mut self,
        v: R,
        parent: &Resource<P>,
    ) -> wasmtime::Result<Resource<R>> {
        self.budget.take_unit("resource")?;
        self.resources.push_child(v, parent).map_err(|e| {
            self.budget.give_back();
            table_trap(e)
        })
    }

    /// New descriptor handles over the preopens (`wasi:filesystem/preopens.get-directories`
    /// of the component views): each preopen's guest path with a descriptor on a duplicate
    /// (`dup`) of its host fd, with the same permissions, in grant order. Each call makes new
    /// handles. Errors (a trap): the process is out of fds, the table is full.
    pub(crate) fn push_preopens(
        &mut self,
    ) -> wasmtime::Result<Vec<(Resource<Descriptor>, String)>> {
        let mut found = Vec::with_capacity(self.preopens.len());
        for p in &self.preopens {
            let d = &p.dir;
            let dup = d.fd.try_clone().map_err(|e| wasmtime::Error::msg(format!("dup: {e}")))?;
            found.push((Descriptor::dir(dup, d.dir_perms, d.file_perms), p.guest_path.clone()));
        }
        found.into_iter().map(|(d, name)| Ok((self.push(d)?, name))).collect()
    }

    /// Removes a resource (its `drop`). Errors (a trap): unknown handle, or it still has
    /// children (the guest dropped a parent before its children: wasmtime reports that).
    pub(crate) fn delete<R: 'static>(&mut self, r: Resource<R>) -> wasmtime::Result<R> {
        let v = self.resources.delete(r).map_err(table_trap)?;
        self.budget.give_back();
        Ok(v)
    }
}

/// Implements `wasi:cli`'s `environment` and `exit` host traits on [`WasiCtx`] for one
/// component view: the view brings its generated `cli` module into scope and names its
/// initial-cwd function (`initial-cwd` in 0.2, `get-initial-cwd` in 0.3). One body for both
/// views: arguments and environment are the context's (what preview1 returns too), the initial
/// working directory is `-S cwd`'s (none by default), and `exit` raises [`crate::ExitCode`].
macro_rules! impl_cli_hosts {
    ($initial_cwd_fn:ident) => {
        impl cli::environment::Host for $crate::ctx::WasiCtx {
            /// `get-environment`: the granted variables as (name, value) pairs, in grant
            /// order.
            fn get_environment(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
                Ok(self.environment())
            }

            /// `get-arguments`: the arguments, including the program name (argv 0).
            fn get_arguments(&mut self) -> wasmtime::Result<Vec<String>> {
                Ok(self.arguments())
            }

            /// The initial working directory: the one set with `-S cwd`
            /// ([`$crate::WasiCtxBuilder::initial_cwd`]), else none. It grants nothing:
            /// relative paths are the guest libc's business, resolved against preopens.
            fn $initial_cwd_fn(&mut self) -> wasmtime::Result<Option<String>> {
                Ok(self.initial_cwd.clone())
            }
        }

        impl cli::exit::Host for $crate::ctx::WasiCtx {
            /// `exit(status)`: ends the instance with status 0 for `ok`, 1 for `err`, by
            /// raising [`crate::ExitCode`] (a trap the embedder turns into the status).
            fn exit(&mut self, status: Result<(), ()>) -> wasmtime::Result<()> {
                Err($crate::ExitCode(if status.is_ok() { 0 } else { 1 }).into())
            }

            /// `exit-with-code(status-code)`: ends the instance with `status-code` (0-255).
            fn exit_with_code(&mut self, status_code: u8) -> wasmtime::Result<()> {
                Err($crate::ExitCode(i32::from(status_code)).into())
            }
        }
    };
}
pub(crate) use impl_cli_hosts;

/// Implements `wasi:cli`'s `terminal-input`, `terminal-output` and `terminal-std*` host
/// traits on [`WasiCtx`] for one component view, whose generated `cli` module and resource
/// types (`$input`, `$output`) the view brings into scope: a getter returns a terminal
/// resource only when the standard stream's host fd is a tty (`isatty`).
macro_rules! impl_terminal_hosts {
    ($input:ty, $output:ty) => {
        impl cli::terminal_input::Host for $crate::ctx::WasiCtx {}
        impl cli::terminal_input::HostTerminalInput for $crate::ctx::WasiCtx {
            /// Drops a `terminal-input`.
            fn drop(&mut self, rep: Resource<$input>) -> wasmtime::Result<()> {
                self.delete(rep).map(|_| ())
            }
        }

        impl cli::terminal_output::Host for $crate::ctx::WasiCtx {}
        impl cli::terminal_output::HostTerminalOutput for $crate::ctx::WasiCtx {
            /// Drops a `terminal-output`.
            fn drop(&mut self, rep: Resource<$output>) -> wasmtime::Result<()> {
                self.delete(rep).map(|_| ())
            }
        }

        impl cli::terminal_stdin::Host for $crate::ctx::WasiCtx {
            /// `get-terminal-stdin`: a terminal-input if stdin is a tty, else none.
            fn get_terminal_stdin(&mut self) -> wasmtime::Result<Option<Resource<$input>>> {
                let tty = self.stdio_is_tty($crate::stdio::StdioKind::Stdin);
                tty.then(|| self.push(<$input>::default())).transpose()
            }
        }

        impl cli::terminal_stdout::Host for $crate::ctx::WasiCtx {
            /// `get-terminal-stdout`: a terminal-output if stdout is a tty, else none.
            fn get_terminal_stdout(&mut self) -> wasmtime::Result<Option<Resource<$output>>> {
                let tty = self.stdio_is_tty($crate::stdio::StdioKind::Stdout);
                tty.then(|| self.push(<$output>::default())).transpose()
            }
        }

        impl cli::terminal_stderr::Host for $crate::ctx::WasiCtx {
            /// `get-terminal-stderr`: a terminal-output if stderr is a tty, else none.
            fn get_terminal_stderr(&mut self) -> wasmtime::Result<Option<Resource<$output>>> {
                let tty = self.stdio_is_tty($crate::stdio::StdioKind::Stderr);
                tty.then(|| self.push(<$output>::default())).transpose()
            }
        }
    };
}
pub(crate) use impl_terminal_hosts;
