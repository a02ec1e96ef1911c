//! fd_* functions on real files: success paths (guest: p1_fd_basic) and error paths
//! (guest: p1_fd_errors). p1_fd_basic also runs as a component through the preview1 adapter
//! (wasi:filesystem descriptors, preopens, and wasi:io streams on files and stdio), with the
//! same output except where the *adapter* (not Eddy) behaves differently:
//! - its `fd_write`/`fd_read`/`fd_pread` move only the first non-empty iovec (a short
//!   transfer, which preview1 allows): "gather: ok 5", "scatter: ok 4", "ok 3";
//! - `fd_allocate` is gone from WASI 0.2: the adapter answers `ENOTSUP` (58), so the file
//!   stays 8 bytes there;
//! - it keeps no rights: `fd_fdstat_set_rights` succeeds without dropping `FD_WRITE`, so the
//!   writes after it succeed ("nope" is written and "HELLO" overwrites).

mod common;
use common::*;

#[test]
fn fd_basic() {
    let tmp = temp_dir();
    let root = tmp.path();
    write_file(root, "input.txt", "0123456789abcdef");
    let expected = r#"fd_prestat_get 3: ok
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
fd_write gather: ok 13
fd_write zero iovecs: ok 0
fd_tell: ok
position: 13
fd_seek 0 set: ok
position: 0
fd_read scatter: ok 13
iov0: "hell"
iov1: "o, w"
iov2: "orld\n....."
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
fd_pread scatter at 7: ok 6
pread iov0: "wor"
pread iov1: "ld\n......."
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
fd_allocate 0+100: ok
size: 100
fd_allocate 10+5 (inside): ok
size: 100
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
FD_WRITE gone: yes
FD_READ kept: yes
fd_write without FD_WRITE: errno 76
fd_pwrite without FD_WRITE: errno 76
fd_pread still allowed: ok 5
fd_fdstat_set_rights add FD_WRITE back: errno 76
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
"#;
    let differences = [
        ("fd_write gather: ok 13", "fd_write gather: ok 5"),
        ("fd_read scatter: ok 13", "fd_read scatter: ok 4"),
        ("iov1: \"o, w\"\niov2: \"orld\\n.....\"", "iov1: \"....\"\niov2: \"..........\""),
        ("fd_pread scatter at 7: ok 6", "fd_pread scatter at 7: ok 3"),
        ("pread iov1: \"ld\\n.......\"", "pread iov1: \"..........\""),
        (
            "fd_allocate 0+100: ok\nsize: 100\nfd_allocate 10+5 (inside): ok\nsize: 100",
            "fd_allocate 0+100: errno 58\nsize: 8\nfd_allocate 10+5 (inside): errno 58\nsize: 8",
        ),
        ("FD_WRITE gone: yes", "FD_WRITE gone: no"),
        ("fd_write without FD_WRITE: errno 76", "fd_write without FD_WRITE: ok"),
        ("fd_pwrite without FD_WRITE: errno 76", "fd_pwrite without FD_WRITE: ok"),
        ("add FD_WRITE back: errno 76", "add FD_WRITE back: ok"),
    ];
    let runs = component::both_abis_expecting("p1_fd_basic", expected, &differences);
    for (abi, (prog, expected)) in runs.into_iter().enumerate() {
        std::fs::remove_file(root.join("out.txt")).ok();
        let out = run(eddy_run(&["--dir", &dir_arg(root, "/sandbox"), &prog]), b"");
        assert_run(&out, &expected, "raw stderr\n", 0);
        // The file as the host sees it: "HEL", zeros up to 100 bytes, then the appended "Z";
        // through the adapter "HELLO" (the pwrite it did not refuse) and a final "nope" (the
        // write it did not refuse).
        let (head, tail): (&[u8], &[u8]) =
            if abi == 0 { (b"HEL", b"Z") } else { (b"HELLO", b"Znope") };
        let mut file = head.to_vec();
        file.resize(100, 0);
        file.extend_from_slice(tail);
        assert_eq!(std::fs::read(root.join("out.txt")).unwrap(), file);
        assert_eq!(std::fs::read(root.join("input.txt")).unwrap(), b"0123456789abcdef");
    }
}

/// The lines p1_fd_errors prints for one descriptor that is not open.
fn closed_fd_lines(label: &str) -> String {
    [
        "fd_write",
        "fd_read",
        "fd_pread",
        "fd_pwrite",
        "fd_seek",
        "fd_tell",
        "fd_fdstat_get",
        "fd_fdstat_set_flags",
        "fd_fdstat_set_rights",
        "fd_filestat_get",
        "fd_filestat_set_size",
        "fd_filestat_set_times",
        "fd_advise",
        "fd_allocate",
        "fd_datasync",
        "fd_sync",
        "fd_readdir",
        "fd_prestat_get",
        "fd_prestat_dir_name",
        "fd_renumber from",
        "fd_renumber to",
        "path_open dirfd",
        "path_filestat_get dirfd",
        "path_create_directory dirfd",
        "fd_close",
    ]
    .iter()
    .map(|call| format!("{call} {label}: errno 8\n"))
    .collect()
}

#[test]
fn fd_errors() {
    let tmp = temp_dir();
    let root = tmp.path();
    write_file(root, "file.txt", "data");
    make_dir(root, "dir");
    let before = snapshot(root);
    let out =
        run(eddy_run(&["--dir", &dir_arg(root, "/sandbox"), s(&program("p1_fd_errors"))]), b"");
    let expected = format!(
        "path_open file.txt: ok\nfd_close: ok\n{}{}{}",
        closed_fd_lines("(closed)"),
        closed_fd_lines("(never opened)"),
        r#"fd_prestat_get stdin: errno 8
path_open file.txt read-only: ok
fd_prestat_get regular file: errno 8
fd_prestat_dir_name regular file: errno 8
fd_seek -1 set: errno 28
fd_seek -100 cur: errno 28
fd_seek -5 end (size 4): errno 28
position unchanged: 0
fd_seek stdout (pipe): errno 70
fd_tell stdout (pipe): errno 70
fd_pread stdin (pipe): errno 70
fd_pwrite stdout (pipe): errno 70
fd_write read-only file: errno 76
fd_pwrite read-only file: errno 76
fd_filestat_set_size read-only file: errno 76
fd_allocate read-only file: errno 76
fd_read read-only file: ok 4
fd_fdstat_set_rights add FD_WRITE: errno 76
path_open file.txt write-only: ok
fd_read write-only file: errno 76
fd_pread write-only file: errno 76
fd_close write-only file: ok
path_open file.txt: ok
fd_filestat_set_times atim|atim_now: errno 28
fd_filestat_set_times mtim|mtim_now: errno 28
fd_renumber to itself: ok
fd_fdstat_get after self-renumber: ok
fd_renumber to unopened 1000: errno 8
fd_fdstat_get source still open: ok
fd_readdir regular file: errno 54
path_open with a file as dirfd: errno 54
path_create_directory with a file as dirfd: errno 54
path_open dir: ok
fd_read directory: errno 31
fd_write directory: errno 31
fd_close directory: ok
fd_close file: ok
fd_close preopen: ok
path_open after closing preopen: errno 8
fd_prestat_get closed preopen: errno 8
"#
    );
    assert_run(&out, &expected, "", 0);
    assert_eq!(snapshot(root), before, "p1_fd_errors changed the sandbox");
}
