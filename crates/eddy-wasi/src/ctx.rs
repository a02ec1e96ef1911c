//! [`WasiCtx`]: everything one guest instance was granted (args, environment, stdio,
//! preopens, sockets) and the limits it runs under.

use std::path::Path;

use crate::errno::Errno;
use crate::filesystem::{Descriptor, DirPerms, FilePerms};
use crate::p1::rights;
use crate::sockets::{NetworkPolicy, Socket};
use crate::stdio::{Stdio, StdioKind};
use crate::table::{FdEntry, FdTable, Object};

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
    /// Most WASI 0.2 resources (streams, pollables, descriptors, …) one component instance
    /// may hold at once; creating one more traps with a message naming the table. Default
    /// 1048576.
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

/// One instance's WASI state: arguments, environment, the fd table (stdio, preopens,
/// sockets) and limits. Build one with [`WasiCtxBuilder`].
#[derive(Debug)]
pub struct WasiCtx {
    /// Arguments, each NUL-terminated, as `args_get` writes them.
    pub(crate) args: Vec<Vec<u8>>,
    /// `NAME=VALUE` pairs, each NUL-terminated, as `environ_get` writes them.
    pub(crate) env: Vec<Vec<u8>>,
    /// The p1 fd table.
    pub table: FdTable,
    /// Limits in force.
    pub limits: Limits,
    /// The guest's exported `memory`, cached after instantiation so hostcalls skip the export
    /// lookup.
    pub(crate) memory: Option<wasmtime::Memory>,
    /// Whether `--trace` is on: one line per hostcall.
    pub(crate) trace: bool,
    /// Reused buffers of `poll_oneoff` (kept across calls so polling does not allocate).
    pub(crate) poll_scratch: crate::p1::poll::Scratch,
    /// The WASI 0.2 component resource table (streams, pollables, descriptors, …).
    pub(crate) p2: wasmtime::component::ResourceTable,
    /// Reused buffers of WASI 0.2 `poll` (kept across calls so polling does not allocate).
    pub(crate) p2_poll_scratch: crate::p2::io::poll::Scratch,
    /// State of `wasi:random/insecure` (a wyrand generator) and `insecure-seed`'s value,
    /// both seeded from the host's secure source on first use.
    pub(crate) insecure: Option<crate::random::Insecure>,
    /// What the guest may do on the network (WASI 0.2 `wasi:sockets`); denies all by default.
    pub(crate) network: NetworkPolicy,
}

impl WasiCtx {
    /// Records the instance's exported memory so hostcalls reach it without a name lookup.
    /// Call it once after instantiation; hostcalls fall back to the `memory` export if not.
    pub fn set_memory(&mut self, memory: wasmtime::Memory) {
        self.memory = Some(memory);
    }

    /// The standard stream `kind` (the object at p1 fd 0, 1 or 2), if the guest has not
    /// closed or renumbered it away. WASI 0.2 streams over stdio use this same object.
    pub fn stdio(&self, kind: StdioKind) -> Option<&Stdio> {
        match self.table.get(kind as u32) {
            Ok(FdEntry { object: Object::Stdio(s), .. }) if s.kind == kind => Some(s),
            _ => None,
        }
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

    /// Builds the context. Errors: `std::io::Error` if `/dev/null` cannot be opened for a
    /// stream that was not set, or `EMFILE` (as an io error) if the grants exceed `max_fds`.
    pub fn build(&mut self) -> std::io::Result<WasiCtx> {
        let mut table = FdTable::new(self.limits.max_fds.max(3));
        let kinds = [StdioKind::Stdin, StdioKind::Stdout, StdioKind::Stderr];
        for (slot, kind) in self.stdio.iter_mut().zip(kinds) {
            let s = match slot.take() {
                Some(s) => s,
                None => Stdio::null(kind)?,
            };
            let rights_base = match kind {
                StdioKind::Stdin => rights::STDIN,
                _ => rights::STDOUT,
            };
            table
                .insert(FdEntry {
                    object: Object::Stdio(s),
                    rights_base,
                    rights_inheriting: 0,
                    preopen: None,
                })
                .map_err(errno_io)?;
        }
        for (d, guest) in self.preopens.drain(..) {
            let (base, inheriting) = rights::for_dir(d.dir_perms, d.file_perms);
            table
                .insert(FdEntry {
                    object: Object::Descriptor(d),
                    rights_base: base,
                    rights_inheriting: inheriting,
                    preopen: Some(guest),
                })
                .map_err(errno_io)?;
        }
        for s in self.sockets.drain(..) {
            table
                .insert(FdEntry {
                    object: Object::Socket(s),
                    rights_base: rights::SOCKET,
                    rights_inheriting: rights::SOCKET,
                    preopen: None,
                })
                .map_err(errno_io)?;
        }
        let nul = |s: String| {
            let mut v = s.into_bytes();
            v.push(0);
            v
        };
        let mut p2 = wasmtime::component::ResourceTable::new();
        p2.set_max_capacity(self.limits.max_resources as usize);
        Ok(WasiCtx {
            args: self.args.drain(..).map(nul).collect(),
            env: self.env.drain(..).map(|(k, v)| nul(format!("{k}={v}"))).collect(),
            table,
            limits: self.limits,
            memory: None,
            trace: self.trace,
            poll_scratch: Default::default(),
            p2,
            p2_poll_scratch: Default::default(),
            insecure: None,
            network: std::mem::take(&mut self.network),
        })
    }
}

fn errno_io(e: Errno) -> std::io::Error {
    std::io::Error::other(format!("too many fds granted: {e}"))
}
