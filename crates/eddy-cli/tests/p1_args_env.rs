//! args_sizes_get, args_get, environ_sizes_get, environ_get (guest: p1_args_env).
//! Each guest runs both as a preview1 core module and adapted into a WASI 0.2 component
//! (`component::both_abis`), with identical expected output.

mod common;
use common::*;

/// The trailer printed after the environment lines.
fn env_tail(getenv: &str) -> String {
    format!("env_buf_size matches: yes\nenv_buf not overrun: yes\ngetenv EDDY_TEST_VAR: {getenv}\n")
}

#[test]
fn args_and_env_are_passed_exactly() {
    for prog in component::both_abis("p1_args_env") {
        let mut cmd = eddy_run(&[
            "--env",
            "A=1",
            "--env",
            "B=x=y",
            "--env",
            "EMPTY=",
            "--env",
            "EDDY_TEST_VAR",
            &prog,
            "a",
            "b c",
            "",
            "héllo",
            "--not-an-eddy-flag",
        ]);
        // Inherited only because of `--env EDDY_TEST_VAR`; EDDY_TEST_LEAK must not reach the guest.
        cmd.env("EDDY_TEST_VAR", "from host").env("EDDY_TEST_LEAK", "1");
        let out = run(cmd, b"");
        let expected = format!(
            "args_sizes_get: ok\n\
         argc: 6\n\
         args_get: ok\n\
         argv[0]: [{prog}]\n\
         argv[1]: [a]\n\
         argv[2]: [b c]\n\
         argv[3]: []\n\
         argv[4]: [héllo]\n\
         argv[5]: [--not-an-eddy-flag]\n\
         argv_buf_size matches: yes\n\
         argv_buf not overrun: yes\n\
         argv pointers inside argv_buf: yes\n\
         environ_sizes_get: ok\n\
         envc: 4\n\
         environ_get: ok\n\
         env[0]: [A=1]\n\
         env[1]: [B=x=y]\n\
         env[2]: [EMPTY=]\n\
         env[3]: [EDDY_TEST_VAR=from host]\n{}",
            env_tail("from host")
        );
        assert_run(&out, &expected, "", 0);
    }
}

#[test]
fn argv0_override_and_no_inherited_environment() {
    for prog in component::both_abis("p1_args_env") {
        let mut cmd = eddy_run(&["--argv0", "custom-name", &prog, "x"]);
        cmd.env("EDDY_TEST_VAR", "from host");
        let out = run(cmd, b"");
        let expected = format!(
            "args_sizes_get: ok\n\
         argc: 2\n\
         args_get: ok\n\
         argv[0]: [custom-name]\n\
         argv[1]: [x]\n\
         argv_buf_size matches: yes\n\
         argv_buf not overrun: yes\n\
         argv pointers inside argv_buf: yes\n\
         environ_sizes_get: ok\n\
         envc: 0\n\
         environ_get: ok\n{}",
            env_tail("(unset)")
        );
        assert_run(&out, &expected, "", 0);
    }
}

#[test]
fn argv0_is_the_file_exactly_as_given() {
    // A relative path, run from the directory that contains the program.
    let prog = program("p1_args_env");
    let dir = prog.parent().unwrap();
    let mut cmd = eddy_run(&["./p1_args_env.wasm"]);
    cmd.current_dir(dir);
    let out = run(cmd, b"");
    let expected = format!(
        "args_sizes_get: ok\n\
         argc: 1\n\
         args_get: ok\n\
         argv[0]: [./p1_args_env.wasm]\n\
         argv_buf_size matches: yes\n\
         argv_buf not overrun: yes\n\
         argv pointers inside argv_buf: yes\n\
         environ_sizes_get: ok\n\
         envc: 0\n\
         environ_get: ok\n{}",
        env_tail("(unset)")
    );
    assert_run(&out, &expected, "", 0);
}
