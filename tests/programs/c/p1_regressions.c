/*
 * Advisory regressions (host test: crates/eddy-cli/tests/regressions.rs,
 * which names the advisory behind each section). One line per check.
 *
 * Host layout (siblings in one temp dir):
 *   sandbox/                 `--dir sandbox::/sandbox` (fd 3, read-write)
 *   sandbox/file.txt         "inside"
 *   sandbox/dir_out      -> ../outside            (a directory outside)
 *   sandbox/file_out     -> ../outside/secret.txt (a file outside)
 *   sandbox/dangling_out -> ../outside/newdir     (does not exist)
 *   sandbox/list/a           "a" (the only entry besides . and ..)
 *   sandbox/old.txt          mtime 1960-01-01 (before the epoch)
 *   ro/                      `--dir ro::/ro:ro` (fd 4, read-only)
 *   ro/ro.txt                "readonly"
 *   outside/secret.txt       "secret"
 * The host test checks that outside/ and ro/ are unchanged afterwards.
 */
#include "p1_common.h"

#define RO 4

static void trailing_slash(void) {
    __wasi_fd_t fd;
    __wasi_filestat_t st;
    report("open dir_out/", open_dir(SANDBOX, "dir_out/", &fd));
    report("open file_out/", open_file(SANDBOX, "file_out/", 0, RIGHTS_FILE_RO, 0, &fd));
    report("open (creat) dangling_out/",
           open_file(SANDBOX, "dangling_out/", __WASI_OFLAGS_CREAT, RIGHTS_FILE, 0, &fd));
    report("open (creat|directory) dangling_out/",
           __wasi_path_open(SANDBOX, FOLLOW, "dangling_out/",
                            __WASI_OFLAGS_CREAT | __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR,
                            RIGHTS_DIR, 0, &fd));
    report("mkdir dangling_out/", __wasi_path_create_directory(SANDBOX, "dangling_out/"));
    report("mkdir dangling_out", __wasi_path_create_directory(SANDBOX, "dangling_out"));
    report("mkdir dir_out/newdir/", __wasi_path_create_directory(SANDBOX, "dir_out/newdir/"));
    report("stat dir_out/ (nofollow)", __wasi_path_filestat_get(SANDBOX, NOFOLLOW, "dir_out/", &st));
    report("stat dangling_out/ (nofollow)",
           __wasi_path_filestat_get(SANDBOX, NOFOLLOW, "dangling_out/", &st));
    report("symlink at dangling_out/", __wasi_path_symlink("file.txt", SANDBOX, "dangling_out/"));
    report("rename file.txt -> dangling_out/",
           __wasi_path_rename(SANDBOX, "file.txt", SANDBOX, "dangling_out/"));
    report("link file.txt -> dangling_out/",
           __wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, "dangling_out/"));
}

static void truncate_readonly(void) {
    __wasi_fd_t fd;
    char data[32];
    report("ro: open trunc (read rights)",
           open_file(RO, "ro.txt", __WASI_OFLAGS_TRUNC, RIGHTS_FILE_RO, 0, &fd));
    report("ro: open trunc (no rights)", open_file(RO, "ro.txt", __WASI_OFLAGS_TRUNC, 0, 0, &fd));
    report("ro: open creat|trunc",
           open_file(RO, "ro.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RIGHTS_FILE_RO, 0, &fd));
    report("ro: read ro.txt", slurp(RO, "ro.txt", data, sizeof data));
    printf("ro.txt: [%s]\n", data);
    /* A read-only fd in the writable preopen cannot be truncated through. */
    if (open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE_RO, 0, &fd) == 0) {
        report("ro fd: filestat_set_size 0", __wasi_fd_filestat_set_size(fd, 0));
        report("ro fd: set_flags append", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
        (void)__wasi_fd_close(fd);
    }
    report("read file.txt", slurp(SANDBOX, "file.txt", data, sizeof data));
    printf("file.txt: [%s]\n", data);
}

static void cross_preopen(void) {
    __wasi_fd_t fd;
    char data[32];
    report("link ro/ro.txt -> sandbox/hard.txt",
           __wasi_path_link(RO, 0, "ro.txt", SANDBOX, "hard.txt"));
    report("rename ro/ro.txt -> sandbox/moved.txt",
           __wasi_path_rename(RO, "ro.txt", SANDBOX, "moved.txt"));
    report("link sandbox/file.txt -> ro/hard.txt",
           __wasi_path_link(SANDBOX, 0, "file.txt", RO, "hard.txt"));
    report("rename sandbox/file.txt -> ro/moved.txt",
           __wasi_path_rename(SANDBOX, "file.txt", RO, "moved.txt"));
    /* A writable open of the read-only file through any name fails. */
    report("sandbox: open hard.txt", open_file(SANDBOX, "hard.txt", 0, RIGHTS_FILE, 0, &fd));
    report("read file.txt", slurp(SANDBOX, "file.txt", data, sizeof data));
    printf("file.txt: [%s]\n", data);
}

/* preview1 rights (WASI 0.2 has none; the adapter emulates none of these). */
static void rights(void) {
    __wasi_fd_t d;
    char data[32];
    /* A directory fd without the link/rename rights. */
    __wasi_rights_t no_link = RIGHTS_DIR & ~(__WASI_RIGHTS_PATH_LINK_SOURCE |
                                             __WASI_RIGHTS_PATH_LINK_TARGET |
                                             __WASI_RIGHTS_PATH_RENAME_SOURCE |
                                             __WASI_RIGHTS_PATH_RENAME_TARGET);
    report("open . without link/rename rights",
           __wasi_path_open(SANDBOX, FOLLOW, ".", __WASI_OFLAGS_DIRECTORY, no_link, no_link, 0, &d));
    report("  link from it", __wasi_path_link(d, 0, "file.txt", SANDBOX, "h1.txt"));
    report("  link into it", __wasi_path_link(SANDBOX, 0, "file.txt", d, "h2.txt"));
    report("  rename from it", __wasi_path_rename(d, "file.txt", SANDBOX, "r1.txt"));
    report("  rename into it", __wasi_path_rename(SANDBOX, "file.txt", d, "r2.txt"));
    (void)__wasi_fd_close(d);
    report("read file.txt", slurp(SANDBOX, "file.txt", data, sizeof data));
    printf("file.txt: [%s]\n", data);
}

static void renumber(void) {
    __wasi_fd_t a, b, c;
    __wasi_fdstat_t fs;
    char data[32];
    report("open a", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE_RO, 0, &a));
    report("renumber a -> a", __wasi_fd_renumber(a, a));
    report("fdstat a", __wasi_fd_fdstat_get(a, &fs));
    report("open b after renumber onto itself", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE_RO, 0, &b));
    yesno("b differs from a", a != b);
    report("close b", __wasi_fd_close(b));
    report("renumber a -> closed b", __wasi_fd_renumber(a, b));
    report("renumber closed b -> a", __wasi_fd_renumber(b, a));
    report("renumber a -> 1000", __wasi_fd_renumber(a, 1000));
    report("open c after renumber onto closed", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE_RO, 0, &c));
    report("close c", __wasi_fd_close(c));
    report("renumber preopen 4 -> 4", __wasi_fd_renumber(RO, RO));
    report("preopen 4 still reads", slurp(RO, "ro.txt", data, sizeof data));
    /* Onto a preopen: the preopen is closed, fd 4 is now the file. */
    report("renumber a -> preopen 4", __wasi_fd_renumber(a, RO));
    report("fdstat 4", __wasi_fd_fdstat_get(RO, &fs));
    printf("fd 4 filetype: %u\n", (unsigned)fs.fs_filetype);
    report("read fd 4", read_buf(RO, data, 6, NULL));
    data[6] = 0;
    printf("fd 4 data: [%s]\n", data);
    report("fdstat a (renumbered away)", __wasi_fd_fdstat_get(a, &fs));
    report("preopen 3 still reads", slurp(SANDBOX, "file.txt", data, sizeof data));
    /* No leak: the fd renumbered over is closed on the host. The host test
       runs this under `ulimit -n 64`: a leaked host fd per round would run
       out long before 2000 rounds. */
    __wasi_errno_t e = 0;
    int i;
    report("open keep", open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE_RO, 0, &a));
    for (i = 0; i < 2000 && e == 0; i++) {
        e = open_file(SANDBOX, "file.txt", 0, RIGHTS_FILE_RO, 0, &b);
        if (e == 0) e = __wasi_fd_renumber(b, a);
    }
    printf("2000 open+renumber rounds: %s (round %d)\n", e ? "failed" : "ok", i);
    report("read through the last renumbered fd", read_buf(a, data, 6, NULL));
    report("close keep", __wasi_fd_close(a));
}

static void readdir_padding(void) {
    __wasi_fd_t d;
    uint8_t buf[512];
    __wasi_size_t used = 0;
    size_t i;
    if (open_dir(SANDBOX, "list", &d)) return;
    /* A buffer smaller than one dirent header (24 bytes). */
    memset(buf, 0xAA, sizeof buf);
    report("readdir into 10 bytes", __wasi_fd_readdir(d, buf, 10, 0, &used));
    printf("bufused: %u\n", (unsigned)used);
    int clean = 1;
    for (i = used; i < sizeof buf; i++) clean &= buf[i] == 0xAA;
    yesno("bytes past bufused untouched", clean);
    (void)__wasi_fd_close(d);
    /* A fresh fd: the preview1 adapter repeats a dirent cut short by the
       small buffer above even when the next call restarts at cookie 0. */
    if (open_dir(SANDBOX, "list", &d)) return;
    /* A whole listing: every dirent's 3 padding bytes (21..23) are zero,
       the names are what the directory holds, nothing past bufused. */
    memset(buf, 0xAA, sizeof buf);
    report("readdir into 512 bytes", __wasi_fd_readdir(d, buf, sizeof buf, 0, &used));
    size_t at = 0;
    int entries = 0, padding_zero = 1;
    char names[64] = "";
    while (at + 24 <= used) {
        uint32_t namlen;
        memcpy(&namlen, buf + at + 16, 4);
        padding_zero &= buf[at + 21] == 0 && buf[at + 22] == 0 && buf[at + 23] == 0;
        if (at + 24 + namlen > used || namlen > 8) break;
        if (names[0]) strcat(names, ",");
        strncat(names, (const char *)buf + at + 24, namlen);
        entries++;
        at += 24 + namlen;
    }
    printf("entries: %d, names: [%s]\n", entries, names);
    yesno("bufused is exactly the entries", at == used);
    yesno("dirent padding is zero", padding_zero);
    clean = 1;
    for (i = used; i < sizeof buf; i++) clean &= buf[i] == 0xAA;
    yesno("bytes past bufused untouched", clean);
    (void)__wasi_fd_close(d);
}

static void timestamps(void) {
    __wasi_filestat_t st;
    report("stat old.txt (1960)", __wasi_path_filestat_get(SANDBOX, FOLLOW, "old.txt", &st));
    printf("old.txt mtim: %llu\n", (unsigned long long)st.mtim);
    report("set_times file.txt to 0",
           __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "file.txt", 0, 0,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    report("stat file.txt", __wasi_path_filestat_get(SANDBOX, FOLLOW, "file.txt", &st));
    printf("file.txt mtim: %llu atim: %llu\n", (unsigned long long)st.mtim,
           (unsigned long long)st.atim);
    /* -1 as a u64: 2^64-1 ns, past what the host's time_t takes in ns. */
    report("set_times file.txt to u64::MAX",
           __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "file.txt", UINT64_MAX, UINT64_MAX,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    report("set_times file.txt to 2^63",
           __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "file.txt", 1ull << 63, 1ull << 63,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    report("stat file.txt", __wasi_path_filestat_get(SANDBOX, FOLLOW, "file.txt", &st));
    printf("file.txt mtim: %llu\n", (unsigned long long)st.mtim);
}

static void random_huge(void) {
    static uint8_t small[16];
    /* 1 GiB into a memory that does not have it. */
    report("random_get 1 GiB", __wasi_random_get(small, 1u << 30));
    report("random_get to the end of the address space",
           __wasi_random_get(small, (__wasi_size_t)(0u - (uintptr_t)small)));
}

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "fs")) {
        trailing_slash();
        truncate_readonly();
        cross_preopen();
        renumber();
        readdir_padding();
        timestamps();
    } else if (!strcmp(what, "rights")) {
        rights();
    } else if (!strcmp(what, "random")) {
        random_huge();
    } else {
        printf("usage: p1_regressions fs|rights|random\n");
        return 2;
    }
    return 0;
}
