// Shared by the p3_rs_bench* guests (each includes it with `#[path]`): argument parsing, the
// result line, and the modes that need only wasi:cli and wasi:clocks.
#![allow(dead_code)]

use crate::out::Out;
use wasip3::clocks::monotonic_clock;

pub const MS: u64 = 1_000_000; // monotonic-clock durations and marks are nanoseconds
pub const MIB: u64 = 1 << 20;

pub fn now() -> u64 {
    monotonic_clock::now()
}

/// argv[i] parsed, or an error naming `what`.
pub fn arg<T: core::str::FromStr>(args: &[String], i: usize, what: &str) -> Result<T, String> {
    let a = args.get(i).ok_or_else(|| format!("missing argument {i}: {what}"))?;
    a.parse().map_err(|_| format!("bad {what}: {a}"))
}

/// The harness's result line (benches/README.md): `<name> ns_per_op=<x> ops=<n>[ extra]`.
pub fn line(name: &str, ns: u64, ops: u64, extra: &str) -> String {
    let sep = if extra.is_empty() { "" } else { " " };
    format!("{name} ns_per_op={:.3} ops={ops}{sep}{extra}", ns as f64 / ops as f64)
}

/// Runs one mode and reports: the result line (or `FAILED: ...`) on stdout, or on stderr
/// when the mode uses stdout itself. Err(()) (exit status 1) on failure.
pub async fn report(r: Result<String, String>, on_stderr: bool) -> Result<(), ()> {
    let mut o = if on_stderr { Out::stderr() } else { Out::stdout() };
    let ok = r.is_ok();
    match r {
        Ok(l) => o.line(l).await,
        Err(e) => o.line(format!("FAILED: {e}")).await,
    }
    o.close().await;
    if ok { Ok(()) } else { Err(()) }
}

/// `stdout CHUNK MIB`: MIB/16 MiB untimed, then MIB MiB timed, into one
/// `wasi:cli/stdout.write-via-stream` stream in CHUNK-byte writes from one buffer (each
/// write awaited until the host has taken all of it); the timed part ends when the stream
/// is closed and write-via-stream's result has come back. One op = 64 KiB written (so the
/// figure compares with `cat` and the other stdout rows whatever CHUNK is).
pub async fn stdout(args: &[String]) -> Result<String, String> {
    let chunk: usize = arg(args, 2, "CHUNK")?;
    let mib: u64 = arg(args, 3, "MIB")?;
    if chunk == 0 {
        return Err("CHUNK must be > 0".into());
    }
    let (mut tx, rx) = wasip3::wit_stream::new();
    let done = wasip3::cli::stdout::write_via_stream(rx);
    let mut buf: Vec<u8> = (0..chunk).map(|i| i as u8).collect();
    put(&mut tx, &mut buf, (mib * MIB) / 16).await?; // warm-up, not timed
    let t0 = now();
    put(&mut tx, &mut buf, mib * MIB).await?;
    drop(tx);
    done.await.map_err(|e| format!("write-via-stream: {}", crate::out::kebab(&e)))?;
    let t1 = now();
    let ops = mib * MIB / 65536;
    Ok(line(&format!("p3_stdout_{chunk}"), t1 - t0, ops, &format!("bytes={}", mib * MIB)))
}

async fn put(tx: &mut wasip3::wit_bindgen::StreamWriter<u8>, buf: &mut Vec<u8>, bytes: u64) -> Result<(), String> {
    let chunk = buf.capacity();
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk as u64) as usize;
        let mut v = core::mem::take(buf);
        // SAFETY: the storage is the same `chunk` bytes initialized above (write_all hands
        // the Vec back with its storage unchanged, emptied of what was written); u8 has no
        // invalid values and nothing wrote to it since.
        unsafe { v.set_len(n) };
        let rest = tx.write_all(v).await;
        if !rest.is_empty() {
            return Err("stdout stream closed by the host".into());
        }
        *buf = rest;
        left -= n as u64;
    }
    Ok(())
}

/// `timers N D_MS`: N concurrent `wait-for(D ms)`, joined with join_all (so the host holds N
/// pending waits at once), after an untimed warm-up of max(N/10, 1). One op = one timer;
/// ns_per_op is the overhead per timer: (elapsed - D) / N.
pub async fn timers(args: &[String]) -> Result<String, String> {
    let n: u64 = arg(args, 2, "N")?;
    let d: u64 = arg(args, 3, "D_MS")?;
    if n == 0 {
        return Err("N must be > 0".into());
    }
    wait_all((n / 10).max(1), d).await; // warm-up, not timed
    let t0 = now();
    wait_all(n, d).await;
    let elapsed = now() - t0;
    if elapsed < d * MS {
        return Err(format!("{n} waits of {d} ms took only {elapsed} ns"));
    }
    Ok(line(&format!("p3_timers_{n}"), elapsed - d * MS, n, &format!("elapsed_ns={elapsed} wait_ms={d}")))
}

async fn wait_all(n: u64, d: u64) {
    futures::future::join_all((0..n).map(|_| monotonic_clock::wait_for(d * MS))).await;
}

/// `hello`: one line on stdout (a start-up measurement is the whole run).
pub async fn hello() -> Result<(), ()> {
    let mut o = Out::stdout();
    o.line("hello from p3_rs_bench").await;
    o.close().await;
    Ok(())
}
