/*
 * poll_oneoff: clock subscriptions (relative and absolute, monotonic and
 * realtime), fd_read/fd_write subscriptions on a regular file, on piped
 * stdin and on stdout, userdata echoed in every event, nbytes for a file
 * read subscription, a bad fd, and nsubscriptions == 0.
 *
 * Host setup: `--dir <tmp>::/sandbox` (fd 3) with <tmp>/data.txt holding
 * "0123456789"; stdin is a pipe carrying "hello\n" then EOF; stdout is a pipe.
 *
 * Where python-wasmtime 50 differs (the expected output follows the docs):
 *  - nbytes of a regular-file fd_read event is the number of bytes left to
 *    read (size - position = 7 here); wasmtime reports 1;
 *  - a regular file "always triggers" for both fd_read and fd_write, so
 *    subscribing to both reports 2 events; wasmtime reports only one;
 *  - a subscription on a bad fd is reported in its event (error = EBADF,
 *    the call succeeds), as event.error is documented; wasmtime fails the
 *    whole call with EBADF.
 */
#include "p1_common.h"

#define MS 1000000ull

static __wasi_timestamp_t now(__wasi_clockid_t id) {
    __wasi_timestamp_t t = 0;
    (void)__wasi_clock_time_get(id, 1, &t);
    return t;
}

static __wasi_subscription_t clock_sub(uint64_t ud, __wasi_clockid_t id, __wasi_timestamp_t timeout,
                                       __wasi_subclockflags_t flags) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.precision = 0;
    s.u.u.clock.flags = flags;
    return s;
}

static __wasi_subscription_t fd_sub(uint64_t ud, __wasi_eventtype_t type, __wasi_fd_t fd) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = type;
    if (type == __WASI_EVENTTYPE_FD_READ)
        s.u.u.fd_read.file_descriptor = fd;
    else
        s.u.u.fd_write.file_descriptor = fd;
    return s;
}

static int cmp_event(const void *a, const void *b) {
    uint64_t x = ((const __wasi_event_t *)a)->userdata, y = ((const __wasi_event_t *)b)->userdata;
    return x < y ? -1 : x > y;
}

/* Poll and print "label: ok N" followed by one line per event (sorted by
   userdata). nbytes is printed only when asked (it is meaningful only for
   regular files). */
static __wasi_size_t poll_print(const char *label, __wasi_subscription_t *subs, size_t n,
                                int show_nbytes) {
    __wasi_event_t ev[8];
    memset(ev, 0xEE, sizeof ev);
    __wasi_size_t got = 0;
    __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, n, &got);
    if (e) {
        printf("%s: errno %u\n", label, e);
        return 0;
    }
    printf("%s: ok %u\n", label, (unsigned)got);
    qsort(ev, got, sizeof ev[0], cmp_event);
    for (__wasi_size_t i = 0; i < got; i++) {
        printf("  event userdata 0x%llx type %u error %u", (unsigned long long)ev[i].userdata,
               ev[i].type, ev[i].error);
        if (show_nbytes && ev[i].type == __WASI_EVENTTYPE_FD_READ)
            printf(" nbytes %llu", (unsigned long long)ev[i].fd_readwrite.nbytes);
        printf("\n");
    }
    return got;
}

static void timed(const char *label, __wasi_clockid_t id, int absolute, __wasi_timestamp_t delta) {
    __wasi_timestamp_t t0 = now(id);
    __wasi_timestamp_t target = absolute ? t0 + delta : delta;
    __wasi_subscription_t s = clock_sub(0xC10C0000ull + id, id, target,
                                        absolute ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0);
    poll_print(label, &s, 1, 0);
    __wasi_timestamp_t t1 = now(id);
    char what[96];
    snprintf(what, sizeof what, "%s: elapsed >= timeout", label);
    yesno(what, t1 - t0 >= delta);
}

int main(void) {
    __wasi_subscription_t subs[4];
    __wasi_event_t ev[4];
    __wasi_size_t n;

    /* nsubscriptions == 0 is EINVAL per the docs. */
    report("poll_oneoff nsubscriptions=0", __wasi_poll_oneoff(subs, ev, 0, &n));

    /* Clock timeouts. */
    timed("monotonic relative 20ms", __WASI_CLOCKID_MONOTONIC, 0, 20 * MS);
    timed("monotonic absolute +20ms", __WASI_CLOCKID_MONOTONIC, 1, 20 * MS);
    timed("realtime relative 20ms", __WASI_CLOCKID_REALTIME, 0, 20 * MS);
    timed("realtime absolute +20ms", __WASI_CLOCKID_REALTIME, 1, 20 * MS);

    __wasi_timestamp_t t0 = now(__WASI_CLOCKID_MONOTONIC);
    subs[0] = clock_sub(0xDEADBEEFCAFEF00Dull, __WASI_CLOCKID_MONOTONIC, 0, 0);
    poll_print("relative 0 (full 64-bit userdata)", subs, 1, 0);
    subs[0] = clock_sub(7, __WASI_CLOCKID_MONOTONIC, 1, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    poll_print("absolute deadline in the past", subs, 1, 0);
    subs[0] = clock_sub(8, __WASI_CLOCKID_REALTIME, 1, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    poll_print("realtime absolute deadline in the past", subs, 1, 0);
    yesno("past deadlines returned quickly (< 1s)", now(__WASI_CLOCKID_MONOTONIC) - t0 < 1000 * MS);

    t0 = now(__WASI_CLOCKID_MONOTONIC);
    subs[0] = clock_sub(2, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
    subs[1] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 10 * MS, 0);
    poll_print("two clocks 5s and 10ms", subs, 2, 0);
    __wasi_timestamp_t el = now(__WASI_CLOCKID_MONOTONIC) - t0;
    yesno("two clocks: 10ms <= elapsed < 5s", el >= 10 * MS && el < 5000 * MS);

    /* Regular file: always ready; nbytes = bytes left to read. */
    __wasi_fd_t f;
    __wasi_filesize_t pos;
    report("path_open data.txt", open_file(SANDBOX, "data.txt", 0, RIGHTS_FILE, 0, &f));
    report("fd_seek 3", __wasi_fd_seek(f, 3, __WASI_WHENCE_SET, &pos));
    subs[0] = fd_sub(0xF11E0001, __WASI_EVENTTYPE_FD_READ, f);
    poll_print("file fd_read", subs, 1, 1);
    subs[0] = fd_sub(0xF11E0002, __WASI_EVENTTYPE_FD_WRITE, f);
    poll_print("file fd_write", subs, 1, 0);
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    subs[0] = fd_sub(0xF11E0002, __WASI_EVENTTYPE_FD_WRITE, f);
    subs[1] = clock_sub(0xC10C, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
    subs[2] = fd_sub(0xF11E0001, __WASI_EVENTTYPE_FD_READ, f);
    poll_print("file read+write with 5s clock", subs, 3, 1);
    yesno("file events did not wait for the clock", now(__WASI_CLOCKID_MONOTONIC) - t0 < 4000 * MS);

    /* A bad descriptor is reported in its event, not as a call error. */
    subs[0] = fd_sub(0xBAD, __WASI_EVENTTYPE_FD_READ, 1000);
    poll_print("fd_read on bad fd", subs, 1, 0);
    subs[0] = fd_sub(0xBAD2, __WASI_EVENTTYPE_FD_WRITE, 1000);
    poll_print("fd_write on bad fd", subs, 1, 0);

    /* stdout (a pipe) is writable. */
    subs[0] = fd_sub(0x0517, __WASI_EVENTTYPE_FD_WRITE, 1);
    poll_print("stdout fd_write", subs, 1, 0);

    /* Piped stdin: readable once data arrives, before the 5s clock. */
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    subs[0] = clock_sub(0xC10C, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
    subs[1] = fd_sub(0x5717, __WASI_EVENTTYPE_FD_READ, 0);
    poll_print("stdin fd_read with 5s clock", subs, 2, 0);
    yesno("stdin ready before the clock", now(__WASI_CLOCKID_MONOTONIC) - t0 < 4000 * MS);
    char line[64];
    size_t total = 0;
    for (;;) {
        __wasi_size_t r = 0;
        if (read_buf(0, line + total, sizeof line - 1 - total, &r) || r == 0) break;
        total += r;
    }
    line[total] = 0;
    printf("stdin: [%.*s]\n", (int)(total && line[total - 1] == '\n' ? total - 1 : total), line);
    /* At EOF stdin stays readable (a read returns 0 immediately). */
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    poll_print("stdin at eof fd_read with 5s clock", subs, 2, 0);
    yesno("eof ready before the clock", now(__WASI_CLOCKID_MONOTONIC) - t0 < 4000 * MS);
    return 0;
}
