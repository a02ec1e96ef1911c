//! A Python command component built by componentize-py (a real toolchain's WASI 0.2 output,
//! importing `wasi:*@0.2.0` and `@0.2.12` side by side) through `eddy run`: arguments,
//! environment, a file read from a preopened directory, a directory listing, and the trap
//! an uncaught Python exception becomes.
//!
//! scripts/setup.sh installs componentize-py 0.25.1; EDDY_COMPONENTIZE_PY may name another
//! binary. The component is built from `tests/programs/python/p2_py_cat.py` against the
//! vendored `wit/` by this test (about 10 s).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn componentize_py() -> PathBuf {
    if let Some(path) = std::env::var_os("EDDY_COMPONENTIZE_PY") {
        return PathBuf::from(path);
    }
    PathBuf::from("componentize-py")
}

/// Builds `tests/programs/python/<name>.py` into `<out>/<name>.wasm` as a
/// `wasi:cli/command@0.2.12` component.
fn build_python(name: &str, out: &Path) -> PathBuf {
    let wasm = out.join(format!("{name}.wasm"));
    let tool = componentize_py();
    let result = Command::new(&tool)
        .arg("-d")
        .arg(workspace_root().join("wit"))
        .args(["-w", "wasi:cli/command@0.2.12", "componentize", name, "-o"])
        .arg(&wasm)
        .current_dir(workspace_root().join("tests/programs/python"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| {
            panic!("running {} failed ({e}): run scripts/setup.sh", tool.display())
        });
    assert!(
        result.status.success() && wasm.is_file(),
        "componentize-py failed for {name}.py\n{}",
        describe(&result)
    );
    wasm
}

#[test]
fn componentize_py_command_reads_a_preopened_file() {
    let build = temp_dir();
    let app = build_python("p2_py_cat", build.path());
    let app = s(&app);

    let data = temp_dir();
    write_file(data.path(), "greeting.txt", "hello from a preopened file\n");
    write_file(data.path(), "notes/b.txt", "second\nfile\n");
    let dir = dir_arg(data.path(), "/data");

    let out = run(
        eddy_run(&[
            "--env",
            "GREETING=hey",
            "--dir",
            &dir,
            app,
            "/data/greeting.txt",
            "/data/notes/b.txt",
        ]),
        b"",
    );
    assert_run(
        &out,
        "args: /data/greeting.txt /data/notes/b.txt\n\
         GREETING=hey\n\
         /data/greeting.txt: 28 bytes\n\
         hello from a preopened file\n\
         /data/notes/b.txt: 12 bytes\n\
         second\nfile\n\
         listing: greeting.txt, notes\n",
        "",
        0,
    );

    // Without the grant there is nothing at /data: FileNotFoundError, then a trap (134).
    let out = run(eddy_run(&[app, "/data/greeting.txt"]), b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(134), "{}", describe(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "args: /data/greeting.txt\nGREETING=<unset>\n",
        "{}",
        describe(&out)
    );
    assert!(
        stderr.contains(
            "FileNotFoundError: [Errno 44] No such file or directory: '/data/greeting.txt'"
        ) && stderr.contains(&format!("Error: failed to run `{app}`: wasm trap")),
        "{}",
        describe(&out)
    );
}
