//! The preview1 ABI (`wasi_snapshot_preview1`), implemented natively: each function is a
//! `wasmtime::Linker` function that reads and writes guest memory directly and works on the
//! shared host objects of the [`WasiCtx`]. No p2 resources are built to serve a p1 call.
//!
//! One file per family: [`args`] (args/environ), [`clock`], [`fd`], [`path`], [`poll`],
//! [`proc`], [`random`], [`sched`], [`sock`]. Each preview1 function is a public function
//! named like the witx one ([`fd::fd_write`], [`path::path_open`], …), documented with its
//! witx signature, what it reads and writes in guest memory, its errors and a spec link;
//! [`add_to_linker`] defines them all. Every function goes through one dispatch point (the
//! `wasi_fn!` macro), which turns `Result<(), Errno>` into the errno the guest sees and, with
//! `--trace`, logs one line per call: `{module}::{name}(args) -> result [duration]`.
//!
//! `wasi_unstable` (preview0) names are served by the same functions wherever the ABI is the
//! same (traced under `wasi_unstable`); `fd_seek`, `fd_filestat_get`, `path_filestat_get`
//! and `poll_oneoff` differ in layout and have their own variants in [`p0`].
//!
//! Reference: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md>

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use wasmtime::{bail, Result as AnyResult};
use wasmtime::{Caller, Extern, Linker};

use crate::ctx::{WasiCtx, WasiView};
use crate::errno::{Errno, Result};
use crate::stdio::StdioKind;
use table::{FdEntry, FdTable, Object};

pub mod args;
pub mod clock;
pub mod fd;
pub mod p0;
pub mod path;
pub mod poll;
pub mod proc;
pub mod random;
pub mod rights;
pub mod sched;
pub mod sock;
pub mod table;

/// The preview1 import module name.
pub const MODULE: &str = "wasi_snapshot_preview1";
/// The preview0 import module name; served where the ABI is the same as preview1.
pub const MODULE_P0: &str = "wasi_unstable";

/// The preview1 view of one instance: the shared [`WasiCtx`] (grants, stdio, preopens,
/// limits; reached through `Deref`) plus p1's own state — the fd table, whose entries point at
/// the context's objects, the cached guest memory and `poll_oneoff`'s reused buffers.
#[derive(Debug)]
pub struct P1Ctx {
    wasi: WasiCtx,
    /// The fd table: 0-2 stdio, then the preopens, then granted sockets.
    pub table: FdTable,
    /// The guest's exported `memory`, cached after instantiation so hostcalls skip the export
    /// lookup.
    pub(crate) memory: Option<wasmtime::Memory>,
    /// The guest's exported `memory` when it is a shared memory (`-W threads=y`).
    pub(crate) shared_memory: Option<wasmtime::SharedMemory>,
    /// Reused buffers of `poll_oneoff` (kept across calls so polling does not allocate).
    pub(crate) poll: poll::Scratch,
}

impl P1Ctx {
    /// The preview1 view over `wasi`: fds 0-2 are its stdio, 3.. its preopens in order, then
    /// the sockets it was granted as-is (taken out of the context).
    ///
    /// Errors: `EMFILE` (as an io error) if the grants exceed [`crate::Limits::max_fds`].
    pub fn new(mut wasi: WasiCtx) -> std::io::Result<P1Ctx> {
        let too_many = |e: Errno| std::io::Error::other(format!("too many fds granted: {e}"));
        let mut table = FdTable::new(wasi.limits.max_fds.max(3));
        for kind in [StdioKind::Stdin, StdioKind::Stdout, StdioKind::Stderr] {
            let rights_base = match kind {
                StdioKind::Stdin => rights::STDIN,
                _ => rights::STDOUT,
            };
            let object = Object::Stdio(wasi.stdio_shared(kind));
            table
                .insert(FdEntry {
                    object,
                    rights_base,
                    rights_inheriting: 0,
                    preopen: None,
                    nonblock: false,
                })
                .map_err(too_many)?;
        }
        for p in wasi.preopens() {
            let (base, inheriting) = rights::for_dir(p.dir.dir_perms, p.dir.file_perms);
            table
                .insert(FdEntry {
                    object: Object::Descriptor(Arc::clone(&p.dir)),
                    rights_base: base,
                    rights_inheriting: inheriting,
                    preopen: Some(p.guest_path.clone()),
                    nonblock: false,
                })
                .map_err(too_many)?;
        }
        for s in wasi.take_granted_sockets() {
            table
                .insert(FdEntry {
                    object: Object::Socket(s),
                    rights_base: rights::SOCKET,
                    rights_inheriting: rights::SOCKET,
                    preopen: None,
                    nonblock: false,
                })
                .map_err(too_many)?;
        }
        Ok(P1Ctx { wasi, table, memory: None, shared_memory: None, poll: Default::default() })
    }

    /// Records the instance's exported memory so hostcalls reach it without a name lookup.
    /// Call it once after instantiation; hostcalls fall back to the `memory` export if not.
    pub fn set_memory(&mut self, memory: wasmtime::Memory) {
        self.memory = Some(memory);
    }

    /// Records the instance's exported `memory` when it is a shared memory (a module built
    /// for threads, `-W threads=y`): hostcalls read and write it as they do a plain one.
    pub fn set_shared_memory(&mut self, memory: wasmtime::SharedMemory) {
        self.shared_memory = Some(memory);
    }
}

impl Deref for P1Ctx {
    type Target = WasiCtx;
    #[inline]
    fn deref(&self) -> &WasiCtx {
        &self.wasi
    }
}

impl DerefMut for P1Ctx {
    #[inline]
    fn deref_mut(&mut self) -> &mut WasiCtx {
        &mut self.wasi
    }
}

impl WasiView for P1Ctx {
    #[inline]
    fn wasi(&mut self) -> &mut WasiCtx {
        &mut self.wasi
    }
}

/// Implemented by a store's data type to give the preview1 functions their [`P1Ctx`].
pub trait P1View: Send + 'static {
    /// The instance's preview1 view.
    fn p1(&mut self) -> &mut P1Ctx;
}

impl P1View for P1Ctx {
    #[inline]
    fn p1(&mut self) -> &mut P1Ctx {
        self
    }
}

/// Defines every `wasi_snapshot_preview1` function (and the `wasi_unstable` ones with the same
/// ABI) in `linker`. The store's data gives the [`P1Ctx`] through [`P1View`].
///
/// Errors: only if `linker` already defines one of the names and shadowing is off.
pub fn add_to_linker<T: P1View>(linker: &mut Linker<T>) -> AnyResult<()> {
    // Every preview1 function is also the preview0 one unless its p0 ABI differs; the
    // `all_functions_defined` test checks that both modules are complete.
    let p0 = Some((MODULE_P0, P0_DIFFERENT));
    args::add(linker, p0)?;
    clock::add(linker, p0)?;
    fd::add(linker, p0)?;
    path::add(linker, p0)?;
    poll::add(linker, p0)?;
    proc::add(linker, p0)?;
    random::add(linker, p0)?;
    sched::add(linker, p0)?;
    sock::add(linker, p0)?;
    p0::add(linker, None)?;
    Ok(())
}

/// preview1 functions that preview0 lacks (`sock_accept`) or whose p0 ABI differs (`p0.rs`
/// and `poll.rs` register those). Every other p1 function is also a p0 function.
const P0_DIFFERENT: &[&str] =
    &["fd_seek", "fd_filestat_get", "path_filestat_get", "poll_oneoff", "sock_accept"];

/// The guest's linear memory during one hostcall. Every access is bounds-checked: an
/// out-of-bounds pointer or length is `EFAULT`, never a host fault.
#[derive(Debug)]
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMemory<'a> {
    /// Wraps a memory's bytes.
    pub fn new(bytes: &'a mut [u8]) -> GuestMemory<'a> {
        GuestMemory { bytes }
    }

    /// `len` bytes at `ptr`. Errors: `EFAULT` if any byte is out of bounds.
    #[inline]
    pub fn slice(&self, ptr: u32, len: u32) -> Result<&[u8]> {
        let start = ptr as usize;
        self.bytes.get(start..start + len as usize).ok_or(Errno::Fault)
    }

    /// `len` bytes at `ptr`, writable. Errors: `EFAULT` if any byte is out of bounds.
    #[inline]
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8]> {
        let start = ptr as usize;
        self.bytes.get_mut(start..start + len as usize).ok_or(Errno::Fault)
    }

    /// The whole memory, writable (for functions that fill several disjoint regions).
    #[inline]
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        self.bytes
    }

    #[inline]
    fn array<const N: usize>(&self, ptr: u32) -> Result<[u8; N]> {
        let s = self.slice(ptr, N as u32)?;
        Ok(s.try_into().expect("slice has length N"))
    }

    /// Reads a little-endian u8 at `ptr`. Errors: `EFAULT`.
    #[inline]
    pub fn read_u8(&self, ptr: u32) -> Result<u8> {
        Ok(self.array::<1>(ptr)?[0])
    }
    /// Reads a little-endian u16 at `ptr`. Errors: `EFAULT`.
    #[inline]
    pub fn read_u16(&self, ptr: u32) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }
    /// Reads a little-endian u32 at `ptr`. Errors: `EFAULT`.
    #[inline]
    pub fn read_u32(&self, ptr: u32) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }
    /// Reads a little-endian u64 at `ptr`. Errors: `EFAULT`.
    #[inline]
    pub fn read_u64(&self, ptr: u32) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }
    /// Writes bytes at `ptr`. Errors: `EFAULT`.
    #[inline]
    pub fn write_bytes(&mut self, ptr: u32, b: &[u8]) -> Result<()> {
        self.slice_mut(ptr, b.len() as u32)?.copy_from_slice(b);
        Ok(())
    }
    /// Writes a u8 at `ptr`. Errors: `EFAULT`.
    #[inline]
    pub fn write_u8(&mut self, ptr: u32, v: u8) -> Result<()> {
        self.write_bytes(ptr, &[v])
    }
    /// Writes a little-endian u16 at `ptr`. Errors: `EFAULT`.
    #[inline]
    pub fn write_u16(&mut self, ptr: u32, v: u16) -> Result<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }
    /// Writes a little-endian u32 at `ptr`. Errors: `EFAULT`.
    #[inline]
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> Result<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }
    /// Writes a little-endian u64 at `ptr`. Errors: `EFAULT`.
    #[inline]
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> Result<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }
    /// The UTF-8 string of `len` bytes at `ptr` (a path). Errors: `EFAULT` if out of bounds,
    /// `EILSEQ` if not UTF-8.
    #[inline]
    pub fn str(&self, ptr: u32, len: u32) -> Result<&str> {
        std::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::Ilseq)
    }
    /// The `i`th `iovec`/`ciovec` (`{buf: u32, buf_len: u32}`, 8 bytes) of the array at
    /// `iovs`. Errors: `EFAULT`.
    #[inline]
    pub fn iovec(&self, iovs: u32, i: u32) -> Result<(u32, u32)> {
        let at = iovs.checked_add(i.checked_mul(8).ok_or(Errno::Fault)?).ok_or(Errno::Fault)?;
        let b = self.array::<8>(at)?;
        Ok((
            u32::from_le_bytes(b[..4].try_into().unwrap()),
            u32::from_le_bytes(b[4..].try_into().unwrap()),
        ))
    }
}

/// Splits a caller into the guest memory and the WASI context for one hostcall.
///
/// Errors (a trap): the instance exports no `memory`.
#[inline(always)]
pub(crate) fn split<'a, T: P1View>(
    caller: &'a mut Caller<'_, T>,
) -> AnyResult<(GuestMemory<'a>, &'a mut P1Ctx)> {
    let mem = match caller.data_mut().p1().memory {
        Some(m) => m,
        None => {
            if let Some(m) = caller.data_mut().p1().shared_memory.clone() {
                return Ok(split_shared(caller, m));
            }
            match caller.get_export("memory") {
                Some(Extern::Memory(m)) => m,
                Some(Extern::SharedMemory(m)) => return Ok(split_shared(caller, m)),
                _ => bail!("WASI hostcall from a module that exports no `memory`"),
            }
        }
    };
    let (bytes, data) = mem.data_and_store_mut(caller);
    Ok((GuestMemory::new(bytes), data.p1()))
}

/// [`split`] for a shared memory. Its bytes are not borrowed from the store, so they are
/// viewed through the memory's base pointer.
#[cold]
fn split_shared<'a, T: P1View>(
    caller: &'a mut Caller<'_, T>,
    memory: wasmtime::SharedMemory,
) -> (GuestMemory<'a>, &'a mut P1Ctx) {
    let cells = memory.data();
    // SAFETY: the memory stays alive (the instance holds it) for the hostcall, which is
    // all `'a` covers. Eddy runs one store's guest code on one thread and provides no
    // thread-spawning import, so while this hostcall runs no wasm code reads or writes
    // the memory: nothing races the host's accesses. The memory only grows (never moves
    // or shrinks) during the call, and the view is the length read here.
    let bytes = unsafe { std::slice::from_raw_parts_mut(cells.as_ptr() as *mut u8, cells.len()) };
    (GuestMemory::new(bytes), caller.data_mut().p1())
}

/// The errno number a result becomes in the guest.
#[inline]
pub(crate) fn code(r: Result<()>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => e as i32,
    }
}

mod trace;
pub(crate) use trace::{trace_call, trace_exit};

/// Defines preview1 (or preview0) host functions: the one dispatch point of every p1 call.
///
/// ```text
/// wasi_fn! {
///     module = MODULE, register = add;
///     /// `fd_close(fd: fd) -> Result<(), errno>` — ...
///     fn fd_close(ctx, _mem, fd: u32) { ctx.table.remove(fd).map(drop) }
///     ...
/// }
/// ```
///
/// For each `fn` it generates:
/// - the documented public item
///   `pub fn fd_close<T: P1View>(caller: &mut Caller<'_, T>, fd: u32) -> wasmtime::Result<i32>`
///   (`#[inline]`), the function as the guest calls it through `module`;
/// - its implementation, `fd_close::imp(module, caller, fd)` (`#[inline(always)]`, an
///   associated function of a private uninhabited type named like the function, so it needs
///   no second name): it splits the caller into `$mem` ([`GuestMemory`]) and `$ctx`
///   (`&mut P1Ctx`), runs the body (which evaluates to `Result<(), Errno>`), logs one
///   `--trace` line naming `module` when tracing is on, and returns the errno number the
///   guest sees.
///
/// It also generates `fn register<T: P1View>(linker, alias)`, which defines each function in
/// `linker` under `module` (`|mut c: Caller<'_, T>, fd: u32| fd_close(&mut c, fd)`) and, when
/// `alias` is `Some((module, except))`, under that module too for every name not in `except`,
/// tracing it under the alias's name.
macro_rules! wasi_fn {
    (
        module = $module:expr, register = $register:ident;
        $(
            $(#[$attr:meta])*
            fn $name:ident($ctx:ident, $mem:ident $(, $arg:ident : $ty:ty)* $(,)?) $body:block
        )*
    ) => {
        $(
            $(#[$attr])*
            ///
            /// Host side: returns `Ok` with the errno number the guest receives (0 = success);
            /// `Err` is a trap (the instance exports no memory, or a shared one).
            #[inline]
            #[allow(clippy::too_many_arguments)] // the witx ABI's, flattened
            pub fn $name<T: $crate::p1::P1View>(
                caller: &mut wasmtime::Caller<'_, T>
                $(, $arg: $ty)*
            ) -> wasmtime::Result<i32> {
                $name::imp($module, caller $(, $arg)*)
            }

            #[allow(non_camel_case_types)]
            enum $name {}

            impl $name {
                #[inline(always)]
                #[allow(clippy::too_many_arguments)]
                fn imp<T: $crate::p1::P1View>(
                    module: &'static str,
                    caller: &mut wasmtime::Caller<'_, T>
                    $(, $arg: $ty)*
                ) -> wasmtime::Result<i32> {
                    #[allow(unused_mut)]
                    let (mut $mem, $ctx) = $crate::p1::split(caller)?;
                    let start = if $ctx.trace { Some(std::time::Instant::now()) } else { None };
                    #[allow(clippy::redundant_closure_call)]
                    let r: $crate::errno::Result<()> = (|| $body)();
                    if let Some(start) = start {
                        $crate::p1::trace_call(
                            module,
                            stringify!($name),
                            &[$((stringify!($arg), $arg as i64)),*],
                            r,
                            start,
                            &$mem,
                        );
                    }
                    if r == Err($crate::errno::Errno::Interrupted) {
                        return Err($crate::readiness::DeadlinePassed.trap());
                    }
                    Ok($crate::p1::code(r))
                }
            }
        )*

        /// Defines this module's functions in `linker` under their module and, with
        /// `Some((module, except))`, under that module too, except the names in `except`
        /// (see `wasi_fn!`).
        pub(crate) fn $register<T: $crate::p1::P1View>(
            linker: &mut wasmtime::Linker<T>,
            alias: Option<(&'static str, &[&str])>,
        ) -> wasmtime::Result<()> {
            $(
                linker.func_wrap(
                    $module,
                    stringify!($name),
                    |mut caller: wasmtime::Caller<'_, T> $(, $arg: $ty)*| {
                        $name(&mut caller $(, $arg)*)
                    },
                )?;
                if let Some((alias, except)) = alias {
                    if !except.contains(&stringify!($name)) {
                        linker.func_wrap(
                            alias,
                            stringify!($name),
                            move |mut caller: wasmtime::Caller<'_, T> $(, $arg: $ty)*| {
                                $name::imp(alias, &mut caller $(, $arg)*)
                            },
                        )?;
                    }
                }
            )*
            Ok(())
        }
    };
}
pub(crate) use wasi_fn;

/// Every `wasi_snapshot_preview1` function (46), as named in the witx.
pub const P1_FUNCTIONS: &[&str] = &[
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "random_get",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_functions_defined() {
        let engine = wasmtime::Engine::default();
        let mut linker: Linker<P1Ctx> = Linker::new(&engine);
        add_to_linker(&mut linker).unwrap();
        let ctx = P1Ctx::new(crate::WasiCtxBuilder::new().build().unwrap()).unwrap();
        let mut store = wasmtime::Store::new(&engine, ctx);
        assert_eq!(P1_FUNCTIONS.len(), 46);
        let mut missing = Vec::new();
        for name in P1_FUNCTIONS {
            if linker.get(&mut store, MODULE, name).is_err() {
                missing.push(format!("{MODULE}::{name}"));
            }
        }
        for name in P1_FUNCTIONS.iter().filter(|n| **n != "sock_accept") {
            if linker.get(&mut store, MODULE_P0, name).is_err() {
                missing.push(format!("{MODULE_P0}::{name}"));
            }
        }
        assert!(missing.is_empty(), "not defined: {missing:?}");
    }

    /// A `tracing` subscriber that keeps the message of every event on its thread.
    struct Capture(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

    impl tracing::Subscriber for Capture {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            /// The event's `module`, `function`, `args` and `result` fields.
            #[derive(Default)]
            struct Fields([String; 4]);
            impl tracing::field::Visit for Fields {
                fn record_str(&mut self, f: &tracing::field::Field, v: &str) {
                    let i = ["module", "function", "args", "result"]
                        .iter()
                        .position(|n| *n == f.name());
                    if let Some(i) = i {
                        self.0[i] = v.to_string();
                    }
                }
                fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
            }
            let mut f = Fields::default();
            event.record(&mut f);
            let [module, function, args, result] = f.0;
            let line = format!("{module}::{function}({args}) -> {result} [");
            self.0.lock().unwrap().push(line);
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    /// `--trace` logs preview0 calls through the same dispatch point as preview1 ones, under
    /// their own module name: the four p0-only functions and one shared with preview1.
    #[test]
    fn p0_calls_are_traced_with_their_module() {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(
            &engine,
            r#"(module
                (import "wasi_unstable" "fd_seek"
                    (func $p0_seek (param i32 i64 i32 i32) (result i32)))
                (import "wasi_snapshot_preview1" "fd_seek"
                    (func $p1_seek (param i32 i64 i32 i32) (result i32)))
                (import "wasi_unstable" "fd_filestat_get"
                    (func $p0_fstat (param i32 i32) (result i32)))
                (import "wasi_unstable" "path_filestat_get"
                    (func $p0_pstat (param i32 i32 i32 i32 i32) (result i32)))
                (import "wasi_unstable" "poll_oneoff"
                    (func $p0_poll (param i32 i32 i32 i32) (result i32)))
                (import "wasi_unstable" "fd_close" (func $p0_close (param i32) (result i32)))
                (memory (export "memory") 1)
                (func (export "run")
                    (drop (call $p0_seek (i32.const 99) (i64.const 0) (i32.const 1) (i32.const 16)))
                    (drop (call $p1_seek (i32.const 99) (i64.const 0) (i32.const 1) (i32.const 16)))
                    (drop (call $p0_fstat (i32.const 99) (i32.const 64)))
                    (drop (call $p0_pstat (i32.const 99) (i32.const 0) (i32.const 0) (i32.const 0)
                        (i32.const 64)))
                    (drop (call $p0_poll (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
                    (drop (call $p0_close (i32.const 99)))))"#,
        )
        .unwrap();
        let mut linker: Linker<P1Ctx> = Linker::new(&engine);
        add_to_linker(&mut linker).unwrap();
        let ctx = P1Ctx::new(crate::WasiCtxBuilder::new().trace(true).build().unwrap()).unwrap();
        let mut store = wasmtime::Store::new(&engine, ctx);
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance.get_typed_func::<(), ()>(&mut store, "run").unwrap();

        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let capture = Capture(std::sync::Arc::clone(&lines));
        tracing::subscriber::with_default(capture, || run.call(&mut store, ()).unwrap());

        let lines = lines.lock().unwrap();
        let expected = [
            "wasi_unstable::fd_seek(fd=99, offset=0, whence=CUR) -> Badf [",
            "wasi_snapshot_preview1::fd_seek(fd=99, offset=0, whence=CUR) -> Badf [",
            "wasi_unstable::fd_filestat_get(fd=99, buf=64) -> Badf [",
            "wasi_unstable::path_filestat_get(fd=99, flags=0, path=\"\", buf=64) -> Badf [",
            "wasi_unstable::poll_oneoff(subscriptions=0, events=0, nsubscriptions=0) -> Inval [",
            // The preview1 function, under the module the guest called.
            "wasi_unstable::fd_close(fd=99) -> Badf [",
        ];
        assert_eq!(lines.len(), expected.len(), "{lines:#?}");
        for (line, want) in lines.iter().zip(expected) {
            assert!(line.starts_with(want), "{line:?} should start with {want:?}");
        }
    }
}
