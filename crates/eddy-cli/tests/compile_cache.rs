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

#[test]
fn a_corrupt_cache_entry_is_recompiled() {
    let cache = temp_dir();
    let prog = program("p1_hello.wat");
    let mut cmd = eddy_run(&[s(&prog)]);
    cmd.env("EDDY_CACHE_DIR", cache.path());
    let first = run(cmd, b"");
    assert_eq!(first.status.code(), Some(0), "{}", describe(&first));
    for e in std::fs::read_dir(cache.path()).unwrap() {
        std::fs::write(e.unwrap().path(), b"not a module").unwrap();
    }
    let mut cmd = eddy_run(&[s(&prog)]);
    cmd.env("EDDY_CACHE_DIR", cache.path());
    let again = run(cmd, b"");
    assert_run(&again, &String::from_utf8_lossy(&first.stdout), "", 0);
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
