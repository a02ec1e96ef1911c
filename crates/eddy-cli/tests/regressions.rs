//! Advisory regressions: each test guards a published WASI runtime advisory (most are
//! wasmtime-wasi's) or a fault found when Eddy was attacked (issue 12), named in its
//! provenance comment, and runs the guest as a preview1 core module and, where WASI 0.2 can
//! express the case, adapted into a WASI 0.2 component (tests/common/component.rs). Guests:
//! p1_regressions (C), p2_resource_limit.wat, p1_shared_memory.wat.
//!
//! The faults of issue 12's "Found" list are covered elsewhere, not repeated here:
//! - guest `O_NONBLOCK` on inherited stdio: p1_stdio_nonblock.rs;
//! - `-W timeout` stopping blocked host calls (sleep, FIFO read, FIFO open): cli_timeout.rs;
//! - a corrupted compile-cache entry is recompiled, not run: compile_cache.rs;
//! - 20 001 poll subscriptions on one fd (p1 and p2): p1_poll.rs, p2_poll_lists.rs;
//! - error messages (wrong import signature named, the file name, exit 2 for bad option
//!   values, `:ro` only): p1_cli.rs, cli_options.rs; a module with a shared memory runs
//!   under `-W threads=y` (below); the 4 096-byte path on which the two resolvers
//!   disagreed: the sandbox path fuzzer (eddy-wasi's filesystem/sandbox_fuzz.rs).
//!
//! The WASI 0.3 sandbox cases run in p3_rs.rs (guest p3_rs_fs).

mod common;
use common::*;

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 1960-01-01T00:00:00Z.
fn before_epoch() -> SystemTime {
    UNIX_EPOCH - Duration::from_secs(315_619_200)
}

fn set_mtime(path: &Path, t: SystemTime) {
    std::fs::File::options().write(true).open(path).unwrap().set_modified(t).unwrap();
}

/// The tree `p1_regressions fs` expects (see the guest's header).
fn fs_tree(tmp: &Path) {
    let sandbox = tmp.join("sandbox");
    write_file(&sandbox, "file.txt", "inside");
    symlink(&sandbox, "dir_out", "../outside");
    symlink(&sandbox, "file_out", "../outside/secret.txt");
    symlink(&sandbox, "dangling_out", "../outside/newdir");
    write_file(&sandbox, "list/a", "a");
    write_file(&sandbox, "old.txt", "old");
    set_mtime(&sandbox.join("old.txt"), before_epoch());
    write_file(&tmp.join("ro"), "ro.txt", "readonly");
    write_file(&tmp.join("outside"), "secret.txt", "secret");
    set_mtime(&tmp.join("outside/secret.txt"), UNIX_EPOCH + Duration::from_secs(1_000_000_000));
    set_mtime(&tmp.join("ro/ro.txt"), UNIX_EPOCH + Duration::from_secs(1_000_000_000));
}

/// Runs `p1_regressions fs` both ways, each in a fresh tree, under `ulimit -n 64`; checks
/// the output and that nothing outside the sandbox nor in the read-only preopen changed.
///
/// Provenance, section by section of the guest:
/// - trailing slash: no published advisory ID found; guards the fault class where a resolver
///   that strips or special-cases a trailing `/` follows a final symlink out of the preopen
///   (`path_open("link/")`, `path_create_directory("dangling/")` with the link pointing
///   outside) — and wasmtime issue #14380 (trailing-slash `stat` through a symlink
///   disagreeing between its openat2 and fallback resolvers);
/// - `O_TRUNC` on a read-only preopen: GHSA-2r75-cxrj-cmph (CVE-2026-47261), wasmtime-wasi
///   `path_open`/`open-at` with only `TRUNCATE` bypassed the `FilePerms::WRITE` check;
///   plus a read-only fd (no `FD_FILESTAT_SET_SIZE`) cannot truncate;
/// - link/rename across preopens: GHSA-4ch3-9j33-3pmj (RUSTSEC-2026-0188), wasmtime-wasi let
///   a file of a read-only preopen be hard-linked or renamed into a writable one and then
///   written;
/// - `fd_renumber`: GHSA-fm79-3f68-h2fc (CVE-2025-53901), host panic in `path_open` after
///   `fd_renumber(x, x)` or onto a closed fd; and the `fd_renumber` host-fd leak fixed in
///   wasmtime PR #13650 (the fd renumbered over was not closed on the host): 2 000
///   open+renumber rounds under `ulimit -n 64`;
/// - readdir: GHSA-96f6-r43r-8c24, `fd_readdir` copied uninitialized struct padding into
///   guest memory: padding is zero and nothing past `bufused` is written, also with a buffer
///   smaller than one dirent;
/// - timestamps: GHSA-mr2v-56j5-cmfc (a filesystem timestamp before the epoch panicked the
///   host, wasip3): a 1960 mtime reads as 0, extreme `set_times` values do not panic.
#[test]
fn filesystem_advisories() {
    let expected = r#"open dir_out/: errno 76
open file_out/: errno 76
open (creat) dangling_out/: errno 31
open (creat|directory) dangling_out/: errno 28
mkdir dangling_out/: errno 20
mkdir dangling_out: errno 20
mkdir dir_out/newdir/: errno 76
stat dir_out/ (nofollow): errno 76
stat dangling_out/ (nofollow): errno 76
symlink at dangling_out/: errno 20
rename file.txt -> dangling_out/: errno 54
link file.txt -> dangling_out/: errno 20
ro: open trunc (read rights): errno 76
ro: open trunc (no rights): errno 76
ro: open creat|trunc: errno 76
ro: read ro.txt: ok
ro.txt: [readonly]
ro fd: filestat_set_size 0: errno 76
ro fd: set_flags append: errno 76
read file.txt: ok
file.txt: [inside]
link ro/ro.txt -> sandbox/hard.txt: errno 76
rename ro/ro.txt -> sandbox/moved.txt: errno 76
link sandbox/file.txt -> ro/hard.txt: errno 76
rename sandbox/file.txt -> ro/moved.txt: errno 76
sandbox: open hard.txt: errno 44
read file.txt: ok
file.txt: [inside]
open a: ok
renumber a -> a: ok
fdstat a: ok
open b after renumber onto itself: ok
b differs from a: yes
close b: ok
renumber a -> closed b: errno 8
renumber closed b -> a: errno 8
renumber a -> 1000: errno 8
open c after renumber onto closed: ok
close c: ok
renumber preopen 4 -> 4: ok
preopen 4 still reads: ok
renumber a -> preopen 4: ok
fdstat 4: ok
fd 4 filetype: 4
read fd 4: ok
fd 4 data: [inside]
fdstat a (renumbered away): errno 8
preopen 3 still reads: ok
open keep: ok
2000 open+renumber rounds: ok (round 2000)
read through the last renumbered fd: ok
close keep: ok
readdir into 10 bytes: ok
bufused: 10
bytes past bufused untouched: yes
readdir into 512 bytes: ok
entries: 3, names: [.,..,a]
bufused is exactly the entries: yes
dirent padding is zero: yes
bytes past bufused untouched: yes
stat old.txt (1960): ok
old.txt mtim: 0
set_times file.txt to 0: ok
stat file.txt: ok
file.txt mtim: 0 atim: 0
set_times file.txt to u64::MAX: ok
set_times file.txt to 2^63: ok
stat file.txt: ok
file.txt mtim: 9223372036854775808
"#;
    let differences = [
        ("errno 76", "errno 63"),
        // WASI 0.2 has no rights: the adapter answers these from the descriptor's flags.
        ("ro fd: filestat_set_size 0: errno 63", "ro fd: filestat_set_size 0: errno 8"),
        ("ro fd: set_flags append: errno 63", "ro fd: set_flags append: ok"),
    ];
    for (prog, expected) in component::both_abis_expecting("p1_regressions", expected, &differences)
    {
        let tmp = temp_dir();
        fs_tree(tmp.path());
        let outside_before = snapshot(&tmp.path().join("outside"));
        let ro_before = snapshot(&tmp.path().join("ro"));
        let cmd = eddy_run(&[
            "--dir",
            &dir_arg(&tmp.path().join("sandbox"), "/sandbox"),
            "--dir",
            &format!("{}::/ro:ro", s(&tmp.path().join("ro"))),
            &prog,
            "fs",
        ]);
        let out = run(with_nofile_limit(&cmd, 64), b"");
        assert_run(&out, &expected, "", 0);
        assert_eq!(snapshot(&tmp.path().join("outside")), outside_before, "{prog}: outside");
        assert_eq!(snapshot(&tmp.path().join("ro")), ro_before, "{prog}: read-only preopen");
        assert!(!tmp.path().join("outside/newdir").exists());
    }
}

/// GHSA-4ch3-9j33-3pmj's preview1 side: a directory fd without `PATH_LINK_*` /
/// `PATH_RENAME_*` rights can be neither source nor target of a link or rename (preview1
/// only: WASI 0.2 has no rights, the adapter checks none).
#[test]
fn link_and_rename_need_their_rights() {
    let tmp = temp_dir();
    fs_tree(tmp.path());
    let before = snapshot(&tmp.path().join("sandbox"));
    let sandbox = dir_arg(&tmp.path().join("sandbox"), "/sandbox");
    let out = run(eddy_run(&["--dir", &sandbox, &program_str("p1_regressions"), "rights"]), b"");
    assert_run(
        &out,
        "open . without link/rename rights: ok\n  link from it: errno 76\n  link into it: errno 76\n  \
         rename from it: errno 76\n  rename into it: errno 76\nread file.txt: ok\nfile.txt: [inside]\n",
        "",
        0,
    );
    assert_eq!(snapshot(&tmp.path().join("sandbox")), before);
}

/// Unbounded random requests (GHSA-852m-cvvp-9p4w, fixed with GHSA-243v-98vx-264h in wasmtime
/// PR #12652, which added `-Smax-random-size`; WebAssembly/WASI#888): preview1 `random_get`
/// of 1 GiB, or up to the end of the address space, into a small memory is `EFAULT` (the host
/// allocates nothing: it writes into guest memory); through the adapter the same call becomes
/// `get-random-bytes(1 GiB)`, over the 64 MiB default limit: a trap naming the limit, not a
/// host allocation.
#[test]
fn huge_random_requests() {
    let out = run(eddy_run(&[&program_str("p1_regressions"), "random"]), b"");
    assert_run(
        &out,
        "random_get 1 GiB: errno 21\nrandom_get to the end of the address space: errno 21\n",
        "",
        0,
    );
    let out = run(eddy_run(&[&component::component_str("p1_regressions"), "random"]), b"");
    assert_trap(
        &out,
        "",
        &["random request of 1073741824 bytes exceeds the limit of 67108864 bytes"],
    );
}

/// Resource-table exhaustion (GHSA-852m-cvvp-9p4w / GHSA-243v-98vx-264h, fixed in wasmtime PR
/// #12652, which added `-Smax-resources`): a WASI 0.2 guest that keeps taking new
/// output-stream handles is stopped by a trap (the engine's store handle cap, below Eddy's
/// `Limits::max_resources`), not by the host running out of memory.
#[test]
fn resource_table_exhaustion_traps() {
    let out = run(eddy_run(&[s(&program("p2_resource_limit.wat"))]), b"");
    assert_trap(&out, "", &["cannot allocate another handle: store handle limit exceeded"]);
}

/// Issue 12, "Found" 5: a module built for threads (its exported `memory` shared) was
/// refused with wasmtime's "shared memory support is disabled for this engine -- see
/// `Config::shared_memory`" even with `-W threads=y`, and exited 134 as if it had trapped.
/// It runs now (on one thread: there is no thread-spawning import), its hostcalls reading
/// and writing the shared memory; with `-W threads=n` the refusal names the feature and
/// exits 1.
#[test]
fn a_shared_memory_module_runs_with_threads_on() {
    let wat = program("p1_shared_memory.wat");
    let out = run(eddy_run(&["-W", "threads=y", s(&wat)]), b"");
    assert_run(&out, "shared hello\n", "", 0);
    let out = run(eddy_run(&[s(&wat)]), b"");
    assert_run(&out, "shared hello\n", "", 0);
    let out = run(eddy_run(&["-W", "threads=n", s(&wat)]), b"");
    assert_error_line(&out, "", 1, &["threads must be enabled for shared memories"]);
}

/// `-S max-random-size` at its edge: p2_random.wat asks `get-random-bytes(16)` (and
/// `get-insecure-random-bytes(5)`); a limit of 16 bytes lets it run to its status 42, a
/// limit of 15 traps naming the request and the limit.
#[test]
fn max_random_size_is_enforced_at_the_edge() {
    let wat = program("p2_random.wat");
    let out = run(eddy_run(&["-S", "max-random-size=16", s(&wat)]), b"");
    assert_run(&out, "", "", 42);
    let out = run(eddy_run(&["-S", "max-random-size=15", s(&wat)]), b"");
    assert_trap(&out, "", &["random request of 16 bytes exceeds the limit of 15 bytes"]);
}
