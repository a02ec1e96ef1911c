#!/usr/bin/env bash
# Builds the Rust guest programs (tests/programs/rust, a cargo workspace of its own) with
# Debian's rustc-web and build-std (see TOOLCHAIN.md, "Rust guests"):
#   - p2_rs_* (and any other member not named p3_*): binaries for wasm32-wasip1;
#   - p3_rs_*: WASI 0.3 components (cdylibs using the wasip3 crate) for wasm32-wasip2, linked
#     by wasm-component-ld (rustup's, else one `cargo install`ed into <target>/tools).
# Copies each to <target>/rust-guests/bin/<name>.wasm, where the host tests
# (crates/eddy-cli/tests/p2_rs_*.rs, ...) find them. Installs the toolchain when it is missing.
# Idempotent; quiet on success. The first build also builds std, once per target (~2 min
# each on 2 cores).
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

# wasm-component-ld, the linker of wasm32-wasip2 (it makes the core module a component).
# $WASM_COMPONENT_LD if set; else the one rustup ships with its toolchain (found from the
# sysroot of the rustc on the caller's PATH, or of rustup's in $CARGO_HOME/bin); else one
# installed from crates.io (pinned, --locked) into a cache beside the target dir.
wcl_version="0.5.22"
find_component_ld() {
  if [ -n "${WASM_COMPONENT_LD:-}" ]; then echo "$WASM_COMPONENT_LD"; return; fi
  local rc sysroot host
  for rc in "$(command -v rustc || true)" "${CARGO_HOME:-$HOME/.cargo}/bin/rustc"; do
    [ -n "$rc" ] && [ -x "$rc" ] || continue
    sysroot="$("$rc" --print sysroot 2>/dev/null)" || continue
    host="$("$rc" -vV 2>/dev/null | sed -n 's/^host: //p')" || continue
    if [ -x "$sysroot/lib/rustlib/$host/bin/wasm-component-ld" ]; then
      echo "$sysroot/lib/rustlib/$host/bin/wasm-component-ld"; return
    fi
  done
  local tools="$target/tools"
  if [ ! -x "$tools/bin/wasm-component-ld" ]; then
    echo "build-rust-guests: cargo install wasm-component-ld $wcl_version" >&2
    # Built for the build machine with Debian's toolchain, in a target dir of its own.
    env -u RUSTUP_TOOLCHAIN -u RUSTC_WRAPPER -u RUSTFLAGS -u CARGO_TARGET_DIR PATH=/usr/bin:/bin \
      RUSTC=/usr/bin/rustc /usr/bin/cargo install --quiet --locked --root "$tools" \
      --target-dir "$tools/build" --version "=$wcl_version" wasm-component-ld >&2 || return 1
    rm -rf "$tools/build"
  fi
  echo "$tools/bin/wasm-component-ld"
}

# Members by target: p3_* are 0.3 components for wasm32-wasip2, the rest wasip1 binaries.
p1=(); p3=()
for manifest in "$guests"/*/Cargo.toml; do
  name="$(basename "$(dirname "$manifest")")"
  case "$name" in p3_*) p3+=("$name") ;; *) p1+=("$name") ;; esac
done
pkgs() { local n; for n in "$@"; do printf -- '-p\n%s\n' "$n"; done; }

# The lockfile is checked in; it is only made afresh if someone deleted it.
[ -f "$guests/Cargo.lock" ] || debian_cargo generate-lockfile --quiet
mapfile -t args < <(pkgs "${p1[@]}")
debian_cargo build --quiet --locked --release --target wasm32-wasip1 "${args[@]}"
if [ ${#p3[@]} -gt 0 ]; then
  component_ld="$(find_component_ld)" && [ -x "$component_ld" ] \
    || { echo "build-rust-guests: no wasm-component-ld (${component_ld:-none})" >&2; exit 1; }
  mapfile -t args < <(pkgs "${p3[@]}")
  CARGO_TARGET_WASM32_WASIP2_LINKER="$component_ld" \
    debian_cargo build --quiet --locked --release --target wasm32-wasip2 "${args[@]}"
fi

# Every guest of the workspace: the [[bin]] (wasip1) or cdylib (wasip2) of each crate.
install_guest() { # <dir cargo wrote it to> <name>
  local out="$1" name="$2"
  [ -f "$out/$name.wasm" ] || { echo "build-rust-guests: $out/$name.wasm was not built" >&2; exit 1; }
  if ! cmp -s "$out/$name.wasm" "$bin/$name.wasm"; then
    cp "$out/$name.wasm" "$bin/.$name.wasm.tmp"
    mv "$bin/.$name.wasm.tmp" "$bin/$name.wasm"
  fi
}
for name in "${p1[@]}"; do install_guest "$target/wasm32-wasip1/release" "$name"; done
for name in "${p3[@]}"; do install_guest "$target/wasm32-wasip2/release" "$name"; done
