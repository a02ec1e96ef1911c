//! wasi:filesystem 0.2 from a Rust guest (tests/programs/rust/p2_rs_fs, adapted into a
//! component): the descriptor methods the preview1 adapter never calls — `metadata-hash(-at)`,
//! `is-same-object`, `read`/`write` at offsets, `set-times(-at)`, `advise`, `get-flags`,
//! `link-at`, `readlink-at`, `append-via-stream` — and the error codes of the sandbox, on a
//! writable preopen `/data` and a read-only `/ro`.

mod common;
use common::*;

#[test]
fn filesystem_descriptor_methods() {
    let data = temp_dir();
    let ro = temp_dir();
    write_file(ro.path(), "ro.txt", "read only\n");
    let prog = rust_guest::component("p2_rs_fs");
    let ro_arg = format!("{}:ro", dir_arg(ro.path(), "/ro"));
    let out =
        run(eddy_run(&["--dir", &dir_arg(data.path(), "/data"), "--dir", &ro_arg, &prog]), b"");
    let expected: String = [
        "preopens: /data /ro",
        "/data type: directory",
        r#"write("hello world", 0): 11"#,
        r#"write("WORLD", 6): 5"#,
        r#"read(100, 0): "hello WORLD" eof=false"#,
        r#"read(3, 2): "llo" eof=false"#,
        "read(10, 50): 0 bytes eof=true",
        "get-flags: (true, true)",
        "advise(sequential): ()",
        "sync-data: ()",
        "sync: ()",
        "set-size(5): ()",
        "stat: regular-file size=5 links=1",
        "set-times(atime 1e9 s + 500 ns, mtime no-change): ()",
        "atime: Some((1000000000, 500))",
        "set-times-at(a.txt, no-change, 2e9 s): ()",
        "mtime: Some((2000000000, 0))",
        "is-same-object(a, a again): true",
        "is-same-object(a, b): false",
        "is-same-object(a, /data): false",
        "metadata-hash(a) == metadata-hash(a again): true",
        "metadata-hash(a) == metadata-hash-at(a.txt): true",
        "metadata-hash(a) != metadata-hash(b): true",
        "link-at(a.txt, hard.txt): ()",
        "is-same-object(a, hard): true",
        "metadata-hash-at(hard.txt) == metadata-hash(a): true",
        "links: 2",
        r#"after append: "hello+tail""#,
        "create-directory-at(sub): ()",
        "create-directory-at(sub) again: exist",
        "symlink-at(a.txt, sub/link): ()",
        r#"readlink-at(sub/link): "../a.txt""#,
        "symlink-at(/etc/hostname, abs): not-permitted",
        "symlink-at(../../outside, sub/out): ()",
        "open-at(sub/out, follow): not-permitted",
        "unlink-file-at(sub/out): ()",
        r#"stat-at(sub/link, no-follow) type: "symbolic-link""#,
        "stat-at(sub/link, follow) size: 10",
        "rename-at(b.txt, sub/b2.txt): ()",
        "entries: a.txt:regular-file hard.txt:regular-file sub:directory",
        "remove-directory-at(sub) non-empty: not-empty",
        "unlink-file-at(sub) a directory: is-directory",
        "unlink-file-at(sub/link): ()",
        "unlink-file-at(sub/b2.txt): ()",
        "remove-directory-at(sub): ()",
        "open-at(missing.txt): no-entry",
        "open-at(a.txt, create|exclusive): exist",
        "open-at(../outside): not-permitted",
        "open-at(/etc/passwd): not-permitted",
        "open-at(a.txt, directory): not-directory",
        "write on a read-only descriptor: bad-descriptor",
        "/ro open-at(ro.txt, read): ()",
        "/ro open-at(ro.txt, write): not-permitted",
        "/ro create-directory-at(d): not-permitted",
        "/ro get-flags write: false",
        "done",
    ]
    .iter()
    .map(|l| format!("{l}\n"))
    .collect();
    assert_run(&out, &expected, "", 0);
}
