//! p3_rs_bench: the WASI 0.3 benchmark guest of benches/run.py (benches/README.md), modes that
//! need only wasi:cli and wasi:clocks @0.3, so eddy and wasmtime can run them without the 0.3
//! filesystem or sockets:
//!   p3_rs_bench stdout CHUNK MIB   -> `p3_stdout_<CHUNK> ns_per_op=<x> ops=<n> bytes=<b>` (stderr)
//!   p3_rs_bench timers N D_MS      -> `p3_timers_<N> ns_per_op=<x> ops=<N> ...` (stdout)
//!   p3_rs_bench hello              -> one line on stdout
//! The file read mode is in p3_rs_bench_fs, the TCP echo server in p3_rs_bench_tcp (each
//! imports the 0.3 interface it needs; one component with all modes would import them all,
//! and a runtime without one could not run even the stdout mode). Times its loops with
//! wasi:clocks/monotonic-clock@0.3; failures print `FAILED: ...` and exit with status 1.
#[path = "../../p3_common/out.rs"]
mod out;
mod common;

struct Bench;
wasip3::cli::command::export!(Bench);

impl wasip3::exports::cli::run::Guest for Bench {
    async fn run() -> Result<(), ()> {
        let args = wasip3::cli::environment::get_arguments();
        match args.get(1).map(String::as_str) {
            Some("stdout") => common::report(common::stdout(&args).await, true).await,
            Some("timers") => common::report(common::timers(&args).await, false).await,
            Some("hello") => common::hello().await,
            other => {
                let m = format!("unknown mode {other:?}: stdout CHUNK MIB | timers N D_MS | hello \
                                 (read: p3_rs_bench_fs, tcp: p3_rs_bench_tcp)");
                common::report(Err(m), false).await
            }
        }
    }
}
