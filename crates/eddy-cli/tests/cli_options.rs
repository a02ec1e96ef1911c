//! Command-line options beyond the guest suites: limits (`-W timeout`, `-W fuel`,
//! `-W max-memory-size`), feature toggles, `--trace` (core modules and components),
//! `--env NAME`, preview0 modules, and the `eddy --version`/`help` commands.

mod common;

use common::*;

#[test]
fn timeout_interrupts_a_spinning_guest() {
    let out = run(eddy_run(&["-W", "timeout=200ms", s(&program("cli_spin.wat"))]), b"");
    assert_trap(&out, "", &["interrupt"]);
}

#[test]
fn fuel_runs_out() {
    let out = run(eddy_run(&["-W", "fuel=100000", s(&program("cli_spin.wat"))]), b"");
    assert_trap(&out, "", &["fuel"]);
}

#[test]
fn simd_is_on_by_default_and_can_be_turned_off() {
    let prog = program("cli_simd.wat");
    let out = run(eddy_run(&[s(&prog)]), b"");
    assert_run(&out, "", "", 5);
    let out = run(eddy_run(&["-W", "simd=n", "-C", "cache=n", s(&prog)]), b"");
    assert_error_line(&out, "", 1, &["cannot compile", "cli_simd.wat", "SIMD"]);
}

#[test]
fn unknown_wasm_option_is_one_line() {
    let out = run(eddy_run(&["-W", "no-such-thing=y", s(&program("cli_spin.wat"))]), b"");
    assert_error_line(&out, "", 1, &["unknown -W option `no-such-thing`"]);
    let out = run(eddy_run(&["-S", "bogus", s(&program("cli_spin.wat"))]), b"");
    assert_error_line(&out, "", 1, &["unknown -S option `bogus`"]);
}

#[test]
fn max_memory_size_caps_growth() {
    let prog = program("cli_grow.wat");
    assert_run(&run(eddy_run(&[s(&prog)]), b""), "", "", 0);
    let out = run(eddy_run(&["-W", "max-memory-size=1M", s(&prog)]), b"");
    assert_run(&out, "", "", 1);
}

#[test]
fn trace_prints_one_line_per_hostcall() {
    let out = run(eddy_run(&["--trace", s(&program("p1_hello.wat"))]), b"");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from wat\n");
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{}", describe(&out));
    assert!(
        lines[0].starts_with(
            "wasi_snapshot_preview1::fd_write(fd=1, iovs=0, iovs_len=1, nwritten=8) -> success ["
        ),
        "{}",
        describe(&out)
    );
}

#[test]
fn trace_prints_one_line_per_component_host_call() {
    let prog = program("p2_poll_lists.wat");
    let out = run(eddy_run(&["--trace", "--invoke", "dup()", s(&prog)]), b"");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[1, 3]\n");
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    let expected = [
        "monotonic-clock::subscribe-duration(when=3600000000000) -> Ok(own#0) [",
        "monotonic-clock::subscribe-duration(when=0) -> Ok(own#1) [",
        "poll::poll(in=4) -> Ok([1, 3]) [",
    ];
    assert_eq!(lines.len(), expected.len(), "{}", describe(&out));
    for (line, prefix) in lines.iter().zip(expected) {
        assert!(line.starts_with(prefix) && line.ends_with(']'), "{line:?}\n{}", describe(&out));
    }
}

#[test]
fn env_name_alone_passes_the_host_value_through() {
    let mut cmd = eddy_run(&["--env", "EDDY_TEST_PASS", s(&program("p1_args_env"))]);
    cmd.env("EDDY_TEST_PASS", "through").env("EDDY_TEST_OTHER", "hidden");
    let out = run(cmd, b"");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("EDDY_TEST_PASS=through"), "{}", describe(&out));
    assert!(!stdout.contains("hidden"), "{}", describe(&out));
}

#[test]
fn preview0_module_runs() {
    let out = run(eddy_run(&[s(&program("p0_unstable.wat"))]), b"");
    assert_run(&out, "p0 hello\nseek bad whence: 28\nseek closed fd: 8\n", "", 3);
}

#[test]
fn version_and_help() {
    let mut cmd = eddy();
    cmd.arg("--version");
    let out = run(cmd, b"");
    assert_run(&out, &format!("eddy {}\n", env!("CARGO_PKG_VERSION")), "", 0);
    let mut cmd = eddy();
    cmd.arg("help");
    let out = run(cmd, b"");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("run") && stdout.contains("compile"), "{}", describe(&out));
}
