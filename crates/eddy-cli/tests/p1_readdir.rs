//! fd_readdir (guest: p1_readdir).
//! Each guest runs both as a preview1 core module and adapted into a WASI 0.2 component
//! (`component::both_abis`), with identical expected output.

mod common;
use common::*;

#[test]
fn readdir() {
    for prog in component::both_abis("p1_readdir") {
        let tmp = temp_dir();
        let root = tmp.path();
        write_file(root, "d/a.txt", "aaa");
        make_dir(root, "d/b_dir");
        symlink(root, "d/c_link", "a.txt");
        write_file(root, &format!("d/{}.txt", "L".repeat(100)), "");
        make_dir(root, "empty");
        let out = run(eddy_run(&["--dir", &dir_arg(root, "/sandbox"), &prog]), b"");
        assert_run(
            &out,
            r#"path_open d: ok
fd_readdir 4096: ok
bufused < buf_len (end reached): yes
no truncated entry: yes
entries: 4 entries
  LLLLLLLL...(104 chars) type 4
  a.txt type 4
  b_dir type 3
  c_link type 7
d_ino of a.txt matches filestat ino: yes
read with 30-byte buffers: ok
same entries with 30-byte buffers: yes
needed more than one call: yes
fd_readdir buf_len=30: ok bufused 30
fd_readdir buf_len=10: ok bufused 10
fd_readdir buf_len=0: ok bufused 0
fd_readdir from cookie of entry 2: ok
rest matches: yes
fd_readdir at end cookie: ok bufused 0
second full read identical: yes
path_open empty: ok
fd_readdir empty: ok
empty: 0 entries
path_create_directory many: ok
created: 100
path_open many: ok
fd_readdir many (128-byte buffers): ok
many: 100 entries, names f000..f099: yes
fd_readdir preopen: ok
top: 3 entries
  d type 3
  empty type 3
  many type 3
"#,
            "",
            0,
        );
        let mut many: Vec<String> = std::fs::read_dir(root.join("many"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        many.sort();
        let expected: Vec<String> = (0..100).map(|i| format!("f{i:03}")).collect();
        assert_eq!(many, expected);
    }
}
