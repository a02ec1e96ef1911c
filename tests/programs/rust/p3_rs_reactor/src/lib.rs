//! p3_rs_reactor: a WASI 0.3 component exporting async functions (wit/world.wit,
//! `eddy:reactor/api@0.1.0`), for the embedding API's `Reactor`:
//! - `delayed(x, ms)` waits `ms` ms (`wait-for`), then returns `2x + 1`;
//! - `check(x)` returns `x + 1`, and traps on 13;
//! - `say(line, ms)` waits, then prints `line` on stdout (WASI 0.3 `write-via-stream`) and
//!   returns its length in bytes;
//! - `spin()` loops for ever without yielding.
#[path = "../../p3_common/out.rs"]
mod out;

wit_bindgen::generate!({
    path: "wit",
    world: "reactor",
});

use exports::eddy::reactor::api::Guest;
use wasip3::clocks::monotonic_clock;

struct Reactor;
export!(Reactor);

impl Guest for Reactor {
    async fn delayed(x: u32, ms: u32) -> u64 {
        monotonic_clock::wait_for(u64::from(ms) * 1_000_000).await;
        u64::from(x) * 2 + 1
    }

    async fn check(x: u32) -> u32 {
        if x == 13 {
            core::arch::wasm32::unreachable();
        }
        x + 1
    }

    async fn say(line: String, ms: u32) -> u32 {
        monotonic_clock::wait_for(u64::from(ms) * 1_000_000).await;
        let n = line.len() as u32;
        let mut stdout = out::Out::stdout();
        stdout.line(line).await;
        stdout.close().await;
        n
    }

    async fn spin() {
        let mut i: u64 = 0;
        loop {
            // A volatile-ish counter so the loop is not optimised away.
            i = core::hint::black_box(i.wrapping_add(1));
        }
    }
}
