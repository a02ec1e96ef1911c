/*
 * Error paths of the path_* functions (inside the sandbox; escapes are in
 * p1_sandbox.c, read-only preopens in p1_readonly.c).
 *
 * Host setup: `--dir <tmp>::/sandbox` (fd 3) with <tmp>/file.txt ("data"),
 * an empty <tmp>/dir and <tmp>/full/x.txt. The host test checks afterwards
 * that nothing was changed (except the symlinks created below).
 *
 * Errnos are those of the POSIX call each function is modelled on (openat,
 * mkdirat, unlinkat, renameat, linkat, symlinkat, readlinkat, utimensat) on
 * Linux. Asking for FD_WRITE (or trunc/creat) on a directory is treated like
 * open(dir, O_RDWR): EISDIR, not silently trimmed. python-wasmtime 50 agrees
 * with every line here.
 */
#include "p1_common.h"

int main(void) {
    __wasi_fd_t fd;
    __wasi_filestat_t st;
    uint8_t buf[64];
    __wasi_size_t n;

    report("setup symlink flink -> file.txt", __wasi_path_symlink("file.txt", SANDBOX, "flink"));
    report("setup symlink dlink -> dir", __wasi_path_symlink("dir", SANDBOX, "dlink"));

    /* --- path_open --- */
    report("path_open missing", open_file(SANDBOX, "missing.txt", 0, RIGHTS_FILE, 0, &fd));
    report("path_open missing/child", open_file(SANDBOX, "missing/x", __WASI_OFLAGS_CREAT, RIGHTS_FILE, 0, &fd));
    report("path_open creat|excl existing file",
           open_file(SANDBOX, "file.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_FILE, 0, &fd));
    report("path_open creat|excl existing dir",
           open_file(SANDBOX, "dir", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_FILE, 0, &fd));
    report("path_open creat|excl over a symlink",
           open_file(SANDBOX, "flink", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_FILE, 0, &fd));
    report("path_open directory flag on a file", open_dir(SANDBOX, "file.txt", &fd));
    report("path_open directory flag on symlink to file", open_dir(SANDBOX, "flink", &fd));
    report("path_open file.txt/x (file as dir)", open_file(SANDBOX, "file.txt/x", 0, RIGHTS_FILE, 0, &fd));
    report("path_open dir with FD_WRITE", open_file(SANDBOX, "dir", 0, RIGHTS_FILE, 0, &fd));
    report("path_open dir with trunc", open_file(SANDBOX, "dir", __WASI_OFLAGS_TRUNC, RIGHTS_FILE, 0, &fd));
    report("path_open creat on a dir", open_file(SANDBOX, "dir", __WASI_OFLAGS_CREAT, RIGHTS_FILE, 0, &fd));
    report("path_open empty path", open_file(SANDBOX, "", 0, RIGHTS_FILE_RO, 0, &fd));
    report("path_open symlink with nofollow",
           __wasi_path_open(SANDBOX, NOFOLLOW, "flink", 0, RIGHTS_FILE_RO, RIGHTS_FILE_RO, 0, &fd));

    /* --- path_create_directory --- */
    report("path_create_directory existing dir", __wasi_path_create_directory(SANDBOX, "dir"));
    report("path_create_directory existing file", __wasi_path_create_directory(SANDBOX, "file.txt"));
    report("path_create_directory missing parent", __wasi_path_create_directory(SANDBOX, "missing/child"));
    report("path_create_directory under a file", __wasi_path_create_directory(SANDBOX, "file.txt/child"));
    report("path_create_directory empty path", __wasi_path_create_directory(SANDBOX, ""));

    /* --- path_remove_directory --- */
    report("path_remove_directory non-empty", __wasi_path_remove_directory(SANDBOX, "full"));
    report("path_remove_directory a file", __wasi_path_remove_directory(SANDBOX, "file.txt"));
    report("path_remove_directory missing", __wasi_path_remove_directory(SANDBOX, "missing"));
    report("path_remove_directory symlink to dir", __wasi_path_remove_directory(SANDBOX, "dlink"));
    report("path_remove_directory .", __wasi_path_remove_directory(SANDBOX, "."));

    /* --- path_unlink_file --- */
    report("path_unlink_file a dir", __wasi_path_unlink_file(SANDBOX, "dir"));
    report("path_unlink_file missing", __wasi_path_unlink_file(SANDBOX, "missing.txt"));
    report("path_unlink_file trailing slash on file", __wasi_path_unlink_file(SANDBOX, "file.txt/"));
    report("path_unlink_file file.txt/x", __wasi_path_unlink_file(SANDBOX, "file.txt/x"));

    /* --- path_rename --- */
    report("path_rename missing source", __wasi_path_rename(SANDBOX, "missing.txt", SANDBOX, "new.txt"));
    report("path_rename file over dir", __wasi_path_rename(SANDBOX, "file.txt", SANDBOX, "dir"));
    report("path_rename dir over file", __wasi_path_rename(SANDBOX, "dir", SANDBOX, "file.txt"));
    report("path_rename dir over non-empty dir", __wasi_path_rename(SANDBOX, "dir", SANDBOX, "full"));
    report("path_rename dir into itself", __wasi_path_rename(SANDBOX, "full", SANDBOX, "full/inside"));
    report("path_rename into missing parent", __wasi_path_rename(SANDBOX, "file.txt", SANDBOX, "missing/new.txt"));
    report("path_rename to bad new_fd", __wasi_path_rename(SANDBOX, "file.txt", 1000, "new.txt"));

    /* --- path_link --- */
    report("path_link to existing", __wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, "full/x.txt"));
    report("path_link missing source", __wasi_path_link(SANDBOX, 0, "missing.txt", SANDBOX, "new.txt"));
    report("path_link a directory", __wasi_path_link(SANDBOX, 0, "dir", SANDBOX, "dir2"));
    report("path_link to bad new_fd", __wasi_path_link(SANDBOX, 0, "file.txt", 1000, "new.txt"));

    /* --- path_symlink / path_readlink --- */
    report("path_symlink over existing file", __wasi_path_symlink("anything", SANDBOX, "file.txt"));
    report("path_symlink over existing symlink", __wasi_path_symlink("anything", SANDBOX, "flink"));
    report("path_symlink in missing dir", __wasi_path_symlink("anything", SANDBOX, "missing/l"));
    report("path_readlink not a symlink", __wasi_path_readlink(SANDBOX, "file.txt", buf, sizeof buf, &n));
    report("path_readlink missing", __wasi_path_readlink(SANDBOX, "missing", buf, sizeof buf, &n));

    /* --- path_filestat_get / set_times --- */
    report("path_filestat_get missing", __wasi_path_filestat_get(SANDBOX, FOLLOW, "missing", &st));
    report("path_filestat_get file.txt/x", __wasi_path_filestat_get(SANDBOX, FOLLOW, "file.txt/x", &st));
    report("path_filestat_set_times missing",
           __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "missing", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    report("path_filestat_set_times atim|atim_now",
           __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "file.txt", 0, 0,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
    report("path_filestat_set_times mtim|mtim_now",
           __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "file.txt", 0, 0,
                                          __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));

    /* Nothing above may have changed file.txt. */
    char data[16];
    report("read file.txt", slurp(SANDBOX, "file.txt", data, sizeof data));
    printf("file.txt: [%s]\n", data);
    return 0;
}
