/*
 * Success paths of the path_* functions.
 *
 * Host setup: `--dir <tmp>::/sandbox` (fd 3) with <tmp>/existing.txt holding
 * "existing\n" and <tmp>/sub/inner.txt holding "inner\n". The host test
 * checks the final tree afterwards.
 *
 * Covers: path_create_directory, path_open (creat, excl, trunc, directory,
 * relative to a non-preopen dir fd, `.`/`..`/`//` inside the sandbox),
 * path_filestat_get (follow and nofollow), path_filestat_set_times,
 * path_link, path_readlink, path_rename, path_symlink, path_unlink_file,
 * path_remove_directory.
 */
#include "p1_common.h"

#define SEC 1000000000ull

static void stat_line(__wasi_fd_t dir, __wasi_lookupflags_t fl, const char *path) {
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_get(dir, fl, path, &st);
    if (e)
        printf("stat %s%s: errno %u\n", fl ? "" : "nofollow ", path, e);
    else if (st.filetype == __WASI_FILETYPE_DIRECTORY) /* size/nlink: fs-specific */
        printf("stat %s%s: type %u\n", fl ? "" : "nofollow ", path, st.filetype);
    else
        printf("stat %s%s: type %u size %llu nlink %llu\n", fl ? "" : "nofollow ", path,
               st.filetype, (unsigned long long)st.size, (unsigned long long)st.nlink);
}

static void cat(__wasi_fd_t dir, const char *path) {
    char buf[256];
    __wasi_errno_t e = slurp(dir, path, buf, sizeof buf);
    if (e) {
        printf("read %s: errno %u\n", path, e);
        return;
    }
    size_t l = strlen(buf);
    if (l && buf[l - 1] == '\n') buf[l - 1] = 0;
    printf("read %s: [%s]\n", path, buf);
}

int main(void) {
    __wasi_fd_t fd, d;
    __wasi_filestat_t st, st2;

    /* --- directories --- */
    report("path_create_directory newdir", __wasi_path_create_directory(SANDBOX, "newdir"));
    report("path_create_directory newdir/nested", __wasi_path_create_directory(SANDBOX, "newdir/nested"));
    stat_line(SANDBOX, FOLLOW, "newdir");

    /* --- creating files --- */
    report("path_open creat newdir/nested/f.txt",
           open_file(SANDBOX, "newdir/nested/f.txt", __WASI_OFLAGS_CREAT, RIGHTS_FILE, 0, &fd));
    report("write f.txt", write_all(fd, "nested file\n", 12));
    report("fd_close f.txt", __wasi_fd_close(fd));
    report("path_open creat|excl excl.txt",
           open_file(SANDBOX, "excl.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_FILE, 0, &fd));
    report("write excl.txt", write_all(fd, "excl\n", 5));
    (void)__wasi_fd_close(fd);
    report("path_open creat existing.txt (no trunc)",
           open_file(SANDBOX, "existing.txt", __WASI_OFLAGS_CREAT, RIGHTS_FILE, 0, &fd));
    (void)__wasi_fd_filestat_get(fd, &st);
    printf("size kept: %llu\n", (unsigned long long)st.size);
    (void)__wasi_fd_close(fd);
    report("path_open trunc existing.txt",
           open_file(SANDBOX, "existing.txt", __WASI_OFLAGS_TRUNC, RIGHTS_FILE, 0, &fd));
    (void)__wasi_fd_filestat_get(fd, &st);
    printf("size after trunc: %llu\n", (unsigned long long)st.size);
    report("write existing.txt", write_all(fd, "rewritten\n", 10));
    (void)__wasi_fd_close(fd);

    /* --- path forms that stay inside the sandbox --- */
    cat(SANDBOX, "existing.txt");
    cat(SANDBOX, "sub/../existing.txt");
    cat(SANDBOX, "./sub/./inner.txt");
    cat(SANDBOX, "sub//inner.txt");
    cat(SANDBOX, "newdir/nested/../../sub/inner.txt");
    stat_line(SANDBOX, FOLLOW, ".");
    stat_line(SANDBOX, FOLLOW, "sub/");
    stat_line(SANDBOX, FOLLOW, "sub/..");

    /* --- a directory fd other than the preopen --- */
    report("path_open directory sub", open_dir(SANDBOX, "sub", &d));
    cat(d, "inner.txt");
    report("path_create_directory via sub fd", __wasi_path_create_directory(d, "made_via_fd"));
    report("path_remove_directory via sub fd", __wasi_path_remove_directory(d, "made_via_fd"));
    (void)__wasi_fd_close(d);

    /* --- symlinks --- */
    report("path_symlink link -> existing.txt", __wasi_path_symlink("existing.txt", SANDBOX, "link"));
    stat_line(SANDBOX, NOFOLLOW, "link");
    stat_line(SANDBOX, FOLLOW, "link");
    char target[64];
    __wasi_size_t n = 0;
    memset(target, 0, sizeof target);
    report("path_readlink link", __wasi_path_readlink(SANDBOX, "link", (uint8_t *)target, sizeof target, &n));
    printf("link target: [%.*s] len %u\n", (int)n, target, (unsigned)n);
    cat(SANDBOX, "link");
    report("path_symlink sublink -> sub", __wasi_path_symlink("sub", SANDBOX, "sublink"));
    cat(SANDBOX, "sublink/inner.txt");
    report("path_symlink nested/up -> ../../sub/inner.txt",
           __wasi_path_symlink("../../sub/inner.txt", SANDBOX, "newdir/nested/up"));
    cat(SANDBOX, "newdir/nested/up");
    report("path_symlink dangling -> missing", __wasi_path_symlink("missing", SANDBOX, "dangling"));
    stat_line(SANDBOX, NOFOLLOW, "dangling");
    stat_line(SANDBOX, FOLLOW, "dangling");

    /* --- timestamps by path --- */
    report("path_filestat_set_times existing.txt",
           __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "existing.txt", 1400000000ull * SEC,
                                          1500000000ull * SEC + 7,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    (void)__wasi_path_filestat_get(SANDBOX, FOLLOW, "existing.txt", &st);
    printf("atim: %llu.%09llu\n", (unsigned long long)(st.atim / SEC), (unsigned long long)(st.atim % SEC));
    printf("mtim: %llu.%09llu\n", (unsigned long long)(st.mtim / SEC), (unsigned long long)(st.mtim % SEC));
    report("path_filestat_set_times through link (follow)",
           __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "link", 0, 1300000000ull * SEC,
                                          __WASI_FSTFLAGS_MTIM));
    (void)__wasi_path_filestat_get(SANDBOX, FOLLOW, "existing.txt", &st);
    printf("target mtim: %llu\n", (unsigned long long)(st.mtim / SEC));
    report("path_filestat_set_times link itself (nofollow)",
           __wasi_path_filestat_set_times(SANDBOX, NOFOLLOW, "link", 0, 1200000000ull * SEC,
                                          __WASI_FSTFLAGS_MTIM));
    (void)__wasi_path_filestat_get(SANDBOX, NOFOLLOW, "link", &st2);
    (void)__wasi_path_filestat_get(SANDBOX, FOLLOW, "existing.txt", &st);
    printf("link mtim: %llu target mtim: %llu\n", (unsigned long long)(st2.mtim / SEC),
           (unsigned long long)(st.mtim / SEC));
    report("path_filestat_set_times dir mtim_now",
           __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "sub", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));

    /* --- hard links --- */
    report("path_link existing.txt -> hard.txt",
           __wasi_path_link(SANDBOX, 0, "existing.txt", SANDBOX, "hard.txt"));
    (void)__wasi_path_filestat_get(SANDBOX, FOLLOW, "existing.txt", &st);
    (void)__wasi_path_filestat_get(SANDBOX, FOLLOW, "hard.txt", &st2);
    printf("nlink: %llu %llu same ino: %s\n", (unsigned long long)st.nlink,
           (unsigned long long)st2.nlink, st.ino == st2.ino ? "yes" : "no");
    cat(SANDBOX, "hard.txt");
    report("path_link across dirs into sub", __wasi_path_link(SANDBOX, 0, "hard.txt", SANDBOX, "sub/hard2.txt"));
    stat_line(SANDBOX, FOLLOW, "existing.txt");

    /* --- rename --- */
    report("path_rename excl.txt -> renamed.txt", __wasi_path_rename(SANDBOX, "excl.txt", SANDBOX, "renamed.txt"));
    stat_line(SANDBOX, FOLLOW, "excl.txt");
    cat(SANDBOX, "renamed.txt");
    report("make a.txt", make_file(SANDBOX, "a.txt", "AAA\n"));
    report("make b.txt", make_file(SANDBOX, "b.txt", "BBB\n"));
    report("path_rename a.txt over b.txt", __wasi_path_rename(SANDBOX, "a.txt", SANDBOX, "b.txt"));
    stat_line(SANDBOX, FOLLOW, "a.txt");
    cat(SANDBOX, "b.txt");
    report("path_rename renamed.txt -> sub/renamed.txt",
           __wasi_path_rename(SANDBOX, "renamed.txt", SANDBOX, "sub/renamed.txt"));
    report("path_create_directory emptydir", __wasi_path_create_directory(SANDBOX, "emptydir"));
    report("path_rename newdir -> movedir", __wasi_path_rename(SANDBOX, "newdir", SANDBOX, "movedir"));
    cat(SANDBOX, "movedir/nested/f.txt");
    report("path_rename movedir over empty emptydir", __wasi_path_rename(SANDBOX, "movedir", SANDBOX, "emptydir"));
    stat_line(SANDBOX, FOLLOW, "movedir");
    cat(SANDBOX, "emptydir/nested/f.txt");
    report("path_rename symlink dangling -> dangling2",
           __wasi_path_rename(SANDBOX, "dangling", SANDBOX, "dangling2"));
    stat_line(SANDBOX, NOFOLLOW, "dangling2");

    /* --- unlink and rmdir --- */
    report("path_unlink_file hard.txt", __wasi_path_unlink_file(SANDBOX, "hard.txt"));
    stat_line(SANDBOX, FOLLOW, "existing.txt");
    report("path_unlink_file link (the symlink)", __wasi_path_unlink_file(SANDBOX, "link"));
    stat_line(SANDBOX, NOFOLLOW, "link");
    stat_line(SANDBOX, FOLLOW, "existing.txt");
    report("path_unlink_file dangling2", __wasi_path_unlink_file(SANDBOX, "dangling2"));
    report("path_unlink_file sublink (symlink to dir)", __wasi_path_unlink_file(SANDBOX, "sublink"));
    report("path_unlink_file emptydir/nested/up", __wasi_path_unlink_file(SANDBOX, "emptydir/nested/up"));
    report("path_unlink_file emptydir/nested/f.txt", __wasi_path_unlink_file(SANDBOX, "emptydir/nested/f.txt"));
    report("path_remove_directory emptydir/nested", __wasi_path_remove_directory(SANDBOX, "emptydir/nested"));
    report("path_remove_directory emptydir", __wasi_path_remove_directory(SANDBOX, "emptydir"));
    stat_line(SANDBOX, FOLLOW, "emptydir");
    return 0;
}
