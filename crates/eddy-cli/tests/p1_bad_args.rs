//! Bad arguments: out-of-range enum values and undefined flag bits (guest: p1_bad_args) and
//! out-of-bounds guest pointers (guest: p1_bad_pointers.wat). Each hostcall returns an errno;
//! none traps or crashes the host.

mod common;
use common::*;

#[test]
fn bad_enum_and_flag_values_are_einval() {
    let tmp = temp_dir();
    let root = tmp.path();
    write_file(root, "file.txt", "data");
    let before = snapshot(root);
    let out =
        run(eddy_run(&["--dir", &dir_arg(root, "/sandbox"), s(&program("p1_bad_args"))]), b"");
    assert_run(
        &out,
        "path_open file.txt: ok
clock_res_get id=4: errno 28
clock_time_get id=4: errno 28
clock_time_get id=0xffffffff: errno 28
fd_seek whence=3: errno 28
fd_seek whence=255: errno 28
fd_advise advice=6: errno 28
path_open oflags=0x10: errno 28
path_open fdflags=0x20: errno 28
path_open lookupflags=0x2: errno 28
fd_fdstat_set_flags 0x20: errno 28
fd_filestat_set_times fstflags=0x10: errno 28
path_filestat_set_times fstflags=0x10: errno 28
poll_oneoff eventtype=3: errno 28
still running
",
        "",
        0,
    );
    assert_eq!(snapshot(root), before);
}

#[test]
fn bad_pointers_are_efault() {
    let tmp = temp_dir();
    let root = tmp.path();
    let out = run(
        eddy_run(&[
            "--dir",
            &dir_arg(root, "/sandbox"),
            "--env",
            "A=B",
            s(&program("p1_bad_pointers.wat")),
        ]),
        b"xyz",
    );
    assert_run(
        &out,
        "random_get last byte of memory: ok
random_get zero length at end of memory: ok
fd_write zero-length buffer at end of memory: ok
clock_time_get result in last 8 bytes: ok
fd_write iovec array straddles end of memory: errno 21
fd_write iovec array starts at end of memory: errno 21
fd_write iovec array far out of bounds: errno 21
fd_write iovs_len overflows: errno 21
fd_write buffer past end: errno 21
fd_write buffer wraps around 4GiB: errno 21
fd_write nwritten out of bounds: errno 21
fd_read buffer past end: errno 21
fd_read iovs_len overflows: errno 21
args_sizes_get result out of bounds: errno 21
args_get argv out of bounds: errno 21
args_get argv_buf out of bounds: errno 21
environ_sizes_get result out of bounds: errno 21
environ_get environ_buf out of bounds: errno 21
clock_time_get result straddles end: errno 21
clock_res_get result out of bounds: errno 21
random_get buffer past end: errno 21
fd_prestat_dir_name buffer past end: errno 21
fd_fdstat_get result out of bounds: errno 21
fd_filestat_get result straddles end: errno 21
path_open path past end: errno 21
path_filestat_get path wraps around 4GiB: errno 21
path_symlink old_path past end: errno 21
fd_readdir buffer past end: errno 21
poll_oneoff subscriptions past end: errno 21
poll_oneoff events past end: errno 21
survived
",
        "",
        0,
    );
    assert_eq!(listing(root), "", "a call with a bad pointer changed the sandbox");
}
