//! wasi:cli/environment (get-arguments, get-environment) through the preview1 adapter: the
//! C guest p1_args_env adapted into a component prints exactly what it prints as a core
//! module (see p1_args_env.rs).

mod common;
use common::*;

#[test]
fn args_and_env_are_passed_exactly_to_a_component() {
    let prog = component::component_str("p1_args_env");
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
         env[3]: [EDDY_TEST_VAR=from host]\n\
         env_buf_size matches: yes\n\
         env_buf not overrun: yes\n\
         getenv EDDY_TEST_VAR: from host\n"
    );
    assert_run(&out, &expected, "", 0);
}

#[test]
fn argv0_override_reaches_a_component() {
    let prog = component::component_str("p1_args_env");
    let out = run(eddy_run(&["--argv0", "custom-name", &prog, "x"]), b"");
    let expected = "args_sizes_get: ok\n\
         argc: 2\n\
         args_get: ok\n\
         argv[0]: [custom-name]\n\
         argv[1]: [x]\n\
         argv_buf_size matches: yes\n\
         argv_buf not overrun: yes\n\
         argv pointers inside argv_buf: yes\n\
         environ_sizes_get: ok\n\
         envc: 0\n\
         environ_get: ok\n\
         env_buf_size matches: yes\n\
         env_buf not overrun: yes\n\
         getenv EDDY_TEST_VAR: (unset)\n";
    assert_run(&out, expected, "", 0);
}
