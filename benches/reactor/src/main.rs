//! The reactor benchmarks: Eddy's embedding API (`eddy::Reactor`) side by side with
//! wasmtime's own call paths on the same components, in one process, pinned to one CPU.
//!
//! ```text
//! cargo run --release --manifest-path benches/reactor/Cargo.toml -- [--quick] [--no-pin] [--only NAME] [PROGRAMS_DIR]
//! ```
//!
//! PROGRAMS_DIR (default `benches/programs`) holds `p2_reactor_add.wat` and
//! `p3_reactor_add.wat`; `tests/programs/wat/p1_reactor_add.wat` is found beside it. Rows:
//!
//! - `p2_add`: a sync-lifted `add(s32, s32) -> s32`, calls/s. Eddy: `Reactor::call_typed`
//!   with a pool of one instance, 1 000 calls kept in flight (a new one starts as each ends); wasmtime:
//!   `TypedFunc::call` in a loop (wasmtime 48 needs no `post_return`), `wasmtime_wasi::p2::add_to_linker_sync`.
//! - `p3_add`: the async-lifted `add`, concurrent calls/s. Eddy: `call_typed`, 1 000 in
//!   flight; wasmtime: `TypedFunc::call_concurrent` inside `run_concurrent`, 1 000 joined.
//! - `p3_delayed_10k`: 10 000 concurrent calls of `delayed(x, 10)` (a 10 ms
//!   `wait-for`), wall ms for all of them.
//! - `new_reactor_*`: a reactor made from a linked `ReactorPre` and called once (`add`), µs
//!   and RSS bytes per reactor over 200 kept alive; wasmtime: `InstancePre::instantiate` in a
//!   new `Store` with a `WasiCtx`, called once.
//!
//! Prints a markdown table with each ratio and the issue's targets; exit status 2 when a
//! target is missed, 1 on an error.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use futures::executor::block_on;
use futures::future::join_all;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// The wasmtime reference's store data: its WASI context and resource table.
struct Ref {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Ref {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
    }
}

fn ref_store(engine: &wasmtime::Engine) -> Store<Ref> {
    Store::new(engine, Ref { ctx: WasiCtx::builder().build(), table: ResourceTable::new() })
}

/// How much work each row does.
struct Sizes {
    /// Calls timed in a calls/s row.
    calls: usize,
    /// Calls in flight at once in the concurrent rows.
    window: usize,
    /// Reactors kept alive in a new-reactor row.
    reactors: usize,
    /// Rounds of each row (the best is reported).
    rounds: usize,
}

/// One row of the table.
struct Row {
    name: &'static str,
    unit: &'static str,
    eddy: f64,
    wasmtime: Option<f64>,
    /// The target's text and whether it was met (`None`: reported only).
    target: Option<(String, bool)>,
    note: String,
}

fn main() {
    match run() {
        Ok(true) => {}
        Ok(false) => std::process::exit(2),
        Err(e) => {
            eprintln!("reactor-bench: error: {e:#}");
            std::process::exit(1);
        }
    }
}

fn run() -> Result<bool> {
    let mut quick = false;
    let mut pin = true;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    let mut dir = PathBuf::from("benches/programs");
    while let Some(a) = args.next() {
        if a == "--quick" {
            quick = true;
        } else if a == "--no-pin" {
            pin = false;
        } else if a == "--only" {
            only = args.next();
        } else if a.starts_with('-') {
            bail!("unknown option `{a}` (usage: reactor-bench [--quick] [--no-pin] [--only NAME] [PROGRAMS_DIR])");
        } else {
            dir = PathBuf::from(a);
        }
    }
    let sizes = if quick {
        Sizes { calls: 20_000, window: 1_000, reactors: 50, rounds: 1 }
    } else {
        Sizes { calls: 200_000, window: 1_000, reactors: 1_000, rounds: 3 }
    };
    let p2 = dir.join("p2_reactor_add.wat");
    let p3 = dir.join("p3_reactor_add.wat");
    let p1 = dir.join("../../tests/programs/wat/p1_reactor_add.wat");
    for f in [&p2, &p3, &p1] {
        if !f.exists() {
            bail!("no such program: {}", f.display());
        }
    }
    // "On one core": every thread of this process (Eddy's loop and pool threads too) on CPU 0.
    if pin {
        let mut one = rustix::thread::CpuSet::new();
        one.set(0);
        rustix::thread::sched_setaffinity(None, &one).context("pinning to CPU 0")?;
    }

    let best = |f: &dyn Fn() -> Result<f64>, higher: bool| -> Result<f64> {
        let mut b: Option<f64> = None;
        for _ in 0..sizes.rounds {
            let v = f()?;
            b = Some(match b {
                None => v,
                Some(x) if higher => x.max(v),
                Some(x) => x.min(v),
            });
        }
        Ok(b.unwrap_or_default())
    };

    let where_ = if pin {
        "the process pinned to CPU 0".to_string()
    } else {
        format!("not pinned ({} CPUs)", std::thread::available_parallelism().map_or(1, |n| n.get()))
    };
    let want = |name: &str| only.as_deref().is_none_or(|o| name.contains(o));
    let mut rows = Vec::new();
    // A calls/s row: Eddy's and wasmtime's best rounds, and whether Eddy is at least as fast.
    let calls_row = |name: &'static str,
                     eddy: &dyn Fn() -> Result<f64>,
                     reference: &dyn Fn() -> Result<f64>,
                     what: &str,
                     note: String|
     -> Result<Row> {
        let e = best(eddy, true).with_context(|| format!("eddy {name}"))?;
        let w = best(reference, true).with_context(|| format!("wasmtime {name}"))?;
        Ok(Row {
            name,
            unit: "calls/s",
            eddy: e,
            wasmtime: Some(w),
            target: Some((format!("≥ 1.00× wasmtime `{what}`"), e >= w)),
            note,
        })
    };
    if want("p2_add") {
        rows.push(calls_row(
            "p2_add",
            &|| eddy_p2_add(&p2, &sizes),
            &|| wasmtime_p2_add(&p2, &sizes),
            "TypedFunc::call",
            format!("pool of 1, {} in flight; {where_}", sizes.window),
        )?);
    }
    if want("p3_add") {
        rows.push(calls_row(
            "p3_add",
            &|| eddy_p3_add(&p3, &sizes),
            &|| wasmtime_p3_add(&p3, &sizes),
            "call_concurrent",
            format!("{} in flight; {where_}", sizes.window),
        )?);
    }
    if want("p3_delayed") {
        let e = best(&|| eddy_p3_delayed(&p3, 10_000), false).context("eddy p3_delayed")?;
        let w = best(&|| wasmtime_p3_delayed(&p3, 10_000), false).context("wasmtime p3_delayed")?;
        rows.push(Row {
            name: "p3_delayed_10k",
            unit: "ms wall",
            eddy: e,
            wasmtime: Some(w),
            target: Some(("≤ 10 ms + 100 ms".into(), e <= 110.0)),
            note: format!("10 000 concurrent calls of a 10 ms `wait-for`; {where_}"),
        });
    }
    for (name, path) in [("new_reactor_p2", &p2), ("new_reactor_p3", &p3), ("new_reactor_p1", &p1)]
    {
        if !want(name) {
            continue;
        }
        let (us, build_us, bytes) = eddy_new_reactors(path, sizes.reactors, name.ends_with("p1"))
            .with_context(|| format!("eddy {name}"))?;
        let reference = if name.ends_with("p1") {
            None
        } else {
            Some(
                wasmtime_new_stores(path, sizes.reactors, name.ends_with("p3"))
                    .with_context(|| format!("wasmtime {name}"))?,
            )
        };
        rows.push(Row {
            name,
            unit: "µs/reactor",
            eddy: us,
            wasmtime: reference.map(|r| r.0),
            target: None,
            note: format!(
                "of which `build` {build_us:.1} µs, the rest the first call (a hand-off to a \
                 pooled or the loop's thread); RSS {:.1} KiB/reactor{}; {} kept alive",
                bytes / 1024.0,
                reference
                    .map(|r| format!(" (wasmtime {:.1} KiB)", r.1 / 1024.0))
                    .unwrap_or_default(),
                sizes.reactors
            ),
        });
    }
    Ok(report(&rows))
}

fn report(rows: &[Row]) -> bool {
    println!("| workload | unit | eddy | wasmtime 48.0.8 (embedded) | eddy ÷ wasmtime | target | met | notes |");
    println!("|---|---|---:|---:|---:|---|---|---|");
    let mut all = true;
    for r in rows {
        let (t, met) = match &r.target {
            Some((t, ok)) => {
                all &= ok;
                (t.as_str(), if *ok { "yes" } else { "NO" })
            }
            None => ("reported", "—"),
        };
        let w = r.wasmtime.map(fmt).unwrap_or_else(|| "—".into());
        let ratio = r.wasmtime.map(|w| format!("{:.2}×", r.eddy / w)).unwrap_or_else(|| "—".into());
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.unit,
            fmt(r.eddy),
            w,
            ratio,
            t,
            met,
            r.note
        );
    }
    all
}

fn fmt(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}", v)
    } else if v >= 100.0 {
        format!("{:.1}", v)
    } else {
        format!("{:.2}", v)
    }
}

/// For profiling one side: with `REACTOR_BENCH_SIDE=eddy` (or `wasmtime`) set, the other
/// side's measurements are skipped (they read 1).
fn skip(side: &str) -> bool {
    std::env::var("REACTOR_BENCH_SIDE").is_ok_and(|s| !s.is_empty() && s != side)
}

fn eddy_engine() -> Result<eddy::Engine> {
    Ok(eddy::Engine::new(&eddy::EngineConfig { cache_dir: None, ..Default::default() })?)
}

fn ref_engine() -> Result<wasmtime::Engine> {
    Ok(wasmtime::Engine::new(&Config::new())?)
}

/// Calls/s of `add` through an Eddy reactor, `sizes.window` calls in flight.
fn eddy_add(path: &Path, sizes: &Sizes, pool: Option<usize>) -> Result<f64> {
    if skip("eddy") {
        return Ok(1.0);
    }
    let engine = eddy_engine()?;
    let program = engine.load_file(path)?;
    let mut b = eddy::Reactor::builder(&engine, &program, eddy::Capabilities::default())?;
    if let Some(n) = pool {
        b = b.pool_size(n);
    }
    let reactor = b.build()?;
    let call = |i: usize| {
        let f = reactor.call_typed::<(i32, i32), (i32,)>("add", (i as i32, 1));
        async move { (i, f.await) }
    };
    let run = |n: usize| -> Result<()> {
        block_on(window(n, sizes.window, call, |(i, r)| {
            let (v,) = r?;
            if v != i as i32 + 1 {
                bail!("add({i}, 1) = {v}");
            }
            Ok(())
        }))
    };
    run(sizes.window)?;
    let t = Instant::now();
    run(sizes.calls)?;
    Ok(sizes.calls as f64 / t.elapsed().as_secs_f64())
}

/// Makes `n` calls with `start(i)`, keeping `width` in flight (a new one starts as each
/// ends), and checks each result with `check`.
async fn window<F, T>(
    n: usize,
    width: usize,
    start: impl Fn(usize) -> F,
    mut check: impl FnMut(T) -> Result<()>,
) -> Result<()>
where
    F: std::future::Future<Output = T>,
{
    use futures::stream::{FuturesUnordered, StreamExt};
    let mut flight = FuturesUnordered::new();
    let mut next = 0;
    while next < n.min(width) {
        flight.push(start(next));
        next += 1;
    }
    while let Some(r) = flight.next().await {
        check(r)?;
        if next < n {
            flight.push(start(next));
            next += 1;
        }
    }
    Ok(())
}

fn eddy_p2_add(path: &Path, sizes: &Sizes) -> Result<f64> {
    eddy_add(path, sizes, Some(1))
}

fn eddy_p3_add(path: &Path, sizes: &Sizes) -> Result<f64> {
    eddy_add(path, sizes, None)
}

fn wasmtime_p2_add(path: &Path, sizes: &Sizes) -> Result<f64> {
    if skip("wasmtime") {
        return Ok(1.0);
    }
    let engine = ref_engine()?;
    let component = Component::from_file(&engine, path)?;
    let mut linker = Linker::<Ref>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    let pre = linker.instantiate_pre(&component)?;
    let mut store = ref_store(&engine);
    let instance = pre.instantiate(&mut store)?;
    let f = instance.get_typed_func::<(i32, i32), (i32,)>(&mut store, "add")?;
    let mut call = |i: usize| -> Result<()> {
        let (v,) = f.call(&mut store, (i as i32, 1))?;
        if v != i as i32 + 1 {
            bail!("add({i}, 1) = {v}");
        }
        Ok(())
    };
    for i in 0..sizes.window {
        call(i)?;
    }
    let t = Instant::now();
    for i in 0..sizes.calls {
        call(i)?;
    }
    Ok(sizes.calls as f64 / t.elapsed().as_secs_f64())
}

/// A current-thread tokio runtime with timers, for the wasmtime reference's event loop.
fn ref_runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_time().build()?)
}

/// The wasmtime p3 reference: an instance of `path` with `wasmtime_wasi::p3` linked, and
/// `body` run inside its `run_concurrent`.
fn with_ref_p3<R: Send + 'static>(
    path: &Path,
    body: impl AsyncFnOnce(
        &wasmtime::component::Accessor<Ref>,
        wasmtime::component::Instance,
    ) -> Result<R>,
) -> Result<R> {
    let engine = ref_engine()?;
    let component = Component::from_file(&engine, path)?;
    let mut linker = Linker::<Ref>::new(&engine);
    wasmtime_wasi::p3::add_to_linker(&mut linker)?;
    let pre = linker.instantiate_pre(&component)?;
    ref_runtime()?.block_on(async move {
        let mut store = ref_store(&engine);
        let instance = pre.instantiate_async(&mut store).await?;
        store.run_concurrent(async |a| body(a, instance).await).await?
    })
}

fn wasmtime_p3_add(path: &Path, sizes: &Sizes) -> Result<f64> {
    if skip("wasmtime") {
        return Ok(1.0);
    }
    let (calls, width) = (sizes.calls, sizes.window);
    with_ref_p3(path, async move |a, instance| {
        let f = a.with(|mut s| instance.get_typed_func::<(i32, i32), (i32,)>(&mut s, "add"))?;
        let call = |i: usize| {
            let f = f.call_concurrent(a, (i as i32, 1));
            async move { (i, f.await) }
        };
        let check = |(i, r): (usize, wasmtime::Result<(i32,)>)| {
            let (v,) = r?;
            if v != i as i32 + 1 {
                bail!("add({i}, 1) = {v}");
            }
            Ok(())
        };
        window(width, width, call, check).await?;
        let t = Instant::now();
        window(calls, width, call, check).await?;
        Ok(calls as f64 / t.elapsed().as_secs_f64())
    })
}

/// Wall ms of `n` concurrent `delayed(i, 10)` calls on one Eddy reactor.
fn eddy_p3_delayed(path: &Path, n: usize) -> Result<f64> {
    if skip("eddy") {
        return Ok(1.0);
    }
    let engine = eddy_engine()?;
    let program = engine.load_file(path)?;
    let reactor = eddy::Reactor::new(&engine, &program, eddy::Capabilities::default())?;
    block_on(reactor.call_typed::<(u32, u32), (u64,)>("delayed", (1, 1)))?;
    let t = Instant::now();
    let calls: Vec<_> = (0..n as u32)
        .map(|i| reactor.call_typed::<(u32, u32), (u64,)>("delayed", (i, 10)))
        .collect();
    let results = block_on(join_all(calls));
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    for (i, r) in results.into_iter().enumerate() {
        let (v,) = r?;
        if v != 2 * i as u64 + 1 {
            bail!("delayed({i}, 10) = {v}");
        }
    }
    Ok(ms)
}

fn wasmtime_p3_delayed(path: &Path, n: usize) -> Result<f64> {
    if skip("wasmtime") {
        return Ok(1.0);
    }
    with_ref_p3(path, async move |a, instance| {
        let f = a.with(|mut s| instance.get_typed_func::<(u32, u32), (u64,)>(&mut s, "delayed"))?;
        f.call_concurrent(a, (1, 1)).await?;
        let t = Instant::now();
        let calls = (0..n as u32).map(|i| f.call_concurrent(a, (i, 10)));
        let results = join_all(calls).await;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        for (i, r) in results.into_iter().enumerate() {
            let (v,) = r?;
            if v != 2 * i as u64 + 1 {
                bail!("delayed({i}, 10) = {v}");
            }
        }
        Ok(ms)
    })
}

/// Resident set size of this process, bytes.
fn rss() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0.0);
    pages * 4096.0
}

/// µs (all, and of `build` alone) and RSS bytes per reactor: `n` reactors from one
/// `ReactorPre`, each called once.
fn eddy_new_reactors(path: &Path, n: usize, module: bool) -> Result<(f64, f64, f64)> {
    if skip("eddy") {
        return Ok((1.0, 1.0, 1.0));
    }
    let engine = eddy_engine()?;
    let program = engine.load_file(path)?;
    let pre = eddy::ReactorPre::new(&engine, &program, eddy::Capabilities::default())?;
    let call = |r: &eddy::Reactor| -> Result<()> {
        use wasmtime::component::Val;
        let v = if module {
            block_on(r.call("add", &[Val::S32(2), Val::S32(3)]))?.first().cloned()
        } else {
            Some(Val::S32(block_on(r.call_typed::<(i32, i32), (i32,)>("add", (2, 3)))?.0))
        };
        if !matches!(v, Some(Val::S32(5))) {
            bail!("add(2, 3) = {v:?}");
        }
        Ok(())
    };
    call(&pre.builder().pool_size(1).build()?)?;
    let before = rss();
    let t = Instant::now();
    let mut kept = Vec::with_capacity(n);
    let mut building = std::time::Duration::ZERO;
    for _ in 0..n {
        let t0 = Instant::now();
        let r = pre.builder().pool_size(1).build()?;
        building += t0.elapsed();
        call(&r)?;
        kept.push(r);
    }
    let us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    let bytes = (rss() - before) / n as f64;
    drop(kept);
    Ok((us, building.as_secs_f64() * 1e6 / n as f64, bytes))
}

/// The same for wasmtime: a new `Store` with a `WasiCtx` and an instance from one
/// `InstancePre`, called once.
fn wasmtime_new_stores(path: &Path, n: usize, p3: bool) -> Result<(f64, f64)> {
    if skip("wasmtime") {
        return Ok((1.0, 1.0));
    }
    let engine = ref_engine()?;
    let component = Component::from_file(&engine, path)?;
    let mut linker = Linker::<Ref>::new(&engine);
    if p3 {
        wasmtime_wasi::p3::add_to_linker(&mut linker)?;
    } else {
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    }
    let pre = linker.instantiate_pre(&component)?;
    let rt = ref_runtime()?;
    let one = || -> Result<(Store<Ref>, wasmtime::component::Instance)> {
        let mut store = ref_store(&engine);
        let instance = if p3 {
            rt.block_on(pre.instantiate_async(&mut store))?
        } else {
            pre.instantiate(&mut store)?
        };
        let f = instance.get_typed_func::<(i32, i32), (i32,)>(&mut store, "add")?;
        if p3 {
            rt.block_on(store.run_concurrent(async |a| f.call_concurrent(a, (2, 3)).await))??;
        } else {
            f.call(&mut store, (2, 3))?;
        }
        Ok((store, instance))
    };
    one()?;
    let before = rss();
    let t = Instant::now();
    let mut kept = Vec::with_capacity(n);
    for _ in 0..n {
        kept.push(one()?);
    }
    let us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    let bytes = (rss() - before) / n as f64;
    drop(kept);
    Ok((us, bytes))
}
