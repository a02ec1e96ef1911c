//! random_get (guest: p1_random).

mod common;
use common::*;

#[test]
fn random_get_fills_exactly_the_buffer() {
    let out = run(eddy_run(&[s(&program("p1_random"))]), b"");
    assert_run(
        &out,
        "random_get len=0: ok\n\
         len=0 buffer untouched: yes\n\
         random_get len=64: ok\n\
         len=64 not all zero: yes\n\
         len=64 guard byte untouched: yes\n\
         random_get second draw: ok\n\
         two draws differ: yes\n\
         random_get len=1MiB: ok\n\
         len=1MiB every page filled: yes\n\
         random_get len=1 unaligned: ok\n\
         len=1 neighbours untouched: yes\n",
        "",
        0,
    );
}
