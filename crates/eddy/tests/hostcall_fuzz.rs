//! The host-call fuzzer: seeded sequences of preview1 calls with adversarial arguments,
//! made straight into Eddy's host through a real guest (tests/programs/wat/
//! p1_hostcall_fuzz.wat re-exports every preview1 import but `proc_exit`) on a `Reactor`,
//! against a real sandbox in a temp dir.
//!
//! Arguments are drawn by role: descriptors (the stdio ones, the preopen, those the run
//! opened, and far-off numbers), pointers (inside memory, at its 64 KiB edge, past it),
//! lengths and counts (0, small, huge), flags (random bits), paths laid out in guest memory
//! first (escapes by `..`, absolute paths and symlinks, loops, NUL bytes, trailing
//! slashes), iovec arrays and poll subscriptions laid out likewise. Asserted after every
//! call: the host did not panic or hang, and the result is an errno of the preview1
//! `errno` enum (0–76) or a trap (a trap ends that instance; the pool makes a new one).
//! Asserted after the run: no host fd leaked, host memory grew by less than 256 MiB, and
//! nothing outside the preopen changed.
//!
//! CI runs 8 fixed seeds (`EDDY_FUZZ_CALLS`, default 320 000 calls in all;
//! `scripts/fuzz-hostcalls.sh` runs a million and prints the report).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eddy::{Capabilities, Engine, EngineConfig, Error, Preopen, Reactor};
use wasmtime::component::Val;

/// The guest's memory size: every pointer at or past it is out of bounds.
const MEM: u32 = 65536;
/// Where paths are laid out (two slots), the iovec array, and the subscriptions.
const PATH_AT: [u32; 2] = [0x1000, 0x2000];
const IOVS_AT: u32 = 0x4000;
const SUBS_AT: u32 = 0x5000;
/// The largest errno of preview1's `errno` enum (`notcapable`).
const ERRNO_MAX: i32 = 76;

/// Each fuzzed function and its parameters' roles: `f` descriptor, `p` pointer, `l` length
/// or count, `x` any i32 (flags, ids), `X` any i64, `s`+`n` a path and its length, `v`+`l`
/// an iovec array and its count, `S`+`l` subscriptions and their count.
const FUNCS: &[(&str, &str)] = &[
    ("args_get", "pp"),
    ("args_sizes_get", "pp"),
    ("environ_get", "pp"),
    ("environ_sizes_get", "pp"),
    ("clock_res_get", "xp"),
    ("clock_time_get", "xXp"),
    ("fd_advise", "fXXx"),
    ("fd_allocate", "fXX"),
    ("fd_close", "f"),
    ("fd_datasync", "f"),
    ("fd_fdstat_get", "fp"),
    ("fd_fdstat_set_flags", "fx"),
    ("fd_fdstat_set_rights", "fXX"),
    ("fd_filestat_get", "fp"),
    ("fd_filestat_set_size", "fX"),
    ("fd_filestat_set_times", "fXXx"),
    ("fd_pread", "fvlXp"),
    ("fd_prestat_get", "fp"),
    ("fd_prestat_dir_name", "fpl"),
    ("fd_pwrite", "fvlXp"),
    ("fd_read", "fvlp"),
    ("fd_readdir", "fplXp"),
    ("fd_renumber", "ff"),
    ("fd_seek", "fXxp"),
    ("fd_sync", "f"),
    ("fd_tell", "fp"),
    ("fd_write", "fvlp"),
    ("path_create_directory", "fsn"),
    ("path_filestat_get", "fxsnp"),
    ("path_filestat_set_times", "fxsnXXx"),
    ("path_link", "fxsnfsn"),
    ("path_open", "fxsnxXXxp"),
    ("path_readlink", "fsnplp"),
    ("path_remove_directory", "fsn"),
    ("path_rename", "fsnfsn"),
    ("path_symlink", "snfsn"),
    ("path_unlink_file", "fsn"),
    ("poll_oneoff", "Sllp"),
    ("proc_raise", "x"),
    ("sched_yield", ""),
    ("random_get", "pl"),
    ("sock_accept", "fxp"),
    ("sock_recv", "fvlxpp"),
    ("sock_send", "fvlxp"),
    ("sock_shutdown", "fx"),
];

/// Paths a call may name (laid out in guest memory before it).
const PATHS: &[&[u8]] = &[
    b"file",
    b"dir",
    b"dir/inner",
    b"dir/",
    b"file/",
    b".",
    b"..",
    b"",
    b"new",
    b"new/sub",
    b"dir/new",
    b"../outside",
    b"../outside/secret",
    b"dir/../../outside",
    b"/etc/passwd",
    b"/",
    b"link-out",
    b"link-out/secret",
    b"link-abs",
    b"link-dangling",
    b"loop",
    b"loop/x",
    b"dir//inner",
    b"a\0b",
    b"dir/\0",
    b"./././file",
    b"dir/inner/../../file",
];

/// xorshift64*: small, seeded, the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// One queued guest call: an export and its arguments.
struct Call {
    name: &'static str,
    args: Vec<Val>,
    /// Whether it is the fuzzed call (else a store into memory before it).
    fuzzed: bool,
}

fn store32(calls: &mut Vec<Call>, at: u32, v: u32) {
    calls.push(Call {
        name: "store32",
        args: vec![Val::S32(at as i32), Val::S32(v as i32)],
        fuzzed: false,
    });
}

fn store64(calls: &mut Vec<Call>, at: u32, v: u64) {
    calls.push(Call {
        name: "store64",
        args: vec![Val::S32(at as i32), Val::S64(v as i64)],
        fuzzed: false,
    });
}

/// Lays `bytes` out at `at` (8 bytes a store, the tail padded with what follows).
fn store_bytes(calls: &mut Vec<Call>, at: u32, bytes: &[u8]) {
    for (i, chunk) in bytes.chunks(8).enumerate() {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        store64(calls, at + 8 * i as u32, u64::from_le_bytes(b));
    }
}

fn pointer(rng: &mut Rng) -> u32 {
    match rng.below(100) {
        0..=49 => (rng.below(u64::from(MEM - 64)) as u32) & !7,
        50..=69 => rng.pick(&[MEM - 1, MEM - 4, MEM - 8, MEM, MEM + 8, MEM - 2]),
        70..=84 => 0,
        _ => rng.pick(&[u32::MAX, 0x7fff_ffff, 0xffff_fff0, 0x8000_0000]),
    }
}

fn length(rng: &mut Rng) -> u32 {
    match rng.below(100) {
        0..=59 => rng.pick(&[0, 1, 2, 3, 4, 8, 16, 64]),
        60..=79 => rng.below(4096) as u32,
        _ => rng.pick(&[MEM, MEM + 1, u32::MAX, 0x7fff_ffff, 0x8000_0000, 1 << 20]),
    }
}

/// A descriptor: mostly the preopen (3), the stdio ones, or one the run may have opened
/// (4–11); else far off.
fn descriptor(rng: &mut Rng) -> u32 {
    match rng.below(100) {
        0..=44 => 3,
        45..=59 => rng.below(3) as u32,
        60..=84 => 4 + rng.below(8) as u32,
        _ => rng.pick(&[u32::MAX, 0x7fff_ffff, 1 << 20, 64, 1024, 0x8000_0000]),
    }
}

fn any32(rng: &mut Rng) -> u32 {
    match rng.below(100) {
        0..=49 => rng.below(16) as u32,
        50..=79 => rng.next() as u32,
        _ => rng.pick(&[u32::MAX, 0x8000_0000, 0xffff, 1 << 16]),
    }
}

fn any64(rng: &mut Rng) -> u64 {
    match rng.below(100) {
        0..=39 => rng.below(4096),
        40..=59 => rng.next(),
        60..=79 => rng.pick(&[u64::MAX, 1 << 63, (1 << 63) - 1, 1 << 32, 0]),
        _ => 1_700_000_000_000_000_000 + rng.below(1 << 40),
    }
}

/// The calls that lay out the arguments of one fuzzed call and then make it.
fn one(rng: &mut Rng, calls: &mut Vec<Call>) {
    let (name, roles) = rng.pick(FUNCS);
    if name == "fd_allocate" {
        // Real blocks, so lengths stay at most 1 MiB (or overflow): a 4 GiB allocation
        // would fill the disk, not test the host.
        let offset = rng.pick(&[0u64, 1, 4096, 1 << 40, (1 << 63) - 1, u64::MAX]);
        let len = rng.pick(&[0u64, 1, 4096, 1 << 20, u64::MAX, 1 << 63]);
        let args =
            vec![Val::S32(descriptor(rng) as i32), Val::S64(offset as i64), Val::S64(len as i64)];
        calls.push(Call { name, args, fuzzed: true });
        return;
    }
    let roles = roles.as_bytes();
    let mut args = Vec::with_capacity(roles.len());
    let mut paths = 0;
    let mut i = 0;
    while i < roles.len() {
        let next_len = roles.get(i + 1) == Some(&b'n') || roles.get(i + 1) == Some(&b'l');
        match roles[i] {
            b's' if next_len => {
                let at = PATH_AT[paths % 2];
                paths += 1;
                let path = if rng.chance(5) {
                    // A long path: past PATH_MAX once expanded, or just long.
                    vec![b'a'; rng.pick(&[255, 256, 1024, 4095, 4096])]
                } else {
                    rng.pick(PATHS).to_vec()
                };
                let len = path.len().min(0xfff) as u32;
                store_bytes(calls, at, &path[..len as usize]);
                let (ptr, len) = match rng.below(100) {
                    0..=84 => (at, len),
                    85..=92 => (at, len.wrapping_add(rng.pick(&[1, 5, 0x1_0000, u32::MAX]))),
                    _ => (pointer(rng), length(rng)),
                };
                args.push(Val::S32(ptr as i32));
                args.push(Val::S32(len as i32));
                i += 2;
                continue;
            }
            b'v' if next_len => {
                let n = rng.pick(&[0u32, 1, 2, 3, 16]);
                for k in 0..n {
                    let buf = if rng.chance(80) {
                        0x8000 + rng.below(0x7000) as u32
                    } else {
                        pointer(rng)
                    };
                    let len = if rng.chance(80) { rng.below(4096) as u32 } else { length(rng) };
                    store32(calls, IOVS_AT + 8 * k, buf);
                    store32(calls, IOVS_AT + 8 * k + 4, len);
                }
                let (ptr, count) =
                    if rng.chance(85) { (IOVS_AT, n) } else { (pointer(rng), length(rng)) };
                args.push(Val::S32(ptr as i32));
                args.push(Val::S32(count as i32));
                i += 2;
                continue;
            }
            b'S' if next_len => {
                let n = rng.pick(&[0u32, 1, 2, 4]);
                for k in 0..n {
                    let at = SUBS_AT + 48 * k;
                    store64(calls, at, rng.next());
                    let tag = if rng.chance(90) { rng.below(3) } else { rng.next() & 0xff };
                    // The tag and its padding, then the union's first word.
                    store64(calls, at + 8, tag);
                    if tag == 0 {
                        // A clock: id, timeout (mostly short: the call must not block
                        // long), precision, flags.
                        store32(calls, at + 16, rng.pick(&[0, 1, 2, 3, 99]));
                        let timeout = match rng.below(100) {
                            0..=89 => rng.below(1_000_000),
                            90..=98 => 0,
                            _ => rng.pick(&[u64::MAX, 1 << 40]),
                        };
                        store64(calls, at + 24, timeout);
                        store64(calls, at + 32, rng.below(1000));
                        store32(calls, at + 40, rng.pick(&[0, 1, 2, 0xffff]));
                    } else {
                        store32(calls, at + 16, descriptor(rng));
                    }
                }
                let (ptr, count) =
                    if rng.chance(85) { (SUBS_AT, n) } else { (pointer(rng), length(rng)) };
                args.push(Val::S32(ptr as i32));
                args.push(Val::S32(count as i32));
                i += 2;
                continue;
            }
            // Closing or renumbering the preopen ends the run's reach into the tree (until
            // the next reactor), so those take it rarely.
            b'f' if matches!(name, "fd_close" | "fd_renumber") && args.is_empty() => {
                let fd = if rng.chance(3) { 3 } else { descriptor(rng) };
                args.push(Val::S32(if fd == 3 && !rng.chance(3) { 4 } else { fd } as i32))
            }
            b'f' => args.push(Val::S32(descriptor(rng) as i32)),
            b'p' => args.push(Val::S32(pointer(rng) as i32)),
            b'l' | b'n' => args.push(Val::S32(length(rng) as i32)),
            b'x' => args.push(Val::S32(any32(rng) as i32)),
            b'X' => args.push(Val::S64(any64(rng) as i64)),
            r => panic!("unknown role {}", r as char),
        }
        i += 1;
    }
    calls.push(Call { name, args, fuzzed: true });
}

/// The host fds of this process.
fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0)
}

/// Resident set size, bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()).unwrap_or(0) * 4096
}

/// A sorted listing of every path under `root` with its contents (files) or target
/// (symlinks), to see that nothing outside the preopen changed.
fn snapshot(root: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let what = if meta.file_type().is_symlink() {
                format!("-> {}", std::fs::read_link(&p).unwrap().display())
            } else if meta.is_dir() {
                stack.push(p.clone());
                "dir".to_string()
            } else {
                format!("{:?}", std::fs::read(&p).unwrap_or_default())
            };
            out.push((p.strip_prefix(root).unwrap().to_path_buf(), what));
        }
    }
    out.sort();
    out
}

/// The sandbox: `<tmp>/sandbox` (the preopen) with files, a directory and symlinks that
/// point out, absolutely, nowhere and at themselves; `<tmp>/outside` beside it.
fn sandbox() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("sandbox");
    std::fs::create_dir_all(root.join("dir/inner")).unwrap();
    std::fs::write(root.join("file"), b"hello, fuzzer\n").unwrap();
    std::fs::write(root.join("dir/inner/deep"), b"deep\n").unwrap();
    std::os::unix::fs::symlink("../outside", root.join("link-out")).unwrap();
    std::os::unix::fs::symlink("/etc", root.join("link-abs")).unwrap();
    std::os::unix::fs::symlink("nowhere", root.join("link-dangling")).unwrap();
    std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
    std::fs::create_dir(tmp.path().join("outside")).unwrap();
    std::fs::write(tmp.path().join("outside/secret"), b"not for the guest\n").unwrap();
    (tmp, root)
}

/// What a run found: calls made, per-function errnos, traps.
#[derive(Default)]
struct Report {
    fuzzed: u64,
    all: u64,
    traps: u64,
    /// Each trap's first line (the function named), and how often.
    trapped: BTreeMap<String, u64>,
    errnos: BTreeMap<&'static str, BTreeMap<i32, u64>>,
}

/// Runs `calls` fuzzed calls from `seed` on a fresh reactor of `program`.
fn run_seed(
    engine: &Engine,
    program: &eddy::Program,
    root: &Path,
    seed: u64,
    calls: u64,
) -> Report {
    let caps = Capabilities {
        args: vec!["fuzz".into(), "--flag".into(), "é".into()],
        env: vec![("HOME".into(), "/sandbox".into()), ("EMPTY".into(), String::new())],
        preopens: vec![Preopen {
            host: root.to_path_buf(),
            guest: "/sandbox".into(),
            read_only: false,
        }],
        ..Default::default()
    };
    let new_reactor = || {
        Reactor::builder(engine, program, caps.clone())
            .unwrap()
            .pool_size(1)
            .deadline(Some(Duration::from_millis(500)))
            .build()
            .unwrap()
    };
    let mut reactor = new_reactor();
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut report = Report::default();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut batches = 0u64;
    while report.fuzzed < calls {
        // A fresh instance (its preopen, no fds opened) every 16 batches.
        batches += 1;
        if batches.is_multiple_of(16) {
            reactor = new_reactor();
        }
        // A batch: its calls run in order on the one instance (a trap mid-batch moves the
        // rest to a new instance).
        let mut batch = Vec::new();
        for _ in 0..64 {
            one(&mut rng, &mut batch);
        }
        let futures: Vec<_> = batch.iter().map(|c| reactor.call(c.name, &c.args)).collect();
        let results = rt
            .block_on(async {
                tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(futures))
                    .await
            })
            .unwrap_or_else(|_| panic!("seed {seed}: a batch hung for 60 s"));
        for (c, r) in batch.iter().zip(results) {
            report.all += 1;
            match r {
                Ok(v) if !c.fuzzed => assert!(v.is_empty(), "{}: {v:?}", c.name),
                Ok(v) => {
                    report.fuzzed += 1;
                    let [Val::S32(e)] = v[..] else {
                        panic!("seed {seed}: {}{:?} returned {v:?}", c.name, c.args)
                    };
                    assert!(
                        (0..=ERRNO_MAX).contains(&e),
                        "seed {seed}: {}{:?} returned errno {e}",
                        c.name,
                        c.args
                    );
                    *report.errnos.entry(c.name).or_default().entry(e).or_default() += 1;
                }
                Err(Error::Trap(m)) => {
                    report.traps += 1;
                    let first = m.lines().next().unwrap_or_default().to_string();
                    *report.trapped.entry(first).or_default() += 1;
                    report.fuzzed += u64::from(c.fuzzed);
                }
                Err(e) => panic!("seed {seed}: {}{:?} failed: {e}", c.name, c.args),
            }
        }
    }
    report
}

#[test]
fn preview1_host_calls_with_adversarial_arguments() {
    let total: u64 =
        std::env::var("EDDY_FUZZ_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(320_000);
    let wat = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/programs/wat/p1_hostcall_fuzz.wat");
    let config = EngineConfig { cache_dir: None, epoch_interruption: true, ..Default::default() };
    let engine = Engine::new(&config).unwrap();
    let program = engine.load_file(&wat).unwrap();
    let (tmp, root) = sandbox();
    let outside_before = snapshot(&tmp.path().join("outside"));

    // One short run first, so the process-wide resources (the event loop, its threads,
    // the shared /dev/null) exist before the fds and memory are counted.
    run_seed(&engine, &program, &root, 0, 64);
    std::thread::sleep(Duration::from_millis(200));
    let (fds, mem) = (fd_count(), rss());

    let start = Instant::now();
    let mut all = Report::default();
    for seed in 1..=8u64 {
        let r = run_seed(&engine, &program, &root, seed, total / 8);
        all.fuzzed += r.fuzzed;
        all.all += r.all;
        all.traps += r.traps;
        for (t, n) in r.trapped {
            *all.trapped.entry(t).or_default() += n;
        }
        for (f, m) in r.errnos {
            for (e, n) in m {
                *all.errnos.entry(f).or_default().entry(e).or_default() += n;
            }
        }
    }
    let took = start.elapsed();
    // Dropped reactors end their instances on their worker threads.
    std::thread::sleep(Duration::from_millis(200));

    eprintln!(
        "{} fuzzed calls ({} with the memory set-up), {} traps, in {:.1} s ({:.0} calls/s)",
        all.fuzzed,
        all.all,
        all.traps,
        took.as_secs_f64(),
        all.all as f64 / took.as_secs_f64()
    );
    for (f, m) in &all.errnos {
        eprintln!("  {f}: {m:?}");
    }
    for (t, n) in &all.trapped {
        eprintln!("  trap ×{n}: {t}");
    }
    assert_eq!(fd_count(), fds, "host fds leaked");
    let grew = rss().saturating_sub(mem);
    assert!(grew < 256 << 20, "host memory grew by {grew} bytes");
    assert_eq!(snapshot(&tmp.path().join("outside")), outside_before, "outside changed");
    let parent: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(parent, ["outside", "sandbox"], "something was made beside the preopen");
    // Every function was reached, and most answered with an errno rather than a trap.
    assert_eq!(all.errnos.len(), FUNCS.len(), "functions never answered: {:?}", {
        FUNCS.iter().filter(|(f, _)| !all.errnos.contains_key(f)).collect::<Vec<_>>()
    });
}
