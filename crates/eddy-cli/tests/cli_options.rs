//! Command-line options beyond the guest suites: limits (`-W timeout`, `-W fuel`,
//! `-W max-memory-size`), feature toggles, `--trace` (core modules and components),
//! `--env NAME`, preview0 modules, and the `eddy --version`/`help` commands; bad option values
//! (usage errors, exit status 2) and errors naming the program file.

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
    assert_usage_error(&out, &["unknown -W option `no-such-thing`"]);
    let out = run(eddy_run(&["-S", "bogus", s(&program("cli_spin.wat"))]), b"");
    assert_usage_error(&out, &["unknown -S option `bogus`"]);
}

#[test]
fn bad_option_values_are_usage_errors() {
    let prog = program("cli_spin.wat");
    for (args, needles) in [
        (&["-W", "timeout=abc"][..], &["-W timeout=abc: invalid value, expected a duration"][..]),
        (&["-W", "fuel=x"], &["-W fuel=x: invalid value, expected a whole number"]),
        (&["-W", "max-memory-size=lots"], &["-W max-memory-size=lots: invalid value"]),
        (&["-W", "simd=maybe"], &["-W simd=maybe: expected y or n"]),
        (&["-C", "cache=perhaps"], &["-C cache=perhaps: expected y or n"]),
        (&["--dir", "::/g"], &["--dir \"::/g\": empty host directory"]),
        (&["--dir", ""], &["--dir \"\": empty host directory"]),
        (&["--dir", ".::"], &["--dir \".::\": empty guest path"]),
    ] {
        let mut all: Vec<&str> = args.to_vec();
        all.push(s(&prog));
        let out = run(eddy_run(&all), b"");
        assert_usage_error(&out, needles);
    }
}

#[test]
fn dir_option_suffixes_other_than_ro_are_refused() {
    let tmp = temp_dir();
    let host = s(tmp.path());
    for suffix in ["RO", "rw", "readonly", "Read-Only", "RW"] {
        let arg = format!("{host}::/g:{suffix}");
        let out = run(eddy_run(&["--dir", &arg, s(&program("p1_hello.wat"))]), b"");
        assert_usage_error(&out, &[&format!("--dir {arg:?}: unknown option `:{suffix}`"), "`:ro`"]);
        let arg = format!("{host}:{suffix}");
        let out = run(eddy_run(&["--dir", &arg, s(&program("p1_hello.wat"))]), b"");
        assert_usage_error(&out, &[&format!("unknown option `:{suffix}`")]);
    }
    // `:ro` itself, and a colon in a guest path that is not an option, are fine.
    for arg in [format!("{host}::/g:ro"), format!("{host}::/g:v2"), format!("{host}:ro")] {
        let out = run(eddy_run(&["--dir", &arg, s(&program("p1_hello.wat"))]), b"");
        assert_run(&out, "hello from wat\n", "", 0);
    }
}

#[test]
fn a_wat_syntax_error_names_the_file_and_position_on_one_line() {
    let tmp = temp_dir();
    let bad = tmp.path().join("broken.wat");
    std::fs::write(&bad, "(module\n  (func (export \"_start\")\n    (i32.bogus)))\n").unwrap();
    let out = run(eddy_run(&[s(&bad)]), b"");
    let at = format!("{}:3:6: unknown operator or unexpected token", bad.display());
    assert_error_line(&out, "", 1, &["cannot compile `", &at]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("<anon>"), "{}", describe(&out));
}

#[test]
fn a_trap_names_the_file() {
    let prog = program("cli_spin.wat");
    let out = run(eddy_run(&["-W", "timeout=100ms", s(&prog)]), b"");
    assert_trap(&out, "", &[&format!("Error: failed to run `{}`: ", prog.display()), "interrupt"]);
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
            "wasi_snapshot_preview1::fd_write(fd=1, iovs=0, iovs_len=1) -> success(nwritten=15) ["
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
