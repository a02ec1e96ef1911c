//! p3_rs_bench_fs: the file read mode of the WASI 0.3 benchmark guest (see p3_rs_bench), in
//! a component of its own because it imports wasi:filesystem@0.3:
//!   p3_rs_bench_fs read PATH CHUNK PASSES -> `p3_read_<CHUNK/1024>KiB ns_per_op=<x> ops=<n> ...` (stdout)
//! PATH is absolute, under a preopen (`/data/big.bin` with `--dir HOST::/data`): the preopen
//! whose name is PATH's longest prefix, then `open-at` of the rest, read-only. One untimed
//! pass, then PASSES timed passes; each pass is one `read-via-stream(0)` read to its end in
//! stream reads into one CHUNK-capacity buffer, then read-via-stream's result is awaited.
//! The byte count of every pass must equal the first's. One op = CHUNK bytes read
//! (ops = bytes / CHUNK; `reads=` is how many stream reads it took).
#[path = "../../p3_common/out.rs"]
mod out;
#[path = "../../p3_rs_bench/src/common.rs"]
mod common;

use common::{arg, line, now, report};
use out::kebab;
use wasip3::filesystem::types::{Descriptor, DescriptorFlags, OpenFlags, PathFlags};
use wasip3::wit_bindgen::StreamResult;

struct Bench;
wasip3::cli::command::export!(Bench);

impl wasip3::exports::cli::run::Guest for Bench {
    async fn run() -> Result<(), ()> {
        let args = wasip3::cli::environment::get_arguments();
        match args.get(1).map(String::as_str) {
            Some("read") => report(read(&args).await, false).await,
            other => report(Err(format!("unknown mode {other:?}: read PATH CHUNK PASSES")), false).await,
        }
    }
}

async fn read(args: &[String]) -> Result<String, String> {
    let path: String = arg(args, 2, "PATH")?;
    let chunk: usize = arg(args, 3, "CHUNK")?;
    let passes: u64 = arg(args, 4, "PASSES")?;
    if chunk == 0 || passes == 0 {
        return Err("CHUNK and PASSES must be > 0".into());
    }
    let file = open(&path).await?;
    let mut buf = Vec::with_capacity(chunk);
    let (size, _) = pass(&file, &mut buf).await?; // warm-up, not timed
    if size == 0 {
        return Err(format!("{path} is empty"));
    }
    let (mut bytes, mut reads) = (0, 0);
    let t0 = now();
    for _ in 0..passes {
        let (b, r) = pass(&file, &mut buf).await?;
        if b != size {
            return Err(format!("a pass read {b} bytes, the first {size}"));
        }
        bytes += b;
        reads += r;
    }
    let t1 = now();
    let ops = bytes / chunk as u64;
    let mib_s = bytes as f64 / MIB_F / ((t1 - t0) as f64 / 1e9);
    Ok(line(&format!("p3_read_{}KiB", chunk / 1024), t1 - t0, ops, &format!("reads={reads} mib_per_s={mib_s:.1}")))
}

const MIB_F: f64 = 1048576.0;

/// The preopen whose name is the longest directory prefix of `path`; open-at the rest.
async fn open(path: &str) -> Result<Descriptor, String> {
    let (dir, rest) = wasip3::filesystem::preopens::get_directories()
        .into_iter()
        .filter_map(|(d, name)| {
            let base = name.trim_end_matches('/');
            let rest = path.strip_prefix(base)?.strip_prefix('/')?.to_string();
            Some((base.len(), d, rest))
        })
        .max_by_key(|(len, _, _)| *len)
        .map(|(_, d, rest)| (d, rest))
        .ok_or_else(|| format!("no preopen holds {path}"))?;
    dir.open_at(PathFlags::empty(), rest, OpenFlags::empty(), DescriptorFlags::READ)
        .await
        .map_err(|e| format!("open-at {path}: {}", kebab(&e)))
}

/// One read-via-stream from offset 0 to the end: (bytes, stream reads that returned data).
async fn pass(file: &Descriptor, buf: &mut Vec<u8>) -> Result<(u64, u64), String> {
    let (mut rx, done) = file.read_via_stream(0);
    let (mut bytes, mut reads) = (0u64, 0u64);
    loop {
        let mut v = core::mem::take(buf);
        v.clear(); // the read fills the spare capacity: up to CHUNK bytes
        let (status, v) = rx.read(v).await;
        if !v.is_empty() {
            bytes += v.len() as u64;
            reads += 1;
        }
        *buf = v;
        if status == StreamResult::Dropped {
            break;
        }
    }
    drop(rx);
    done.await.map_err(|e| format!("read-via-stream: {}", kebab(&e)))?;
    Ok((bytes, reads))
}
