//! Large reads (guest: p1_bigread): a 300007-byte file in 64 KiB reads, after a seek, and in
//! 5000-byte reads; after it grows and after it is truncated under the open fd; then stdin
//! (a regular file) in 64 KiB reads; every read size and an FNV
//! hash of the bytes are printed. Under the component ABI these reads take the direct path
//! (bytes read by the OS straight into guest memory, see eddy-wasi `p2::io::direct`), so the
//! expected output, identical for both ABIs, checks its offsets, lengths and bytes.

mod common;
use common::*;

/// Byte `i` of the test data: every value, no period short enough to hide an offset error.
fn data(len: usize) -> Vec<u8> {
    (0..len as u64).map(|i| ((i * 2_654_435_761) >> 13) as u8).collect()
}

#[test]
fn large_reads_at_every_offset_are_exact() {
    let dir = temp_dir();
    write_file(dir.path(), "in.bin", data(200_000));
    for prog in component::both_abis("p1_bigread") {
        // The guest appends to and truncates the file: a fresh copy for each run.
        write_file(dir.path(), "big.bin", data(300_007));
        let cmd = eddy_run(&["--dir", &dir_arg(dir.path(), "/"), &prog, "big.bin"]);
        let out = run_file_stdin(cmd, &dir.path().join("in.bin"));
        assert_run(
            &out,
            "file 64KiB: 4x65536 1x37863 1x0 = 300007 bytes, fnv 110b098d\n\
             seek 100000: ok\n\
             file @100000 70000: 1x65536 1x4464 = 70000 bytes, fnv b3690496\n\
             file tail 5000: 26x5000 1x7 1x0 = 130007 bytes, fnv 37f7a21c\n\
             open for writing: ok\n\
             append 10: ok\n\
             file grown: 1x10 1x0 = 10 bytes, fnv f9808ff2\n\
             seek 0: ok\n\
             file first 64KiB: 1x65536 = 65536 bytes, fnv bbb97705\n\
             truncate 70000: ok\n\
             file truncated: 1x4464 1x0 = 4464 bytes, fnv 284cb4d4\n\
             stdin 64KiB: 3x65536 1x3392 1x0 = 200000 bytes, fnv adabe727\n",
            "",
            0,
        );
    }
}

#[test]
fn large_reads_from_a_pipe_keep_every_byte() {
    // Through a pipe the read sizes depend on the writer; the byte count and hash do not.
    let dir = temp_dir();
    for prog in component::both_abis("p1_bigread") {
        write_file(dir.path(), "big.bin", data(300_007));
        let out =
            run(eddy_run(&["--dir", &dir_arg(dir.path(), "/"), &prog, "big.bin"]), &data(200_000));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        let last = stdout.lines().last().unwrap_or("");
        assert!(
            last.starts_with("stdin 64KiB: ")
                && last.ends_with(" 1x0 = 200000 bytes, fnv adabe727"),
            "{}",
            describe(&out)
        );
    }
}
