//! wasi:io streams and poll, wasi:clocks subscribe-duration and wasi:cli terminal-stdout as
//! a component calls them directly (guest: p2_streams.wat, importing the 0.2.0 versions):
//! write, write-zeroes, check-write, blocking-splice from stdin, output-stream subscribe,
//! poll over four pollables, pollable.ready/block, get-terminal-stdout.

mod common;
use common::*;

#[test]
fn streams_poll_and_terminal_on_pipes() {
    let out = run(eddy_run(&[s(&program("p2_streams.wat"))]), b"abc\n");
    assert_run(
        &out,
        "hello\n\0\0\0\nabc\nsplice:4\ncheck-write:1\npoll:12\nready:01\nterminal-stdout: none\n",
        "",
        0,
    );
}

#[test]
fn terminal_stdout_is_reported_on_a_tty() {
    // util-linux `script` runs eddy with stdout on a pseudo-terminal (which turns "\n" into
    // "\r\n"); stdin still comes from a file.
    let dir = temp_dir();
    write_file(dir.path(), "in.txt", "abc\n");
    let cmdline = format!(
        "'{}' run '{}' < '{}'",
        env!("CARGO_BIN_EXE_eddy"),
        s(&program("p2_streams.wat")),
        s(&dir.path().join("in.txt"))
    );
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &cmdline, "/dev/null"]).env("EDDY_CACHE_DIR", cache_dir());
    let out = run(cmd, b"");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    assert!(text.ends_with("ready:01\nterminal-stdout: some\n"), "{}", describe(&out));
}
