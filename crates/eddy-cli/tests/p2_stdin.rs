//! wasi:cli stdin/stdout/stderr and wasi:io streams (input-stream blocking-read,
//! output-stream blocking-write-and-flush) through the preview1 adapter: the C guest
//! p1_stdin adapted into a component, with exactly p1_stdin's output (see p1_stdin.rs).

mod common;
use common::*;

#[test]
fn echoes_text_as_a_component() {
    let out = run(eddy_run(&[&component::component_str("p1_stdin")]), b"hello\nworld\n");
    assert_run(&out, "hello\nworld\n", "stdin: 12 bytes\n", 0);
}

#[test]
fn echoes_large_binary_input_exactly_as_a_component() {
    let data: Vec<u8> =
        (0..(3 << 20) + 7u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let out = run(eddy_run(&[&component::component_str("p1_stdin")]), &data);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stderr), format!("stdin: {} bytes\n", data.len()));
    assert!(out.stdout == data, "stdout differs ({} vs {} bytes)", out.stdout.len(), data.len());
}

#[test]
fn empty_and_null_stdin_are_eof_for_a_component() {
    let out = run(eddy_run(&[&component::component_str("p1_stdin")]), b"");
    assert_run(&out, "", "stdin: 0 bytes\n", 0);
    let out = run_null_stdin(eddy_run(&[&component::component_str("p1_stdin")]));
    assert_run(&out, "", "stdin: 0 bytes\n", 0);
}
