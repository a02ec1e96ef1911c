#!/usr/bin/env bash
# Builds the Rust guest programs (tests/programs/rust, a cargo workspace of its own) for
# wasm32-wasip1 with Debian's rustc-web and build-std (see TOOLCHAIN.md, "Rust guests"), and
# copies each binary to <target>/rust-guests/bin/<name>.wasm, where the host tests
# (crates/eddy-cli/tests/p2_rs_*.rs) find them. Installs the toolchain when it is missing.
# Idempotent; quiet on success. The first build also builds std (~2 min on 2 cores).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"

need_apt=()
[ -x /usr/bin/rustc ] || need_apt+=(rustc-web)
[ -x /usr/bin/cargo ] || need_apt+=(cargo-web)
[ -d /usr/lib/rustlib/src/rust/library ] || need_apt+=(rust-web-src)
[ -x /usr/bin/wasm-ld-22 ] || need_apt+=(lld-22)
[ -f /usr/lib/wasm32-wasi/libc.a ] || need_apt+=(wasi-libc)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "build-rust-guests: apt-get install ${need_apt[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

guests="$root/tests/programs/rust"
target="${CARGO_TARGET_DIR:-$HOME/.cache/eddy-target}/rust-guests"
case "$target" in /*) ;; *) target="$PWD/$target" ;; esac
bin="$target/bin"
mkdir -p "$bin"

# Debian's cargo and rustc (1.96), never rustup's: a stripped PATH, no RUSTUP_TOOLCHAIN.
debian_cargo() {
  (cd "$guests" && env -u RUSTUP_TOOLCHAIN -u RUSTC_WRAPPER -u RUSTFLAGS PATH=/usr/bin:/bin \
    RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$target" /usr/bin/cargo "$@")
}

# The lockfile is checked in; it is only made afresh if someone deleted it.
[ -f "$guests/Cargo.lock" ] || debian_cargo generate-lockfile --quiet
debian_cargo build --quiet --locked --release --target wasm32-wasip1

# Every binary of the workspace: the [[bin]]s cargo built (one per crate here).
out="$target/wasm32-wasip1/release"
for manifest in "$guests"/*/Cargo.toml; do
  name="$(basename "$(dirname "$manifest")")"
  [ -f "$out/$name.wasm" ] || { echo "build-rust-guests: $out/$name.wasm was not built" >&2; exit 1; }
  if ! cmp -s "$out/$name.wasm" "$bin/$name.wasm"; then
    cp "$out/$name.wasm" "$bin/.$name.wasm.tmp"
    mv "$bin/.$name.wasm.tmp" "$bin/$name.wasm"
  fi
done
