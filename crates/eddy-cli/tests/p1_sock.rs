//! sock_accept, sock_recv, sock_send, sock_shutdown on non-sockets (guest: p1_sock_errors).

mod common;
use common::*;

fn lines(label: &str, errno: u32) -> String {
    ["sock_accept", "sock_recv", "sock_send", "sock_shutdown"]
        .iter()
        .map(|f| format!("{f} {label}: errno {errno}\n"))
        .collect()
}

#[test]
fn sock_calls_on_non_sockets() {
    let tmp = temp_dir();
    let root = tmp.path();
    write_file(root, "file.txt", "data");
    let out =
        run(eddy_run(&["--dir", &dir_arg(root, "/sandbox"), s(&program("p1_sock_errors"))]), b"");
    let expected = format!(
        "path_open file.txt: ok\n{}{}{}{}{}read file.txt: ok\nfile.txt: [data]\n",
        lines("regular file", 57),
        lines("preopen dir", 57),
        lines("stdin", 57),
        lines("stdout", 57),
        lines("closed fd", 8),
    );
    assert_run(&out, &expected, "", 0);
}
