//! The WASI 0.2 host-call fuzzer: the Rust guest tests/programs/rust/p2_rs_fuzz (adapted
//! into a component; its wasi:filesystem, wasi:io, wasi:clocks and wasi:random calls go
//! straight to the host) makes seeded random sequences of calls with adversarial
//! arguments on a real sandbox. Checked for each of 8 fixed seeds: the guest ran to its
//! last line without a trap (every call returned, an error code being an answer), the
//! host's resident memory stayed under 512 MiB while it ran (a `u64::MAX`-byte read must
//! not be allocated), and nothing outside the sandbox changed. `EDDY_FUZZ_CALLS` sets the
//! calls per seed (default 4 000).

mod common;
use common::*;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

/// Peak resident set of process `pid` so far, bytes (`VmHWM`).
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

/// The tree the guest's paths name (as the preview1 fuzzer's): files, a directory, and
/// symlinks out, absolute, dangling and looping; `outside` beside it.
fn tree(tmp: &Path) {
    let root = tmp.join("sandbox");
    write_file(&root, "file", "hello, fuzzer\n");
    write_file(&root, "dir/inner/deep", "deep\n");
    symlink(&root, "link-out", "../outside");
    symlink(&root, "link-abs", "/etc");
    symlink(&root, "link-dangling", "nowhere");
    symlink(&root, "loop", "loop");
    write_file(&tmp.join("outside"), "secret", "not for the guest\n");
}

#[test]
fn wasi_0_2_host_calls_with_adversarial_arguments() {
    let calls: u64 =
        std::env::var("EDDY_FUZZ_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(4_000);
    let prog = rust_guest::component("p2_rs_fuzz");
    for seed in 1..=8u64 {
        let tmp = temp_dir();
        tree(tmp.path());
        let outside = snapshot(&tmp.path().join("outside"));
        let mut cmd = eddy_run(&[
            "--dir",
            &dir_arg(&tmp.path().join("sandbox"), "/sandbox"),
            &prog,
            &seed.to_string(),
            &calls.to_string(),
        ]);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let pid = child.id();
        // The peak is read just before the process ends (VmHWM is gone after).
        let mut peak = 0;
        while child.try_wait().unwrap().is_none() {
            peak = peak.max(peak_rss(pid));
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        eprintln!("seed {seed}: peak RSS {} MiB\n{stdout}", peak >> 20);
        assert_eq!(out.status.code(), Some(0), "seed {seed}: {}", describe(&out));
        assert!(out.stderr.is_empty(), "seed {seed}: {}", describe(&out));
        assert_eq!(stdout.lines().last(), Some(format!("done {calls}").as_str()), "seed {seed}");
        assert!(peak < 512 << 20, "seed {seed}: host memory peaked at {peak} bytes");
        assert_eq!(snapshot(&tmp.path().join("outside")), outside, "seed {seed}: outside changed");
        let beside: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(beside, ["outside", "sandbox"], "seed {seed}: made beside the preopen");
    }
}
