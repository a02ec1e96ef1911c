//! Piped stdin read to EOF and echoed (guest: p1_stdin).
//! Each guest runs both as a preview1 core module and adapted into a WASI 0.2 component
//! (`component::both_abis`), with identical expected output.

mod common;
use common::*;

#[test]
fn echoes_text() {
    for prog in component::both_abis("p1_stdin") {
        let out = run(eddy_run(&[&prog]), b"hello\nworld\n");
        assert_run(&out, "hello\nworld\n", "stdin: 12 bytes\n", 0);
    }
}

#[test]
fn echoes_large_binary_input_exactly() {
    for prog in component::both_abis("p1_stdin") {
        // 3 MiB + 7 bytes covering every byte value, NULs and newlines included.
        let data: Vec<u8> =
            (0..(3 << 20) + 7u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let out = run(eddy_run(&[&prog]), &data);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        assert_eq!(String::from_utf8_lossy(&out.stderr), format!("stdin: {} bytes\n", data.len()));
        assert!(
            out.stdout == data,
            "stdout differs from stdin ({} vs {} bytes)",
            out.stdout.len(),
            data.len()
        );
    }
}

#[test]
fn empty_pipe_is_eof() {
    for prog in component::both_abis("p1_stdin") {
        let out = run(eddy_run(&[&prog]), b"");
        assert_run(&out, "", "stdin: 0 bytes\n", 0);
    }
}

#[test]
fn null_stdin_is_eof() {
    for prog in component::both_abis("p1_stdin") {
        let out = run_null_stdin(eddy_run(&[&prog]));
        assert_run(&out, "", "stdin: 0 bytes\n", 0);
    }
}
