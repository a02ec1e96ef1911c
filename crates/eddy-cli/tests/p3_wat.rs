//! WASI 0.3 WAT components that pin one call down with the async built-ins
//! (`waitable-set.*`, `subtask.*`, `stream.*`, `future.*`, `task.return`, a `run` lifted
//! async with a callback), run through `eddy run` with exact stdout and exit status; and
//! the 0.3 limits (`Limits::max_resources`, crates/eddy-wasi/src/budget.rs), set through the
//! embedding API, as there is no CLI flag for them.

mod common;
use common::*;

use std::time::{Duration, Instant};

/// `wait-for(50 ms)` lowered async: STARTED with a subtask, one SUBTASK/RETURNED event from
/// `waitable-set.wait`, at least 50 ms later; `wait-for(0)` RETURNED at once. The guest
/// exits 11..14 naming the step that differs.
#[test]
fn wait_for_through_the_async_builtins() {
    let start = Instant::now();
    let out = run_null_stdin(eddy_run(&[s(&program("p3_wait_for.wat"))]));
    assert_run(&out, "", "", 0);
    assert!(start.elapsed() >= Duration::from_millis(50), "took {:?}", start.elapsed());
}

/// `stream.new`, `write-via-stream` of the readable end, `stream.write` of 20 bytes,
/// `stream.drop-writable`, then `future.read` gives `ok`.
#[test]
fn stdout_write_via_stream_through_the_stream_builtins() {
    let out = run_null_stdin(eddy_run(&[s(&program("p3_stdout_stream.wat"))]));
    assert_run(&out, "hello from a stream\n", "", 0);
}

/// Under the default limit, 1 000 waiting timers in one instance are allowed: `run` returns
/// `err` (status 1) once all have started.
#[test]
fn a_thousand_waiting_timers_fit_the_default_limit() {
    let out = run_null_stdin(eddy_run(&[s(&program("p3_limit_timers.wat"))]));
    assert_run(&out, "", "", 1);
}

/// The same 10 000 rounds of cancelled waits and dropped streams finish under the default
/// limit through the CLI.
#[test]
fn dropped_streams_and_cancelled_waits_run_through_the_cli() {
    let out = run_null_stdin(eddy_run(&[s(&program("p3_limit_release.wat"))]));
    assert_run(&out, "", "", 0);
}

/// Runs WAT guest `name` in this process with `Limits::max_resources` = `max` (stdio on
/// `/dev/null`).
fn run_with_limit(name: &str, max: u32) -> Result<i32, eddy::Error> {
    let config = eddy::EngineConfig { cache_dir: None, ..Default::default() };
    let engine = eddy::Engine::new(&config).unwrap();
    let program = engine.load_file(&program(name)).unwrap();
    let caps = eddy::Capabilities {
        args: vec![name.into()],
        limits: eddy::Limits { max_resources: max, ..Default::default() },
        ..Default::default()
    };
    eddy::run(&engine, &program, &caps)
}

/// Past the limit, the next `wait-for` traps with the one-line limit message (the WIT
/// function has no error code), not an allocation: 100 timers start, the 101st traps.
#[test]
fn the_101st_waiting_timer_traps_under_a_limit_of_100() {
    match run_with_limit("p3_limit_timers.wat", 100) {
        Err(eddy::Error::Trap(msg)) => assert_eq!(
            msg.lines().next().unwrap(),
            "resource limit: cannot create another wait-for timer: the instance already \
             holds 100 resources, streams, futures and waiting calls (the limit)"
        ),
        other => panic!("expected the limit's trap, got {other:?}"),
    }
}

/// Cancelling a wait and dropping streams and futures gives their units back at once:
/// 10 000 rounds of five host objects each finish under a limit of 100.
#[test]
fn cancelled_waits_and_dropped_streams_release_their_units() {
    assert_eq!(run_with_limit("p3_limit_release.wat", 100).unwrap(), 0);
}

/// The units come back at each drop, not at the end of a round: a round's peak is two (a
/// stream and its future), so 10 000 rounds fit a limit of 2 exactly, and a limit of 1
/// stops the first round at its first stream (the units are counted: the tests above do not
/// pass for want of counting).
#[test]
fn a_round_peaks_at_two_units() {
    assert_eq!(run_with_limit("p3_limit_release.wat", 2).unwrap(), 0);
    match run_with_limit("p3_limit_release.wat", 1) {
        Err(eddy::Error::Trap(msg)) => assert_eq!(
            msg.lines().next().unwrap(),
            "resource limit: cannot create another stream: the instance already holds 1 \
             resources, streams, futures and waiting calls (the limit)"
        ),
        other => panic!("expected the limit's trap, got {other:?}"),
    }
}
