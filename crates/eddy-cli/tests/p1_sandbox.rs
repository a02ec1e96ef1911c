//! Sandbox escapes (guest: p1_sandbox): every way out of the preopen is denied and nothing
//! outside is read or touched, as a core module and as a component through the preview1
//! adapter (wasi:filesystem through the same resolution code). WASI 0.2 has no
//! `ENOTCAPABLE`: Eddy answers `not-permitted`, which the adapter reports as `EPERM` (63).

mod common;
use common::*;

#[test]
fn sandbox_escapes_are_denied() {
    let tmp = temp_dir();
    let sandbox = tmp.path().join("sandbox");
    let outside = tmp.path().join("outside");
    write_file(&sandbox, "file.txt", "inside");
    make_dir(&sandbox, "subdir");
    symlink(&sandbox, "subdir/up", "../..");
    symlink(&sandbox, "subdir/ok_up", "../file.txt");
    symlink(&sandbox, "escape_abs", &outside);
    symlink(&sandbox, "escape_rel", "../outside/secret.txt");
    symlink(&sandbox, "escape_dir_rel", "../outside");
    symlink(&sandbox, "loop_a", "loop_b");
    symlink(&sandbox, "loop_b", "loop_a");
    symlink(&sandbox, "self_loop", "self_loop");
    symlink(&sandbox, "link_to_file", "file.txt");
    write_file(&outside, "secret.txt", "secret");
    // An old mtime, so that any touch is visible even on coarse-grained filesystems.
    let secret = outside.join("secret.txt");
    std::fs::File::options()
        .write(true)
        .open(&secret)
        .unwrap()
        .set_modified(
            std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000),
        )
        .unwrap();
    let outside_before = snapshot(&outside);
    let sandbox_before = snapshot(&sandbox);
    let parent_before = listing(tmp.path());

    let abs_secret = s(&secret).to_owned();
    let expected = r#"open ../outside/secret.txt: errno 76
open subdir/../../outside/secret.txt: errno 76
open {ABS}: errno 76
open /etc/passwd: errno 76
open escape_abs/secret.txt: errno 76
open escape_rel: errno 76
open escape_dir_rel/secret.txt: errno 76
open subdir/up/outside/secret.txt: errno 76
open dir ..: errno 76
open dir /: errno 76
open dir escape_dir_rel: errno 76
open dir subdir/up: errno 76
open subdir/../file.txt: ok [inside]
open subdir/ok_up: ok [inside]
open link_to_file: ok [inside]
open loop_a: errno 32
open self_loop: errno 32
open loop_a/x: errno 32
stat loop_a (follow): errno 32
open file.txt/: errno 54
open link_to_file/: errno 54
stat file.txt/: errno 54
stat link_to_file/ (nofollow): errno 54
open (creat) ../outside/created.txt: errno 76
open (creat) escape_dir_rel/created.txt: errno 76
open (creat) escape_abs/created.txt: errno 76
open escape_rel: errno 76
mkdir ../outside/newdir: errno 76
mkdir escape_abs/newdir: errno 76
unlink ../outside/secret.txt: errno 76
unlink escape_abs/secret.txt: errno 76
rmdir ../outside: errno 76
rename file.txt -> ../outside/moved.txt: errno 76
rename ../outside/secret.txt -> stolen.txt: errno 76
rename escape_dir_rel/secret.txt -> stolen.txt: errno 76
link ../outside/secret.txt -> hard.txt: errno 76
link escape_rel (follow) -> hard2.txt: errno 76
link file.txt -> ../outside/hard.txt: errno 76
symlink at ../outside/evil: errno 76
symlink abs_link -> /etc/hostname: errno 63
open abs_link (never created): errno 44
set_times escape_rel (follow): errno 76
set_times ../outside/secret.txt: errno 76
stat ../outside/secret.txt: errno 76
stat escape_rel (follow): errno 76
stat escape_rel (nofollow): ok
escape_rel nofollow filetype: 7
readlink escape_rel: ok
escape_rel target: [../outside/secret.txt]
readlink ../outside/x: errno 76
open dir subdir: ok
from subdir: open ../file.txt: errno 76
from subdir: open ok_up (symlink to ../file.txt): errno 76
from subdir: stat ..: errno 76
from subdir: stat .: ok
read file.txt: ok
file.txt: [inside]
"#
    .replace("{ABS}", &abs_secret);
    let differences = [("errno 76", "errno 63")];
    for (prog, expected) in component::both_abis_expecting("p1_sandbox", &expected, &differences) {
        let sandbox_arg = dir_arg(&sandbox, "/sandbox");
        let out = run(eddy_run(&["--dir", &sandbox_arg, &prog, &abs_secret]), b"");
        assert_run(&out, &expected, "", 0);
    }

    assert_eq!(snapshot(&outside), outside_before, "the outside directory was touched");
    assert_eq!(snapshot(&sandbox), sandbox_before, "the sandbox was modified");
    assert_eq!(listing(tmp.path()), parent_before, "the parent directory was modified");
}
