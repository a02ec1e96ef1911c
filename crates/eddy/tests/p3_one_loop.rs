//! Two WASI 0.3 instances in one process on one event loop, through the embedding API
//! ([`eddy::run_async`]): both are polled by one current-thread tokio runtime, so their
//! timers overlap and the pair takes about as long as one.

mod common;

use common::guest;
use std::time::{Duration, Instant};

/// Capabilities for p3_rs_timers: `N` tasks waiting `D` ms each.
fn timers(n: u32, d_ms: u32) -> eddy::Capabilities {
    eddy::Capabilities {
        args: vec!["p3_rs_timers".into(), n.to_string(), d_ms.to_string()],
        ..Default::default()
    }
}

#[test]
fn two_instances_share_one_loop() {
    let config = eddy::EngineConfig { cache_dir: None, ..Default::default() };
    let engine = eddy::Engine::new(&config).unwrap();
    let program = engine.load_file(&guest("p3_rs_timers")).unwrap();
    let (a, b) = (timers(200, 1000), timers(300, 1000));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let start = Instant::now();
    let (ra, rb) = rt.block_on(async {
        tokio::join!(eddy::run_async(&engine, &program, &a), eddy::run_async(&engine, &program, &b))
    });
    let elapsed = start.elapsed();
    // Each run waits 1 s for its timers, then 1 s in wait-until, and exits 0 only if its own
    // checks pass. One after the other they would take 4 s; sharing the loop about 2 s.
    assert_eq!((ra.unwrap(), rb.unwrap()), (0, 0));
    assert!(elapsed < Duration::from_millis(3500), "the two runs took {elapsed:?}");
}
