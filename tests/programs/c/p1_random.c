/*
 * random_get.
 *
 * Never prints random bytes: only whether calls succeed, whether the buffer
 * was filled exactly up to buf_len, and whether two draws differ.
 */
#include "p1_common.h"

static int all_equal(const uint8_t *p, size_t n, uint8_t v) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != v) return 0;
    return 1;
}

int main(void) {
    static uint8_t a[64 + 1], b[64];

    /* A zero-length request succeeds and touches nothing. */
    memset(a, 0x5A, sizeof a);
    report("random_get len=0", __wasi_random_get(a, 0));
    yesno("len=0 buffer untouched", all_equal(a, sizeof a, 0x5A));

    /* 64 bytes: filled, and the byte just past the end untouched. */
    memset(a, 0, sizeof a);
    a[64] = 0xA5;
    report("random_get len=64", __wasi_random_get(a, 64));
    yesno("len=64 not all zero", !all_equal(a, 64, 0));
    yesno("len=64 guard byte untouched", a[64] == 0xA5);

    report("random_get second draw", __wasi_random_get(b, sizeof b));
    yesno("two draws differ", memcmp(a, b, sizeof b) != 0);

    /* A large request (1 MiB) must be filled completely: check each 4 KiB
       page got at least one non-zero byte. */
    size_t big = 1 << 20;
    uint8_t *p = calloc(big, 1);
    report("random_get len=1MiB", __wasi_random_get(p, big));
    int pages_ok = 1;
    for (size_t off = 0; off < big; off += 4096)
        if (all_equal(p + off, 4096, 0)) pages_ok = 0;
    yesno("len=1MiB every page filled", pages_ok);

    /* A one-byte request at an odd address. */
    uint8_t odd[3] = {0, 0, 0};
    report("random_get len=1 unaligned", __wasi_random_get(odd + 1, 1));
    yesno("len=1 neighbours untouched", odd[0] == 0 && odd[2] == 0);
    return 0;
}
