//! p3_rs_mixed: Rust std's stdout (on wasm32-wasip2 it writes through wasi:cli/stdout@0.2,
//! here via the preview1 adapter wasm-component-ld links in) interleaved with writes to the
//! wasi:cli/stdout@0.3 stream. Both reach the same host stdout; the lines must come out in
//! program order, so each side is flushed before the other writes.
#[path = "../../p3_common/out.rs"]
mod out;

use std::io::Write;

struct Mixed;
wasip3::cli::command::export!(Mixed);

impl wasip3::exports::cli::run::Guest for Mixed {
    async fn run() -> Result<(), ()> {
        // std: println! then an explicit flush (std's stdout is line-buffered anyway).
        println!("line 1");
        std::io::stdout().flush().unwrap();

        // 0.3: a whole stdout stream for one line, closed (and its result awaited) so the
        // host has written it before std writes again.
        let mut p3 = out::Out::stdout();
        p3.line("line 2").await;
        p3.close().await;

        println!("line 3");
        std::io::stdout().flush().unwrap();

        // And the other way round within one open 0.3 stream: a std line between two
        // writes to the same stream.
        let mut p3 = out::Out::stdout();
        p3.line("line 4").await;
        println!("line 5");
        std::io::stdout().flush().unwrap();
        p3.line("line 6").await;
        p3.close().await;
        Ok(())
    }
}
