#!/usr/bin/env bash
# The host-call fuzzer at length: crates/eddy/tests/hostcall_fuzz.rs with CALLS fuzzed
# preview1 calls (default 1 000 000) over its 8 fixed seeds, in the test build (the one
# scripts/test.sh makes; dependencies optimised, Eddy's crates not); prints
# calls/s, traps and each function's errnos, and fails on a finding (a host panic or hang,
# an errno outside preview1's enum, a leaked fd, memory growth, a change outside the
# sandbox). Usage: scripts/fuzz-hostcalls.sh [CALLS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/eddy-target}"
EDDY_FUZZ_CALLS="${1:-1000000}" exec cargo test -p eddy --test hostcall_fuzz -- --nocapture
