//! p3_rs_timers: many concurrent wasi:clocks@0.3 waits.
//! `p3_rs_timers [N] [D]` (defaults 1000 and 200): N concurrent `wait-for(D ms)` calls,
//! all awaited together with join_all; they must overlap (elapsed < max(N*D/10, 2*D)), and
//! each must have waited at least D. Then `wait-until(now + D)` must return no earlier than that mark.
#[path = "../../p3_common/out.rs"]
mod out;

use out::Out;
use wasip3::clocks::monotonic_clock;

struct Timers;
wasip3::cli::command::export!(Timers);

const MS: u64 = 1_000_000; // clock durations and marks are nanoseconds

impl wasip3::exports::cli::run::Guest for Timers {
    async fn run() -> Result<(), ()> {
        let mut stdout = Out::stdout();
        let args = wasip3::cli::environment::get_arguments();
        let n: u64 = args.get(1).map(|a| a.parse().expect("N")).unwrap_or(1000);
        let d: u64 = args.get(2).map(|a| a.parse().expect("D ms")).unwrap_or(200);

        // N tasks, each one wait-for subtask; join_all polls them all at once, so the host
        // sees N pending waits at the same time.
        let start = monotonic_clock::now();
        let waits = (0..n).map(|_| async move {
            let t0 = monotonic_clock::now();
            monotonic_clock::wait_for(d * MS).await;
            monotonic_clock::now() - t0 >= d * MS
        });
        let all_long_enough = futures::future::join_all(waits).await.into_iter().all(|ok| ok);
        let elapsed = monotonic_clock::now() - start;
        stdout.line(format!("{n} timers done")).await;
        stdout.line(format!("each waited >= {d} ms: {}", if all_long_enough { "yes" } else { "no" })).await;
        // Sequential waits would take N*D; a tenth of that is a generous bound for overlap
        // (but never below 2*D, which the one wait everyone shares already comes near to).
        let concurrent = elapsed < (n * d * MS / 10).max(2 * d * MS);
        stdout.line(format!("concurrent: {}", if concurrent { "yes" } else { "no" })).await;

        // wait-until an absolute mark D ahead.
        let target = monotonic_clock::now() + d * MS;
        monotonic_clock::wait_until(target).await;
        let ok = monotonic_clock::now() >= target;
        stdout.line(if ok { "wait-until ok" } else { "wait-until returned early" }).await;

        stdout.close().await;
        if all_long_enough && concurrent && ok { Ok(()) } else { Err(()) }
    }
}
