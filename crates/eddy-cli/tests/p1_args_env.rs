//! args_sizes_get, args_get, environ_sizes_get, environ_get (guest: p1_args_env), and that
//! every word after FILE is the guest's, granting nothing (guest: p1_grants).
//! Each guest runs both as a preview1 core module and adapted into a WASI 0.2 component
//! (`component::both_abis`), with identical expected output.

mod common;
use common::*;

/// The trailer printed after the environment lines.
fn env_tail(getenv: &str) -> String {
    format!("env_buf_size matches: yes\nenv_buf not overrun: yes\ngetenv EDDY_TEST_VAR: {getenv}\n")
}

/// The argv[0] Eddy gives a program run as `path`: its base name (as wasmtime).
fn argv0(path: &str) -> String {
    std::path::Path::new(path).file_name().unwrap().to_string_lossy().into_owned()
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
         argv[0]: [{}]\n\
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
            argv0(&prog),
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
fn argv0_is_the_file_s_base_name() {
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
         argv[0]: [p1_args_env.wasm]\n\
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

/// Eddy's own flags, written after FILE: the guest's arguments, verbatim.
fn eddy_flags_after_file(tmp: &std::path::Path) -> Vec<String> {
    [
        "--dir",
        s(tmp),
        "-S",
        "inherit-env",
        "--env",
        "A=1",
        "--",
        "--argv0",
        "x",
        "--allow-connect",
        "127.0.0.1:1",
        "--",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect()
}

/// What p1_grants prints when it got `args` (argv[0] included) and nothing else: no preopen,
/// no environment, the last argument not openable.
fn nothing_granted(args: &[String]) -> String {
    let mut out = format!("argc: {}\n", args.len());
    for (i, a) in args.iter().enumerate() {
        let a = if i == 0 { argv0(a) } else { a.clone() };
        out.push_str(&format!("argv[{i}]: [{a}]\n"));
    }
    out.push_str("preopens: 0\nenviron_sizes_get: ok\nenvc: 0\nopen last argument: errno 76\n");
    out
}

#[test]
fn eddy_flags_after_the_file_are_guest_arguments_and_grant_nothing() {
    let tmp = temp_dir();
    let secret = tmp.path().join("secret.txt");
    write_file(tmp.path(), "secret.txt", "secret");
    for prog in component::both_abis("p1_grants") {
        // The flags come right after FILE, where clap would otherwise take them as Eddy's.
        let mut args = vec![prog.clone()];
        args.extend(eddy_flags_after_file(tmp.path()));
        args.push(s(&secret).to_string());
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut cmd = eddy_run(&argv);
        cmd.env("EDDY_TEST_VAR", "from host");
        let out = run(cmd, b"");
        assert_run(&out, &nothing_granted(&args), "", 0);

        // The bare form `eddy FILE ARGS...` is the same.
        let mut cmd = eddy();
        cmd.args(&argv).env("EDDY_TEST_VAR", "from host");
        let out = run(cmd, b"");
        assert_run(&out, &nothing_granted(&args), "", 0);
    }
}

#[test]
fn the_same_flags_before_the_file_do_grant() {
    // The control for the test above: before FILE, `--dir` and `-S inherit-env` grant.
    let tmp = temp_dir();
    let secret = tmp.path().join("secret.txt");
    write_file(tmp.path(), "secret.txt", "secret");
    let prog = program_str("p1_grants");
    let mut cmd = eddy_run(&["--dir", s(tmp.path()), "--env", "A=1", &prog, s(&secret)]);
    cmd.env("EDDY_TEST_VAR", "from host");
    let out = run(cmd, b"");
    let expected = format!(
        "argc: 2\nargv[0]: [{}]\nargv[1]: [{}]\npreopen fd 3: [{}]\npreopens: 1\n\
         environ_sizes_get: ok\nenvc: 1\nopen last argument: ok, read [secret]\n",
        argv0(&prog),
        s(&secret),
        s(tmp.path())
    );
    assert_run(&out, &expected, "", 0);
}

#[test]
fn a_double_dash_right_after_the_file_reaches_the_guest() {
    for prog in component::both_abis("p1_args_env") {
        let out = run(eddy_run(&[&prog, "--", "a", "--"]), b"");
        let expected = format!(
            "args_sizes_get: ok\n\
             argc: 4\n\
             args_get: ok\n\
             argv[0]: [{}]\n\
             argv[1]: [--]\n\
             argv[2]: [a]\n\
             argv[3]: [--]\n\
             argv_buf_size matches: yes\n\
             argv_buf not overrun: yes\n\
             argv pointers inside argv_buf: yes\n\
             environ_sizes_get: ok\n\
             envc: 0\n\
             environ_get: ok\n{}",
            argv0(&prog),
            env_tail("(unset)")
        );
        assert_run(&out, &expected, "", 0);
    }
}
