/*
 * Deterministic mode (`eddy run --deterministic`): prints the raw clock
 * values around sleeps, so a test can check the virtual clock exactly.
 *
 * Under --deterministic every clock read adds 1 us and a poll_oneoff clock
 * subscription completes at once, moving the clock to its deadline: monotonic
 * starts at 0, realtime at 2000-01-01T00:00:00Z (946684800 s). Also prints
 * clock_res_get (the tick) and 8 bytes of random_get (seeded).
 */
#include <stdio.h>
#include <wasi/api.h>

static __wasi_timestamp_t now(__wasi_clockid_t id) {
    __wasi_timestamp_t t = 0;
    __wasi_clock_time_get(id, 1, &t);
    return t;
}

/* One clock subscription: `timeout` ns (relative), or an absolute instant. */
static void sleep_on(const char *what, __wasi_clockid_t id, __wasi_timestamp_t timeout,
                     int absolute) {
    __wasi_subscription_t sub = {0};
    __wasi_event_t ev = {0};
    __wasi_size_t n = 0;
    sub.userdata = 42;
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = id;
    sub.u.u.clock.timeout = timeout;
    sub.u.u.clock.flags = absolute ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
    __wasi_errno_t e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
    printf("%s: errno %d, %u event(s), userdata %llu, error %d\n", what, e, (unsigned)n,
           (unsigned long long)ev.userdata, ev.error);
}

int main(void) {
    __wasi_timestamp_t res = 0;
    __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res);
    printf("resolution %llu\n", (unsigned long long)res);
    printf("monotonic %llu\n", (unsigned long long)now(__WASI_CLOCKID_MONOTONIC));
    printf("realtime %llu\n", (unsigned long long)now(__WASI_CLOCKID_REALTIME));
    sleep_on("sleep 1s", __WASI_CLOCKID_MONOTONIC, 1000000000ull, 0);
    printf("monotonic %llu\n", (unsigned long long)now(__WASI_CLOCKID_MONOTONIC));
    sleep_on("sleep until 2000-01-01T00:00:05Z", __WASI_CLOCKID_REALTIME,
             946684805ull * 1000000000ull, 1);
    printf("realtime %llu\n", (unsigned long long)now(__WASI_CLOCKID_REALTIME));
    sleep_on("sleep until monotonic 1s (past)", __WASI_CLOCKID_MONOTONIC, 1000000000ull, 1);
    printf("monotonic %llu\n", (unsigned long long)now(__WASI_CLOCKID_MONOTONIC));
    unsigned char buf[8];
    __wasi_random_get(buf, sizeof buf);
    printf("random ");
    for (int i = 0; i < 8; i++) printf("%02x", buf[i]);
    printf("\n");
    return 0;
}
