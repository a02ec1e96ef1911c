//! Compiles the C guest programs in `tests/programs/c/*.c` (at the workspace root) to
//! `$OUT_DIR/programs/<stem>.wasm` for the integration tests, and tells them where via
//! `EDDY_TEST_PROGRAMS`.
//!
//! - The compiler is `clang-14 --target=wasm32-wasi -O2 -Wl,--strip-debug`; set `EDDY_CLANG`
//!   to use another clang.
//! - A program is recompiled only when its `.c` (or any `.h` beside it) is newer than its
//!   `.wasm`.
//! - Without a working guest toolchain (clang, wasm-ld, wasi-libc) the build goes on with a
//!   warning and leaves a `TOOLCHAIN_MISSING` marker: the tests that need a C program then
//!   fail with "guest toolchain missing: run scripts/setup.sh".
//! - A program that does not compile fails the build and shows clang's error.
//!
//! std only: no build-dependencies.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

const MARKER: &str = "TOOLCHAIN_MISSING";

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let src_dir = manifest_dir.join("../../tests/programs/c");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("programs");
    fs::create_dir_all(&out_dir).unwrap_or_else(|e| panic!("creating {}: {e}", out_dir.display()));

    println!("cargo:rustc-env=EDDY_TEST_PROGRAMS={}", out_dir.display());
    println!("cargo:rerun-if-env-changed=EDDY_CLANG");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", src_dir.display());

    let (sources, headers) = list_sources(&src_dir);
    for path in sources.iter().chain(&headers) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    // A program depends on the shared headers too.
    let newest_header = headers.iter().filter_map(|h| mtime(h)).max();

    let clang: OsString = env::var_os("EDDY_CLANG").unwrap_or_else(|| "clang-14".into());
    let marker = out_dir.join(MARKER);
    if let Err(why) = probe_toolchain(&clang, &out_dir) {
        println!(
            "cargo:warning=guest toolchain missing ({why}): the tests that run C guest programs \
             will fail; run scripts/setup.sh (or set EDDY_CLANG)"
        );
        fs::write(&marker, format!("{why}\n")).expect("writing the toolchain marker");
        // Never created: makes cargo rerun this script on every build until the toolchain is
        // there, so installing it is enough (no `cargo clean`).
        println!("cargo:rerun-if-changed={}", out_dir.join("rerun-until-toolchain").display());
        return;
    }
    let _ = fs::remove_file(&marker);

    for src in &sources {
        let stem = src.file_stem().unwrap().to_string_lossy().into_owned();
        let wasm = out_dir.join(format!("{stem}.wasm"));
        let newest_input = mtime(src).max(newest_header);
        if let (Some(out_time), Some(in_time)) = (mtime(&wasm), newest_input) {
            if out_time > in_time {
                continue;
            }
        }
        compile(&clang, src, &wasm);
    }
}

/// The `.c` and `.h` files of `dir`, sorted.
fn list_sources(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut sources = Vec::new();
    let mut headers = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => panic!("reading {}: {e}", dir.display()),
    };
    for entry in entries {
        let path = entry.expect("reading a directory entry").path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("c") => sources.push(path),
            Some("h") => headers.push(path),
            _ => {}
        }
    }
    sources.sort();
    headers.sort();
    (sources, headers)
}

fn mtime(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn clang_command(clang: &OsString, src: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(clang);
    cmd.arg("--target=wasm32-wasi").arg("-O2").arg("-Wl,--strip-debug").arg("-o").arg(out).arg(src);
    cmd
}

/// Compiles and links a trivial program: proves clang, wasm-ld and wasi-libc are all there.
fn probe_toolchain(clang: &OsString, out_dir: &Path) -> Result<(), String> {
    let src = out_dir.join("toolchain_probe.c");
    let out = out_dir.join("toolchain_probe.wasm");
    fs::write(&src, "#include <stdio.h>\nint main(void) { puts(\"ok\"); return 0; }\n")
        .map_err(|e| format!("writing {}: {e}", src.display()))?;
    let result = clang_command(clang, &src, &out).output();
    let _ = fs::remove_file(&out);
    match result {
        Err(e) => Err(format!("cannot run {}: {e}", clang.to_string_lossy())),
        Ok(o) if !o.status.success() => Err(format!(
            "{} cannot build a wasm32-wasi program: {}",
            clang.to_string_lossy(),
            String::from_utf8_lossy(&o.stderr).lines().next().unwrap_or("").trim()
        )),
        Ok(_) => Ok(()),
    }
}

fn compile(clang: &OsString, src: &Path, wasm: &Path) {
    // Write under a temporary name and rename, so that an interrupted build never leaves a
    // truncated .wasm that looks up to date.
    let tmp = wasm.with_extension("wasm.tmp");
    let output = clang_command(clang, src, &tmp)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", clang.to_string_lossy()));
    if !output.status.success() {
        let _ = fs::remove_file(&tmp);
        let stderr = String::from_utf8_lossy(&output.stderr);
        // Cargo shows the script's stderr when the build fails.
        eprintln!("{stderr}");
        panic!("guest program {} failed to compile ({}):\n{stderr}", src.display(), output.status);
    }
    fs::rename(&tmp, wasm)
        .unwrap_or_else(|e| panic!("renaming {} to {}: {e}", tmp.display(), wasm.display()));
}
