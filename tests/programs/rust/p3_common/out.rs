// Shared by the p3_rs_* guests (each includes it with `#[path]`): line output through the
// WASI 0.3 stdio streams, and error codes printed the way the WIT spells them.
#![allow(dead_code)]

use wasip3::wit_bindgen::{FutureReader, StreamWriter};

/// One of wasi:cli/stdout or stderr @0.3: a stream handed to `write-via-stream` once; every
/// line is written into it in order, and `close` ends the stream and awaits the host's result.
pub struct Out {
    tx: StreamWriter<u8>,
    done: FutureReader<Result<(), wasip3::cli::types::ErrorCode>>,
}

impl Out {
    pub fn stdout() -> Out {
        let (tx, rx) = wasip3::wit_stream::new();
        Out { tx, done: wasip3::cli::stdout::write_via_stream(rx) }
    }

    pub fn stderr() -> Out {
        let (tx, rx) = wasip3::wit_stream::new();
        Out { tx, done: wasip3::cli::stderr::write_via_stream(rx) }
    }

    /// Writes all of `bytes`; the write completes once the host has taken them.
    pub async fn bytes(&mut self, bytes: Vec<u8>) {
        let rest = self.tx.write_all(bytes).await;
        assert!(rest.is_empty(), "stdio stream closed by the host");
    }

    pub async fn line(&mut self, s: impl AsRef<str>) {
        let mut v = s.as_ref().as_bytes().to_vec();
        v.push(b'\n');
        self.bytes(v).await;
    }

    /// Ends the stream (dropping the writer) and waits for `write-via-stream`'s result.
    pub async fn close(self) {
        drop(self.tx);
        self.done.await.expect("write-via-stream failed");
    }
}

/// `ErrorCode::NoEntry` (any of the generated error enums' Debug) -> `no-entry`.
pub fn kebab(e: &impl core::fmt::Debug) -> String {
    let dbg = format!("{e:?}");
    let name = dbg.rsplit("::").next().unwrap_or(&dbg);
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
