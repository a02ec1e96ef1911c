/*
 * A read-only preopen (`--dir <tmp>::/ro:ro`, fd 3): reading works, every
 * operation that would modify the tree or a file under it fails with
 * ENOTCAPABLE (76), also through a directory fd derived from the preopen.
 *
 * Host setup: <tmp>/file.txt ("data"), <tmp>/empty/ and <tmp>/sub/x.txt
 * ("x"). The host test checks that the tree is unchanged afterwards.
 *
 * python-wasmtime 50 answers EPERM (63) instead of ENOTCAPABLE (76) here,
 * EBADF (8) for fd_write on the read-only file, ENOTSUP (58) for
 * fd_fdstat_set_rights, and reports full rights on the read-only preopen.
 */
#include "p1_common.h"

int main(void) {
    __wasi_fd_t fd, d, sd;
    __wasi_fdstat_t fs;
    __wasi_size_t n;
    char data[16];
    uint8_t buf[256];

    report("fd_fdstat_get preopen", __wasi_fd_fdstat_get(SANDBOX, &fs));
    yesno("preopen keeps PATH_OPEN", (fs.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) != 0);
    yesno("preopen lacks PATH_CREATE_FILE", (fs.fs_rights_base & __WASI_RIGHTS_PATH_CREATE_FILE) == 0);
    yesno("preopen lacks PATH_CREATE_DIRECTORY", (fs.fs_rights_base & __WASI_RIGHTS_PATH_CREATE_DIRECTORY) == 0);
    yesno("preopen lacks PATH_UNLINK_FILE", (fs.fs_rights_base & __WASI_RIGHTS_PATH_UNLINK_FILE) == 0);
    yesno("inheriting lacks FD_WRITE", (fs.fs_rights_inheriting & __WASI_RIGHTS_FD_WRITE) == 0);

    /* Reading is allowed. */
    report("read file.txt", slurp(SANDBOX, "file.txt", data, sizeof data));
    printf("file.txt: [%s]\n", data);
    report("fd_readdir preopen", __wasi_fd_readdir(SANDBOX, buf, sizeof buf, 0, &n));
    __wasi_filestat_t st;
    report("path_filestat_get file.txt", __wasi_path_filestat_get(SANDBOX, FOLLOW, "file.txt", &st));

    /* Everything that writes is denied. */
    report("path_open file.txt for writing", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE, 0, &fd));
    report("path_open creat new.txt", open_file(SANDBOX, "new.txt", __WASI_OFLAGS_CREAT, RIGHTS_FILE_RO, 0, &fd));
    report("path_open trunc file.txt", open_file(SANDBOX, "file.txt", __WASI_OFLAGS_TRUNC, RIGHTS_FILE_RO, 0, &fd));
    report("path_create_directory", __wasi_path_create_directory(SANDBOX, "newdir"));
    report("path_unlink_file", __wasi_path_unlink_file(SANDBOX, "file.txt"));
    report("path_remove_directory", __wasi_path_remove_directory(SANDBOX, "empty"));
    report("path_rename", __wasi_path_rename(SANDBOX, "file.txt", SANDBOX, "moved.txt"));
    report("path_symlink", __wasi_path_symlink("file.txt", SANDBOX, "link"));
    report("path_link", __wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, "hard.txt"));
    report("path_filestat_set_times",
           __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "file.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));

    /* A file opened read-only under it cannot be changed either. */
    report("path_open file.txt read-only", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE_RO, 0, &fd));
    report("fd_write", write_str(fd, "x", &n));
    report("fd_filestat_set_size", __wasi_fd_filestat_set_size(fd, 0));
    report("fd_filestat_set_times", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    report("fd_fdstat_set_rights add FD_WRITE",
           __wasi_fd_fdstat_set_rights(fd, RIGHTS_FILE_RO | __WASI_RIGHTS_FD_WRITE, 0));
    (void)__wasi_fd_close(fd);

    /* A directory opened from the read-only preopen inherits its limits. */
    report("path_open directory sub", open_dir(SANDBOX, "sub", &d));
    report("sub: read x.txt", slurp(d, "x.txt", data, sizeof data));
    printf("x.txt: [%s]\n", data);
    report("sub: path_open x.txt for writing", open_file(d, "x.txt", 0, RIGHTS_FILE, 0, &fd));
    report("sub: path_open creat y.txt", open_file(d, "y.txt", __WASI_OFLAGS_CREAT, RIGHTS_FILE_RO, 0, &fd));
    report("sub: path_create_directory", __wasi_path_create_directory(d, "deeper"));
    report("sub: path_unlink_file", __wasi_path_unlink_file(d, "x.txt"));
    report("sub: path_open directory . again", open_dir(d, ".", &sd));
    report("sub/.: path_unlink_file", __wasi_path_unlink_file(sd, "x.txt"));
    (void)__wasi_fd_close(sd);
    (void)__wasi_fd_close(d);
    return 0;
}
