//! Running WASI 0.2 command components: exit statuses (`run` → ok/err, `exit`,
//! `exit-with-code`, a trap), version linking (components importing or exporting
//! `wasi:*@0.2.0`, `@0.2.3`, `@0.2.6` through the adapter, `@0.2.9`, `@0.2.12` all run),
//! wasi:sockets denied, load errors and the compile cache for components.
//!
//! Guests: p2_exit_err.wat (exit@0.2.0), p2_exit_with_code.wat (exit@0.2.12),
//! p2_run_result.wat (run@0.2.3), p2_run_ok.wat (run@0.2.9), p2_trap.wat,
//! p2_sockets_denied.wat (sockets@0.2.3), p2_random.wat (random at 0.2.0, 0.2.3 and 0.2.12
//! and exit at 0.2.0 and 0.2.12 in one component), and the C guest p1_exit adapted (0.2.6).

mod common;
use common::*;

#[test]
fn exit_err_from_a_0_2_0_component_is_status_1() {
    let out = run(eddy_run(&[s(&program("p2_exit_err.wat"))]), b"");
    assert_run(&out, "", "", 1);
}

#[test]
fn exit_with_code_from_a_0_2_12_component_is_that_code() {
    let out = run(eddy_run(&[s(&program("p2_exit_with_code.wat"))]), b"");
    assert_run(&out, "", "", 7);
}

#[test]
fn run_returning_err_is_status_1() {
    let out = run(eddy_run(&[s(&program("p2_run_result.wat"))]), b"");
    assert_run(&out, "", "", 1);
}

#[test]
fn run_returning_ok_is_status_0() {
    let out = run(eddy_run(&[s(&program("p2_run_ok.wat"))]), b"");
    assert_run(&out, "", "", 0);
}

#[test]
fn a_trapping_component_is_status_134_with_a_backtrace() {
    let out = run(eddy_run(&[s(&program("p2_trap.wat"))]), b"");
    assert_trap(&out, "", &["unreachable", "boom"]);
}

#[test]
fn sockets_are_created_without_a_grant() {
    // Creating a socket reaches no network: both create calls succeed under the default
    // policy (bind, connect and send are what the policy checks).
    let out = run(eddy_run(&[s(&program("p2_sockets_denied.wat"))]), b"");
    assert_run(&out, "tcp: ok\nudp: ok\n", "", 0);
}

#[test]
fn random_and_mixed_versions_in_one_component() {
    // Every check in the guest passed: it exits with 42 (else the failing check's number).
    let out = run(eddy_run(&[s(&program("p2_random.wat"))]), b"");
    assert_run(&out, "", "", 42);
}

#[test]
fn adapted_proc_exit_nonzero_becomes_status_1() {
    // Through the adapter, proc_exit(n) is wasi:cli/exit.exit(err) for n != 0.
    let prog = component::component_str("p1_exit");
    let out = run(eddy_run(&[&prog, "7"]), b"");
    assert_run(&out, "before exit\n", "", 1);
    let out = run(eddy_run(&[&prog, "0"]), b"");
    assert_run(&out, "before exit\n", "", 0);
}

#[test]
fn invoke_calls_run_of_a_command_and_prints_its_result() {
    // `--invoke` calls the export instead of running the command (see p2_invoke.rs).
    let out =
        run(eddy_run(&["--invoke", "wasi:cli/run@0.2.9#run()", s(&program("p2_run_ok.wat"))]), b"");
    assert_run(&out, "ok\n", "", 0);
    let out = run(eddy_run(&["--invoke", "run#run()", s(&program("p2_run_result.wat"))]), b"");
    assert_run(&out, "err\n", "", 0);
    let out = run(eddy_run(&["--invoke", "run", s(&program("p2_run_ok.wat"))]), b"");
    assert_error_line(&out, "", 1, &["cannot parse --invoke `run`", "NAME(ARGS)"]);
}

#[test]
fn a_component_without_wasi_cli_run_is_a_usage_error() {
    let dir = temp_dir();
    write_file(
        dir.path(),
        "lib.wat",
        "(component (core module $m) (export \"m\" (core module $m)))",
    );
    let out = run(eddy_run(&[s(&dir.path().join("lib.wat"))]), b"");
    assert_error_line(&out, "", 1, &["exports no `wasi:cli/run@0.2.x`", "it exports: m"]);
}

#[test]
fn an_unknown_component_import_is_one_line_status_1() {
    let dir = temp_dir();
    write_file(
        dir.path(),
        "http.wat",
        r#"(component
             (import "wasi:http/outgoing-handler@0.2.0" (instance (export "nope" (func))))
             (core module $m (func (export "run") (result i32) (i32.const 0)))
             (core instance $i (instantiate $m))
             (func $run (result (result)) (canon lift (core func $i "run")))
             (instance $r (export "run" (func $run)))
             (export "wasi:cli/run@0.2.0" (instance $r)))"#,
    );
    let out = run(eddy_run(&[s(&dir.path().join("http.wat"))]), b"");
    assert_error_line(&out, "", 1, &["wasi:http/outgoing-handler@0.2.0"]);
    // With -W unknown-imports-trap=y it links; `run` never calls the import, so it runs.
    let out =
        run(eddy_run(&["-W", "unknown-imports-trap=y", s(&dir.path().join("http.wat"))]), b"");
    assert_run(&out, "", "", 0);
}

#[test]
fn components_go_through_the_compile_cache() {
    let cache = temp_dir();
    let prog = program("p2_exit_with_code.wat");
    let runit = || {
        let mut cmd = eddy_run(&[s(&prog)]);
        cmd.env("EDDY_CACHE_DIR", cache.path()).env("EDDY_LOG", "info");
        run(cmd, b"")
    };
    let first = runit();
    assert_eq!(first.status.code(), Some(7), "{}", describe(&first));
    assert!(String::from_utf8_lossy(&first.stderr).starts_with("compile cache: stored "));
    let second = runit();
    assert_eq!(second.status.code(), Some(7), "{}", describe(&second));
    assert!(
        String::from_utf8_lossy(&second.stderr).starts_with("compile cache: hit "),
        "{}",
        describe(&second)
    );
}

#[test]
fn compile_then_run_a_precompiled_component() {
    let dir = temp_dir();
    let out_path = dir.path().join("exit7.cwasm");
    let mut cmd = eddy();
    cmd.args(["compile", s(&program("p2_exit_with_code.wat")), "-o", s(&out_path)]);
    let out = run(cmd, b"");
    assert_run(&out, "", "", 0);
    let out = run(eddy_run(&["--allow-precompiled", s(&out_path)]), b"");
    assert_run(&out, "", "", 7);
}
