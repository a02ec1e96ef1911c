//! Helpers shared by the eddy crate's tests.

use std::path::PathBuf;

/// The built Rust guest `name` (scripts/build-rust-guests.sh): `$EDDY_RUST_GUESTS`, else
/// `rust-guests/bin` under `$CARGO_TARGET_DIR` or `~/.cache/eddy-target`.
pub fn guest(name: &str) -> PathBuf {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os("EDDY_RUST_GUESTS") {
        dirs.push(PathBuf::from(d));
    }
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        dirs.push(PathBuf::from(t).join("rust-guests/bin"));
    }
    if let Some(h) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(h).join(".cache/eddy-target/rust-guests/bin"));
    }
    let file = format!("{name}.wasm");
    dirs.iter().map(|d| d.join(&file)).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!("{file} is not built: run scripts/build-rust-guests.sh (looked in {dirs:?})")
    })
}
