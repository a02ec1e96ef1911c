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
