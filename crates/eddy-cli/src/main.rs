//! `eddy`: runs WASI programs.
//!
//! Exit status: the guest's (`proc_exit(n)` → n, `_start` returning → 0; for a component,
//! `exit-with-code(n)` → n, `run` returning or `exit` with `ok` → 0, `err` → 1), for n below
//! 126; 134 when the guest traps (message and wasm backtrace on stderr); 1 for a load, link or
//! capability error, a program that is not a command, or a guest status of 126 or more (one
//! line on stderr naming the problem); 2 for a command-line usage error: clap's, or a flag
//! value Eddy cannot parse (`-W timeout=abc`, `--dir ::/g`: one `error: ` line).

mod cache_cmd;
mod determinism;
mod options;
mod progress;
mod trace;

use std::process::ExitCode;

use clap::Parser;

use options::{Cli, Command, Failure};

fn main() -> ExitCode {
    // A write past the file-size limit (`ulimit -f`) raises SIGXFSZ, whose default action
    // kills the process, losing the guest's status and output: ignored, the write fails
    // with EFBIG, which reaches the guest as its errno (tests/faults.rs). Rust's runtime
    // does the same for SIGPIPE.
    // SAFETY: at the start of main, before any thread is spawned; SIG_IGN runs no code.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let args = match options::implicit_run(std::env::args_os()) {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("error: {msg}");
            return exit(2);
        }
    };
    let cli = Cli::parse_from(args);
    let status = match cli.command {
        Command::Run(run) => run.execute(),
        Command::Compile(c) => c.execute(),
        Command::Settings(c) => c.execute(),
        Command::Wast(c) => c.execute(),
        Command::Config(c) => c.execute(),
        Command::Cache(c) => c.execute(),
    };
    match status {
        Ok(code) => exit(code),
        Err(Failure::Usage(msg)) => {
            eprintln!("error: {msg}");
            exit(2)
        }
        Err(Failure::Eddy(e)) => {
            use std::io::Write;
            let _ = std::io::stdout().flush();
            eprintln!("Error: {e}");
            exit(e.exit_status())
        }
    }
}

/// Exits with `code` as the OS sees it (the low 8 bits).
fn exit(code: i32) -> ExitCode {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    ExitCode::from(code as u8)
}
