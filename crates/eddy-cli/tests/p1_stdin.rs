//! Piped stdin read to EOF and echoed (guest: p1_stdin).

mod common;
use common::*;

#[test]
fn echoes_text() {
    let out = run(eddy_run(&[s(&program("p1_stdin"))]), b"hello\nworld\n");
    assert_run(&out, "hello\nworld\n", "stdin: 12 bytes\n", 0);
}

#[test]
fn echoes_large_binary_input_exactly() {
    // 3 MiB + 7 bytes covering every byte value, NULs and newlines included.
    let data: Vec<u8> =
        (0..(3 << 20) + 7u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let out = run(eddy_run(&[s(&program("p1_stdin"))]), &data);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stderr), format!("stdin: {} bytes\n", data.len()));
    assert!(
        out.stdout == data,
        "stdout differs from stdin ({} vs {} bytes)",
        out.stdout.len(),
        data.len()
    );
}

#[test]
fn empty_pipe_is_eof() {
    let out = run(eddy_run(&[s(&program("p1_stdin"))]), b"");
    assert_run(&out, "", "stdin: 0 bytes\n", 0);
}

#[test]
fn null_stdin_is_eof() {
    let out = run_null_stdin(eddy_run(&[s(&program("p1_stdin"))]));
    assert_run(&out, "", "stdin: 0 bytes\n", 0);
}
