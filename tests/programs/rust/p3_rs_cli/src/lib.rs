//! p3_rs_cli: the wasi:cli@0.3 command surface, plus clocks and random.
//! Prints its arguments, GREETING, the initial cwd, then copies stdin to stdout uppercased
//! line by line (each line's length reported on stderr), then the clock/random checks, and
//! ends by `exit=N` (exit-with-code), `fail` (run returns Err) or Ok; `drop=N` first makes
//! and drops N stdin and N stderr streams.
#[path = "../../p3_common/out.rs"]
mod out;

use out::Out;
use wasip3::wit_bindgen::StreamResult;
use wasip3::cli::{environment, exit, stdin};
use wasip3::clocks::{monotonic_clock, system_clock};
use wasip3::random::{insecure, insecure_seed, random};

struct Cli;
wasip3::cli::command::export!(Cli);

impl wasip3::exports::cli::run::Guest for Cli {
    async fn run() -> Result<(), ()> {
        let mut stdout = Out::stdout();
        let mut stderr = Out::stderr();

        // environment.get-arguments: argv[0] is the program name as the runtime gives it.
        let args = environment::get_arguments();
        for (i, a) in args.iter().enumerate() {
            stdout.line(format!("arg[{i}]={a}")).await;
        }
        // environment.get-environment: only GREETING is looked at.
        match environment::get_environment().into_iter().find(|(k, _)| k == "GREETING") {
            Some((_, v)) => stdout.line(format!("GREETING={v}")).await,
            None => stdout.line("GREETING unset").await,
        }
        // environment.get-initial-cwd: option<string>.
        stdout.line(format!("initial-cwd={:?}", environment::get_initial_cwd())).await;

        // stdin.read-via-stream: read to the end; every complete line goes back uppercased
        // on stdout, followed by "stderr: N bytes" (its length with the newline) on stderr.
        let (mut rx, result) = stdin::read_via_stream();
        let mut pending = Vec::new();
        let mut total = 0usize;
        loop {
            let (status, buf) = rx.read(Vec::with_capacity(4096)).await;
            // `Dropped`: the host closed the stream, i.e. end of input.
            let eof = status == StreamResult::Dropped;
            total += buf.len();
            pending.extend_from_slice(&buf);
            // Lines are handled as they complete; at EOF an unterminated rest is one more
            // line (echoed with a newline added, so the next stdout line starts cleanly).
            while let Some(nl) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=nl).collect();
                echo(&mut stdout, &mut stderr, line, nl + 1).await;
            }
            if eof {
                if !pending.is_empty() {
                    let n = pending.len();
                    pending.push(b'\n');
                    echo(&mut stdout, &mut stderr, std::mem::take(&mut pending), n).await;
                }
                break;
            }
        }
        drop(rx);
        let stdin_result = result.await;
        stdout.line(format!("stdin: {total} bytes, result ok={}", stdin_result.is_ok())).await;

        // Clocks: monotonic now > 0; system clock past 2020-09-13 (1_600_000_000 s).
        stdout.line(format!("monotonic now>0: {}", monotonic_clock::now() > 0)).await;
        let sys = system_clock::now();
        stdout.line(format!("system now>1600000000: {}", sys.seconds > 1_600_000_000)).await;
        // Random: get-random-bytes returns exactly the length asked for.
        stdout.line(format!("random {} bytes", random::get_random_bytes(16).len())).await;
        let _ = random::get_random_u64();
        stdout.line(format!("insecure {} bytes", insecure::get_insecure_random_bytes(8).len())).await;
        let _ = insecure_seed::get_insecure_seed();
        stdout.line("insecure-seed ok").await;
        // (wasip3 0.10 / wasi 0.3.2 has no timezone interface, so none is checked.)

        // The ending the first guest argument asks for (args[0] is the program name).
        let first = args.get(1).map(String::as_str).unwrap_or("");
        // `drop=N`: N stdin streams made and dropped unread, and N stderr streams made,
        // ended at once and awaited: run under a low fd limit, a host that kept anything of
        // a dropped stream (its duplicate of the stdin fd) would run out.
        if let Some(n) = first.strip_prefix("drop=") {
            let n: u32 = n.parse().expect("drop=N");
            for _ in 0..n {
                let (rx, result) = stdin::read_via_stream();
                drop(rx);
                drop(result);
                let (tx, rx) = wasip3::wit_stream::new::<u8>();
                let done = wasip3::cli::stderr::write_via_stream(rx);
                drop(tx);
                done.await.expect("an ended stderr stream resolves ok");
            }
            stdout.line(format!("dropped {n} stdin and {n} stderr streams")).await;
        }
        if let Some(n) = first.strip_prefix("exit=") {
            let code: u8 = n.parse().expect("exit=N with N in 0..=255");
            stdout.line(format!("exit-with-code {code}")).await;
            // Flush both streams first: exit does not return.
            stdout.close().await;
            stderr.close().await;
            exit::exit_with_code(code);
            unreachable!("exit-with-code returned");
        }
        let fail = first == "fail";
        stdout.line(if fail { "returning err" } else { "returning ok" }).await;
        stdout.close().await;
        stderr.close().await;
        if fail { Err(()) } else { Ok(()) }
    }
}

/// One stdin line: uppercased to stdout, its byte count on stdin (`n`) to stderr.
async fn echo(stdout: &mut Out, stderr: &mut Out, line: Vec<u8>, n: usize) {
    stdout.bytes(line.to_ascii_uppercase()).await;
    stderr.line(format!("stderr: {n} bytes")).await;
}
