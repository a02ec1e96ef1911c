//! The `eddy run` command line around preview1 modules: `.wat` input (guest: p1_hello.wat),
//! load errors (guests: p1_unknown_import.wat, p1_unknown_module.wat, p1_wrong_import_type.wat,
//! plus a missing file and invalid bytes), `--invoke` on a reactor (guest: p1_reactor_add.wat) and usage errors.

mod common;
use common::*;

#[test]
fn wat_command_runs_as_text() {
    let out = run(eddy_run(&[s(&program("p1_hello.wat"))]), b"");
    assert_run(&out, "hello from wat\n", "", 0);
}

#[test]
fn unknown_import_is_a_load_error() {
    let out = run(eddy_run(&[s(&program("p1_unknown_import.wat"))]), b"");
    assert_error_line(&out, "", 1, &["wasi_snapshot_preview1::not_a_real_function"]);
}

#[test]
fn wrong_import_type_is_a_load_error_naming_the_import() {
    let out = run(eddy_run(&[s(&program("p1_wrong_import_type.wat"))]), b"");
    assert_error_line(
        &out,
        "",
        1,
        &["import `wasi_snapshot_preview1::fd_write` has the wrong type: \
           expected `(func (param i32 i32 i32 i32) (result i32))`, \
           found `(func (param i32 i32) (result i32))`"],
    );
}

#[test]
fn unknown_import_module_is_a_load_error() {
    let out = run(eddy_run(&[s(&program("p1_unknown_module.wat"))]), b"");
    assert_error_line(&out, "", 1, &["env::host_thing"]);
}

#[test]
fn missing_file_is_a_load_error() {
    let tmp = temp_dir();
    let missing = tmp.path().join("does-not-exist.wasm");
    let out = run(eddy_run(&[s(&missing)]), b"");
    assert_error_line(&out, "", 1, &[s(&missing)]);
}

#[test]
fn invalid_wasm_is_a_load_error() {
    let tmp = temp_dir();
    let bad = tmp.path().join("garbage.wasm");
    std::fs::write(&bad, b"\0asm\x01\0\0\0this is not a module").unwrap();
    let out = run(eddy_run(&[s(&bad)]), b"");
    assert_error_line(&out, "", 1, &[s(&bad)]);
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = run(eddy_run(&["--no-such-flag", s(&program("p1_hello.wat"))]), b"");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-such-flag"), "{}", describe(&out));
}

fn invoke(name: &str, args: &[&str]) -> std::process::Output {
    let mut cmd = eddy_run(&["--invoke", name, s(&program("p1_reactor_add.wat"))]);
    cmd.args(args);
    run(cmd, b"")
}

#[test]
fn invoke_runs_initialize_first_and_prints_the_result() {
    assert_run(&invoke("add", &["2", "3"]), "5\n", "", 0);
    assert_run(&invoke("add", &["-7", "2"]), "-5\n", "", 0);
}

#[test]
fn invoke_parses_each_value_type() {
    assert_run(&invoke("add_i64", &["9000000000", "1"]), "9000000001\n", "", 0);
    assert_run(&invoke("add_f32", &["1.5", "2.25"]), "3.75\n", "", 0);
    assert_run(&invoke("add_f64", &["0.5", "0.25"]), "0.75\n", "", 0);
}

#[test]
fn invoke_without_results_prints_nothing_more() {
    assert_run(&invoke("say", &[]), "side effect\n", "", 0);
}

#[test]
fn invoke_arguments_after_the_file_are_all_the_functions() {
    // Eddy's flags and `--` after FILE are arguments of the invoked function, not options.
    assert_error_line(&invoke("add", &["2", "--dir", "/"]), "", 1, &["`add` takes 2", "3 given"]);
    assert_error_line(&invoke("add", &["--", "2", "3"]), "", 1, &["`add` takes 2", "3 given"]);
    assert_error_line(&invoke("add", &["2", "-W", "fuel=1"]), "", 1, &["`add` takes 2", "3 given"]);
}
