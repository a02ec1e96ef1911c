#!/usr/bin/env bash
# The test command (README, .ci/run): sets up the toolchain, then format check, clippy, and
# every test (C guests are compiled by the test build, Rust guests by
# scripts/build-rust-guests.sh; CPython runs through the CLI).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
# A build cache outside the checkout is reused when present, never required.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/eddy-target}"
export EDDY_CPYTHON="$root/.cache/guests/python-3.12.0.wasm"
# Rust guests (tests/programs/rust, Debian's rustc-web with build-std) into
# $CARGO_TARGET_DIR/rust-guests/bin, where their tests look.
bash scripts/build-rust-guests.sh
export EDDY_RUST_GUESTS="$CARGO_TARGET_DIR/rust-guests/bin"
# pip's script directory may not be on PATH (pyenv shims, user installs): name the binary.
EDDY_COMPONENTIZE_PY="$(python3 -c 'import os, sysconfig; print(os.path.join(sysconfig.get_path("scripts"), "componentize-py"))')"
export EDDY_COMPONENTIZE_PY
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
