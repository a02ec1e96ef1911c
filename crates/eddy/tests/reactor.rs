//! The embedding API's `Reactor` with real guests, exact results:
//! - p3_rs_reactor (a WASI 0.3 Rust component, async exports `delayed`, `check`, `say`,
//!   `spin` of `eddy:reactor/api@0.1.0`): 1000 concurrent calls in one instance take about
//!   one delay; a trapping call; cancellation; deadlines; stdout capture; typed and WAVE calls.
//! - p2_reactor_calc.wat (a component with sync exports) and p1_reactor_add.wat (a preview1
//!   reactor) under a pool, 200 concurrent calls each; traps replace only their instance;
//!   deadlines per store on one engine.
//! - the example `concurrent_calls`, run once.

mod common;

use common::guest;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eddy::{Capabilities, Engine, EngineConfig, Error, Program, Reactor, ReactorPre};
use wasmtime::component::Val;

/// A WAT guest of tests/programs/wat.
fn wat(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/programs/wat").join(name)
}

/// An engine with epoch interruption (deadlines, cancellation) and no disk cache.
fn engine() -> Engine {
    let config = EngineConfig { cache_dir: None, epoch_interruption: true, ..Default::default() };
    Engine::new(&config).unwrap()
}

fn load(engine: &Engine, path: &std::path::Path) -> Program {
    engine.load_file(path).unwrap()
}

/// A current-thread runtime of the test's own (the reactor's work runs on Eddy's loop).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// A writer into a shared buffer, and a way to wait for text in it.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// The text once it equals `want` (waiting up to 5 s for the copy thread), else as is.
    fn wait_for(&self, want: &str) -> String {
        let start = Instant::now();
        loop {
            let text = String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned();
            if text == want || start.elapsed() > Duration::from_secs(5) {
                return text;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// A reactor of p2_reactor_calc.wat with a pool of `n` instances.
fn calc_pool(n: usize) -> Reactor {
    let engine = engine();
    let program = load(&engine, &wat("p2_reactor_calc.wat"));
    Reactor::builder(&engine, &program, Capabilities::default())
        .unwrap()
        .pool_size(n)
        .build()
        .unwrap()
}

fn u32s(a: u32, b: u32) -> Vec<Val> {
    vec![Val::U32(a), Val::U32(b)]
}

const DELAYED: &str = "eddy:reactor/api@0.1.0#delayed";

#[test]
fn p3_thousand_concurrent_calls_take_about_one_delay() {
    let engine = engine();
    let program = load(&engine, &guest("p3_rs_reactor"));
    let reactor = Reactor::new(&engine, &program, Capabilities::default()).unwrap();
    let delay = 300u32;
    let start = Instant::now();
    let calls: Vec<_> = (0..1000u32).map(|i| reactor.call(DELAYED, &u32s(i, delay))).collect();
    let results = block_on(futures::future::join_all(calls));
    let took = start.elapsed();
    for (i, r) in results.into_iter().enumerate() {
        assert_eq!(r.unwrap(), vec![Val::U64(2 * i as u64 + 1)], "call {i}");
    }
    eprintln!("1000 concurrent {delay} ms calls in {took:?}");
    assert!(took >= Duration::from_millis(delay.into()), "{took:?}");
    assert!(took < Duration::from_millis(20 * u64::from(delay)), "1000 calls took {took:?}");
}

#[test]
fn p3_a_trapping_call_fails_and_the_others_succeed() {
    let engine = engine();
    let program = load(&engine, &guest("p3_rs_reactor"));
    let reactor = Reactor::new(&engine, &program, Capabilities::default()).unwrap();
    let check = |x: u32| reactor.call("api#check", &[Val::U32(x)]);
    // Before: calls work.
    let before: Vec<_> = (0..10).map(check).collect();
    for (i, r) in block_on(futures::future::join_all(before)).into_iter().enumerate() {
        assert_eq!(r.unwrap(), vec![Val::U32(i as u32 + 1)]);
    }
    // The trap: its own error, with the trap and a wasm backtrace.
    let err = block_on(check(13)).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Trap(_)), "{err:?}");
    assert!(msg.contains("`api#check`") && msg.contains("unreachable"), "{msg}");
    assert!(msg.contains("wasm backtrace"), "{msg}");
    // After: the instance was replaced; calls work again, concurrently.
    let after: Vec<_> = (20..220).map(check).collect();
    for (i, r) in block_on(futures::future::join_all(after)).into_iter().enumerate() {
        assert_eq!(r.unwrap(), vec![Val::U32(i as u32 + 21)]);
    }
}

#[test]
fn p3_a_trap_ends_the_calls_in_flight_on_its_instance_only() {
    // A trap poisons the component instance (the component model's rule), so the calls
    // running in it at that moment fail too, each saying so; calls made afterwards run on
    // a new instance, and another reactor is not affected at all.
    let engine = engine();
    let program = load(&engine, &guest("p3_rs_reactor"));
    let pre = ReactorPre::new(&engine, &program, Capabilities::default()).unwrap();
    let (reactor, other) = (pre.instantiate().unwrap(), pre.instantiate().unwrap());
    let mut calls: Vec<_> = (0..100u32).map(|i| reactor.call(DELAYED, &u32s(i, 300))).collect();
    let others: Vec<_> = (0..100u32).map(|i| other.call(DELAYED, &u32s(i, 300))).collect();
    calls.push(reactor.call("api#check", &[Val::U32(13)]));
    let (results, others) = block_on(async {
        tokio::join!(futures::future::join_all(calls), futures::future::join_all(others))
    });
    for r in &results {
        let e = r.as_ref().unwrap_err().to_string();
        assert!(e.contains("the instance trapped") && e.contains("unreachable"), "{e}");
    }
    for (i, r) in others.into_iter().enumerate() {
        assert_eq!(r.unwrap(), vec![Val::U64(2 * i as u64 + 1)]);
    }
    assert_eq!(block_on(reactor.call(DELAYED, &u32s(7, 1))).unwrap(), vec![Val::U64(15)]);
}

#[test]
fn p3_dropping_a_call_cancels_it_and_the_reactor_goes_on() {
    let engine = engine();
    let program = load(&engine, &guest("p3_rs_reactor"));
    let reactor = Reactor::new(&engine, &program, Capabilities::default()).unwrap();
    let start = Instant::now();
    let long = reactor.call(DELAYED, &u32s(1, 10_000));
    let r = block_on(async { tokio::time::timeout(Duration::from_millis(100), long).await });
    assert!(r.is_err(), "the 10 s call finished?");
    let r = block_on(reactor.call(DELAYED, &u32s(5, 10))).unwrap();
    assert_eq!(r, vec![Val::U64(11)]);
    assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
}

#[test]
fn p3_a_call_past_its_deadline_fails_alone() {
    let engine = engine();
    let program = load(&engine, &guest("p3_rs_reactor"));
    let reactor = Reactor::new(&engine, &program, Capabilities::default()).unwrap();
    let start = Instant::now();
    let slow =
        reactor.call_with_deadline(DELAYED, &u32s(1, 5_000), Some(Duration::from_millis(200)));
    let fast = reactor.call(DELAYED, &u32s(2, 400));
    let (slow, fast) = block_on(async { tokio::join!(slow, fast) });
    let err = slow.unwrap_err();
    assert!(err.to_string().contains("deadline of 200ms passed"), "{err}");
    assert_eq!(fast.unwrap(), vec![Val::U64(5)]);
    assert!(start.elapsed() < Duration::from_secs(3), "{:?}", start.elapsed());
}

#[test]
fn p3_a_computing_call_past_its_deadline_stops_its_instance() {
    // `spin` never awaits, so it holds the loop's thread and no timer fires; once it is
    // past its deadline, the epoch callback stops its instance (the interrupt trap). The
    // reactor then serves calls on a new instance.
    let engine = engine();
    let program = load(&engine, &guest("p3_rs_reactor"));
    let reactor = Reactor::new(&engine, &program, Capabilities::default()).unwrap();
    let start = Instant::now();
    let spin = reactor.call_with_deadline("api#spin", &[], Some(Duration::from_millis(200)));
    let e = block_on(spin).unwrap_err().to_string();
    assert!(e.contains("`api#spin`") && e.contains("interrupt"), "{e}");
    assert!(start.elapsed() < Duration::from_secs(3), "{:?}", start.elapsed());
    assert_eq!(block_on(reactor.call(DELAYED, &u32s(1, 1))).unwrap(), vec![Val::U64(3)]);
    // Dropped instead: the same.
    let spin = reactor.call("api#spin", &[]);
    let r = block_on(async { tokio::time::timeout(Duration::from_millis(100), spin).await });
    assert!(r.is_err());
    assert_eq!(block_on(reactor.call(DELAYED, &u32s(2, 1))).unwrap(), vec![Val::U64(5)]);
}

/// One instance's computing guest holds the one loop thread; another instance's calls are
/// late meanwhile through no fault of their own. When the loop comes back, the other
/// instance's first epoch check must not take its overdue call for a wedged loop and stop
/// it (it did: "the instance trapped: wasm trap: interrupt"); its call past its deadline
/// fails alone and its other call returns.
#[test]
fn p3_a_guest_holding_the_loop_does_not_stop_another_instance() {
    let engine = engine();
    let program = load(&engine, &guest("p3_rs_reactor"));
    let hog = Reactor::new(&engine, &program, Capabilities::default()).unwrap();
    let other = Reactor::new(&engine, &program, Capabilities::default()).unwrap();
    let spin = hog.call_with_deadline("api#spin", &[], Some(Duration::from_millis(300)));
    let (spin, slow, fast) = block_on(async {
        let later = async {
            // The hog holds the loop by now; these are taken in when it lets go.
            tokio::time::sleep(Duration::from_millis(30)).await;
            let slow = other.call_with_deadline(
                DELAYED,
                &u32s(1, 5_000),
                Some(Duration::from_millis(100)),
            );
            let fast = other.call(DELAYED, &u32s(2, 50));
            tokio::join!(slow, fast)
        };
        let (spin, (slow, fast)) = tokio::join!(spin, later);
        (spin, slow, fast)
    });
    let spin = spin.unwrap_err().to_string();
    assert!(spin.contains("`api#spin`") && spin.contains("interrupt"), "{spin}");
    let slow = slow.unwrap_err().to_string();
    assert!(slow.contains("deadline of 100ms passed"), "{slow}");
    assert_eq!(fast.unwrap(), vec![Val::U64(5)]);
}

#[test]
fn p3_stdout_is_captured() {
    let engine = engine();
    let program = load(&engine, &guest("p3_rs_reactor"));
    let out = Captured::default();
    let reactor = ReactorPre::new(&engine, &program, Capabilities::default())
        .unwrap()
        .builder()
        .stdout(out.clone())
        .build()
        .unwrap();
    let r = block_on(reactor.call("api#say", &[Val::String("hello, reactor".into()), Val::U32(1)]));
    assert_eq!(r.unwrap(), vec![Val::U32(14)]);
    assert_eq!(out.wait_for("hello, reactor\n"), "hello, reactor\n");
}

#[test]
fn p3_typed_and_wave_calls() {
    let engine = engine();
    let program = load(&engine, &guest("p3_rs_reactor"));
    let reactor = Reactor::new(&engine, &program, Capabilities::default()).unwrap();
    let (r,) = block_on(reactor.call_typed::<(u32, u32), (u64,)>(DELAYED, (20, 5))).unwrap();
    assert_eq!(r, 41);
    assert_eq!(block_on(reactor.call_wave("api#delayed(4, 1)")).unwrap(), "9");
    assert_eq!(block_on(reactor.call_wave("eddy:reactor/api#check(41)")).unwrap(), "42");
    // Wrong types, unknown names, bad WAVE: one-line usage errors naming the export.
    let e =
        block_on(reactor.call_typed::<(String,), (u32,)>("api#check", ("x".into(),))).unwrap_err();
    assert!(matches!(e, Error::Usage(_)) && e.to_string().contains("`api#check`"), "{e:?}");
    let e = block_on(reactor.call("nope", &[])).unwrap_err();
    assert!(e.to_string().contains("no exported function `nope`"), "{e}");
    assert!(e.to_string().contains("eddy:reactor/api@0.1.0#delayed"), "{e}");
    let e = block_on(reactor.call_wave("api#check(\"a\")")).unwrap_err();
    assert!(e.to_string().contains("argument 1 (`x`) of `api#check`"), "{e}");
    let e = block_on(reactor.call("api#check", &[])).unwrap_err();
    assert!(e.to_string().contains("takes 1 argument(s), 0 given"), "{e}");
}

#[test]
fn two_reactors_of_one_program_in_one_process() {
    let engine = engine();
    let program = load(&engine, &guest("p3_rs_reactor"));
    let pre = ReactorPre::new(&engine, &program, Capabilities::default()).unwrap();
    let start = Instant::now();
    let n = 50;
    let reactors: Vec<Reactor> = (0..n).map(|_| pre.instantiate().unwrap()).collect();
    let per = start.elapsed() / n;
    eprintln!("a new reactor from a ReactorPre: {per:?}");
    let (a, b) = (&reactors[0], &reactors[1]);
    let calls = vec![a.call(DELAYED, &u32s(1, 200)), b.call(DELAYED, &u32s(2, 200))];
    let start = Instant::now();
    let r = block_on(futures::future::join_all(calls));
    assert_eq!(r[0].as_ref().unwrap(), &vec![Val::U64(3)]);
    assert_eq!(r[1].as_ref().unwrap(), &vec![Val::U64(5)]);
    assert!(start.elapsed() < Duration::from_millis(1500), "{:?}", start.elapsed());
    // A trap in one does not touch the other.
    assert!(block_on(a.call("api#check", &[Val::U32(13)])).is_err());
    assert_eq!(block_on(b.call("api#check", &[Val::U32(1)])).unwrap(), vec![Val::U32(2)]);
}

#[test]
fn p2_pool_serves_200_concurrent_calls() {
    let reactor = calc_pool(4);
    let start = Instant::now();
    let calls: Vec<_> = (0..200u32).map(|i| reactor.call("add", &u32s(i, 1000))).collect();
    let results = block_on(futures::future::join_all(calls));
    eprintln!("200 pooled add calls in {:?}", start.elapsed());
    for (i, r) in results.into_iter().enumerate() {
        assert_eq!(r.unwrap(), vec![Val::U32(i as u32 + 1000)], "call {i}");
    }
    // A trap fails its call and replaces its instance only; the rest go on.
    let mut calls: Vec<_> = (0..50u32).map(|i| reactor.call("add", &u32s(i, 1))).collect();
    calls.insert(25, reactor.call("boom", &[]));
    let results = block_on(futures::future::join_all(calls));
    let err = results[25].as_ref().unwrap_err().to_string();
    assert!(err.contains("`boom` trapped") && err.contains("unreachable"), "{err}");
    for (i, r) in results.iter().enumerate().filter(|(i, _)| *i != 25) {
        let x = if i < 25 { i } else { i - 1 } as u32;
        assert_eq!(r.as_ref().unwrap(), &vec![Val::U32(x + 1)], "call {i}");
    }
    assert_eq!(block_on(reactor.call_wave("add(2, 3)")).unwrap(), "5");
    let (r,) = block_on(reactor.call_typed::<(u32, u32), (u32,)>("add", (7, 8))).unwrap();
    assert_eq!(r, 15);
}

#[test]
fn p1_reactor_pool_serves_200_concurrent_calls() {
    let engine = engine();
    let program = load(&engine, &wat("p1_reactor_add.wat"));
    let out = Captured::default();
    let reactor = Reactor::builder(&engine, &program, Capabilities::default())
        .unwrap()
        .pool_size(3)
        .stdout(out.clone())
        .build()
        .unwrap();
    // `_initialize` ran in every instance: add(a, b) is a + b, not a + b + 1000.
    let calls: Vec<_> =
        (0..200i32).map(|i| reactor.call("add", &[Val::S32(i), Val::S32(-7)])).collect();
    for (i, r) in block_on(futures::future::join_all(calls)).into_iter().enumerate() {
        assert_eq!(r.unwrap(), vec![Val::S32(i as i32 - 7)], "call {i}");
    }
    let r = block_on(reactor.call("add_i64", &[Val::S64(1 << 40), Val::S64(2)])).unwrap();
    assert_eq!(r, vec![Val::S64((1 << 40) + 2)]);
    let r = block_on(reactor.call("add_f64", &[Val::Float64(0.5), Val::Float64(0.25)])).unwrap();
    assert_eq!(r, vec![Val::Float64(0.75)]);
    assert_eq!(block_on(reactor.call_wave("add_f32(1.5, 2)")).unwrap(), "3.5");
    // Stdout capture: `say` writes through fd_write.
    assert_eq!(block_on(reactor.call("say", &[])).unwrap(), vec![]);
    assert_eq!(out.wait_for("side effect\n"), "side effect\n");
    let e = block_on(reactor.call("add", &[Val::String("x".into()), Val::S32(1)])).unwrap_err();
    assert!(e.to_string().contains("argument 1 of `add` must be a i32"), "{e}");
    let e = block_on(reactor.call("mul", &[])).unwrap_err();
    assert!(e.to_string().contains("no exported function `mul`"), "{e}");
}

#[test]
fn p2_dropping_a_call_interrupts_it_and_the_pool_goes_on() {
    let reactor = calc_pool(1);
    let start = Instant::now();
    let spin = reactor.call("spin", &[]);
    let r = block_on(async { tokio::time::timeout(Duration::from_millis(100), spin).await });
    assert!(r.is_err(), "spin returned?");
    // The one instance was interrupted and replaced: the next call gets a fresh one.
    assert_eq!(block_on(reactor.call("add", &u32s(1, 2))).unwrap(), vec![Val::U32(3)]);
    assert_eq!(block_on(reactor.call("calls", &[])).unwrap(), vec![Val::U32(1)]);
    assert!(start.elapsed() < Duration::from_secs(3), "{:?}", start.elapsed());
}

#[test]
fn p2_queued_calls_cancelled_or_past_their_deadline_never_run() {
    let reactor = calc_pool(1);
    let (spin, late) = block_on(async {
        // Holds the one instance for 300 ms; the calls below wait behind it.
        let spin = reactor.call_with_deadline("spin", &[], Some(Duration::from_millis(300)));
        let rest = async {
            let dropped = reactor.call("add", &u32s(1, 2));
            let gone = tokio::time::timeout(Duration::from_millis(50), dropped).await;
            assert!(gone.is_err(), "a queued call returned while spin held the instance");
            reactor.call_with_deadline("add", &u32s(3, 4), Some(Duration::from_millis(100))).await
        };
        tokio::join!(spin, rest)
    });
    let spin = spin.unwrap_err().to_string();
    assert!(spin.contains("`spin`") && spin.contains("deadline"), "{spin}");
    let late = late.unwrap_err().to_string();
    assert!(late.contains("`add`") && late.contains("deadline of 100ms"), "{late}");
    // Neither queued call ran on the instance that replaced spin's: it has served only this.
    assert_eq!(block_on(reactor.call("add", &u32s(5, 6))).unwrap(), vec![Val::U32(11)]);
    assert_eq!(block_on(reactor.call("calls", &[])).unwrap(), vec![Val::U32(1)]);
}

#[test]
fn deadlines_are_per_store_on_one_engine() {
    let engine = engine();
    let program = load(&engine, &wat("p2_reactor_calc.wat"));
    let short = Reactor::builder(&engine, &program, Capabilities::default())
        .unwrap()
        .deadline(Some(Duration::from_millis(100)))
        .build()
        .unwrap();
    let long = Reactor::new(&engine, &program, Capabilities::default()).unwrap();
    // Calibrate a CPU-bound call of about 600 ms.
    let t = Instant::now();
    block_on(long.call("count", &[Val::U32(20_000_000)])).unwrap();
    let per = t.elapsed().as_secs_f64() / 20e6;
    let n = ((0.6 / per) as u32).max(1);
    let start = Instant::now();
    let (a, b) = block_on(async {
        tokio::join!(short.call("spin", &[]), long.call("count", &[Val::U32(n)]))
    });
    let err = a.unwrap_err().to_string();
    assert!(err.contains("`spin`: the call's deadline of 100ms passed"), "{err}");
    assert_eq!(b.unwrap(), vec![Val::U32(n)], "the other store was interrupted");
    assert!(start.elapsed() >= Duration::from_millis(300), "{:?}", start.elapsed());
    // The short reactor's pool replaced its instance.
    assert_eq!(block_on(short.call("add", &u32s(2, 2))).unwrap(), vec![Val::U32(4)]);
}

#[test]
fn the_concurrent_calls_example_runs() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(&cargo)
        .current_dir(&root)
        .args([
            "build",
            "-q",
            "-p",
            "eddy",
            "--example",
            "concurrent_calls",
            "--message-format=short",
        ])
        .status()
        .unwrap();
    assert!(out.success(), "building the example failed");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let exe = target.join("debug/examples/concurrent_calls");
    let mut child = std::process::Command::new(&exe)
        .arg(guest("p3_rs_reactor"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", exe.display()));
    use std::io::Write;
    let input =
        "api#delayed(1, 300)\napi#say(\"hi\", 100)\napi#delayed(2, 10)\nnope(1)\napi#check(1)\n";
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "3",
            "2",
            "5",
            "error: no exported function `nope`; the component exports: eddy:reactor/api@0.1.0#delayed, eddy:reactor/api@0.1.0#check, eddy:reactor/api@0.1.0#say, eddy:reactor/api@0.1.0#spin",
            "2"
        ],
        "stderr: {stderr}"
    );
    assert!(stderr.contains("hi\n"), "{stderr}");
    assert!(stderr.contains("5 calls in "), "{stderr}");
}
