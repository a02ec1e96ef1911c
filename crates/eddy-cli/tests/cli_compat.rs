//! The wasmtime CLI's surface (issue 13): a table of wasmtime command lines run against both
//! wasmtime 49.0.3 (`.cache/wasmtime-cli/wasmtime`, installed by scripts/setup.sh) and Eddy
//! with the same guest-visible result; then one test per finding: comma lists, options
//! without `run`, wasmtime's flags implemented, `-X help`, subcommands (`settings`, `wast`,
//! `config new`, unknown ones), `--invoke` in wasmtime's spelling, argv[0], `-S tcplisten`
//! on a component, `--config`, `--preload`, `-D coredump`, and `--trace` (filters, file, JSON,
//! golden lines for p1, p2 and p3 guests).
//!
//! Guests: p1_hello.wat, p1_args_env (C), p1_exit (C), p1_trap (C), preload_main.wat with
//! preload_lib.wat, p2_invoke_calc.wat, p2_exit_with_code.wat, p3_rs_cli (Rust), and the
//! spec scripts tests/programs/wast/{basic,failing}.wast.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;

/// The wasmtime 49.0.3 CLI that scripts/setup.sh installs.
fn wasmtime() -> Command {
    let path = workspace_root().join(".cache/wasmtime-cli/wasmtime");
    assert!(path.is_file(), "no wasmtime CLI at {}: run scripts/setup.sh", path.display());
    let mut cmd = Command::new(path);
    cmd.env("WASMTIME_CACHE_DIR", cache_dir().join("wasmtime"));
    cmd.env_remove("RUST_LOG");
    cmd
}

/// `eddy` with these arguments (no `run` added).
fn eddy_with(args: &[&str]) -> Command {
    let mut cmd = eddy();
    cmd.args(args);
    cmd
}

fn hello() -> String {
    program_str("p1_hello.wat")
}

/// The same command line (everything after the binary name) gives the same stdout and exit
/// status under wasmtime and Eddy.
#[test]
fn wasmtime_command_lines_give_the_same_result() {
    let dir = temp_dir();
    write_file(dir.path(), "f.txt", "x");
    let sandbox = dir_arg(dir.path(), "/sb");
    let hello = hello();
    let calc = program_str("p2_invoke_calc.wat");
    let exit7 = program_str("p2_exit_with_code.wat");
    let exit3 = program_str("p1_exit");
    let lines: Vec<Vec<&str>> = vec![
        vec![&hello],
        vec!["run", &hello],
        vec!["--dir", &sandbox, &hello],
        vec!["run", "-W", "exceptions,tail-call", &hello],
        vec!["run", "-W", "timeout=10s,fuel=100000000", &hello],
        vec!["run", "-S", "cli-exit-with-code", &hello],
        vec!["run", "-S", "p3", &hello],
        vec!["run", "-S", "preview2=y", &hello],
        vec!["run", "-S", "inherit-stdin=n", &hello],
        vec!["run", "-S", "cwd=/sb", "--dir", &sandbox, &hello],
        vec!["run", "-S", "max-resources=1000", &hello],
        vec!["run", "-W", "unknown-imports-default", &hello],
        vec!["run", "-W", "component-model-async=y", &hello],
        vec!["run", "-W", "max-wasm-stack=1048576", &hello],
        vec!["run", "-W", "nan-canonicalization=y", &hello],
        vec!["run", "-W", "all-proposals=y", &hello],
        vec!["run", "-C", "parallel-compilation=n", &hello],
        vec!["run", "-O", "opt-level=0", &hello],
        vec!["run", "-D", "debug-info", &hello],
        vec!["run", "--invoke", "add(2, 3)", &calc],
        vec!["run", "--invoke", "eddy:test/calc.mul@1.0.0(6, 7)", &calc],
        vec!["run", "--invoke", "mul(6, 7)", &calc],
        vec!["run", &exit7],
        vec!["run", &exit3, "3"],
    ];
    for line in &lines {
        let mut w = wasmtime();
        w.args(line);
        let want = run_null_stdin(w);
        let mut e = eddy();
        e.args(line);
        let got = run_null_stdin(e);
        assert_eq!(
            (String::from_utf8_lossy(&got.stdout), got.status.code()),
            (String::from_utf8_lossy(&want.stdout), want.status.code()),
            "`{}` differs from wasmtime's\n--- wasmtime ---\n{}\n--- eddy ---\n{}",
            line.join(" "),
            describe(&want),
            describe(&got)
        );
    }
}

#[test]
fn comma_lists_and_options_without_run() {
    for args in [
        vec!["-W", "exceptions,unknown-imports-trap"],
        vec!["-W", "timeout=1s,fuel=1000000000"],
        vec!["-W", "simd=y", "-W", "gc=y,threads=y"],
    ] {
        let mut cmd = eddy();
        cmd.args(&args).arg(hello());
        assert_run(&run(cmd, b""), "hello from wat\n", "", 0);
    }
    let out = run(eddy_run(&["-W", "timeout=1s,bogus=1", &hello()]), b"");
    assert_usage_error(&out, &["unknown -W option `bogus`", "-W help"]);
}

#[test]
fn group_help_describes_each_key_with_its_default() {
    let out = run(eddy_run(&["-W", "help"]), b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    for needle in [
        "max-wasm-stack=BYTES",
        "[default: 512K]",
        "timeout=DURATION",
        "wasmtime's -W keys Eddy refuses, and why:",
    ] {
        assert!(text.contains(needle), "-W help lacks {needle:?}:\n{text}");
    }
    for (flag, needle) in [
        ("-S", "inherit-stdin=y|n"),
        ("-C", "cache-config=FILE"),
        ("-O", "opt-level=0|1|2|s"),
        ("-D", "coredump=PATH"),
    ] {
        let out = run(eddy_run(&[flag, "help"]), b"");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(needle),
            "{flag} help: {}",
            describe(&out)
        );
    }
}

#[test]
fn refused_wasmtime_keys_say_why() {
    let out = run(eddy_run(&["-S", "http", &hello()]), b"");
    assert_usage_error(&out, &["-S http: not supported by Eddy", "wasi:http"]);
    let out = run(eddy_run(&["-S", "max-component-handles=10", &hello()]), b"");
    assert_usage_error(&out, &["100000"]);
    let out = run(eddy_run(&["--profile", "guest", &hello()]), b"");
    assert_usage_error(&out, &["--profile guest", "perfmap"]);
    let out = run(eddy_run(&["-W", "multi-value=n", &hello()]), b"");
    assert_usage_error(&out, &["always on"]);
}

#[test]
fn subcommands_settings_and_unknown_ones() {
    let out = run(eddy_with(&["settings"]), b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text.starts_with("Cranelift settings for target '"), "{text}");
    assert!(
        text.contains("Boolean settings:")
            && text.contains("Settings inferred for the current host:")
    );
    let out = run(eddy_with(&["setings"]), b"");
    assert_usage_error(&out, &["eddy has no 'setings' subcommand", "did you mean 'settings'"]);
    let out = run(eddy_with(&["wizer", "--help"]), b"");
    assert_usage_error(&out, &["eddy has no 'wizer' subcommand"]);
    let out = run(eddy_with(&["frobnicate"]), b"");
    assert_usage_error(&out, &["eddy has no 'frobnicate' subcommand", "known: run, compile"]);
}

#[test]
fn wast_runs_spec_scripts() {
    let dir = workspace_root().join("tests/programs/wast");
    let basic = dir.join("basic.wast");
    assert_run(&run(eddy_with(&["wast", s(&basic)]), b""), "", "", 0);
    let failing = dir.join("failing.wast");
    let out = run(eddy_with(&["wast", s(&failing)]), b"");
    assert_error_line(&out, "", 1, &["failing.wast", ":6:"]);
}

#[test]
fn config_new_writes_a_cache_config_that_cache_config_reads() {
    let dir = temp_dir();
    let path = dir.path().join("sub/config.toml");
    let out = run(eddy_with(&["config", "new", s(&path)]), b"");
    assert_run(&out, &format!("wrote a new configuration file to `{}`\n", path.display()), "", 0);
    let out = run(eddy_with(&["config", "new", s(&path)]), b"");
    assert_error_line(&out, "", 1, &["exists already"]);
    // A cache config pointing at a directory of the test's: the compiled program lands there.
    let cache = dir.path().join("cache");
    std::fs::write(&path, format!("[cache]\nenabled = true\ndirectory = {:?}\n", s(&cache)))
        .unwrap();
    let out = run(eddy_run(&["-C", &format!("cache-config={}", s(&path)), &hello()]), b"");
    assert_run(&out, "hello from wat\n", "", 0);
    assert!(
        cache.read_dir().map(|d| d.count() > 0).unwrap_or(false),
        "nothing cached in {cache:?}"
    );
    std::fs::write(&path, "[cache]\nenabeld = true\n").unwrap();
    let out = run(eddy_run(&["-C", &format!("cache-config={}", s(&path)), &hello()]), b"");
    assert_usage_error(&out, &["unknown key `enabeld`"]);
}

#[test]
fn config_file_gives_options_and_the_command_line_wins() {
    let dir = temp_dir();
    let path = dir.path().join("eddy.toml");
    std::fs::write(&path, "[wasm]\nfuel = 1000\n[optimize]\nopt-level = 0\n").unwrap();
    // 1000 units of fuel cannot run the spinning guest's loop ... or even hello? It can:
    // hello is a few instructions.
    let out = run(eddy_run(&["--config", s(&path), &hello()]), b"");
    assert_run(&out, "hello from wat\n", "", 0);
    let out = run(eddy_run(&["--config", s(&path), &program_str("cli_spin.wat")]), b"");
    assert_trap(&out, "", &["fuel"]);
    let out = run(eddy_run(&["--config", s(&path), "-W", "fuel=1000000000", &hello()]), b"");
    assert_run(&out, "hello from wat\n", "", 0);
    std::fs::write(&path, "[wasm]\nbogus = 1\n").unwrap();
    let out = run(eddy_run(&["--config", s(&path), &hello()]), b"");
    assert_usage_error(&out, &["unknown -W option `bogus`"]);
    std::fs::write(&path, "[nope]\n").unwrap();
    let out = run(eddy_run(&["--config", s(&path), &hello()]), b"");
    assert_usage_error(&out, &["unknown table `[nope]`"]);
}

#[test]
fn preload_links_a_module_under_a_name() {
    let main = program_str("preload_main.wat");
    let lib = format!("lib={}", program_str("preload_lib.wat"));
    assert_run(&run(eddy_run(&["--preload", &lib, &main]), b""), "", "", 15);
    let out = run(eddy_run(&[&main]), b"");
    assert_error_line(&out, "", 1, &["unknown import `lib::triple`"]);
    let out = run(eddy_run(&["--preload", "nolib", &main]), b"");
    assert_usage_error(&out, &["--preload nolib: expected NAME=PATH"]);
}

#[test]
fn coredump_is_written_when_a_module_traps() {
    let dir = temp_dir();
    let dump: PathBuf = dir.path().join("core.wasm");
    let arg = format!("coredump={}", s(&dump));
    let out = run(eddy_run(&["-D", &arg, &program_str("p1_trap")]), b"");
    assert_trap(&out, "before trap\n", &["unreachable"]);
    let bytes = std::fs::read(&dump).expect("a core dump");
    assert_eq!(&bytes[..4], b"\0asm", "a core dump is a wasm module");
    // No trap, no dump.
    let clean = dir.path().join("none.wasm");
    let arg = format!("coredump={}", s(&clean));
    assert_run(&run(eddy_run(&["-D", &arg, &hello()]), b""), "hello from wat\n", "", 0);
    assert!(!clean.exists());
}

#[test]
fn argv0_is_the_base_name_and_tcplisten_needs_a_module() {
    let out = run(eddy_run(&[&program_str("p1_args_env")]), b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("argv[0]: [p1_args_env.wasm]\n"), "{}", describe(&out));
    let out =
        run(eddy_run(&["-S", "tcplisten=127.0.0.1:0", &program_str("p2_exit_with_code.wat")]), b"");
    assert_usage_error(&out, &["-S tcplisten", "preview1 core module", "--allow-bind"]);
}

/// Trace lines with the durations cut: `... [1.2µs]` → `...`.
fn trace_lines(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(|l| l.rsplit_once(" [").map_or(l, |(head, _)| head).to_string() + "\n")
        .collect()
}

#[test]
fn trace_p1_golden_filter_file_and_json() {
    // Golden: every call of p1_exit with argument 3 (the values written back, the exit).
    let out = run(eddy_run(&["--trace=proc,fd_write", &program_str("p1_exit"), "3"]), b"");
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let lines = trace_lines(&out.stderr);
    let golden = workspace_root().join("tests/golden/trace_p1_exit.txt");
    assert_eq!(lines, std::fs::read_to_string(&golden).unwrap(), "{}", describe(&out));
    // The filter leaves out what it does not name.
    let out = run(eddy_run(&["--trace=clocks", &program_str("p1_exit"), "3"]), b"");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{}", describe(&out));
    // Decoded arguments: the path as text, flags by name, the opened fd.
    let dir = temp_dir();
    let out = run(
        eddy_run(&[
            "--trace=path_open",
            "--dir",
            &dir_arg(dir.path(), "/sb"),
            &program_str("p1_path"),
        ]),
        b"",
    );
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains(
            "path_open(fd=3, dirflags=SYMLINK_FOLLOW, path=\"excl.txt\", oflags=CREAT|EXCL"
        ) && text.contains("-> success(opened_fd=4)"),
        "{}",
        describe(&out)
    );
    // JSON to a file; stderr keeps only the guest's.
    let file = dir.path().join("trace.json");
    let out = run(
        eddy_run(&[
            "--trace=proc",
            "--trace-format=json",
            "--trace-file",
            s(&file),
            &program_str("p1_exit"),
            "3",
        ]),
        b"",
    );
    assert_eq!(out.stderr, b"", "{}", describe(&out));
    let json = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        json,
        "{\"args\":\"rval=3\",\"function\":\"proc_exit\",\"module\":\"wasi_snapshot_preview1\",\"ns\":0,\"result\":\"exit(3)\"}\n"
    );
    let out = run(eddy_run(&["--trace-file", s(&file), &hello()]), b"");
    assert_usage_error(&out, &["--trace-file: give --trace too"]);
    let out = run(eddy_run(&["--trace=proc", "--trace-format=xml", &hello()]), b"");
    assert_usage_error(&out, &["--trace-format xml"]);
}

#[test]
fn trace_p2_and_p3_golden() {
    let out = run(eddy_run(&["--trace", &program_str("p2_exit_with_code.wat")]), b"");
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    let golden = workspace_root().join("tests/golden/trace_p2_exit_with_code.txt");
    assert_eq!(trace_lines(&out.stderr), std::fs::read_to_string(&golden).unwrap());
    let guest = rust_guest::module("p3_rs_cli");
    let out = run(eddy_run(&["--trace=environment", s(&guest)]), b"");
    let golden = workspace_root().join("tests/golden/trace_p3_rs_cli.txt");
    let lines: String = trace_lines(&out.stderr)
        .lines()
        .filter(|l| l.contains("::"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(lines, std::fs::read_to_string(&golden).unwrap(), "{}", describe(&out));
}
