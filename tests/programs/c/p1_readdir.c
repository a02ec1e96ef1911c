/*
 * fd_readdir: entries, types, d_namlen/d_ino, cookies, small buffers
 * (truncated last entry), resuming from a cookie, the end of a directory,
 * an empty directory and a directory with many entries.
 *
 * Host setup: `--dir <tmp>::/sandbox` (fd 3) with
 *   <tmp>/d/a.txt            file "aaa"
 *   <tmp>/d/b_dir/           directory
 *   <tmp>/d/c_link           symlink -> a.txt
 *   <tmp>/d/<100 x 'L'>.txt  file with a long name
 *   <tmp>/empty/             directory
 * The program creates <tmp>/many/f000 .. f099 itself.
 *
 * `.` and `..` are neither required nor forbidden by preview1 (python-wasmtime
 * 50 returns them); they are skipped before comparing.
 */
#include "p1_common.h"

#define MAXE 256

typedef struct {
    char name[256];
    unsigned type;
    uint64_t next;
    uint64_t ino;
} entry_t;

static int is_dot(const char *n) { return !strcmp(n, ".") || !strcmp(n, ".."); }

/* Parse the complete entries in buf[0..used); returns the count. */
static int parse(const uint8_t *buf, size_t used, entry_t *out, int max, int *truncated) {
    size_t off = 0;
    int count = 0;
    *truncated = 0;
    while (off < used) {
        if (used - off < sizeof(__wasi_dirent_t)) { *truncated = 1; break; }
        __wasi_dirent_t de;
        memcpy(&de, buf + off, sizeof de);
        if (used - off - sizeof de < de.d_namlen) { *truncated = 1; break; }
        if (count < max) {
            size_t l = de.d_namlen < 255 ? de.d_namlen : 255;
            memcpy(out[count].name, buf + off + sizeof de, l);
            out[count].name[l] = 0;
            out[count].type = de.d_type;
            out[count].next = de.d_next;
            out[count].ino = de.d_ino;
            count++;
        }
        off += sizeof de + de.d_namlen;
    }
    return count;
}

/* Read a whole directory with buffers of `bufsize` bytes, like wasi-libc's
   readdir: resume from the d_next of the last complete entry, grow the
   buffer when not even one entry fits. Returns the count; *calls gets the
   number of fd_readdir calls. */
static int read_all(__wasi_fd_t fd, size_t bufsize, entry_t *out, int max, int *calls,
                    __wasi_errno_t *err) {
    uint64_t cookie = 0;
    int total = 0;
    *calls = 0;
    *err = 0;
    uint8_t *buf = malloc(bufsize);
    for (;;) {
        __wasi_size_t used = 0;
        __wasi_errno_t e = __wasi_fd_readdir(fd, buf, bufsize, cookie, &used);
        (*calls)++;
        if (e) { *err = e; break; }
        int truncated;
        int got = parse(buf, used, out + total, max - total, &truncated);
        if (got == 0 && used == bufsize) { /* one entry does not fit: grow */
            bufsize *= 2;
            buf = realloc(buf, bufsize);
            continue;
        }
        if (got > 0) cookie = out[total + got - 1].next;
        total += got;
        if (used < bufsize) break; /* end of directory */
        if (*calls > 10000) break;
    }
    free(buf);
    return total;
}

static int cmp_entry(const void *a, const void *b) {
    return strcmp(((const entry_t *)a)->name, ((const entry_t *)b)->name);
}

/* Drop `.`/`..`, sort by name. */
static int clean(entry_t *e, int n) {
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!is_dot(e[i].name)) e[k++] = e[i];
    qsort(e, k, sizeof *e, cmp_entry);
    return k;
}

static void show(const char *what, entry_t *e, int n) {
    printf("%s: %d entries\n", what, n);
    for (int i = 0; i < n; i++) {
        if (strlen(e[i].name) > 40)
            printf("  %.8s...(%u chars) type %u\n", e[i].name, (unsigned)strlen(e[i].name), e[i].type);
        else
            printf("  %s type %u\n", e[i].name, e[i].type);
    }
}

static int same_names(entry_t *a, int na, entry_t *b, int nb) {
    if (na != nb) return 0;
    for (int i = 0; i < na; i++)
        if (strcmp(a[i].name, b[i].name) || a[i].type != b[i].type) return 0;
    return 1;
}

static entry_t big[MAXE], small[MAXE], tmp[MAXE];

int main(void) {
    __wasi_fd_t d;
    __wasi_errno_t e;
    int calls;
    uint8_t buf[4096];
    __wasi_size_t used;

    report("path_open d", open_dir(SANDBOX, "d", &d));

    /* One call with a large buffer returns everything. */
    e = __wasi_fd_readdir(d, buf, sizeof buf, 0, &used);
    report("fd_readdir 4096", e);
    yesno("bufused < buf_len (end reached)", used < sizeof buf);
    int truncated;
    int nraw = parse(buf, used, big, MAXE, &truncated);
    yesno("no truncated entry", !truncated);
    /* Keep the raw order for the cookie checks below. */
    memcpy(tmp, big, sizeof(entry_t) * nraw);
    int nbig = clean(big, nraw);
    show("entries", big, nbig);

    /* d_ino matches path_filestat_get's ino. */
    __wasi_filestat_t st;
    (void)__wasi_path_filestat_get(SANDBOX, NOFOLLOW, "d/a.txt", &st);
    int ino_ok = 0;
    for (int i = 0; i < nbig; i++)
        if (!strcmp(big[i].name, "a.txt")) ino_ok = big[i].ino == st.ino;
    yesno("d_ino of a.txt matches filestat ino", ino_ok);

    /* Tiny buffers: same result, many calls. */
    int nsmall = clean(small, read_all(d, 30, small, MAXE, &calls, &e));
    report("read with 30-byte buffers", e);
    yesno("same entries with 30-byte buffers", same_names(big, nbig, small, nsmall));
    yesno("needed more than one call", calls > 1);

    /* The buffer is filled completely, the last entry truncated. */
    e = __wasi_fd_readdir(d, buf, 30, 0, &used);
    printf("fd_readdir buf_len=30: %s bufused %u\n", e ? "error" : "ok", (unsigned)used);
    e = __wasi_fd_readdir(d, buf, 10, 0, &used);
    printf("fd_readdir buf_len=10: %s bufused %u\n", e ? "error" : "ok", (unsigned)used);
    e = __wasi_fd_readdir(d, buf, 0, 0, &used);
    printf("fd_readdir buf_len=0: %s bufused %u\n", e ? "error" : "ok", (unsigned)used);

    /* Resuming from the cookie of the second raw entry yields the rest,
       in the same order. */
    e = __wasi_fd_readdir(d, buf, sizeof buf, tmp[1].next, &used);
    report("fd_readdir from cookie of entry 2", e);
    int nrest = parse(buf, used, small, MAXE, &truncated);
    int rest_ok = nrest == nraw - 2;
    for (int i = 0; rest_ok && i < nrest; i++)
        rest_ok = !strcmp(small[i].name, tmp[i + 2].name) && small[i].next == tmp[i + 2].next;
    yesno("rest matches", rest_ok);

    /* The d_next of the last entry is the end. */
    e = __wasi_fd_readdir(d, buf, sizeof buf, tmp[nraw - 1].next, &used);
    printf("fd_readdir at end cookie: %s bufused %u\n", e ? "error" : "ok", (unsigned)used);

    /* Reading again from 0 gives the same listing (the fd keeps no state
       that matters). */
    nsmall = clean(small, read_all(d, 4096, small, MAXE, &calls, &e));
    yesno("second full read identical", same_names(big, nbig, small, nsmall));
    (void)__wasi_fd_close(d);

    /* Empty directory. */
    report("path_open empty", open_dir(SANDBOX, "empty", &d));
    int nempty = clean(small, read_all(d, 4096, small, MAXE, &calls, &e));
    report("fd_readdir empty", e);
    printf("empty: %d entries\n", nempty);
    (void)__wasi_fd_close(d);

    /* Many entries, created by the guest. */
    report("path_create_directory many", __wasi_path_create_directory(SANDBOX, "many"));
    int made = 0;
    for (int i = 0; i < 100; i++) {
        char name[32];
        snprintf(name, sizeof name, "many/f%03d", i);
        if (make_file(SANDBOX, name, "") == 0) made++;
    }
    printf("created: %d\n", made);
    report("path_open many", open_dir(SANDBOX, "many", &d));
    int nmany = clean(small, read_all(d, 128, small, MAXE, &calls, &e));
    report("fd_readdir many (128-byte buffers)", e);
    int names_ok = nmany == 100;
    for (int i = 0; names_ok && i < 100; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%03d", i);
        names_ok = !strcmp(small[i].name, name) && small[i].type == __WASI_FILETYPE_REGULAR_FILE;
    }
    printf("many: %d entries, names f000..f099: %s\n", nmany, names_ok ? "yes" : "no");
    (void)__wasi_fd_close(d);

    /* The preopen itself can be listed. */
    int ntop = clean(small, read_all(SANDBOX, 4096, small, MAXE, &calls, &e));
    report("fd_readdir preopen", e);
    show("top", small, ntop);
    return 0;
}
