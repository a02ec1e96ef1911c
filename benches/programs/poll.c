/* poll_oneoff: cost of one poll call over N subscriptions, exactly one ready.
 *
 *   poll N PATH [ITERS]
 *
 * WASI: one __wasi_poll_oneoff call per iteration on N subscriptions:
 *   N-1 clock subscriptions (CLOCK_MONOTONIC, relative timeout 1 h, never
 *   fire) followed by one fd_write subscription on PATH (/dev/null opened
 *   for writing, always ready). The ready one is LAST, so an implementation
 *   cannot stop early. Every call must report exactly that one event.
 *
 * Native: poll(2) on the closest equivalent set: N-1 timerfds armed to
 *   expire in 1 h (a kernel clock that never fires during the run, one fd
 *   each), followed by POLLOUT on /dev/null opened for writing (always
 *   ready). The descriptors are set up once; each iteration is one poll().
 *
 * ITERS defaults to max(2000, 2000000 / N). */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

#ifdef __wasi__
#include <wasi/api.h>
#else
#include <poll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#endif

#define READY_TAG 0xedd1ULL               /* userdata of the ready subscription */

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: poll N PATH [ITERS]\n"); return 2; }
    long n = arg_count(argc, argv, 1, 1);
    long def_iters = 2000000 / n < 2000 ? 2000 : 2000000 / n;
    long iters = arg_count(argc, argv, 3, def_iters);
    char name[64];
    snprintf(name, sizeof name, "poll_oneoff_%ld", n);

    int wfd = open(argv[2], O_WRONLY);
    if (wfd < 0) die(argv[2]);

#ifdef __wasi__
    __wasi_subscription_t *subs = calloc((size_t)n, sizeof *subs);
    __wasi_event_t *evs = calloc((size_t)n, sizeof *evs);
    if (!subs || !evs) die("calloc");
    for (long i = 0; i < n - 1; i++) {
        subs[i].userdata = (uint64_t)i;
        subs[i].u.tag = __WASI_EVENTTYPE_CLOCK;
        subs[i].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        subs[i].u.u.clock.timeout = 3600ULL * 1000000000ULL;   /* 1 h, relative */
        subs[i].u.u.clock.precision = 0;
        subs[i].u.u.clock.flags = 0;
    }
    subs[n - 1].userdata = READY_TAG;
    subs[n - 1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    subs[n - 1].u.u.fd_write.file_descriptor = (__wasi_fd_t)wfd;

    /* One poll: must report exactly the fd_write event. */
#define POLL_ONCE()                                                            \
    do {                                                                       \
        __wasi_size_t got = 0;                                                 \
        __wasi_errno_t e = __wasi_poll_oneoff(subs, evs, (__wasi_size_t)n, &got); \
        if (e != 0 || got != 1 || evs[0].userdata != READY_TAG ||              \
            evs[0].error != 0 || evs[0].type != __WASI_EVENTTYPE_FD_WRITE) {   \
            fprintf(stderr, "poll_oneoff: errno %d, %u events, userdata %llx\n", \
                    e, (unsigned)got, (unsigned long long)evs[0].userdata);    \
            exit(1);                                                           \
        }                                                                      \
    } while (0)
#else
    /* N-1 timerfds plus the ready fd need more descriptors than a default
     * soft limit of 1024 may allow: raise the soft limit to the hard one. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    struct pollfd *pfds = calloc((size_t)n, sizeof *pfds);
    if (!pfds) die("calloc");
    struct itimerspec hour;
    memset(&hour, 0, sizeof hour);
    hour.it_value.tv_sec = 3600;
    for (long i = 0; i < n - 1; i++) {
        int t = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
        if (t < 0) die("timerfd_create");
        if (timerfd_settime(t, 0, &hour, NULL) != 0) die("timerfd_settime");
        pfds[i].fd = t;
        pfds[i].events = POLLIN;
    }
    pfds[n - 1].fd = wfd;
    pfds[n - 1].events = POLLOUT;

#define POLL_ONCE()                                                            \
    do {                                                                       \
        int r = poll(pfds, (nfds_t)n, -1);                                     \
        if (r != 1 || pfds[n - 1].revents != POLLOUT) {                        \
            fprintf(stderr, "poll: %d ready, revents %x\n", r, pfds[n - 1].revents); \
            exit(1);                                                           \
        }                                                                      \
    } while (0)
#endif

    for (long i = 0; i < iters / 10; i++) POLL_ONCE();     /* warm-up, not timed */

    uint64_t t0 = now_ns();
    for (long i = 0; i < iters; i++) POLL_ONCE();
    uint64_t t1 = now_ns();

    report(name, t1 - t0, (uint64_t)iters);
    return 0;
}
