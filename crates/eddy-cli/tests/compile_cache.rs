//! The compile cache and ahead-of-time compilation (`eddy compile`, `--allow-precompiled`).

mod common;

use common::*;

#[test]
fn cache_stores_then_hits() {
    let cache = temp_dir();
    let prog = program("p1_hello.wat");
    let runit = || {
        let mut cmd = eddy_run(&[s(&prog)]);
        cmd.env("EDDY_CACHE_DIR", cache.path()).env("EDDY_LOG", "info");
        run(cmd, b"")
    };
    let first = runit();
    assert_eq!(first.status.code(), Some(0), "{}", describe(&first));
    let err = String::from_utf8_lossy(&first.stderr);
    assert!(err.starts_with("compile cache: stored "), "{}", describe(&first));
    let entries: Vec<_> = std::fs::read_dir(cache.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "one artifact in the cache");

    let second = runit();
    assert_eq!(second.stdout, first.stdout);
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.starts_with("compile cache: hit "), "{}", describe(&second));

    // -C cache=n neither reads nor writes the cache.
    let mut cmd = eddy_run(&["-C", "cache=n", s(&prog)]);
    cmd.env("EDDY_CACHE_DIR", cache.path()).env("EDDY_LOG", "info");
    let out = run(cmd, b"");
    assert_run(&out, &String::from_utf8_lossy(&first.stdout), "", 0);
}

/// The files in the cache directory (none if it does not exist).
fn cache_entries(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

#[test]
fn a_corrupt_cache_entry_is_recompiled() {
    let cache = temp_dir();
    let prog = program("p1_hello.wat");
    let runit = || {
        let mut cmd = eddy_run(&[s(&prog)]);
        cmd.env("EDDY_CACHE_DIR", cache.path()).env("EDDY_LOG", "info");
        run(cmd, b"")
    };
    let first = runit();
    assert_eq!(first.status.code(), Some(0), "{}", describe(&first));
    let entries = cache_entries(cache.path());
    assert_eq!(entries.len(), 1, "one artifact in the cache after the first run: {entries:?}");
    let entry = &entries[0];
    std::fs::write(entry, b"not a module").unwrap();
    assert_eq!(std::fs::read(entry).unwrap(), b"not a module", "the entry is corrupted");

    // The corrupt entry is discarded, the program compiled again and the entry rewritten.
    let again = runit();
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.starts_with("compile cache: stored "), "{}", describe(&again));
    assert_eq!(again.stdout, first.stdout, "{}", describe(&again));
    assert_eq!(again.status.code(), Some(0), "{}", describe(&again));
    assert_eq!(cache_entries(cache.path()), entries, "the same single entry");
    let rewritten = std::fs::read(entry).unwrap();
    assert_ne!(rewritten, b"not a module", "the entry was rewritten");

    // And the rewritten entry is a good one: the next run hits it.
    let third = runit();
    let err = String::from_utf8_lossy(&third.stderr);
    assert!(err.starts_with("compile cache: hit "), "{}", describe(&third));
    assert_eq!(third.stdout, first.stdout);
}

/// The byte range of the `.text` section (the machine code) in the ELF64 object `elf`.
fn text_section(elf: &[u8]) -> std::ops::Range<usize> {
    let u16_at = |at: usize| u16::from_le_bytes(elf[at..at + 2].try_into().unwrap()) as usize;
    let u32_at = |at: usize| u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) as usize;
    let u64_at = |at: usize| u64::from_le_bytes(elf[at..at + 8].try_into().unwrap()) as usize;
    assert_eq!(&elf[..4], b"\x7fELF", "a cache entry is an ELF object");
    let (shoff, shentsize, shnum, shstrndx) =
        (u64_at(0x28), u16_at(0x3a), u16_at(0x3c), u16_at(0x3e));
    let header = |i: usize| shoff + i * shentsize;
    let strtab = u64_at(header(shstrndx) + 0x18);
    (0..shnum)
        .find_map(|i| {
            let h = header(i);
            let name = &elf[strtab + u32_at(h)..];
            let name = &name[..name.iter().position(|&b| b == 0).unwrap()];
            (name == b".text").then(|| u64_at(h + 0x18)..u64_at(h + 0x18) + u64_at(h + 0x20))
        })
        .expect("a .text section")
}

#[test]
fn a_cache_entry_with_corrupt_code_is_recompiled() {
    // Bytes flipped inside the machine code leave the header intact: without a checksum the
    // corrupt code is mapped and run (a crash, SIGSEGV or SIGILL, on every later run).
    let cache = temp_dir();
    let prog = program("p1_hello.wat");
    let runit = || {
        let mut cmd = eddy_run(&[s(&prog)]);
        cmd.env("EDDY_CACHE_DIR", cache.path()).env("EDDY_LOG", "info");
        run(cmd, b"")
    };
    let first = runit();
    assert_eq!(first.status.code(), Some(0), "{}", describe(&first));
    let entries = cache_entries(cache.path());
    assert_eq!(entries.len(), 1, "one artifact in the cache after the first run: {entries:?}");
    let entry = &entries[0];
    let good = std::fs::read(entry).unwrap();
    let text = text_section(&good);
    assert!(!text.is_empty() && text.end <= good.len(), "{text:?} in {} bytes", good.len());
    let mut bad = good.clone();
    for b in &mut bad[text] {
        *b ^= 0xff;
    }
    std::fs::write(entry, &bad).unwrap();

    let again = runit();
    let err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(0), "{}", describe(&again));
    assert!(err.starts_with("compile cache: stored "), "{}", describe(&again));
    assert_eq!(again.stdout, first.stdout, "{}", describe(&again));
    assert_eq!(std::fs::read(entry).unwrap(), good, "the entry was rewritten as it was");

    let third = runit();
    let err = String::from_utf8_lossy(&third.stderr);
    assert!(err.starts_with("compile cache: hit "), "{}", describe(&third));
    assert_eq!(third.stdout, first.stdout);
}

#[test]
fn a_program_that_is_not_a_command_is_refused_before_compiling() {
    // A reactor module without `_start`, and a component without `wasi:cli/run`: the error
    // comes before compilation, so nothing is written to the compile cache.
    for (prog, needles) in [
        ("p1_reactor_add.wat", ["no `_start`", "--invoke", "add, add_i64"]),
        ("p2_invoke_calc.wat", ["no `wasi:cli/run@0.2.x`", "not a command", "it exports: "]),
    ] {
        let cache = temp_dir();
        let mut cmd = eddy_run(&[s(&program(prog))]);
        cmd.env("EDDY_CACHE_DIR", cache.path()).env("EDDY_LOG", "info");
        let out = run(cmd, b"");
        assert_error_line(&out, "", 1, &needles);
        assert_eq!(
            cache_entries(cache.path()),
            Vec::<std::path::PathBuf>::new(),
            "nothing compiled"
        );
    }
}

#[test]
fn compile_then_run_precompiled() {
    let dir = temp_dir();
    let out_path = dir.path().join("hello.cwasm");
    let prog = program("p1_hello.wat");
    let out = run(eddy_cmd(&["compile", s(&prog), "-o", s(&out_path)]), b"");
    assert_run(&out, "", "", 0);
    assert!(out_path.is_file());

    let direct = run(eddy_run(&[s(&prog)]), b"");
    let out = run(eddy_run(&["--allow-precompiled", s(&out_path)]), b"");
    assert_run(&out, &String::from_utf8_lossy(&direct.stdout), "", 0);

    // Without the flag, precompiled code is refused with one line.
    let out = run(eddy_run(&[s(&out_path)]), b"");
    assert_error_line(&out, "", 1, &["precompiled", "--allow-precompiled"]);
}

fn eddy_cmd(args: &[&str]) -> std::process::Command {
    let mut c = eddy();
    c.args(args);
    c
}

/// A `.cwasm` that is cut short, or an ELF file wasmtime did not write, is refused with one
/// line (status 1) now that it is mapped rather than read.
#[test]
fn a_bad_precompiled_file_is_one_line() {
    let dir = temp_dir();
    let good = dir.path().join("hello.cwasm");
    let prog = program("p1_hello.wat");
    assert_run(&run(eddy_cmd(&["compile", s(&prog), "-o", s(&good)]), b""), "", "", 0);
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path().join("cut.cwasm");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = run(eddy_run(&["--allow-precompiled", s(&cut)]), b"");
    assert_error_line(&out, "", 1, &["cut.cwasm"]);
    // An ELF file that is no wasmtime artifact: not precompiled code, so compiled as wasm.
    let elf = dir.path().join("tool.cwasm");
    std::fs::copy("/bin/true", &elf).unwrap();
    let out = run(eddy_run(&["--allow-precompiled", s(&elf)]), b"");
    assert_error_line(&out, "", 1, &["cannot compile", "tool.cwasm"]);
}

/// Runs `prog` with the compile cache in `cache` and extra `flags` (before FILE).
fn cached_run(cache: &std::path::Path, flags: &[&str], prog: &std::path::Path) {
    let mut args = flags.to_vec();
    args.push(s(prog));
    let mut cmd = eddy_run(&args);
    cmd.env("EDDY_CACHE_DIR", cache);
    let out = run(cmd, b"");
    assert!(out.status.code().is_some(), "{}", describe(&out));
}

/// The size of the one entry `prog` makes in an empty cache.
fn entry_size(prog: &std::path::Path) -> u64 {
    let scratch = temp_dir();
    cached_run(scratch.path(), &[], prog);
    let e = cache_entries(scratch.path());
    assert_eq!(e.len(), 1, "{e:?}");
    std::fs::metadata(&e[0]).unwrap().len()
}

#[test]
fn the_cache_is_bounded_and_evicts_the_least_recently_used() {
    let [a, b, c] = ["p1_hello.wat", "p1_exit_status.wat", "cli_simd.wat"].map(program);
    let (sa, sb, sc) = (entry_size(&a), entry_size(&b), entry_size(&c));
    let cache = temp_dir();
    let pause = || std::thread::sleep(std::time::Duration::from_millis(30));
    cached_run(cache.path(), &[], &a);
    pause();
    cached_run(cache.path(), &[], &b);
    pause();
    // A hit makes `a` the most recently used.
    cached_run(cache.path(), &[], &a);
    assert_eq!(cache_entries(cache.path()).len(), 2);
    pause();
    // Room for a and c but not all three: b, the least recently used, goes.
    let bound = (sa + sc + sb / 2).to_string();
    cached_run(cache.path(), &["-C", &format!("cache-size={bound}")], &c);
    let mut sizes: Vec<u64> =
        cache_entries(cache.path()).iter().map(|p| std::fs::metadata(p).unwrap().len()).collect();
    sizes.sort();
    let mut want = vec![sa, sc];
    want.sort();
    assert_eq!(sizes, want, "a and c are left (sizes a {sa}, b {sb}, c {sc})");

    // An artifact larger than the whole bound is not stored; the run still works.
    let small = temp_dir();
    let mut cmd = eddy_run(&["-C", "cache-size=1K", s(&a)]);
    cmd.env("EDDY_CACHE_DIR", small.path());
    let out = run(cmd, b"");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(cache_entries(small.path()), Vec::<std::path::PathBuf>::new());

    // A bad bound is a usage error.
    let out = run(eddy_run(&["-C", "cache-size=lots", s(&a)]), b"");
    assert_run(
        &out,
        "",
        "error: -C cache-size=lots: invalid value, expected bytes (e.g. 1073741824, 512M, 2G)\n",
        2,
    );
}

#[test]
fn cache_stats_and_clear() {
    let cache = temp_dir();
    let dir = cache.path().join("c");
    let cmd = |args: &[&str]| {
        let mut c = eddy_cmd(args);
        c.env("EDDY_CACHE_DIR", &dir);
        run(c, b"")
    };
    // No directory yet: an empty cache.
    let want = format!(
        "directory: {}\nentries: 0\nsize: 0 bytes (0 B)\nbound: 1073741824 bytes (1.0 GiB)\n",
        dir.display()
    );
    assert_run(&cmd(&["cache", "stats"]), &want, "", 0);

    let prog = program("p1_hello.wat");
    cached_run(&dir, &[], &prog);
    let size = std::fs::metadata(&cache_entries(&dir)[0]).unwrap().len();
    let human = format!("{:.1} KiB", size as f64 / 1024.0);
    let want = format!(
        "directory: {}\nentries: 1\nsize: {size} bytes ({human})\nbound: 2097152 bytes (2.0 MiB)\n",
        dir.display()
    );
    assert_run(&cmd(&["cache", "stats", "-C", "cache-size=2M"]), &want, "", 0);

    let want = format!("removed 1 entry ({size} bytes) from {}\n", dir.display());
    assert_run(&cmd(&["cache", "clear"]), &want, "", 0);
    assert_eq!(cache_entries(&dir), Vec::<std::path::PathBuf>::new());
    assert!(dir.is_dir(), "the directory itself stays");
    let want = format!("removed 0 entries (0 bytes) from {}\n", dir.display());
    assert_run(&cmd(&["cache", "clear"]), &want, "", 0);

    let out = cmd(&["cache", "stats", "-C", "cache=n"]);
    assert_run(
        &out,
        "",
        "error: eddy cache stats -C cache=n: only cache-size=BYTES is meaningful here\n",
        2,
    );
}

/// The progress line of a long compile is for terminals only: compiling CPython (a 26 MB
/// module, many seconds) into an empty cache with stderr piped prints nothing on it.
#[test]
fn a_long_compile_is_silent_when_stderr_is_piped() {
    let py = std::env::var_os("EDDY_CPYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".cache/guests/python-3.12.0.wasm"));
    assert!(py.is_file(), "CPython not found at {}: run scripts/setup.sh", py.display());
    let cache = temp_dir();
    let mut cmd = eddy_run(&[s(&py), "-c", "print('hi')"]);
    cmd.env("EDDY_CACHE_DIR", cache.path());
    let start = std::time::Instant::now();
    let out = run(cmd, b"");
    assert_run(&out, "hi\n", "", 0);
    assert!(start.elapsed() > std::time::Duration::from_secs(1), "it did compile");
    assert_eq!(cache_entries(cache.path()).len(), 1, "and cached it");
}
