//! wasi:filesystem (descriptor read/write/stat/set-size/set-times/advise/sync/open-at/
//! stat-at, preopens) and wasi:io streams on files and stdio, through the preview1 adapter:
//! the C guest p1_fd_basic adapted into a component (see p1_fd.rs for the core-module run).
//!
//! The output is p1_fd_basic's under preview1 except where the *adapter* (not Eddy) behaves
//! differently, each difference checked below:
//! - the adapter's `fd_write`/`fd_read`/`fd_pread` move only the first non-empty iovec (a
//!   short transfer, which preview1 allows): "gather: ok 5", "scatter: ok 4", "ok 3";
//! - `fd_allocate` is gone from WASI 0.2: the adapter answers `ENOTSUP` (58), so the file
//!   stays 8 bytes there;
//! - the adapter keeps no rights: `fd_fdstat_set_rights` succeeds without dropping
//!   `FD_WRITE`, so the writes after it succeed ("nope" is written and "HELLO" overwrites).

mod common;
use common::*;

#[test]
fn fd_basic_as_a_component() {
    let tmp = temp_dir();
    let root = tmp.path();
    write_file(root, "input.txt", "0123456789abcdef");
    let prog = component::component_str("p1_fd_basic");
    let out = run(eddy_run(&["--dir", &dir_arg(root, "/sandbox"), &prog]), b"");
    assert_run(
        &out,
        r#"fd_prestat_get 3: ok
prestat tag: 0 name_len: 8
fd_prestat_dir_name 3: ok
preopen name: [/sandbox]
fd_fdstat_get 3: ok
preopen filetype: 3
preopen has PATH_OPEN right: yes
preopen has FD_READDIR right: yes
fd_fdstat_get 0: ok
fd_fdstat_get 1: ok
fd_fdstat_get 2: ok
path_open out.txt creat|trunc: ok
fd_fdstat_get out.txt: ok
file filetype: 4 flags: 0
file has FD_READ|FD_WRITE|FD_SEEK: yes
fd_write gather: ok 5
fd_write zero iovecs: ok 0
fd_tell: ok
position: 13
fd_seek 0 set: ok
position: 0
fd_read scatter: ok 4
iov0: "hell"
iov1: "...."
iov2: ".........."
fd_read at eof: ok 0
fd_seek -6 end: ok
position: 7
read after seek end: "world\n"
fd_seek +5 cur: ok
position: 5
fd_seek -2 cur: ok
position: 3
fd_seek 0 cur: ok
position: 3
fd_seek 100 set (past end): ok
position: 100
fd_read past end: ok 0
fd_pwrite at 0: ok 5
position after pwrite: 100
fd_pread at 0: ok 5
pread data: "HELLO"
fd_pread scatter at 7: ok 3
pread iov0: "wor"
pread iov1: ".........."
fd_pread at eof: ok 0
fd_pread past eof: ok 0
position after pread: 100
fd_filestat_get: filetype 4 size 13 nlink 1
path_filestat_get out.txt: ok
same dev and ino as fd_filestat_get: yes
fd_filestat_set_size 3: ok
size: 3
contents: "HEL"
fd_filestat_set_size 8: ok
size: 8
contents: "HEL\x00\x00\x00\x00\x00"
fd_filestat_set_times atim|mtim: ok
atim: 1500000000.000000000
mtim: 1600000000.000000005
fd_filestat_set_times mtim_now: ok
mtim is now (within 60s): yes
atim unchanged: 1500000000.000000000
fd_filestat_set_times atim_now: ok
atim is now (within 60s): yes
fd_filestat_set_times no flags: ok
fd_advise normal: ok
fd_advise sequential: ok
fd_advise random: ok
fd_advise willneed: ok
fd_advise dontneed: ok
fd_advise noreuse: ok
fd_allocate 0+100: errno 58
size: 8
fd_allocate 10+5 (inside): errno 58
size: 8
fd_datasync: ok
fd_sync: ok
fd_fdstat_set_flags append: ok
flags: 1
append write: ok 1
position after append: 101
size: 101
start still: "HEL"
fd_fdstat_set_flags 0: ok
flags: 0
fd_fdstat_set_rights drop FD_WRITE: ok
FD_WRITE gone: no
FD_READ kept: yes
fd_write without FD_WRITE: ok
fd_pwrite without FD_WRITE: ok
fd_pread still allowed: ok 5
fd_fdstat_set_rights add FD_WRITE back: ok
path_open input.txt: ok
input.txt: "0123456789abcdef"
new fd differs from stdio and preopen: yes
fd_renumber out -> in: ok
renumbered fd reads out.txt: "HEL"
fd_fdstat_get old number: errno 8
fd_close: ok
path_open . directory: ok
dir filetype: 3
dir filestat filetype: 3
fd_close dir: ok
raw stdout
fd_write stdout: ok 11
fd_write stderr: ok 11
"#,
        "raw stderr\n",
        0,
    );
    // "HELLO" (the pwrite the adapter did not refuse), zeros up to 100 bytes, the appended
    // "Z", then "nope" (the write the adapter did not refuse).
    let mut expected = b"HELLO".to_vec();
    expected.resize(100, 0);
    expected.extend_from_slice(b"Znope");
    assert_eq!(std::fs::read(root.join("out.txt")).unwrap(), expected);
    assert_eq!(std::fs::read(root.join("input.txt")).unwrap(), b"0123456789abcdef");
}
