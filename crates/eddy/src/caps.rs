//! [`Capabilities`]: what a guest may reach and the limits it runs under; [`Preopen`]: one
//! granted directory.

use std::path::PathBuf;
use std::time::Duration;

use eddy_wasi::Limits;

/// A host directory granted to the guest (`--dir HOST[::GUEST][:ro]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preopen {
    /// The host directory.
    pub host: PathBuf,
    /// The path the guest sees (`fd_prestat_dir_name`).
    pub guest: String,
    /// Read-only: no file opened for writing, nothing created, removed, renamed or changed.
    pub read_only: bool,
}

/// What a guest may reach and the limits it runs under. The default grants nothing: no args,
/// no environment, stdio on `/dev/null`, no directories.
#[derive(Clone, Debug)]
pub struct Capabilities {
    /// `argv`, including `argv[0]`.
    pub args: Vec<String>,
    /// Environment variables, in order.
    pub env: Vec<(String, String)>,
    /// Granted directories; they get fds 3, 4, … in this order.
    pub preopens: Vec<Preopen>,
    /// Give the guest the host process's stdin/stdout/stderr (else `/dev/null`).
    pub inherit_stdio: bool,
    /// With `inherit_stdio`, whether stdin is the host's too; `false` (`-S inherit-stdin=n`):
    /// stdin reads from `/dev/null` while stdout and stderr are the host's. Default `true`.
    pub inherit_stdin: bool,
    /// With `inherit_stdio`, whether stdout is the host's (`-S inherit-stdout`; `false`:
    /// writes go to `/dev/null`). Default `true`.
    pub inherit_stdout: bool,
    /// With `inherit_stdio`, whether stderr is the host's (`-S inherit-stderr`; `false`:
    /// writes go to `/dev/null`). Default `true`.
    pub inherit_stderr: bool,
    /// The initial working directory `wasi:cli/environment` reports to components
    /// (`-S cwd=DIR`; `initial-cwd` in 0.2, `get-initial-cwd` in 0.3). It grants nothing.
    /// Default `None`.
    pub initial_cwd: Option<String>,
    /// Where to write a wasm core dump when a core module traps (`-D coredump=PATH`; the
    /// engine must be built with [`crate::EngineConfig::coredump_on_trap`]). The format is
    /// the tool-conventions coredump (a wasm module `wasmgdb` and `wasm-tools` read).
    /// Components are not dumped (wasmtime captures core instances only). Default `None`.
    pub coredump: Option<std::path::PathBuf>,
    /// Core modules instantiated before the main one, each under the import module name
    /// given (`--preload NAME=PATH`): the main module's imports from `NAME` are that
    /// instance's exports. They share the run's WASI context; their own WASI calls read and
    /// write the main module's `memory` once it exists. Core modules only. Default empty.
    pub preloads: Vec<(String, crate::Program)>,
    /// Host-side limits (fds, poll sizes, …).
    pub limits: Limits,
    /// Most bytes any one linear memory may grow to (`-W max-memory-size`). Default 4 GiB.
    pub max_memory_bytes: usize,
    /// Most table elements any one table may hold. Default 10 million.
    pub max_table_elements: usize,
    /// Wall-clock limit for the whole run (`-W timeout`); the guest traps with "interrupt"
    /// when it passes. Needs an engine built with `epoch_interruption`.
    pub timeout: Option<Duration>,
    /// Fuel for the whole run (`-W fuel`); needs an engine built with `consume_fuel`.
    pub fuel: Option<u64>,
    /// Turn unknown imports into functions that trap when called, instead of a load error.
    pub unknown_imports_trap: bool,
    /// Turn unknown function imports of a core module into functions returning zeros
    /// (`-W unknown-imports-default`), instead of a load error.
    pub unknown_imports_default: bool,
    /// Most instances one store may hold (`-W max-instances`). Default 10 000.
    pub max_instances: usize,
    /// Most tables one store may hold (`-W max-tables`). Default 10 000.
    pub max_tables: usize,
    /// Most linear memories one store may hold (`-W max-memories`). Default 10 000.
    pub max_memories: usize,
    /// `memory.grow`/`table.grow` past a limit traps instead of returning -1
    /// (`-W trap-on-grow-failure`). Default `false`.
    pub trap_on_grow_failure: bool,
    /// Log one line per hostcall (`--trace`).
    pub trace: bool,
    /// TCP addresses to listen on for a preview1 guest (`-S tcplisten=ADDR`): each socket is
    /// bound and listening before the guest starts, and gets the next fd after the preopens
    /// (for `sock_accept`). Nothing else of the network is reachable.
    pub tcp_listen: Vec<std::net::SocketAddr>,
    /// What a WASI 0.2 guest may do through `wasi:sockets` (`-S inherit-network`,
    /// `--allow-connect`, …). Default: nothing; every call is `access-denied`.
    pub network: eddy_wasi::NetworkPolicy,
    /// Link the WASI 0.3 interfaces (`wasi:*@0.3.x`) for components (`-S p3=y|n`; default
    /// on). Off, a 0.3 component fails to link, naming the first 0.3 import.
    pub p3: bool,
    /// Run deterministically (`--deterministic`): virtual clocks and seeded random bytes in
    /// every ABI (preview1, WASI 0.2, WASI 0.3), so the same program with the same inputs
    /// gives the same output. `None` (the default): the host's clocks and `getrandom`.
    /// With it, any network grant (`network` allowing anything, `tcp_listen`) is refused
    /// when the run starts (`Error::Capability`). The environment is only what `env` holds.
    pub deterministic: Option<Deterministic>,
}

/// The settings of a deterministic run ([`Capabilities::deterministic`]).
///
/// Clocks: monotonic time starts at 0 ns and wall-clock time at [`Deterministic::wall_start`];
/// both advance by [`Deterministic::tick`] per guest read of any clock and jump forward to
/// the deadline whenever the guest sleeps or waits on a clock (preview1 `poll_oneoff` clock
/// subscriptions, WASI 0.2 `subscribe-duration`/`subscribe-instant` pollables, WASI 0.3
/// `wait-for`/`wait-until`), which completes at once. The CPU-time clocks read the monotonic
/// value. Random: `random_get`, `wasi:random/random` and `insecure`/`insecure-seed` all come
/// from ChaCha20 seeded with [`Deterministic::seed`]: reproducible and **not secure**.
///
/// Not virtualized: file contents and timestamps in granted directories, stdin, and whether
/// stdio is a terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deterministic {
    /// The random seed (`--seed N`). Default 0.
    pub seed: u64,
    /// Wall-clock time at the start, in ns since the Unix epoch. Default
    /// 946684800000000000 (2000-01-01T00:00:00Z).
    pub wall_start: u64,
    /// ns every clock read adds. Default 1000 (1 µs).
    pub tick: u64,
}

impl Default for Deterministic {
    fn default() -> Deterministic {
        Deterministic { seed: 0, wall_start: 946_684_800_000_000_000, tick: 1000 }
    }
}

impl Default for Capabilities {
    fn default() -> Capabilities {
        Capabilities {
            args: Vec::new(),
            env: Vec::new(),
            preopens: Vec::new(),
            inherit_stdio: false,
            inherit_stdin: true,
            inherit_stdout: true,
            inherit_stderr: true,
            initial_cwd: None,
            coredump: None,
            preloads: Vec::new(),
            limits: Limits::default(),
            max_memory_bytes: 4 << 30,
            max_table_elements: 10_000_000,
            timeout: None,
            fuel: None,
            unknown_imports_trap: false,
            unknown_imports_default: false,
            max_instances: 10_000,
            max_tables: 10_000,
            max_memories: 10_000,
            trap_on_grow_failure: false,
            trace: false,
            tcp_listen: Vec::new(),
            network: eddy_wasi::NetworkPolicy::default(),
            p3: true,
            deterministic: None,
        }
    }
}
