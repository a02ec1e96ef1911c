#!/usr/bin/env bash
# The test command (README, .ci/run): sets up the toolchain, then format check, clippy, and
# every test (guest programs are compiled by the test build; CPython runs through the CLI).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
# A build cache outside the checkout is reused when present, never required.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/eddy-target}"
export EDDY_CPYTHON="$root/.cache/guests/python-3.12.0.wasm"
# pip's script directory may not be on PATH (pyenv shims, user installs): name the binary.
EDDY_COMPONENTIZE_PY="$(python3 -c 'import os, sysconfig; print(os.path.join(sysconfig.get_path("scripts"), "componentize-py"))')"
export EDDY_COMPONENTIZE_PY
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
