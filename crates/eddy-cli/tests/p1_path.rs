//! path_* functions: success paths (guest: p1_path), error paths inside the sandbox (guest:
//! p1_path_errors) and a read-only preopen (guest: p1_readonly). Each guest runs both as a
//! preview1 core module and adapted into a WASI 0.2 component (`component::both_abis`), with
//! identical expected output except where the adapter answers differently (p1_readonly).

mod common;
use common::*;

#[test]
fn path_success() {
    for prog in component::both_abis("p1_path") {
        let tmp = temp_dir();
        let root = tmp.path();
        write_file(root, "existing.txt", "existing\n");
        write_file(root, "sub/inner.txt", "inner\n");
        let out = run(eddy_run(&["--dir", &dir_arg(root, "/sandbox"), &prog]), b"");
        assert_run(
            &out,
            r#"path_create_directory newdir: ok
path_create_directory newdir/nested: ok
stat newdir: type 3
path_open creat newdir/nested/f.txt: ok
write f.txt: ok
fd_close f.txt: ok
path_open creat|excl excl.txt: ok
write excl.txt: ok
path_open creat existing.txt (no trunc): ok
size kept: 9
path_open trunc existing.txt: ok
size after trunc: 0
write existing.txt: ok
read existing.txt: [rewritten]
read sub/../existing.txt: [rewritten]
read ./sub/./inner.txt: [inner]
read sub//inner.txt: [inner]
read newdir/nested/../../sub/inner.txt: [inner]
stat .: type 3
stat sub/: type 3
stat sub/..: type 3
path_open directory sub: ok
read inner.txt: [inner]
path_create_directory via sub fd: ok
path_remove_directory via sub fd: ok
path_symlink link -> existing.txt: ok
stat nofollow link: type 7 size 12 nlink 1
stat link: type 4 size 10 nlink 1
path_readlink link: ok
link target: [existing.txt] len 12
read link: [rewritten]
path_symlink sublink -> sub: ok
read sublink/inner.txt: [inner]
path_symlink nested/up -> ../../sub/inner.txt: ok
read newdir/nested/up: [inner]
path_symlink dangling -> missing: ok
stat nofollow dangling: type 7 size 7 nlink 1
stat dangling: errno 44
path_filestat_set_times existing.txt: ok
atim: 1400000000.000000000
mtim: 1500000000.000000007
path_filestat_set_times through link (follow): ok
target mtim: 1300000000
path_filestat_set_times link itself (nofollow): ok
link mtim: 1200000000 target mtim: 1300000000
path_filestat_set_times dir mtim_now: ok
path_link existing.txt -> hard.txt: ok
nlink: 2 2 same ino: yes
read hard.txt: [rewritten]
path_link across dirs into sub: ok
stat existing.txt: type 4 size 10 nlink 3
path_rename excl.txt -> renamed.txt: ok
stat excl.txt: errno 44
read renamed.txt: [excl]
make a.txt: ok
make b.txt: ok
path_rename a.txt over b.txt: ok
stat a.txt: errno 44
read b.txt: [AAA]
path_rename renamed.txt -> sub/renamed.txt: ok
path_create_directory emptydir: ok
path_rename newdir -> movedir: ok
read movedir/nested/f.txt: [nested file]
path_rename movedir over empty emptydir: ok
stat movedir: errno 44
read emptydir/nested/f.txt: [nested file]
path_rename symlink dangling -> dangling2: ok
stat nofollow dangling2: type 7 size 7 nlink 1
path_unlink_file hard.txt: ok
stat existing.txt: type 4 size 10 nlink 2
path_unlink_file link (the symlink): ok
stat nofollow link: errno 44
stat existing.txt: type 4 size 10 nlink 2
path_unlink_file dangling2: ok
path_unlink_file sublink (symlink to dir): ok
path_unlink_file emptydir/nested/up: ok
path_unlink_file emptydir/nested/f.txt: ok
path_remove_directory emptydir/nested: ok
path_remove_directory emptydir: ok
stat emptydir: errno 44
"#,
            "",
            0,
        );
        assert_eq!(
            listing(root),
            r#"b.txt = "AAA\n"
existing.txt = "rewritten\n"
sub/
sub/hard2.txt = "rewritten\n"
sub/inner.txt = "inner\n"
sub/renamed.txt = "excl\n"
"#
        );
    }
}

#[test]
fn path_errors() {
    for prog in component::both_abis("p1_path_errors") {
        let tmp = temp_dir();
        let root = tmp.path();
        write_file(root, "file.txt", "data");
        make_dir(root, "dir");
        write_file(root, "full/x.txt", "");
        let mut expected_after = snapshot(root);
        let out = run(eddy_run(&["--dir", &dir_arg(root, "/sandbox"), &prog]), b"");
        assert_run(
            &out,
            r#"setup symlink flink -> file.txt: ok
setup symlink dlink -> dir: ok
path_open missing: errno 44
path_open missing/child: errno 44
path_open creat|excl existing file: errno 20
path_open creat|excl existing dir: errno 20
path_open creat|excl over a symlink: errno 20
path_open directory flag on a file: errno 54
path_open directory flag on symlink to file: errno 54
path_open file.txt/x (file as dir): errno 54
path_open dir with FD_WRITE: errno 31
path_open dir with trunc: errno 31
path_open creat on a dir: errno 31
path_open empty path: errno 44
path_open symlink with nofollow: errno 32
path_create_directory existing dir: errno 20
path_create_directory existing file: errno 20
path_create_directory missing parent: errno 44
path_create_directory under a file: errno 54
path_create_directory empty path: errno 44
path_remove_directory non-empty: errno 55
path_remove_directory a file: errno 54
path_remove_directory missing: errno 44
path_remove_directory symlink to dir: errno 54
path_remove_directory .: errno 28
path_unlink_file a dir: errno 31
path_unlink_file missing: errno 44
path_unlink_file trailing slash on file: errno 54
path_unlink_file file.txt/x: errno 54
path_rename missing source: errno 44
path_rename file over dir: errno 31
path_rename dir over file: errno 54
path_rename dir over non-empty dir: errno 55
path_rename dir into itself: errno 28
path_rename into missing parent: errno 44
path_rename to bad new_fd: errno 8
path_link to existing: errno 20
path_link missing source: errno 44
path_link a directory: errno 63
path_link to bad new_fd: errno 8
path_symlink over existing file: errno 20
path_symlink over existing symlink: errno 20
path_symlink in missing dir: errno 44
path_readlink not a symlink: errno 28
path_readlink missing: errno 44
path_filestat_get missing: errno 44
path_filestat_get file.txt/x: errno 54
path_filestat_set_times missing: errno 44
path_filestat_set_times atim|atim_now: errno 28
path_filestat_set_times mtim|mtim_now: errno 28
read file.txt: ok
file.txt: [data]
"#,
            "",
            0,
        );
        // Only the two symlinks the program creates first.
        expected_after.insert("flink".into(), Node::Symlink("file.txt".into()));
        expected_after.insert("dlink".into(), Node::Symlink("dir".into()));
        assert_eq!(snapshot(root), expected_after);
    }
}

#[test]
fn readonly_preopen() {
    let tmp = temp_dir();
    let root = tmp.path();
    write_file(root, "file.txt", "data");
    make_dir(root, "empty");
    write_file(root, "sub/x.txt", "x");
    let before = snapshot(root);
    let dir = format!("{}::/ro:ro", s(root));
    let expected = r#"fd_fdstat_get preopen: ok
preopen keeps PATH_OPEN: yes
preopen lacks PATH_CREATE_FILE: yes
preopen lacks PATH_CREATE_DIRECTORY: yes
preopen lacks PATH_UNLINK_FILE: yes
inheriting lacks FD_WRITE: yes
read file.txt: ok
file.txt: [data]
fd_readdir preopen: ok
path_filestat_get file.txt: ok
path_open file.txt for writing: errno 76
path_open creat new.txt: errno 76
path_open trunc file.txt: errno 76
path_create_directory: errno 76
path_unlink_file: errno 76
path_remove_directory: errno 76
path_rename: errno 76
path_symlink: errno 76
path_link: errno 76
path_filestat_set_times: errno 76
path_open file.txt read-only: ok
fd_write: errno 76
fd_filestat_set_size: errno 76
fd_filestat_set_times: errno 76
fd_fdstat_set_rights add FD_WRITE: errno 76
path_open directory sub: ok
sub: read x.txt: ok
x.txt: [x]
sub: path_open x.txt for writing: errno 76
sub: path_open creat y.txt: errno 76
sub: path_create_directory: errno 76
sub: path_unlink_file: errno 76
sub: path_open directory . again: ok
sub/.: path_unlink_file: errno 76
"#;
    // Through the adapter: it keeps no rights (so the reports say nothing about the read-only
    // grant, and `fd_fdstat_set_rights` succeeds), a write to a file opened read-only is
    // EBADF (8), and the sandbox's refusals are `not-permitted`, which it reports as EPERM
    // (63) since WASI 0.2 has no ENOTCAPABLE.
    let differences = [
        ("lacks PATH_CREATE_FILE: yes", "lacks PATH_CREATE_FILE: no"),
        ("lacks PATH_CREATE_DIRECTORY: yes", "lacks PATH_CREATE_DIRECTORY: no"),
        ("lacks PATH_UNLINK_FILE: yes", "lacks PATH_UNLINK_FILE: no"),
        ("lacks FD_WRITE: yes", "lacks FD_WRITE: no"),
        ("\nfd_write: errno 76", "\nfd_write: errno 8"),
        ("fd_filestat_set_size: errno 76", "fd_filestat_set_size: errno 8"),
        ("fd_filestat_set_times: errno 76", "fd_filestat_set_times: errno 8"),
        ("add FD_WRITE: errno 76", "add FD_WRITE: ok"),
        ("errno 76", "errno 63"),
    ];
    for (prog, expected) in component::both_abis_expecting("p1_readonly", expected, &differences) {
        let out = run(eddy_run(&["--dir", &dir, &prog]), b"");
        assert_run(&out, &expected, "", 0);
        assert_eq!(snapshot(root), before, "the read-only tree was modified");
    }
}
