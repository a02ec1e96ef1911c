//! Starts many export calls at once on one reactor and prints their results in order.
//!
//! ```text
//! cargo run --release -p eddy --example concurrent_calls -- FILE < calls.txt
//! ```
//!
//! FILE is a component or a preview1 reactor module; each line of stdin is one WAVE call as
//! `eddy run --invoke` takes it (`add(2, 3)`, `api#delayed(1, 10)`; empty lines are
//! skipped). All calls are started together on one [`eddy::Reactor`]; each result is printed
//! on stdout in WAVE, in input order (a failed call prints `error: ` and the first line of
//! its error). The guest's stdout and stderr go to this program's stderr, and so does
//! `N calls in T ms` at the end. Exit status 1 if FILE cannot be loaded.

use std::io::{BufRead, Write};
use std::time::Instant;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), eddy::Error> {
    let Some(file) = std::env::args_os().nth(1) else {
        return Err(eddy::Error::Usage("usage: concurrent_calls FILE < calls.txt".into()));
    };
    let config = eddy::EngineConfig { cache_dir: None, ..Default::default() };
    let engine = eddy::Engine::new(&config)?;
    let program = engine.load_file(file.as_ref())?;
    let reactor = eddy::Reactor::builder(&engine, &program, eddy::Capabilities::default())?
        .stdout(std::io::stderr())
        .stderr(std::io::stderr())
        .build()?;
    let lines: Vec<String> = std::io::stdin()
        .lock()
        .lines()
        .map_while(Result::ok)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let start = Instant::now();
    let calls: Vec<_> = lines.iter().map(|l| reactor.call_wave(l)).collect();
    let results = futures::executor::block_on(futures::future::join_all(calls));
    let took = start.elapsed();
    let mut out = std::io::stdout().lock();
    for r in results {
        let line = match r {
            Ok(text) => text,
            Err(e) => format!("error: {}", e.to_string().lines().next().unwrap_or_default()),
        };
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
    eprintln!("{} calls in {:.1} ms", lines.len(), took.as_secs_f64() * 1000.0);
    Ok(())
}
