//! A Python WASI 0.3 command component built by componentize-py (`async def run`, exporting
//! `wasi:cli/run@0.3.0` and importing `wasi:*@0.2.9` and `@0.3.0` side by side) through
//! `eddy run`: arguments and environment both through Python and the 0.3 bindings, stdin read
//! to its end through a 0.3 stream, a 0.3 `monotonic-clock.wait-for` awaited alone and three
//! of them concurrently (asyncio.gather), a line through a 0.3 stdout stream after Python's
//! own (0.2) stdout, then `exit-with-code(3)` and the trap an uncaught Python exception
//! becomes.
//!
//! componentize-py's `wasi:cli/command@0.3.0` output also imports `wasi:filesystem@0.3.0`
//! and `wasi:sockets@0.3.0` (the whole world, whether the app uses them or not), so this
//! needs those interfaces to link.
//!
//! scripts/setup.sh installs componentize-py 0.25.1; EDDY_COMPONENTIZE_PY may name another
//! binary. The component is built from `tests/programs/python/p3_py_cli.py` against the
//! vendored 0.3.0 WIT files by this test (about 10-25 s).

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

/// The vendored 0.3.0 packages, dependencies first. They are named one file at a time rather
/// than as `-d wit`: that would also parse `wit/world.wit`, whose `command-p3` world imports
/// the `@unstable` `wasi:clocks/timezone`, which componentize-py rejects unless the feature is
/// enabled, and enabling it makes the component import timezone (whose shape wasmtime 49 does
/// not match).
const P3_WIT: &[&str] = &[
    "clocks-0.3.0.wit",
    "random-0.3.0.wit",
    "filesystem-0.3.0.wit",
    "sockets-0.3.0.wit",
    "cli-0.3.0.wit",
];

/// Builds `tests/programs/python/<name>.py` into `<out>/<name>.wasm` as a
/// `wasi:cli/command@0.3.0` component.
fn build_python_p3(name: &str, out: &Path) -> PathBuf {
    let wasm = out.join(format!("{name}.wasm"));
    let tool = componentize_py();
    let mut cmd = Command::new(&tool);
    for file in P3_WIT {
        cmd.arg("-d").arg(workspace_root().join("wit/deps").join(file));
    }
    let result = cmd
        .args(["-w", "wasi:cli/command@0.3.0", "componentize", name, "-o"])
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

/// What every run prints before its ending (argv[0] is the base name of the path given to
/// `eddy run`, as wasmtime gives it).
fn common_stdout(app: &str, mode: &str, greeting: &str) -> String {
    let app = std::path::Path::new(app).file_name().unwrap().to_string_lossy();
    format!(
        "argv: {app} {mode}\n\
         get-arguments: {mode}\n\
         GREETING={greeting}\n\
         get-environment GREETING={greeting}\n\
         stdin: 12 bytes, first line 'hello'\n\
         wait-for 10 ms: ok\n\
         gather finished: 10 ms, 20 ms, 30 ms\n\
         gather took at least 30 ms: ok\n\
         via the 0.3 stdout stream\n"
    )
}

#[test]
fn componentize_py_p3_command_runs_on_the_event_loop() {
    let build = temp_dir();
    let app = build_python_p3("p3_py_cli", build.path());
    let app = s(&app);
    let stdin = b"hello\nworld\n";

    // Returning normally: exit status 0, nothing on stderr.
    let out = run(eddy_run(&["--env", "GREETING=hey", app, "ok"]), stdin);
    assert_run(&out, &(common_stdout(app, "ok", "hey") + "done\n"), "", 0);

    // wasi:cli/exit@0.3.0 exit-with-code(3): status 3, no error message.
    let out = run(eddy_run(&[app, "exit"]), stdin);
    assert_run(&out, &(common_stdout(app, "exit", "<unset>") + "exiting with 3\n"), "", 3);

    // An uncaught exception: componentize-py prints it in its panic message, then aborts: a
    // trap (134). The panic comes before Eddy's `Error: ` line, so not `assert_trap`.
    let out = run(eddy_run(&[app, "raise"]), stdin);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(134), "{}", describe(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        common_stdout(app, "raise", "<unset>") + "raising\n",
        "{}",
        describe(&out)
    );
    assert!(
        stderr.contains("RuntimeError('deliberate failure')")
            && stderr.contains(&format!("Error: failed to run `{app}`: wasm trap")),
        "{}",
        describe(&out)
    );
}
