//! CPython 3.12 (a 26 MB preview1 command with its stdlib packed inside) through `eddy run`:
//! the real-program check. scripts/setup.sh fetches it; EDDY_CPYTHON may point elsewhere.
//!
//! All cases run in one test, in order, so the first run compiles CPython once and the rest
//! (and the cache test) reuse the compiled artifact from the shared compile cache.

mod common;

use std::path::PathBuf;

use common::*;

fn cpython() -> PathBuf {
    let path = std::env::var_os("EDDY_CPYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".cache/guests/python-3.12.0.wasm"));
    assert!(
        path.is_file(),
        "CPython for wasm32-wasi not found at {}: run scripts/setup.sh",
        path.display()
    );
    path
}

#[test]
fn cpython_runs() {
    let py = cpython();
    let py = s(&py);

    // -c with json, os and re from the packed stdlib.
    let out = run(
        eddy_run(&[
            py,
            "-c",
            "import json, os, re; print(json.dumps({'a': [1, 2]})); \
             print(re.sub(r'(\\d+)', r'<\\1>', 'x 12 y 3')); print(os.name, os.sep)",
        ]),
        b"",
    );
    assert_run(&out, "{\"a\": [1, 2]}\nx <12> y <3>\nposix /\n", "", 0);

    // sys.exit(n) is the exit status.
    let out = run(eddy_run(&[py, "-c", "import sys; sys.exit(4)"]), b"");
    assert_run(&out, "", "", 4);

    // An uncaught exception: traceback on stderr, status 1.
    let out = run(eddy_run(&[py, "-c", "raise ValueError('boom')"]), b"");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).ends_with("ValueError: boom\n"),
        "{}",
        describe(&out)
    );

    // stdin piped through.
    let out = run(
        eddy_run(&[
            py,
            "-c",
            "import sys; data = sys.stdin.read(); print(len(data), data.upper(), end='')",
        ]),
        b"hello\nworld\n",
    );
    assert_run(&out, "12 HELLO\nWORLD\n", "", 0);

    // A script file in a preopened directory that reads and writes files there.
    let dir = temp_dir();
    write_file(dir.path(), "input.txt", "3\n4\n5\n");
    write_file(
        dir.path(),
        "script.py",
        "import os, sys\n\
         nums = [int(l) for l in open('/work/input.txt')]\n\
         with open('/work/out/sum.txt', 'w') as f:\n\
         \x20   f.write(f'sum={sum(nums)}\\n')\n\
         print(sorted(os.listdir('/work')), sys.argv[1:])\n\
         os.rename('/work/input.txt', '/work/out/input.txt')\n\
         print(open('/work/out/sum.txt').read(), end='')\n",
    );
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let work = dir_arg(dir.path(), "/work");
    let out = run(eddy_run(&["--dir", &work, py, "/work/script.py", "a", "b"]), b"");
    assert_run(&out, "['input.txt', 'out', 'script.py'] ['a', 'b']\nsum=12\n", "", 0);
    assert_eq!(std::fs::read_to_string(dir.path().join("out/sum.txt")).unwrap(), "sum=12\n");
    assert!(dir.path().join("out/input.txt").is_file());
    assert!(!dir.path().join("input.txt").exists());

    // The second run of CPython does not recompile: the compile cache serves it.
    let mut cmd = eddy_run(&[py, "-c", "print('cached')"]);
    cmd.env("EDDY_LOG", "info");
    let out = run(cmd, b"");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "cached\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("compile cache: hit "), "{}", describe(&out));
    assert!(!stderr.contains("compile cache: stored"), "{}", describe(&out));
}
