/*
 * Sandbox escapes. Every attempt to reach outside the preopened directory
 * must be denied with an errno, and nothing outside may be read or touched
 * (the host test compares the outside directory before and after).
 *
 * Host layout (siblings in one temp dir):
 *   sandbox/                       preopened as `--dir sandbox::/sandbox` (fd 3)
 *   sandbox/file.txt               "inside"
 *   sandbox/subdir/                directory
 *   sandbox/subdir/up      -> ../..            (escapes)
 *   sandbox/subdir/ok_up   -> ../file.txt      (stays inside)
 *   sandbox/escape_abs     -> <abs path of outside>
 *   sandbox/escape_rel     -> ../outside/secret.txt
 *   sandbox/escape_dir_rel -> ../outside
 *   sandbox/loop_a -> loop_b, sandbox/loop_b -> loop_a, sandbox/self_loop -> self_loop
 *   sandbox/link_to_file   -> file.txt
 *   outside/secret.txt             "secret"
 * argv[1] is the absolute host path of outside/secret.txt.
 *
 * Escapes are expected to fail with ENOTCAPABLE (76): python-wasmtime 50
 * answers EPERM (63) for them. Symlink loops give ELOOP (32); a trailing
 * slash on a non-directory gives ENOTDIR (54).
 */
#include "p1_common.h"

static void try_open(const char *path, __wasi_oflags_t oflags, __wasi_rights_t rights) {
    __wasi_fd_t fd;
    char what[300];
    snprintf(what, sizeof what, "open %s%s", oflags & __WASI_OFLAGS_CREAT ? "(creat) " : "", path);
    __wasi_errno_t e = open_file(SANDBOX, path, oflags, rights, 0, &fd);
    if (e == 0) {
        char buf[32];
        __wasi_size_t n = 0;
        (void)read_buf(fd, buf, sizeof buf - 1, &n);
        buf[n] = 0;
        printf("%s: ok [%s]\n", what, buf);
        (void)__wasi_fd_close(fd);
    } else {
        report(what, e);
    }
}

int main(int argc, char **argv) {
    const char *abs_secret = argc > 1 ? argv[1] : "/nonexistent";
    __wasi_filestat_t st;
    __wasi_fd_t fd, sub;
    uint8_t buf[256];
    __wasi_size_t n;

    /* Reading outside. */
    try_open("../outside/secret.txt", 0, RIGHTS_FILE_RO);
    try_open("subdir/../../outside/secret.txt", 0, RIGHTS_FILE_RO);
    try_open(abs_secret, 0, RIGHTS_FILE_RO);
    try_open("/etc/passwd", 0, RIGHTS_FILE_RO);
    try_open("escape_abs/secret.txt", 0, RIGHTS_FILE_RO);
    try_open("escape_rel", 0, RIGHTS_FILE_RO);
    try_open("escape_dir_rel/secret.txt", 0, RIGHTS_FILE_RO);
    try_open("subdir/up/outside/secret.txt", 0, RIGHTS_FILE_RO);
    report("open dir ..", open_dir(SANDBOX, "..", &fd));
    report("open dir /", open_dir(SANDBOX, "/", &fd));
    report("open dir escape_dir_rel", open_dir(SANDBOX, "escape_dir_rel", &fd));
    report("open dir subdir/up", open_dir(SANDBOX, "subdir/up", &fd));

    /* Staying inside is fine, also through `..` and symlinks. */
    try_open("subdir/../file.txt", 0, RIGHTS_FILE_RO);
    try_open("subdir/ok_up", 0, RIGHTS_FILE_RO);
    try_open("link_to_file", 0, RIGHTS_FILE_RO);

    /* Symlink loops. */
    try_open("loop_a", 0, RIGHTS_FILE_RO);
    try_open("self_loop", 0, RIGHTS_FILE_RO);
    try_open("loop_a/x", 0, RIGHTS_FILE_RO);
    report("stat loop_a (follow)", __wasi_path_filestat_get(SANDBOX, FOLLOW, "loop_a", &st));

    /* Trailing slashes on non-directories. */
    try_open("file.txt/", 0, RIGHTS_FILE_RO);
    try_open("link_to_file/", 0, RIGHTS_FILE_RO);
    report("stat file.txt/", __wasi_path_filestat_get(SANDBOX, FOLLOW, "file.txt/", &st));
    report("stat link_to_file/ (nofollow)", __wasi_path_filestat_get(SANDBOX, NOFOLLOW, "link_to_file/", &st));

    /* Writing outside. */
    try_open("../outside/created.txt", __WASI_OFLAGS_CREAT, RIGHTS_FILE);
    try_open("escape_dir_rel/created.txt", __WASI_OFLAGS_CREAT, RIGHTS_FILE);
    try_open("escape_abs/created.txt", __WASI_OFLAGS_CREAT, RIGHTS_FILE);
    try_open("escape_rel", __WASI_OFLAGS_TRUNC, RIGHTS_FILE);
    report("mkdir ../outside/newdir", __wasi_path_create_directory(SANDBOX, "../outside/newdir"));
    report("mkdir escape_abs/newdir", __wasi_path_create_directory(SANDBOX, "escape_abs/newdir"));
    report("unlink ../outside/secret.txt", __wasi_path_unlink_file(SANDBOX, "../outside/secret.txt"));
    report("unlink escape_abs/secret.txt", __wasi_path_unlink_file(SANDBOX, "escape_abs/secret.txt"));
    report("rmdir ../outside", __wasi_path_remove_directory(SANDBOX, "../outside"));
    report("rename file.txt -> ../outside/moved.txt",
           __wasi_path_rename(SANDBOX, "file.txt", SANDBOX, "../outside/moved.txt"));
    report("rename ../outside/secret.txt -> stolen.txt",
           __wasi_path_rename(SANDBOX, "../outside/secret.txt", SANDBOX, "stolen.txt"));
    report("rename escape_dir_rel/secret.txt -> stolen.txt",
           __wasi_path_rename(SANDBOX, "escape_dir_rel/secret.txt", SANDBOX, "stolen.txt"));
    report("link ../outside/secret.txt -> hard.txt",
           __wasi_path_link(SANDBOX, 0, "../outside/secret.txt", SANDBOX, "hard.txt"));
    report("link escape_rel (follow) -> hard2.txt",
           __wasi_path_link(SANDBOX, FOLLOW, "escape_rel", SANDBOX, "hard2.txt"));
    report("link file.txt -> ../outside/hard.txt",
           __wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, "../outside/hard.txt"));
    report("symlink at ../outside/evil", __wasi_path_symlink("file.txt", SANDBOX, "../outside/evil"));
    /* An absolute target is refused: it would aim host processes that follow it at the
     * host's own root. (A relative target that climbs out may be created: p1_path.) */
    report("symlink abs_link -> /etc/hostname", __wasi_path_symlink("/etc/hostname", SANDBOX, "abs_link"));
    report("open abs_link (never created)", open_file(SANDBOX, "abs_link", 0, RIGHTS_FILE_RO, 0, &fd));
    report("set_times escape_rel (follow)",
           __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "escape_rel", 0, 0,
                                          __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));
    report("set_times ../outside/secret.txt",
           __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "../outside/secret.txt", 0, 0,
                                          __WASI_FSTFLAGS_MTIM_NOW));

    /* Metadata. */
    report("stat ../outside/secret.txt", __wasi_path_filestat_get(SANDBOX, FOLLOW, "../outside/secret.txt", &st));
    report("stat escape_rel (follow)", __wasi_path_filestat_get(SANDBOX, FOLLOW, "escape_rel", &st));
    report("stat escape_rel (nofollow)", __wasi_path_filestat_get(SANDBOX, NOFOLLOW, "escape_rel", &st));
    printf("escape_rel nofollow filetype: %u\n", st.filetype);
    report("readlink escape_rel", __wasi_path_readlink(SANDBOX, "escape_rel", buf, sizeof buf, &n));
    printf("escape_rel target: [%.*s]\n", (int)n, (const char *)buf);
    report("readlink ../outside/x", __wasi_path_readlink(SANDBOX, "../outside/x", buf, sizeof buf, &n));

    /* A directory fd is a capability of its own: `..` from it is denied
       even though the parent is inside the preopen. */
    report("open dir subdir", open_dir(SANDBOX, "subdir", &sub));
    report("from subdir: open ../file.txt", open_file(sub, "../file.txt", 0, RIGHTS_FILE_RO, 0, &fd));
    report("from subdir: open ok_up (symlink to ../file.txt)", open_file(sub, "ok_up", 0, RIGHTS_FILE_RO, 0, &fd));
    report("from subdir: stat ..", __wasi_path_filestat_get(sub, FOLLOW, "..", &st));
    report("from subdir: stat .", __wasi_path_filestat_get(sub, FOLLOW, ".", &st));
    (void)__wasi_fd_close(sub);

    /* The sandbox itself is intact. */
    char data[32];
    report("read file.txt", slurp(SANDBOX, "file.txt", data, sizeof data));
    printf("file.txt: [%s]\n", data);
    return 0;
}
