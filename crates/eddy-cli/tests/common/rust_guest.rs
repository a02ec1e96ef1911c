//! Rust guests (tests/programs/rust), built by scripts/build-rust-guests.sh for
//! wasm32-wasip1, found here and adapted into components for the `p2_rs_*` tests.

use std::fs;
use std::path::{Path, PathBuf};

/// The directories where the built Rust guests may be, in order: `$EDDY_RUST_GUESTS` alone if
/// set, else `rust-guests/bin` under `$CARGO_TARGET_DIR`, under the target directory this
/// test was built in, and under `~/.cache/eddy-target` (the build script's default).
fn dirs() -> Vec<PathBuf> {
    if let Some(dir) = std::env::var_os("EDDY_RUST_GUESTS") {
        return vec![PathBuf::from(dir)];
    }
    let mut targets = Vec::new();
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        targets.push(PathBuf::from(t));
    }
    // `<target>/<profile>/eddy`.
    if let Some(t) = Path::new(env!("CARGO_BIN_EXE_eddy")).parent().and_then(Path::parent) {
        targets.push(t.to_path_buf());
    }
    if let Some(home) = std::env::var_os("HOME") {
        targets.push(Path::new(&home).join(".cache/eddy-target"));
    }
    targets.into_iter().map(|t| t.join("rust-guests/bin")).collect()
}

/// The Rust guest `name`'s core module (`<name>.wasm` in the first of the directories that
/// has it); panics naming the build script if none does.
pub fn module(name: &str) -> PathBuf {
    let dirs = dirs();
    let file = format!("{name}.wasm");
    dirs.iter().map(|d| d.join(&file)).find(|p| p.is_file()).unwrap_or_else(|| {
        let looked: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        panic!(
            "Rust guest {file} is not built: run scripts/build-rust-guests.sh (looked in {}; \
             EDDY_RUST_GUESTS may name the directory)",
            looked.join(", ")
        )
    })
}

/// The Rust guest `name` adapted into a component, written (atomically) to
/// `<target>/eddy-test-components/<name>.component.wasm`; returns that path as a string.
pub fn component(name: &str) -> String {
    let bytes = super::component::adapt(&fs::read(module(name)).unwrap());
    let dir = super::cache_dir().with_file_name("eddy-test-components");
    fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("{name}.component.wasm"));
    let tmp =
        dir.join(format!(".{name}.{}.{:?}.tmp", std::process::id(), std::thread::current().id()));
    fs::write(&tmp, &bytes).unwrap();
    fs::rename(&tmp, &out).unwrap();
    out.to_str().expect("path is UTF-8").to_owned()
}
