//! WASI 0.3 commands from Rust guests (tests/programs/rust/p3_rs_*, `wasip3` crate, built for
//! wasm32-wasip2 by scripts/build-rust-guests.sh): `wasi:cli/run@0.3.x` called on the event
//! loop; cli (arguments, environment, stdin/stdout/stderr streams, exit codes), clocks and
//! random; 1 000 concurrent timers; 0.2 and 0.3 stdout interleaved in one component; `-S p3`,
//! `-W component-model-async` and `-W timeout`.

mod common;
use common::*;

/// The path of the built p3 guest `name` (a component already).
fn guest(name: &str) -> String {
    rust_guest::module(name).to_str().expect("path is UTF-8").to_owned()
}

/// The lines every p3_rs_cli run prints after the stdin echo.
const CLOCKS_AND_RANDOM: &str = "monotonic now>0: true\n\
    system now>1600000000: true\n\
    random 16 bytes\n\
    insecure 8 bytes\n\
    insecure-seed ok\n";

#[test]
fn cli_arguments_environment_and_stdio_streams() {
    let prog = guest("p3_rs_cli");
    let out = run(eddy_run(&["--env", "GREETING=hi", &prog, "a", "b c"]), b"hello\nworld\nlast");
    let expected = format!(
        "arg[0]=p3_rs_cli.wasm\narg[1]=a\narg[2]=b c\nGREETING=hi\ninitial-cwd=None\n\
         HELLO\nWORLD\nLAST\nstdin: 16 bytes, result ok=true\n{CLOCKS_AND_RANDOM}returning ok\n"
    );
    let stderr = "stderr: 6 bytes\nstderr: 6 bytes\nstderr: 4 bytes\n";
    assert_run(&out, &expected, stderr, 0);
}

#[test]
fn exit_with_code_and_run_returning_err() {
    let prog = guest("p3_rs_cli");
    let out = run(eddy_run(&[&prog, "exit=7"]), b"");
    let expected = format!(
        "arg[0]=p3_rs_cli.wasm\narg[1]=exit=7\nGREETING unset\ninitial-cwd=None\n\
         stdin: 0 bytes, result ok=true\n{CLOCKS_AND_RANDOM}exit-with-code 7\n"
    );
    assert_run(&out, &expected, "", 7);

    let out = run(eddy_run(&[&prog, "fail"]), b"x\n");
    let expected = format!(
        "arg[0]=p3_rs_cli.wasm\narg[1]=fail\nGREETING unset\ninitial-cwd=None\n\
         X\nstdin: 2 bytes, result ok=true\n{CLOCKS_AND_RANDOM}returning err\n"
    );
    assert_run(&out, &expected, "stderr: 2 bytes\n", 1);
}

#[test]
fn stdin_from_a_file_is_read_through_the_stream() {
    let dir = temp_dir();
    write_file(dir.path(), "in.txt", "from a file\n");
    let prog = guest("p3_rs_cli");
    let out = run_file_stdin(eddy_run(&[&prog]), &dir.path().join("in.txt"));
    let expected = format!(
        "arg[0]=p3_rs_cli.wasm\nGREETING unset\ninitial-cwd=None\n\
         FROM A FILE\nstdin: 12 bytes, result ok=true\n{CLOCKS_AND_RANDOM}returning ok\n"
    );
    assert_run(&out, &expected, "stderr: 12 bytes\n", 0);
}

#[test]
fn a_thousand_concurrent_timers_take_about_one_timer() {
    // 1000 tasks each wait 200 ms: the guest checks that every wait took >= 200 ms and that
    // all of them together took less than max(N*D/10, 2*D) = 20 s (`concurrent: yes`); run
    // one after another they would take 200 s.
    let out = run(eddy_run(&[&guest("p3_rs_timers"), "1000", "200"]), b"");
    let expected = "1000 timers done\neach waited >= 200 ms: yes\nconcurrent: yes\nwait-until ok\n";
    assert_run(&out, expected, "", 0);
}

#[test]
fn std_println_and_the_p3_stdout_stream_interleave_in_program_order() {
    // std's println! goes through wasi:cli/stdout@0.2.6, the stream through @0.3.x: one fd.
    let out = run(eddy_run(&[&guest("p3_rs_mixed")]), b"");
    assert_run(&out, "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n", "", 0);
}

#[test]
fn without_p3_the_component_does_not_link() {
    let out = run(eddy_run(&["-S", "p3=n", &guest("p3_rs_cli")]), b"");
    assert_error_line(&out, "", 1, &["imports `wasi:cli/", "@0.3.2` (WASI 0.3)", "-S p3=n"]);
}

#[test]
fn without_component_model_async_the_component_does_not_compile() {
    let out = run(eddy_run(&["-W", "component-model-async=n", &guest("p3_rs_timers")]), b"");
    assert_error_line(&out, "", 1, &["requires the component model async feature"]);
}

#[test]
fn timeout_stops_a_guest_waiting_on_a_timer() {
    // Ten tasks waiting 60 s each: -W timeout=1s ends the run with the interrupt trap.
    let start = std::time::Instant::now();
    let out = run(eddy_run(&["-W", "timeout=1s", &guest("p3_rs_timers"), "10", "60000"]), b"");
    assert_trap(&out, "", &["interrupt"]);
    assert!(start.elapsed() < std::time::Duration::from_secs(30), "took {:?}", start.elapsed());
}

#[test]
fn invoke_calls_an_async_lifted_export_on_the_loop() {
    // `run` of wasi:cli/run@0.3.2 is async-lifted: --invoke calls it inside the concurrent
    // loop and prints its result in WAVE after the guest's own output.
    let prog = guest("p3_rs_timers");
    let out = run(eddy_run(&["--invoke", "wasi:cli/run@0.3.2#run()", &prog]), b"");
    let expected =
        "1000 timers done\neach waited >= 200 ms: yes\nconcurrent: yes\nwait-until ok\nok\n";
    assert_run(&out, expected, "", 0);
}

#[test]
fn dropped_streams_release_their_host_side_at_once() {
    // 3000 stdin streams (a pipe: each registered with the reactor) dropped unread and 3000
    // stderr streams ended at once, under a limit of 64 open fds: each stdin stream holds a
    // duplicate of the fd, so one kept after its drop would exhaust the limit.
    let prog = guest("p3_rs_cli");
    let cmd = with_nofile_limit(&eddy_run(&[&prog, "drop=3000"]), 64);
    let out = run(cmd, b"");
    let expected = format!(
        "arg[0]=p3_rs_cli.wasm\narg[1]=drop=3000\nGREETING unset\ninitial-cwd=None\n\
         stdin: 0 bytes, result ok=true\n{CLOCKS_AND_RANDOM}\
         dropped 3000 stdin and 3000 stderr streams\nreturning ok\n"
    );
    assert_run(&out, &expected, "", 0);
}

/// What p3_rs_fs prints on a writable `/data` (the same as the wasmtime 49 CLI prints).
const FS_STEPS: &str = "preopen /data ok
open-at out.txt create ok
write-via-stream 1048576 bytes in 16 chunks ok
read back 1048576 bytes ok
append-via-stream ok
stat size 1048581 type regular-file
create-directory-at sub ok
rename-at out.txt moved.txt ok, old name: no-entry
symlink-at link.txt -> moved.txt ok
symlink-at absolute target: not-permitted
read-directory: link.txt moved.txt sub
metadata-hash same file equal: true, other file differs: true
is-same-object same: true, other: false
open-at ../escape: not-permitted
open-at missing.txt: no-entry
unlink-file-at, remove-directory-at ok; read-directory: moved.txt
";

#[test]
fn filesystem_streams_and_descriptor_methods() {
    let data = temp_dir();
    let prog = guest("p3_rs_fs");
    let out = run(eddy_run(&["--dir", &dir_arg(data.path(), "/data"), &prog]), b"");
    assert_run(&out, FS_STEPS, "", 0);
    // It leaves exactly moved.txt: 1 MiB of its pattern and the 5 appended bytes.
    let left: Vec<String> = std::fs::read_dir(data.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(left, ["moved.txt"]);
    assert_eq!(std::fs::metadata(data.path().join("moved.txt")).unwrap().len(), 1_048_581);
    // A second run in the same directory gives the same answers.
    let out = run(eddy_run(&["--dir", &dir_arg(data.path(), "/data"), &prog]), b"");
    assert_run(&out, FS_STEPS, "", 0);
}

#[test]
fn filesystem_without_the_preopen_or_read_only() {
    let prog = guest("p3_rs_fs");
    let out = run(eddy_run(&[&prog]), b"");
    assert_run(&out, "FAILED: no preopen /data\n", "", 1);
    // Read-only: the first write (open-at with create) is refused.
    let data = temp_dir();
    let ro = format!("{}:ro", dir_arg(data.path(), "/data"));
    let out = run(eddy_run(&["--dir", &ro, &prog]), b"");
    assert_run(&out, "preopen /data ok\nFAILED: open-at out.txt: not-permitted\n", "", 1);
    assert!(std::fs::read_dir(data.path()).unwrap().next().is_none(), "nothing written");
}

#[test]
fn tcp_echo_udp_and_name_lookup_on_loopback() {
    // 100 concurrent connections, each echoing 64 KiB, one task each; then UDP both ways and
    // a lookup of localhost.
    let prog = guest("p3_rs_tcp");
    let granted = ["-S", "inherit-network", "-S", "allow-ip-name-lookup"];
    let out = run(eddy_run(&[&granted[..], &[prog.as_str()]].concat()), b"");
    let ok = "tcp listen 127.0.0.1 ok\n100 echoes ok\nudp ok\nlookup localhost ok\n";
    assert_run(&out, ok, "", 0);
    // 1000 connections at once in one component.
    let out = run(eddy_run(&[&granted[..], &[prog.as_str(), "1000"]].concat()), b"");
    assert_run(&out, &ok.replace("100 echoes", "1000 echoes"), "", 0);
}

#[test]
fn sockets_under_the_network_policy() {
    let prog = guest("p3_rs_tcp");
    // Nothing granted: creating the socket needs no grant, binding it does.
    let out = run(eddy_run(&[&prog]), b"");
    assert_run(&out, "FAILED: bind: access-denied\n", "", 1);
    // Addresses allow-listed, name lookup not granted.
    let out = run(
        eddy_run(&[
            "--allow-bind",
            "127.0.0.1:0",
            "--allow-connect",
            "127.0.0.1:1-65535",
            &prog,
            "10",
        ]),
        b"",
    );
    let expected = "tcp listen 127.0.0.1 ok\n10 echoes ok\nudp ok\n\
                    FAILED: resolve-addresses: access-denied\n";
    assert_run(&out, expected, "", 1);
}
